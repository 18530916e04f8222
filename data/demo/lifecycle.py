"""Every matter's lifecycle, planned whole and vectorised, then cut at ``as_of``.

Each matter takes an ordered subset of the template's steps, placed in working minutes on
the calendar's axis; what has not happened by ``as_of`` is dropped. The template's
transitions are those of ``queries.lifecycle`` (tests/test_generate.py checks both: each
step is a legal transition there, and every matter's state is the replay of its events).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from data.demo.anomalies import drift_extra_overdue
from data.demo.arrivals import DayDraws
from data.demo.reference import SLOW_DEPARTMENTS, Reference
from queries.workcal import WorkCalendar

# The lifecycle template: every matter takes an ordered subset of these steps.
# (step name, action, from status, to status)
STEPS = (
    ("accept", "accept", None, "registered"),
    ("void", "void", "registered", "voided"),
    ("escalate", "escalate", "registered", "escalated"),
    ("close_escalated", "close", "escalated", "closed"),
    ("dispatch", "dispatch", "registered", "dispatched"),
    ("return", "return", "dispatched", "returned"),
    ("redispatch", "dispatch", "returned", "dispatched"),
    ("sign", "sign", "dispatched", "handling"),
    ("suspend", "suspend", "handling", "suspended"),
    ("resume", "resume", "suspended", "handling"),
    ("extend", "extend", "handling", "handling"),
    ("supervise1", "supervise", "handling", "handling"),
    ("supervise2", "supervise", "handling", "handling"),
    ("feedback1", "feedback", "handling", "feedback"),
    ("reject", "reject", "feedback", "handling"),
    ("feedback2", "feedback", "handling", "feedback"),
    ("verify", "verify", "feedback", "verified"),
    ("close", "close", "verified", "closed"),
    ("follow_up", "follow_up", "closed", "closed"),
)
STEP_INDEX = {s[0]: i for i, s in enumerate(STEPS)}
ACTIONS = tuple(dict.fromkeys(s[1] for s in STEPS))
STATUSES = ("registered", "voided", "escalated", "closed", "dispatched", "returned", "handling",
            "suspended", "feedback", "verified")


@dataclass(frozen=True)
class LifecyclePlan:
    """The planned lifecycles of one chunk's matters, row for row with its ``DayDraws``."""

    times: dict[str, np.ndarray]     # step name → when it happens (NaT: not in this lifecycle)
    kept: dict[str, np.ndarray]      # step name → it has happened by as_of
    limit: np.ndarray                # the category's time limit, working minutes
    urgent: np.ndarray               # bool
    major: np.ndarray                # 大类 code
    level: np.ndarray                # index in queries.vocabulary.LEVELS
    first_dept: np.ndarray           # dept_id first dispatched to (a wrong one when returned)
    default_dept: np.ndarray         # dept_id of the category's department
    ext_min: np.ndarray              # working minutes an extension grants (0: none)
    satisfaction: np.ndarray         # index in queries.vocabulary.SATISFACTION, should a follow-up happen
    accepted_w: np.ndarray           # acceptance, in working minutes on the calendar's axis


