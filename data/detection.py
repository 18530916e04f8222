"""How well the warnings find the anomalies the demo generator planted.

``score_detection`` evaluates every warning method over the last weeks of a demo database
and matches what they raised against ``demo_ground_truth``: recall of the planted
anomalies and false alarms (warnings of the statistical detectors that match nothing
planted) per village per week. ``python -m data.detection DB`` prints the figures.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pandas as pd

from queries.analysis_config import AnalysisConfig, load_analysis_config
from queries.store import Store
from queries.warnings import ANOMALY_METHODS, VOLUME_METHODS, episodes, evaluate_warnings

SLACK_DAYS = 2          # a detection this many days after a surge's last day still finds it
EWMA_MEMORY_DAYS = 10   # an EWMA (λ = 0.2) still carries a burst this long after it


@dataclass
class DetectionScore:
    weeks: float
    villages: int
    planted: pd.DataFrame                    # ground truth with found (bool) and found_by
    alarms: pd.DataFrame                     # episodes of the detectors, with matched (bool)
    per_method: dict[str, dict[str, float]] = field(default_factory=dict)

    @property
    def recall(self) -> float:
        return float(self.planted["found"].mean()) if len(self.planted) else float("nan")

    @property
    def false_alarms(self) -> int:
        return int((~self.alarms["matched"]).sum())

    @property
    def false_alarms_per_village_week(self) -> float:
        return self.false_alarms / (self.villages * self.weeks)

    def summary(self) -> str:
        lines = [f"planted {len(self.planted)}, found {int(self.planted['found'].sum())} "
                 f"(recall {self.recall:.2f}); false alarms {self.false_alarms} over {self.villages} villages × "
                 f"{self.weeks:.1f} weeks = {self.false_alarms_per_village_week:.3f} per village per week"]
        for kind, g in self.planted.groupby("kind"):
            lines.append(f"  {kind}: {int(g['found'].sum())}/{len(g)} found")
        for method, m in sorted(self.per_method.items()):
            lines.append(f"  {method:16s} true {int(m['true']):4d}  false {int(m['false']):4d}  "
                         f"recall of surges {m['surge_recall']:.2f}")
        return "\n".join(lines)


def _neighbourhoods(store: Store) -> dict[int, set[int]]:
    pairs = store.run("reference/cell_adjacency")
    out: dict[int, set[int]] = {}
    for a, b in zip(pairs["cell_id"], pairs["neighbor_id"]):
        out.setdefault(int(a), {int(a)}).add(int(b))
    return out


def score_detection(store: Store, now: datetime, *, weeks: int = 8,
                    config: AnalysisConfig | None = None) -> DetectionScore:
    config = config or load_analysis_config()
    truth = store.run("detection/ground_truth")
    from_day = (now - timedelta(days=7 * weeks - 1)).date()
    truth = truth[pd.to_datetime(truth["last_day"]) >= pd.Timestamp(from_day)].reset_index(drop=True)
    scope = store.all_village_ids() + [-1]
    rows = evaluate_warnings(store.run, now=now, from_day=from_day, scope=scope, config=config)
    rows["detected_on"] = pd.to_datetime(rows["detected_on"])
    near = _neighbourhoods(store)
    gi_days = int(config.warnings["gi_window_days"])

    def explains(alarm, t) -> bool:
        """Whether the planted anomaly ``t`` explains the alarm (or detection) ``alarm``."""
        day = alarm["detected_on"] if "detected_on" in alarm else alarm["first_day"]
        first, last = pd.Timestamp(t["first_day"]), pd.Timestamp(t["last_day"])
        method = alarm["method"]
        if t["kind"] == "surge":
            if method in VOLUME_METHODS and alarm["scope_level"] == "cell":
                return (alarm["cell_id"] == t["cell_id"] and alarm["category_id"] == t["category_id"]
                        and first <= day <= last + pd.Timedelta(days=SLACK_DAYS))
            if method in VOLUME_METHODS and alarm["scope_level"] == "village":
                return alarm["village_id"] == t["village_id"] and first <= day <= last + pd.Timedelta(days=SLACK_DAYS)
            if method == "gi_star":
                return (int(alarm["cell_id"]) in near.get(int(t["cell_id"]), {int(t["cell_id"])})
                        and first <= day <= last + pd.Timedelta(days=gi_days + SLACK_DAYS))
            if method == "ewma_volume":
                # The surge's matters go to the 小类's department: its volume chart rises.
                return (alarm["dept_id"] == t["category_dept_id"]
                        and first <= day <= last + pd.Timedelta(days=EWMA_MEMORY_DAYS))
            return False
        if t["kind"] == "drift":
            return method in ("ewma_on_time", "ewma_volume") and alarm["dept_id"] == t["dept_id"] and day >= first
        if t["kind"] == "repeat":
            return (method == "repeat_complaint" and alarm["scope_level"] == "address"
                    and alarm["address"] == t["address"] and alarm["category_id"] == t["category_id"]
                    and alarm["statistic"] >= min(int(t["matters"]), 4))
        return False

    found, found_by = [], []
    for _, t in truth.iterrows():
        hits = rows[[explains(r, t) for _, r in rows.iterrows()]] if len(rows) else rows
        if t["kind"] == "surge":
            # Found when the cell × 小类 itself, or the hot spot around it, is flagged.
            hits = hits[(hits["scope_level"] == "cell")]
        found.append(len(hits) > 0)
        found_by.append(sorted(set(hits["method"])))
    truth = truth.assign(found=found, found_by=found_by)

    detector_rows = rows[rows["method"].isin(ANOMALY_METHODS)]
    alarms = episodes(detector_rows, int(config.warnings["active_days"]))
    alarms["matched"] = [any(explains(a, t) for _, t in truth.iterrows()) for _, a in alarms.iterrows()]
    per_method = {}
    surges = truth[truth["kind"] == "surge"]
    for method in ANOMALY_METHODS:
        mine = alarms[alarms["method"] == method]
        recall = (sum(method in fb for fb in surges["found_by"]) / len(surges)) if len(surges) else float("nan")
        per_method[method] = {"true": float(mine["matched"].sum()), "false": float((~mine["matched"]).sum()),
                              "surge_recall": recall}
    return DetectionScore(weeks=float(weeks), villages=len(store.all_village_ids()), planted=truth,
                          alarms=alarms, per_method=per_method)


def main(argv: list[str]) -> int:
    store = Store(argv[0], read_only=True)
    try:
        now = datetime.fromisoformat(argv[1]) if len(argv) > 1 else datetime.fromisoformat(store.meta("demo_as_of"))
        score = score_detection(store, now)
        print(score.summary())
        print(score.planted[["anomaly_id", "kind", "first_day", "last_day", "found", "found_by"]].to_string())
    finally:
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
