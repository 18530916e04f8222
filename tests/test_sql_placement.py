"""SQL is code kept in files: no module outside queries/ holds SQL text, and no module in
queries/ holds a write statement (they live in queries/writes/, run by the store)."""
from __future__ import annotations

import ast
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SQL_TEXT = re.compile(r"\b(SELECT\s.+\sFROM|INSERT\s+(OR\s+\w+\s+)?INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|"
                      r"CREATE\s+(OR\s+REPLACE\s+)?(TEMP\s+)?(TABLE|VIEW|MACRO|INDEX|SEQUENCE)|DROP\s+(TABLE|VIEW)|"
                      r"ALTER\s+TABLE|COPY\s+\(?\w+|CHECKPOINT\b|ATTACH\s)", re.S)
WRITE_TEXT = re.compile(r"\b(INSERT\s+(OR\s+\w+\s+)?INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|"
                        r"CREATE\s+(OR\s+REPLACE\s+)?(TEMP\s+)?(TABLE|VIEW|MACRO|INDEX|SEQUENCE)|DROP\s+(TABLE|VIEW)|"
                        r"ALTER\s+TABLE|COPY\s+\(?\w+|CHECKPOINT\b)", re.S)


def _strings(path: Path) -> list[tuple[int, str]]:
    """Every string literal of a module (f-strings joined), docstrings left out."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                  and node.body and isinstance(node.body[0], ast.Expr)
                  and isinstance(node.body[0].value, ast.Constant) and isinstance(node.body[0].value.value, str)}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            found.append((node.lineno, node.value))
        elif isinstance(node, ast.JoinedStr):
            found.append((node.lineno, "".join(v.value if isinstance(v, ast.Constant) else " x "
                                              for v in node.values)))
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            parts = [n.value for n in (node.left, node.right) if isinstance(n, ast.Constant)
                     and isinstance(n.value, str)]
            if len(parts) == 2:
                found.append((node.lineno, " ".join(parts)))
    return found


def _offenders(folders: list[str], pattern: re.Pattern) -> list[str]:
    bad = []
    for folder in folders:
        for path in sorted((REPO / folder).rglob("*.py")):
            for line, text in _strings(path):
                if pattern.search(text):
                    bad.append(f"{path.relative_to(REPO)}:{line}: {' '.join(text.split())[:70]}")
    return sorted(set(bad))


def test_no_sql_text_outside_queries():
    assert _offenders(["dashboard", "layers", "data", "benchmarks"], SQL_TEXT) == []


def test_no_write_statement_in_queries_modules():
    assert _offenders(["queries"], WRITE_TEXT) == []


def test_the_greps_can_fail():
    assert SQL_TEXT.search("SELECT count(*) FROM matters") and SQL_TEXT.search("DELETE FROM work_days")
    assert WRITE_TEXT.search("INSERT OR REPLACE INTO meta VALUES (?, ?)") and WRITE_TEXT.search("UPDATE m SET a = 1")
    assert not WRITE_TEXT.search("SELECT * FROM matters") and not SQL_TEXT.search("select a tab from the list")