def plan_lifecycles(d: DayDraws, ref: Reference, calendar: WorkCalendar, as_of: np.datetime64,
                    emergencies: bool) -> LifecyclePlan:
    """Plan every matter's steps in working minutes, then cut at ``as_of``."""
    n = len(d.created)
    u = d.u
    cats = ref.categories
    day_min = ref.day_minutes
    limit = cats["limit_min"].to_numpy()[d.category].astype(np.float64)
    urgent = (cats["urgency"].to_numpy()[d.category] == "urgent")
    major = cats["major_code"].to_numpy()[d.category]
    default_dept = cats["default_dept_id"].to_numpy()[d.category]
    dept_codes = ref.departments["code"].to_numpy()
    dept_ids = ref.departments["dept_id"].to_numpy()
    slow = np.isin(dept_codes[default_dept - 1], SLOW_DEPARTMENTS)
    exp = lambda col, mean: -np.log1p(-u[:, col]) * mean  # noqa: E731  (exponential draw)

    level = np.where(urgent & (u[:, 7] < 0.05), 1, 0)
    level = np.where(urgent & (u[:, 7] < 0.005), 2, level)
    source = d.source

    W = {name: np.full(n, np.nan) for name, *_ in STEPS}
    W0 = calendar.work_min_at(d.created)
    W["accept"] = W0
    void = u[:, 25] < 0.03
    escalate = ~void & (u[:, 26] < np.where(urgent | (source == 0), 0.04, 0.005))
    normal = ~void & ~escalate
    W["void"] = np.where(void, W0 + 10 + exp(7, 20), np.nan)
    W["escalate"] = np.where(escalate, W0 + 20 + exp(7, 30), np.nan)
    W["close_escalated"] = W["escalate"] + day_min * (2 + 6 * u[:, 27])

    W["dispatch"] = np.where(normal, W0 + 5 + exp(7, np.where(urgent, 8, 25)), np.nan)
    returned = normal & (u[:, 8] < 0.04)
    wrong_dept = dept_ids[(default_dept - 1 + 1 + (u[:, 30] * (len(dept_ids) - 1)).astype(int)) % len(dept_ids)]
    first_dept = np.where(returned, wrong_dept, default_dept)
    W["return"] = np.where(returned, W["dispatch"] + 30 + exp(9, day_min * 0.5), np.nan)
    W["redispatch"] = W["return"] + 10 + exp(9, 20)
    last_dispatch = np.where(returned, W["redispatch"], W["dispatch"])
    late_sign = u[:, 11] < np.where(slow, 0.15, 0.06)
    W["sign"] = last_dispatch + np.where(late_sign, day_min * (1.0 + u[:, 10] * 0.8),
                                         5 + exp(10, np.where(urgent, 10, 90)))

    # When would the feedback come, as a share of the limit counted from acceptance.
    overdue = u[:, 13] < np.where(slow, 0.25, 0.08) + (drift_extra_overdue(ref, d.created, default_dept)
                                                      if ref.anomalies else 0.0)
    share = np.where(overdue, 1.02 + np.minimum(exp(12, 0.35), 1.5),
                     np.minimum(np.exp(np.log(0.4) + 0.45 * _std_normal(u[:, 12])), 0.9))
    emergency = np.zeros(n, dtype=bool)
    if emergencies and n:
        # A few open emergencies: recent urgent matters, still being handled now.
        recent = np.flatnonzero(normal & urgent & (d.created > as_of - np.timedelta64(36, "h"))
                                & (d.created <= as_of))
        pick = recent[-3:]
        emergency[pick] = True
        level[pick] = np.array([2, 1, 1])[: len(pick)]
        share[pick] = 40.0
    handling_start = W["sign"]
    fb = np.maximum(W0 + share * limit, handling_start + 10)

    suspended = normal & (u[:, 15] < 0.01) & ~emergency
    pause = day_min * (1 + 4 * u[:, 16])
    W["suspend"] = np.where(suspended, handling_start + 0.3 * (fb - handling_start), np.nan)
    W["resume"] = W["suspend"] + pause
    fb = np.where(suspended, fb + pause, fb)
    prev = np.where(suspended, W["resume"], handling_start)

    extended = normal & overdue & (u[:, 14] < 0.4) & ~emergency
    extra = np.ceil((share - 1.0) * limit / 30.0 + 1) * 30
    W["extend"] = np.where(extended, prev + 0.4 * (fb - prev), np.nan)
    ext_min = np.where(extended, extra, 0.0)
    prev = np.where(extended, W["extend"], prev)

    due_w_final = W0 + limit + ext_min + np.where(suspended, pause, 0.0)
    late_at_feedback = fb > due_w_final
    supervised = normal & ((late_at_feedback & (u[:, 17] < 0.6)) | (u[:, 17] < 0.02) | emergency)
    lo, hi = prev + 1, fb - 1
    room = hi - lo > 2
    at_due = np.where((due_w_final + 30 > lo) & (due_w_final + 30 < hi), due_w_final + 30,
                      lo + (hi - lo) * 0.5)
    W["supervise1"] = np.where(supervised & room, at_due, np.nan)
    twice = supervised & room & (u[:, 18] < 0.25)
    W["supervise2"] = np.where(twice, W["supervise1"] + (hi - W["supervise1"]) * 0.5, np.nan)

    W["feedback1"] = np.where(normal, fb, np.nan)
    rework = normal & (u[:, 20] < np.where(slow, 0.12, 0.06))
    W["reject"] = np.where(rework, fb + 5 + exp(19, np.minimum(90, 0.05 * limit)), np.nan)
    W["feedback2"] = W["reject"] + np.maximum(0.15 * limit * u[:, 21], 20)
    last_fb = np.where(rework, W["feedback2"], W["feedback1"])
    W["verify"] = last_fb + 5 + exp(19, np.minimum(120, 0.05 * limit))
    W["close"] = W["verify"] + 2 + 8 * u[:, 28]

    closed_w = np.where(escalate, W["close_escalated"], W["close"])
    follow_p = np.array([0.9, 0.2, 0.3, 0.9])[source]
    followed = ~void & (u[:, 22] < follow_p)
    W["follow_up"] = np.where(followed, closed_w + day_min * (0.3 + 1.5 * u[:, 24]), np.nan)
    late_close = closed_w > due_w_final
    p_unsat = np.where(late_close, 0.18, 0.05) + np.where(slow, 0.05, 0.0)
    p_basic = 0.12
    satisfaction = np.where(u[:, 23] < p_unsat, 2, np.where(u[:, 23] < p_unsat + p_basic, 1, 0))

    # Working minutes → instants; cut at as_of.
    times, kept = {}, {}
    for name, w in W.items():
        t = np.full(n, np.datetime64("NaT"), dtype="datetime64[s]")
        has = ~np.isnan(w)
        if has.any():
            t[has] = calendar.at_work_min(w[has])
        if name == "accept":
            t = d.created.copy()
        times[name] = t
        kept[name] = has & (t <= as_of) if name != "accept" else (d.created <= as_of)
    return LifecyclePlan(times=times, kept=kept, limit=limit, urgent=urgent, major=major, level=level,
                         first_dept=first_dept, default_dept=default_dept, ext_min=ext_min,
                         satisfaction=satisfaction, accepted_w=W0)


def _std_normal(u: np.ndarray) -> np.ndarray:
    """Inverse normal CDF (Acklam's rational approximation; plenty for a demo)."""
    u = np.clip(u, 1e-9, 1 - 1e-9)
    a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
         1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00]
    b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
         6.680131188771972e+01, -1.328068155288572e+01]
    c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
         -2.549671348283755e+00, 4.374664141464968e+00, 2.938163982698783e+00]
    dd = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]
    q = np.where(u < 0.5, u, 1 - u)
    r = np.sqrt(-2 * np.log(q))
    tail = (((((c[0] * r + c[1]) * r + c[2]) * r + c[3]) * r + c[4]) * r + c[5]) / \
           ((((dd[0] * r + dd[1]) * r + dd[2]) * r + dd[3]) * r + 1)
    x = np.where(u < 0.5, tail, -tail)
    central = np.abs(u - 0.5) <= 0.47575
    qq = u - 0.5
    rr = qq * qq
    cen = (((((a[0] * rr + a[1]) * rr + a[2]) * rr + a[3]) * rr + a[4]) * rr + a[5]) * qq / \
          (((((b[0] * rr + b[1]) * rr + b[2]) * rr + b[3]) * rr + b[4]) * rr + 1)
    return np.where(central, cen, x)
