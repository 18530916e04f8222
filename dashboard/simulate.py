"""A simulator for watching the dashboard live: it posts realistic new matters and drives
open ones through the loop, only through the public API (``python -m dashboard simulate``).
"""
from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from typing import Callable

import requests

from queries.vocabulary import SOURCES

OPEN_LIST = "registered,dispatched,handling,feedback,verified"
# The next step for a matter in each status (and how likely a side path is).
NEXT = {
    "registered": ("dispatch",),
    "dispatched": ("sign",),
    "handling": ("feedback",),
    "feedback": ("verify",),
    "verified": ("close",),
}
CATEGORIES = ("0401", "0402", "0403", "0701", "0702", "0703", "0201", "0102", "0902", "1105", "1003", "0801")
PHRASES = ("群众来电反映", "网格员巡查发现", "巡查队员上报", "12345 转办")


@dataclass
class SimulatorStats:
    created: int = 0
    actions: int = 0
    refused: int = 0
    errors: list[str] = field(default_factory=list)


class Simulator:
    def __init__(self, url: str, *, rate: float = 2.0, seed: int | None = None,
                 session: requests.Session | None = None, log: Callable[[str], None] | None = None,
                 token: str | None = None) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive (requests per second)")
        self.url = url.rstrip("/")
        self.rate = rate
        self.random = random.Random(seed)
        self.http = session or requests.Session()
        if token:                          # authenticates like any client; the actor is the token's user
            self.http.headers["Authorization"] = f"Bearer {token}"
        self.log = log or (lambda _msg: None)
        self.stats = SimulatorStats()
        self._points: list[tuple[float, float]] = []

    def _learn_points(self) -> None:
        r = self.http.get(f"{self.url}/api/v1/matters", params={"limit": 500}, timeout=10)
        r.raise_for_status()
        self._points = [(i["lon"], i["lat"]) for i in r.json()["items"] if i["lon"] is not None]
        if not self._points:
            raise ValueError("the server has no located matters to learn the township's area from")

    def create_one(self) -> dict | None:
        if not self._points:
            self._learn_points()
        lon, lat = self.random.choice(self._points)
        body = {"source": self.random.choice(SOURCES), "category": self.random.choice(CATEGORIES),
                "description": f"{self.random.choice(PHRASES)}（模拟）", "lon": lon + self.random.uniform(-2e-4, 2e-4),
                "lat": lat + self.random.uniform(-2e-4, 2e-4)}
        r = self.http.post(f"{self.url}/api/v1/matters", json=body, timeout=10)
        if r.status_code == 422:           # jittered just outside the grid: skip
            self.stats.refused += 1
            return None
        r.raise_for_status()
        self.stats.created += 1
        self.log(f"created {r.json()['id']} in cell {r.json()['cell']}")
        return r.json()

    def advance_one(self) -> bool:
        r = self.http.get(f"{self.url}/api/v1/matters", params={"status": OPEN_LIST, "limit": 200}, timeout=10)
        r.raise_for_status()
        items = r.json()["items"]
        if not items:
            return False
        item = self.random.choice(items)
        action = NEXT[item["status"]][0]
        body: dict = {"action": action}
        if action == "dispatch":
            detail = self.http.get(f"{self.url}/api/v1/matters/{item['id']}", timeout=10).json()
            body["department"] = detail.get("default_dept_id") or 1
        if action == "verify" and self.random.random() < 0.08:
            body = {"action": "reject", "note": "核查未通过，返工"}
        resp = self.http.post(f"{self.url}/api/v1/matters/{item['id']}/actions", json=body, timeout=10)
        if resp.status_code == 409:        # someone else moved it first
            self.stats.refused += 1
            return False
        resp.raise_for_status()
        self.stats.actions += 1
        self.log(f"{body['action']} {item['id']} → {resp.json()['status']}")
        return True

    def run(self, duration_s: float | None = None, max_requests: int | None = None) -> SimulatorStats:
        """Alternate creating and advancing at ``rate`` requests per second."""
        start = time.monotonic()
        n = 0
        while (duration_s is None or time.monotonic() - start < duration_s) and \
                (max_requests is None or n < max_requests):
            t0 = time.monotonic()
            try:
                if self.random.random() < 0.4:
                    self.create_one()
                else:
                    self.advance_one()
            except requests.RequestException as exc:
                self.stats.errors.append(str(exc).splitlines()[0])
                self.log(f"error: {self.stats.errors[-1]}")
            n += 1
            time.sleep(max(0.0, 1.0 / self.rate - (time.monotonic() - t0)))
        return self.stats


# -- the storm scenario (暴雨) ------------------------------------------------------------------
# Flooding, fallen trees and power cuts, each with the department that handles it.
STORM_CATEGORIES = (("0801", "SLZ", "道路积水，车辆无法通行"), ("0302", "CJB", "行道树倒伏压住道路"),
                    ("1401", "GDS", "大面积停电"))
STORM_TASKS = (("SLZ", "低洼路段排涝，设置警示", "working", 120), ("CJB", "清理倒伏树木，恢复通行", "calendar", 90),
               ("GDS", "抢修受损线路，优先保障医院", "calendar", 60))


