"""Changes to the working calendar of a running database: a year's holiday schedule
loaded (`calendar load`), office hours changed from a day on (`calendar hours`).

Both rebuild ``work_days`` from the office-hours periods (table ``office_hours``) and the
holiday schedule, in one write transaction with everything that follows from it:

- Only days after today may change. Working time already spent stands, so ``W(t)`` of every
  instant up to now is the same number on the old and the new axis.
- A holiday schedule keeps each running deadline's working minutes: the deadline is the
  instant of the same ``W`` on the new axis, and moves when a new day off falls before it.
- New office hours keep each running deadline's instant (DOMAIN.md §3: matters already
  running keep their deadlines); matters registered later count in the new hours.
- Each moved deadline is a ``redue`` event (queries.lifecycle.SYSTEM_ACTIONS) with the new
  deadline as its value and the old and new ones in its note, so state stays the replay of
  events; then the derived tables are rebuilt on the new axis.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd

from queries import clock, workcal
from queries.derived import rebuild_derived
from queries.settings import office_segments
from queries.store import Store

ACTOR = "system:calendar"


class CalendarChangeError(ValueError):
    """A calendar change refused before anything was written."""


def office_hours_periods(store: Store) -> list[tuple[date, str]]:
    rows = store.frame("SELECT from_day, hours FROM office_hours ORDER BY from_day")
    return [(pd.Timestamp(d).date(), h) for d, h in zip(rows["from_day"], rows["hours"])]


def office_hours_on(store: Store, day: date) -> str:
    """The office hours in force on ``day``."""
    periods = [h for d, h in office_hours_periods(store) if d <= day]
    return periods[-1] if periods else office_hours_periods(store)[0][1]


def setting_disagreement(store: Store, setting: str, today: date) -> str | None:
    """One line when the office_hours setting differs from the hours the store counts in
    (deadlines and pages follow the store; the setting only seeds a new database)."""
    stored = office_hours_on(store, today)
    if office_segments(setting) == office_segments(stored):
        return None
    return (f"setting office_hours {setting!r} differs from the database's {stored!r}: deadlines and "
            f"pages count in the database's hours; to change them from a day on, run "
            f"`python -m dashboard calendar hours --db {store.path} --from YYYY-MM-DD '{setting}'`, "
            f"or set the setting back")


def known_years(store: Store) -> list[int]:
    rows = store.frame("SELECT DISTINCT year(day) AS y FROM work_days WHERE schedule_known ORDER BY y")
    return [int(y) for y in rows["y"]]


def notices(store: Store, setting: str, today: date) -> list[str]:
    """What an operator must know about the calendar today (for `info` and `serve`)."""
    found = []
    year = unknown_next_year(store, today)
    if year is not None:
        found.append(f"the holiday schedule of {year} is not loaded: its deadlines count a plain "
                     f"Monday-to-Friday week; when the State Council publishes it, run "
                     f"`python -m dashboard calendar load --db {store.path} FILE.csv`")
    disagreement = setting_disagreement(store, setting, today)
    if disagreement:
        found.append(disagreement)
    return found


def unknown_next_year(store: Store, today: date) -> int | None:
    """In December, next year when its holiday schedule is not loaded (None otherwise)."""
    if today.month != 12:
        return None
    known = store.scalar("SELECT bool_or(schedule_known) FROM work_days WHERE year(day) = ?", [today.year + 1])
    return None if known else today.year + 1


def load_schedule(store: Store, *, rows: list[dict[str, Any]], source: str) -> dict[str, Any]:
    """Load a holiday schedule (rows ``date, kind, festival``, parsed by
    ``workcal.parse_schedule``): its years replace what the calendar holds for them."""
    schedule = pd.DataFrame({"day": [date.fromisoformat(str(r["date"])) for r in rows],
                             "kind": [r["kind"] for r in rows],
                             "festival": [r.get("festival") or None for r in rows]})
    if schedule.empty:
        raise CalendarChangeError(f"{source}: no rows")
    years = sorted({d.year for d in schedule["day"]})
    table = store.frame("SELECT * FROM work_days ORDER BY day")
    kept = workcal.holidays_of_table(table)
    kept = kept[~pd.Series([d.year in years for d in kept["day"]], dtype=bool).to_numpy()]
    holidays = pd.concat([kept, schedule], ignore_index=True)
    known = _loaded_years(table) | set(years)

    def record(cur, now: datetime, summary: dict[str, Any]) -> None:
        store.execute_write(cur, "calendar/record_load", now=now, source=source,
                            years=",".join(map(str, years)), days=len(schedule),
                            changed=summary["days_changed"], moved=summary["deadlines_moved"])

    summary = _apply(store, table, holidays, office_hours_periods(store), known, mode="schedule",
                     why=f"节假日安排 {','.join(map(str, years))} 载入 ({source})", record=record)
    return {"source": source, "years": years, "rows": len(schedule), **summary}


def change_office_hours(store: Store, *, hours: str, from_day: str) -> dict[str, Any]:
    """Office hours ``hours`` from ``from_day`` (YYYY-MM-DD, after today) on."""
    try:
        first = date.fromisoformat(from_day)
    except ValueError:
        raise CalendarChangeError(f"--from {from_day!r}: not a date YYYY-MM-DD") from None
    try:
        office_segments(hours)
    except ValueError as exc:
        raise CalendarChangeError(str(exc)) from None
    periods = [(d, h) for d, h in office_hours_periods(store) if d < first] + [(first, hours)]
    table = store.frame("SELECT * FROM work_days ORDER BY day")
    summary = _apply(store, table, workcal.holidays_of_table(table), periods, _loaded_years(table), mode="hours",
                     why=f"办公时间自 {first} 起为 {hours}",
                     record=lambda cur, now, _summary: store.execute_write(
                         cur, "calendar/record_office_hours", from_day=first, hours=hours, now=now))
    return {"office_hours": hours, "from": first.isoformat(), **summary}


def _loaded_years(work_days: pd.DataFrame) -> set[int]:
    """The years whose holiday schedule a ``work_days`` table holds."""
    return {int(y) for y in pd.to_datetime(work_days.loc[work_days["schedule_known"], "day"]).dt.year.unique()}


def _apply(store: Store, old_table: pd.DataFrame, holidays: pd.DataFrame, periods: list[tuple[date, str]],
           known: set[int], *, mode: str, why: str, record) -> dict[str, Any]:
    """Rebuild ``work_days`` (read by the caller as ``old_table``) and what follows from it."""
    now = clock.now().replace(microsecond=0)
    today = now.date()
    new_table = workcal.build_work_days(periods, holidays, known_years=known)
    cols = ["kind", "am_start", "am_end", "pm_start", "pm_end"]
    differs = (old_table[cols].reset_index(drop=True) != new_table[cols].reset_index(drop=True)).any(axis=1)
    changed_days = [pd.Timestamp(d).date() for d in new_table.loc[differs.to_numpy(), "day"]]
    past = [d for d in changed_days if d <= today]
    if past:
        listed = ", ".join(map(str, past[:5])) + (f" and {len(past) - 5} more" if len(past) > 5 else "")
        raise CalendarChangeError(
            f"the change would alter today or past days ({listed}); only days from "
            f"{today + timedelta(days=1)} on may change, the working time already counted stands")
    old_cal = store.calendar
    new_cal = workcal.WorkCalendar.from_table(new_table)
    moves = _moves(store, old_cal, new_cal, changed_days[0] if changed_days else None, mode, why)

    summary = {"days_changed": len(changed_days),
               "first_changed_day": changed_days[0].isoformat() if changed_days else None,
               "deadlines_moved": int((moves["new_due"] != moves["old_due"]).sum()) if len(moves) else 0,
               "events": len(moves)}

    def write(cur) -> None:
        cur.register("work_days_new", new_table)
        store.execute_write(cur, "calendar/replace_work_days")
        cur.unregister("work_days_new")
        record(cur, now, summary)
        if len(moves):
            cur.register("calendar_moves", moves)
            store.execute_write(cur, "calendar/move_deadlines", actor=ACTOR, now=now)
            cur.unregister("calendar_moves")
        rebuild_derived(store, cur)

    try:
        with store.write() as cur:
            write(cur)
    finally:
        store.forget_calendar()         # read again from the table, whichever way it went
    return summary


def _moves(store: Store, old_cal: workcal.WorkCalendar, new_cal: workcal.WorkCalendar,
           first_changed: date | None, mode: str, why: str) -> pd.DataFrame:
    """The matters whose deadline (or sign-for deadline) lies on or after the first changed
    day, with the deadline on the new axis; only those where it differs in instant or in W."""
    empty = pd.DataFrame({"matter_id": pd.Series(dtype="int64"), "old_due": pd.Series(dtype="datetime64[s]"),
                          "new_due": pd.Series(dtype="datetime64[s]"),
                          "new_sign_due": pd.Series(dtype="datetime64[s]"), "note": pd.Series(dtype=object)})
    if first_changed is None:
        return empty
    start = datetime.combine(first_changed, datetime.min.time())
    m = store.frame("SELECT matter_id, due_at, sign_due_at FROM matters "
                    "WHERE due_at >= ? OR sign_due_at >= ?", [start, start])
    if m.empty:
        return empty

    def on_new_axis(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
        """(new instants, whether anything changed) for the non-null values."""
        ts = values.to_numpy(dtype="datetime64[s]")
        valid = ~np.isnat(ts)
        new = ts.copy()
        changed = np.zeros(len(ts), dtype=bool)
        if valid.any():
            w_old = old_cal.work_min_at(ts[valid])
            if mode == "schedule":          # the same working minutes: W kept, the instant moves
                new[valid] = new_cal.at_work_min(w_old)
                changed[valid] = new[valid] != ts[valid]
            else:                           # the same instant (as the new hours express it)
                new[valid] = new_cal.at_work_min(new_cal.work_min_at(ts[valid]))
                changed[valid] = (new_cal.work_min_at(ts[valid]) != w_old) | (new[valid] != ts[valid])
        return new, changed

    due, due_changed = on_new_axis(m["due_at"])
    sign, sign_changed = on_new_axis(m["sign_due_at"])
    keep = due_changed | sign_changed
    if not keep.any():
        return empty
    old_due = m["due_at"].to_numpy(dtype="datetime64[s]")[keep]
    fmt = lambda v: "—" if np.isnat(v) else str(v).replace("T", " ")[:16]  # noqa: E731
    notes = [f"{why}：期限 {fmt(o)} → {fmt(n)}" if o != n else f"{why}：期限 {fmt(o)} 不变"
             for o, n in zip(old_due, due[keep])]
    return pd.DataFrame({"matter_id": m["matter_id"].to_numpy()[keep], "old_due": old_due, "new_due": due[keep],
                         "new_sign_due": np.where(sign_changed[keep], sign[keep], np.datetime64("NaT")),
                         "note": notes})
