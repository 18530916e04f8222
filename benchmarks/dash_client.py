"""Drive a Dash app's callbacks through its real HTTP endpoint (``/_dash-update-component``)
the way the browser's renderer does: the benchmark then measures the whole server path
(Flask, Dash's dispatch, the callback, serialisation), not a function call."""
from __future__ import annotations

import json
from typing import Any, Iterable


def _components(tree: Any) -> Iterable[Any]:
    yield tree
    if hasattr(tree, "_traverse"):
        yield from tree._traverse()


def layout_props(layout: Any) -> dict[str, tuple[Any, dict[str, Any]]]:
    """Every component with an id in a layout: id key → (id, its props)."""
    found = {}
    for component in _components(layout):
        cid = getattr(component, "id", None)
        if cid is None:
            continue
        props = component.to_plotly_json()["props"]
        found[_key(cid)] = (cid, props)
    return found


def _key(cid: Any) -> str:
    return json.dumps(cid, sort_keys=True, separators=(",", ":")) if isinstance(cid, dict) else cid


def _split_output(output: str) -> list[tuple[str, str]]:
    """'..a.x...b.y..' or 'a.x' → [(id, prop)], keeping '@hash' on duplicate outputs."""
    parts = output[2:-2].split("...") if output.startswith("..") else [output]
    return [tuple(p.rsplit(".", 1)) for p in parts]


class DashCallbackClient:
    def __init__(self, http: Any, layout: Any, values: dict[tuple[str, str], Any] | None = None) -> None:
        self.http = http
        self.deps = http.get("/_dash-dependencies").get_json()
        self.components = layout_props(layout)
        self.values = dict(values or {})

    def set(self, cid: str, prop: str, value: Any) -> None:
        self.values[(cid, prop)] = value

    def _matches(self, pattern_id: str) -> list[Any]:
        """Concrete component ids matching a (possibly wildcard) id from the dependencies."""
        if not pattern_id.startswith("{"):
            return [pattern_id]
        pattern = json.loads(pattern_id)
        out = []
        for cid, _props in self.components.values():
            if (isinstance(cid, dict) and cid.get("type") == pattern.get("type") and set(cid) == set(pattern)
                    and all(v == ["ALL"] or cid[k] == v for k, v in pattern.items())):
                out.append(cid)
        return out

    def _value(self, cid: Any, prop: str) -> Any:
        key = (_key(cid), prop)
        if key in self.values:
            return self.values[key]
        found = self.components.get(_key(cid))
        return None if found is None else found[1].get(prop)

    def _spec(self, dep_item: dict[str, str], with_value: bool) -> Any:
        matches = self._matches(dep_item["id"])
        items = [{"id": m, "property": dep_item["property"],
                  **({"value": self._value(m, dep_item["property"])} if with_value else {})} for m in matches]
        return items if dep_item["id"].startswith("{") else items[0]

    def callbacks_triggered_by(self, cid: str, prop: str) -> list[dict[str, Any]]:
        return [d for d in self.deps if any(i["id"] == cid and i["property"] == prop for i in d["inputs"])]

    def dependency(self, output_prefix: str) -> dict[str, Any]:
        return next(d for d in self.deps if d["output"].startswith(output_prefix))

    def call(self, dep: dict[str, Any], changed: list[str]) -> tuple[dict[str, Any], int]:
        """POST one callback; returns (the response JSON, its size in bytes)."""
        outputs = []
        for cid, prop in _split_output(dep["output"]):
            spec = self._spec({"id": cid, "property": prop}, with_value=False)
            outputs.append(spec)
        body = {"output": dep["output"], "outputs": outputs if len(outputs) > 1 else outputs[0],
                "inputs": [self._spec(i, True) for i in dep["inputs"]],
                "state": [self._spec(s, True) for s in dep["state"]], "changedPropIds": changed}
        response = self.http.post("/_dash-update-component", json=body)
        if response.status_code == 204:
            return {}, 0
        if response.status_code != 200:
            raise RuntimeError(f"callback {dep['output']} answered {response.status_code}: "
                               f"{response.get_data(as_text=True)[:300]}")
        data = response.get_data()
        return json.loads(data), len(data)
