"""Helpers of the access matrix (tests/test_access_matrix.py): a small stand-in for Dash's
renderer that opens a page the way the browser does (the pages callback for the layout, then
every server callback whose inputs are on the page, fed by what earlier ones returned, then
every button once), and the texts of everything the server answered, downloads decoded."""
from __future__ import annotations

import base64
import io
import json
import zipfile
from dataclasses import dataclass, field
from typing import Any

CALLBACK = "/_dash-update-component"
PAGES_OUTPUT = ".._pages_content.children..._pages_store.data.."
CLICKS = ("n_clicks",)


def id_key(ident: Any) -> str:
    return json.dumps(ident, sort_keys=True, separators=(",", ":")) if isinstance(ident, dict) else str(ident)


def parse_output(output: str) -> list[tuple[Any, str]]:
    """Dash's output string (``a.b`` or ``..a.b...c.d..``) as (id, property) pairs."""
    parts = output[2:-2].split("...") if output.startswith("..") else [output]
    found = []
    for part in parts:
        ident, _, prop = part.rpartition(".")
        found.append((json.loads(ident) if ident.startswith("{") else ident, prop))
    return found


WILD = (["ALL"], ["MATCH"], ["ALLSMALLER"])


def wildcard(ident: Any) -> bool:
    return isinstance(ident, dict) and any(v in WILD for v in ident.values())


def as_id(ident: Any) -> Any:
    """An id of ``/_dash-dependencies`` (a pattern id comes as its JSON text)."""
    return json.loads(ident) if isinstance(ident, str) and ident.startswith("{") else ident


def _matches(pattern: dict, ident: Any) -> bool:
    if not isinstance(ident, dict) or set(ident) != set(pattern):
        return False
    return all(v in WILD or ident[k] == v for k, v in pattern.items())


