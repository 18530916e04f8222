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