class StormScenario:
    """A burst of flooding, fallen-tree and power matters into a few villages, an emergency
    declared over them, tasks posted to the three departments, the matters dispatched and
    signed, and some tasks signed for late (after the emergency's sign-for limit), all
    through the public API as the token's user. ``phases()`` yields after each phase (its
    name), so a caller can look at the board between them; ``run()`` goes through all."""

    def __init__(self, sim: Simulator, *, villages: int = 3, matters: int = 24, sign_alarm_min: float = 2.0,
                 radius_m: float = 900.0) -> None:
        self.sim = sim
        self.villages = villages
        self.matters = matters
        self.sign_alarm_min = sign_alarm_min
        self.radius_m = radius_m
        self.created: list[dict] = []
        self.emergency_id: int | None = None
        self.tasks: list[int] = []

    def _post(self, path: str, body: dict, ok: tuple[int, ...] = (200, 201)) -> dict | None:
        r = self.sim.http.post(f"{self.sim.url}{path}", json=body, timeout=20)
        if r.status_code not in ok:
            self.sim.stats.refused += 1
            self.sim.log(f"refused {path}: {r.status_code} {r.text[:200]}")
            return None
        self.sim.stats.actions += 1
        return r.json()

    def _act(self, body: dict) -> dict | None:
        return self._post(f"/api/v1/emergencies/{self.emergency_id}/actions", body)

    def _village_points(self) -> dict[str, list[tuple[float, float]]]:
        r = self.sim.http.get(f"{self.sim.url}/api/v1/matters", params={"limit": 500}, timeout=20)
        r.raise_for_status()
        points: dict[str, list[tuple[float, float]]] = {}
        for item in r.json()["items"]:
            if item["lon"] is not None and item["village"]:
                points.setdefault(item["village"], []).append((item["lon"], item["lat"]))
        busiest = sorted(points, key=lambda v: (-len(points[v]), v))[: self.villages]
        return {v: points[v] for v in busiest}

    def phases(self):
        rnd = self.sim.random
        villages = self._village_points()
        centres = {v: rnd.choice(pts) for v, pts in villages.items()}
        # 1. the burst
        for i in range(self.matters):
            village = list(centres)[i % len(centres)]
            lon, lat = centres[village]
            code, _dept, text = STORM_CATEGORIES[i % len(STORM_CATEGORIES)]
            body = {"source": rnd.choice(("public", "grid", "inspection")), "category": code,
                    "description": f"{text}（暴雨模拟）", "lon": lon + rnd.uniform(-1.5e-3, 1.5e-3),
                    "lat": lat + rnd.uniform(-1.5e-3, 1.5e-3), "level": "larger" if i % 6 == 0 else "general"}
            made = self._post("/api/v1/matters", body, ok=(201,))
            if made is not None:
                self.sim.stats.created += 1
                self.created.append(made)
        yield "burst"
        # 2. the emergency over the storm's villages, declared on its own
        declared = self._post("/api/v1/emergencies", {
            "title": "暴雨内涝应急处置", "level": "larger", "kind": "flood", "sign_alarm_min": self.sign_alarm_min,
            "area": {"points": [list(p) for p in centres.values()], "radius_m": self.radius_m}}, ok=(201,))
        if declared is None:
            raise RuntimeError("the storm scenario could not declare its emergency")
        self.emergency_id = declared["id"]
        self.sim.log(f"declared emergency {self.emergency_id}: {self.sim.url}/emergency/{self.emergency_id}")
        self._act({"action": "log", "kind": "decision", "text": "启动防汛应急响应，成立现场指挥部"})
        for dept, what, clock_kind, minutes in STORM_TASKS:
            posted = self._act({"action": "post_task", "department": dept, "what": what, "clock": clock_kind,
                                "minutes": minutes})
            if posted is not None:
                self.tasks.append(posted["task"]["task_no"])
        yield "declared"
        # 3. the matters dispatched to their departments; the first task signed for at once
        for i, made in enumerate(self.created):
            dept = STORM_CATEGORIES[i % len(STORM_CATEGORIES)][1]
            self._post(f"/api/v1/matters/{made['id']}/actions", {"action": "dispatch", "department": dept})
        if self.tasks:
            self._act({"action": "sign_task", "task": self.tasks[0]})
        self._act({"action": "report_up", "text": f"暴雨致 {len(self.created)} 起险情，已启动应急响应",
                   "to": "县(市)指挥中心"})
        yield "dispatched"
        # 4. half the matters signed for; the other tasks signed for late
        for made in self.created[::2]:
            self._post(f"/api/v1/matters/{made['id']}/actions", {"action": "sign"})
        time.sleep(self.sign_alarm_min * 60 + 1.0)
        for task in self.tasks[1:]:
            self._act({"action": "sign_task", "task": task})
        self._act({"action": "log", "kind": "call", "text": "电话督促供电所、城建办加快处置"})
        yield "signed late"
        # 5. the first task reported on and closed; some matters fed back
        if self.tasks:
            self._act({"action": "report_task", "task": self.tasks[0], "text": "积水路段已抽排，警示已设置"})
            self._act({"action": "close_task", "task": self.tasks[0]})
        for made in self.created[::4]:
            self._post(f"/api/v1/matters/{made['id']}/actions", {"action": "feedback"})
        lon, lat = next(iter(centres.values()))          # a new matter inside the area: an alarm
        later = self._post("/api/v1/matters", {"source": "public", "category": "0801", "lon": lon, "lat": lat,
                                               "description": "又一处积水（暴雨模拟）"}, ok=(201,))
        if later is not None:
            self.sim.stats.created += 1
        yield "reported"

    def run(self) -> SimulatorStats:
        for phase in self.phases():
            self.sim.log(f"storm: {phase}")
        return self.sim.stats
