"""The shape of the house, read from the source with ast: imports run one way,
``dashboard → layers → queries``; ``queries`` and ``layers`` never import ``dash`` (nor
``dashboard``), ``queries`` never imports ``layers``, ``dashboard`` never imports ``duckdb``;
``data`` never imports ``dashboard``; only tests import ``tests``; and no two of the
project's modules import each other, directly or round a longer loop.

Every import counts, those inside functions too (a deferred import is still a dependency,
and hiding a cycle that way is the habit this test is here to stop). Modules are files: an
import names the module it loads (``from queries import store`` loads ``queries.store``).
"""
from __future__ import annotations

import ast
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("dashboard", "layers", "queries", "data", "tests", "benchmarks")


@dataclass(frozen=True)
class Import:
    importer: str          # dotted module of the file that imports
    imported: str          # dotted module (or external top-level name) it imports
    path: str              # the importing file, relative to ROOT
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line} {self.importer} imports {self.imported}"


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules(root: Path = ROOT) -> dict[str, Path]:
    return {module_name(p, root): p for package in PACKAGES for p in sorted((root / package).rglob("*.py"))}


def imports_of(path: Path, root: Path, modules: dict[str, Path]) -> list[Import]:
    """Every import statement in the file, at any depth, as the modules it loads."""
    importer = module_name(path, root)
    rel = path.relative_to(root).as_posix()
    is_package = path.name == "__init__.py"
    # pytest puts tests/ on sys.path: a test's ``import analysis_fixtures`` is tests/analysis_fixtures.py.
    in_tests = importer.startswith("tests.")
    found: list[Import] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=rel)):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = importer.split(".")
                base = base[: len(base) - node.level + (1 if is_package else 0)]
                prefix = ".".join(base + ([node.module] if node.module else []))
            else:
                prefix = node.module or ""
            if prefix == "__future__":
                continue
            # ``from pkg import name``: name is a submodule when such a file exists.
            names = [f"{prefix}.{a.name}" if f"{prefix}.{a.name}" in modules else prefix for a in node.names]
        for name in names:
            if in_tests and f"tests.{name.split('.')[0]}" in modules:
                name = f"tests.{name}"
            found.append(Import(importer, name, rel, node.lineno))
    return found


@lru_cache(maxsize=None)
def all_imports(root: Path = ROOT) -> tuple[Import, ...]:
    modules = project_modules(root)
    return tuple(imp for path in modules.values() for imp in imports_of(path, root, modules))


def top(name: str) -> str:
    return name.split(".")[0]


# (importer's top-level package, imported top-level name, why)
FORBIDDEN = [
    ("queries", "dashboard", "queries sits below dashboard"),
    ("queries", "layers", "queries sits below layers"),
    ("queries", "dash", "queries never imports dash"),
    ("layers", "dashboard", "layers sits below dashboard"),
    ("layers", "dash", "layers never imports dash"),
    ("layers", "duckdb", "layers never imports duckdb (its package docstring promises it)"),
    ("dashboard", "duckdb", "dashboard reaches the store through queries, never duckdb"),
    ("data", "dashboard", "data never imports dashboard"),
]
def is_under(name: str, package: str) -> bool:
    """``name`` is ``package`` or inside it; Dash's component packages (``dash_ag_grid``)
    count as ``dash``."""
    first = top(name)
    return first == package or (package == "dash" and first.startswith("dash_"))


def violations(imports, importer_top: str, imported_top: str) -> list[Import]:
    return [i for i in imports if top(i.importer) == importer_top and is_under(i.imported, imported_top)]


def check(rule: str, found: list[Import], message: str) -> None:
    """Fail on what ``found`` lists, naming each import."""
    assert not found, f"{message} ({rule}):\n" + "\n".join(sorted(map(str, found)))


def test_the_rules_name_real_packages():
    """A rule about a package that does not exist (a typo, a rename) would pass forever."""
    modules = project_modules()
    tops = {top(m) for m in modules}
    for importer_top, imported_top, _ in FORBIDDEN:
        assert importer_top in tops
        assert imported_top in tops or imported_top in ("dash", "duckdb")
    assert len(modules) > 50
    imports = all_imports()
    assert any(top(i.importer) == "dashboard" and top(i.imported) == "dash" for i in imports)
    assert any(top(i.importer) == "queries" and top(i.imported) == "duckdb" for i in imports)


@pytest.mark.parametrize(("importer_top", "imported_top", "why"), FORBIDDEN,
                         ids=[f"{a}-not-{b}" for a, b, _ in FORBIDDEN])
def test_imports_run_one_way(importer_top, imported_top, why):
    check(f"{importer_top}-not-{imported_top}", violations(all_imports(), importer_top, imported_top), why)


def test_only_tests_import_tests():
    found = [i for i in all_imports() if top(i.imported) == "tests" and top(i.importer) != "tests"]
    check("only-tests-import-tests", found, "only tests may import tests")


def import_cycles(imports: list[Import]) -> list[list[str]]:
    """The strongly connected components of more than one module (or a module importing
    itself) in the graph of imports between project modules (Tarjan, iteratively)."""
    modules = {i.importer for i in imports}
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for i in imports:
        if i.imported in modules:
            graph[i.importer].add(i.imported)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1 or node in graph[node]:
                    cycles.append(sorted(component))
    return sorted(cycles)


def test_no_import_cycles():
    imports = all_imports()
    cycles = import_cycles(imports)
    inside = [i for members in cycles for i in imports if i.importer in members and i.imported in members]
    check("no-import-cycles", inside, "import cycles: " + "; ".join(" ⇄ ".join(c) for c in cycles))


def test_the_checks_catch_what_they_are_for(tmp_path):
    """Each check fails on a tree built to break every rule once: with a deferred import
    inside a function, a relative import, a ``from pkg import module``, a test's bare import
    of a helper beside it, and a three-module loop."""
    files = {
        "queries/__init__.py": "",
        "queries/a.py": "def f():\n    from dashboard import views\n",
        "queries/b.py": "from . import c\n",
        "queries/c.py": "import queries.d\n",
        "queries/d.py": "from queries.b import x\nimport dash\n",
        "queries/e.py": "from layers.m import g\n",
        "layers/__init__.py": "",
        "layers/m.py": "def g():\n    import queries.a\n",
        "layers/n.py": "import dash_ag_grid\nimport dashboard.views\nimport duckdb\n",
        "dashboard/__init__.py": "",
        "dashboard/views.py": "import duckdb\nfrom layers import m\n",
        "data/__init__.py": "",
        "data/gen.py": "from dashboard.views import x\n",
        "benchmarks/run.py": "def h():\n    from tests.servers import serving\n",
        "tests/servers.py": "",
        "tests/test_x.py": "import servers\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    imports = all_imports(tmp_path)
    broken = {(a, b) for a, b, _ in FORBIDDEN if violations(imports, a, b)}
    assert broken == {(a, b) for a, b, _ in FORBIDDEN}
    assert [str(i) for i in violations(imports, "queries", "dashboard")] == [
        "queries/a.py:2 queries.a imports dashboard.views"]
    assert not violations(imports, "dashboard", "dash")
    assert sorted(str(i) for i in imports if top(i.imported) == "tests") == [
        "benchmarks/run.py:2 benchmarks.run imports tests.servers",
        "tests/test_x.py:1 tests.test_x imports tests.servers"]
    assert import_cycles(imports) == [["dashboard.views", "layers.m", "queries.a"],
                                      ["queries.b", "queries.c", "queries.d"]]
