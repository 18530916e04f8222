"""The views (``dashboard/views/``) compute what a page shows and lay nothing out: none of
them imports Dash's HTML or core components, AG Grid, or the pages; the layout lives in
``dashboard/pages/``."""
from __future__ import annotations

import ast
from pathlib import Path

VIEWS = Path(__file__).resolve().parents[1] / "dashboard" / "views"
LAYOUT = {"dash.html", "dash.dcc", "dash_ag_grid", "dash_html_components", "dash_core_components"}


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names |= {f"{node.module}.{a.name}" for a in node.names}
    return names


def test_no_view_imports_layout():
    modules = sorted(VIEWS.glob("*.py"))
    assert len(modules) >= 9
    for path in modules:
        imported = _imports(path)
        assert not imported & LAYOUT, (path.name, imported & LAYOUT)
        assert not any(name.startswith(("dashboard.pages", "dashboard.components")) for name in imported), path.name