@dataclass
class Page:
    """The props of every component with an id on one open page."""
    props: dict[str, dict[str, Any]] = field(default_factory=dict)
    ids: dict[str, Any] = field(default_factory=dict)

    def walk(self, node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                self.walk(item)
        elif isinstance(node, dict):
            if "props" in node and "type" in node and isinstance(node["props"], dict):
                ident = node["props"].get("id")
                if ident is not None:
                    key = id_key(ident)
                    self.ids[key] = ident
                    self.props.setdefault(key, {}).update(node["props"])
            for value in node.values():
                self.walk(value)

    def concrete(self, ident: Any) -> list[Any]:
        ident = as_id(ident)
        if wildcard(ident):
            return [i for i in self.ids.values() if _matches(ident, i)]
        return [ident] if id_key(ident) in self.props else []

    def value(self, ident: Any, prop: str) -> Any:
        return self.props.get(id_key(ident), {}).get(prop.split("@")[0])

    def apply(self, response: dict) -> None:
        for key, changes in response.items():
            if key not in self.ids:
                self.ids[key] = json.loads(key) if key.startswith("{") else key
            self.props.setdefault(key, {}).update(changes)
            self.walk(changes)


def _entries(page: Page, dep: dict, clicked: tuple[str, str] | None = None) -> Any:
    ident, prop = as_id(dep["id"]), dep["property"]

    def one(concrete: Any) -> dict:
        value = page.value(concrete, prop)
        if clicked is not None and clicked == (id_key(concrete), prop):
            value = (value or 0) + 1
        return {"id": concrete, "property": prop, "value": value}

    if wildcard(ident):
        return [one(c) for c in page.concrete(ident)]
    return one(ident)


def body_of(page: Page, dep: dict, *, changed: list[str], clicked: tuple[str, str] | None = None) -> dict:
    outputs = []
    for ident, prop in parse_output(dep["output"]):
        if wildcard(ident):
            outputs.append([{"id": c, "property": prop} for c in page.concrete(ident)])
        else:
            outputs.append({"id": ident, "property": prop})
    multi = dep["output"].startswith("..")
    return {"output": dep["output"], "outputs": outputs if multi else outputs[0],
            "inputs": [_entries(page, i, clicked) for i in dep["inputs"]],
            "state": [_entries(page, s) for s in dep["state"]], "changedPropIds": changed}


def _present(page: Page, dep: dict) -> bool:
    """Whether the page holds the callback's inputs (a pattern may match none, as long as
    something else is there) and its outputs."""
    inputs = [(wildcard(as_id(i["id"])), bool(page.concrete(i["id"]))) for i in dep["inputs"]]
    return all(found or wild for wild, found in inputs) and any(found for _, found in inputs) and all(
        wildcard(o[0]) or id_key(o[0]) in page.props for o in parse_output(dep["output"]))


@dataclass
class Opened:
    """What opening a page answered: each callback's status and text, by its output."""
    statuses: dict[str, list[int]] = field(default_factory=dict)
    texts: list[tuple[str, str]] = field(default_factory=list)
    page: Page = field(default_factory=Page)

    def add(self, output: str, response) -> None:
        self.statuses.setdefault(output, []).append(response.status_code)
        if response.status_code == 200:
            self.texts.append((output, readable(response.get_data(as_text=True))))

    def text(self) -> str:
        return "\n".join(t for _, t in self.texts)


def open_page(client, deps: list[dict], path: str, search: str = "", *, rounds: int = 4) -> Opened:
    """Open ``path`` as the browser does and press every button once."""
    opened = Opened()
    page = opened.page
    page.walk(client.get("/_dash-layout").get_json())
    first = client.post(CALLBACK, json={
        "output": PAGES_OUTPUT, "outputs": [{"id": "_pages_content", "property": "children"},
                                            {"id": "_pages_store", "property": "data"}],
        "inputs": [{"id": "_pages_location", "property": "pathname", "value": path},
                   {"id": "_pages_location", "property": "search", "value": search}],
        "state": [], "changedPropIds": ["_pages_location.pathname"]})
    opened.add(PAGES_OUTPUT, first)
    if first.status_code != 200:
        return opened
    page.apply(first.get_json()["response"])
    page.props.setdefault("_pages_location", {}).update(pathname=path, search=search)
    server_side = [d for d in deps if d["clientside_function"] is None and d["output"] != PAGES_OUTPUT]
    fired: dict[str, str] = {}
    for _ in range(rounds):
        for dep in server_side:
            if not _present(page, dep):
                continue
            body = body_of(page, dep, changed=[])
            seen = json.dumps(body["inputs"], sort_keys=True, default=str)
            if fired.get(dep["output"]) == seen:
                continue
            changed = [] if dep["output"] not in fired else [
                f"{id_key(as_id(i['id']))}.{i['property']}" for i in dep["inputs"] if not wildcard(as_id(i["id"]))]
            fired[dep["output"]] = seen
            response = client.post(CALLBACK, json={**body, "changedPropIds": changed})
            opened.add(dep["output"], response)
            if response.status_code == 200:
                page.apply(response.get_json().get("response", {}))
    for dep in server_side:                  # every button (and export) once
        for i in dep["inputs"]:
            if i["property"] not in CLICKS or not _present(page, dep):
                continue
            for concrete in page.concrete(i["id"]):
                clicked = (id_key(concrete), i["property"])
                body = body_of(page, dep, changed=[f"{id_key(concrete)}.{i['property']}"], clicked=clicked)
                response = client.post(CALLBACK, json=body)
                opened.add(dep["output"], response)
    return opened


def readable(text: str) -> str:
    """A callback's answer with every base64 download decoded (a zip, an .xlsx: its XML parts)."""
    try:
        body = json.loads(text)
    except ValueError:
        return text
    extra: list[str] = []

    def visit(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("base64") and isinstance(node.get("content"), str):
                extra.append(decoded(base64.b64decode(node["content"])))
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)

    visit(body)
    return json.dumps(body, ensure_ascii=False) + "\n".join(extra)


def decoded(data: bytes) -> str:
    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return "\n".join(z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith(".xml"))
    return data.decode("utf-8-sig", "replace")
