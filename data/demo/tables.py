"""One chunk's matters and events as Arrow tables: the events are the plan's kept steps,
and each matter's state is what its kept events imply (the replay of them)."""
from __future__ import annotations

import numpy as np
import pyarrow as pa

from data.demo.arrivals import DayDraws
from data.demo.lifecycle import ACTIONS, STATUSES, STEP_INDEX, STEPS, LifecyclePlan
from data.demo.reference import Reference
from queries.vocabulary import LEVELS, SATISFACTION, SOURCES
from queries.workcal import WorkCalendar

SEAT_OPERATORS = ("坐席员 王敏", "坐席员 李娜", "坐席员 张静", "坐席员 刘洋")
COMMANDERS = ("指挥长 陈刚", "指挥长 周伟")
UPPER_CENTER = "区指挥中心"
SURNAMES = tuple("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈")
SUPERVISION_NOTES = ("请加快处置，今日内反馈", "群众反复来电，请立即处置", "已超期，请说明原因并限时办结",
                     "请主要负责人督办落实")
DETAILS = ("群众反映情况属实，需尽快处理", "影响居民出行", "多次出现，请彻底整治", "现场拍照已上传",
           "周边商户反映强烈", "存在安全隐患")


EVENT_VALUES = (*SATISFACTION, "suggestion_taken", "suggestion_declined")


def _dict_array(indices: np.ndarray, values: tuple | list) -> pa.DictionaryArray:
    return pa.DictionaryArray.from_arrays(pa.array(indices.astype(np.int32)),
                                          pa.array(list(values), type=pa.string()))


def chunk_tables(d: DayDraws, plan: LifecyclePlan, ref: Reference, calendar: WorkCalendar,
                 as_of: np.datetime64) -> tuple[pa.Table, pa.Table]:
    """The matters (state = replay of kept events) and their events, for one chunk."""
    alive = plan.kept["accept"]
    n = len(d.created)
    kept, times = plan.kept, plan.times
    nsteps = len(STEPS)

    # Events: every kept step, grouped by matter in template order (nonzero walks the
    # matter × step matrix row by row, so no sort is needed).
    kept_matrix = np.stack([kept[name] & alive for name, *_ in STEPS], axis=1)
    m_idx, s_idx = np.nonzero(kept_matrix)
    seq = np.cumsum(kept_matrix, axis=1, dtype=np.int32)[m_idx, s_idx]
    step_time = np.stack([times[name] for name, *_ in STEPS], axis=1)
    at = step_time[m_idx, s_idx]

    action_of_step = np.array([ACTIONS.index(s[1]) for s in STEPS])
    status_idx = {s: i for i, s in enumerate(STATUSES)}
    from_of_step = np.array([-1 if s[2] is None else status_idx[s[2]] for s in STEPS])
    to_of_step = np.array([status_idx[s[3]] for s in STEPS])
    dept_names = ref.departments["name"].tolist()
    actors = list(SEAT_OPERATORS) + list(COMMANDERS) + [UPPER_CENTER] + [f"{x}经办人" for x in dept_names]
    n_seat, n_cmd = len(SEAT_OPERATORS), len(COMMANDERS)
    first_dept, default_dept = plan.first_dept, plan.default_dept
    # The department at each step: the wrong one until it is returned, then the right one.
    dept_at = np.where(s_idx <= STEP_INDEX["return"], first_dept[m_idx], default_dept[m_idx])
    seat = (d.u[m_idx, 29] * n_seat).astype(int)
    in_steps = lambda names: np.isin(np.arange(nsteps), [STEP_INDEX[x] for x in names])[s_idx]  # noqa: E731
    by_dept = ("return", "sign", "feedback1", "feedback2")
    by_cmd = ("supervise1", "supervise2", "extend", "suspend", "resume", "escalate")
    is_dept, is_cmd = in_steps(by_dept), in_steps(by_cmd)
    actor = np.where(is_dept, n_seat + n_cmd + 1 + dept_at - 1,
                     np.where(is_cmd, n_seat + (seat % n_cmd),
                              np.where(s_idx == STEP_INDEX["close_escalated"], n_seat + n_cmd, seat)))
    dept_col = np.where(is_dept | in_steps(("dispatch", "redispatch")), dept_at, -1)
    is_extend = s_idx == STEP_INDEX["extend"]
    minutes = np.where(is_extend, plan.ext_min[m_idx], np.nan)
    is_follow = s_idx == STEP_INDEX["follow_up"]
    value_idx = np.where(is_follow, plan.satisfaction[m_idx], -1)
    # A dispatch records whether it took the suggestion (queries.dispatch): the demo's
    # operators proposed each 小类's default, so a first dispatch to a wrong department
    # (the one returned later) declined it.
    is_dispatch = in_steps(("dispatch", "redispatch"))
    value_idx = np.where(is_dispatch, np.where(dept_at == default_dept[m_idx], len(SATISFACTION),
                                                 len(SATISFACTION) + 1), value_idx)
    note_idx = np.where(in_steps(("supervise1", "supervise2")),
                        (d.u[m_idx, 31] * len(SUPERVISION_NOTES)).astype(int), -1)
    mask = lambda x: pa.array(x, mask=(x < 0))  # noqa: E731
    from_idx = from_of_step[s_idx]
    events = pa.table({
        "matter_id": pa.array(d.matter_id[m_idx]),
        "seq": pa.array(seq.astype(np.int32)),
        "action": _dict_array(action_of_step[s_idx], ACTIONS),
        "actor": _dict_array(actor, actors),
        "occurred_at": pa.array(at),
        "from_status": pa.DictionaryArray.from_arrays(mask(from_idx.astype(np.int32)), pa.array(STATUSES)),
        "to_status": _dict_array(to_of_step[s_idx], STATUSES),
        "dept_id": mask(dept_col.astype(np.int32)),
        "minutes": pa.array(minutes, mask=np.isnan(minutes)).cast(pa.int32()),
        "value": pa.DictionaryArray.from_arrays(mask(value_idx.astype(np.int32)), pa.array(EVENT_VALUES)),
        "note": pa.DictionaryArray.from_arrays(mask(note_idx.astype(np.int32)), pa.array(SUPERVISION_NOTES)),
    })

    # Matters: the state the kept events imply.
    any_kept = kept_matrix.any(axis=1)
    last_step = np.where(any_kept, nsteps - 1 - np.argmax(kept_matrix[:, ::-1], axis=1), -1)
    status = np.where(last_step >= 0, to_of_step[np.maximum(last_step, 0)], -1)
    k = lambda name: kept[name] & alive  # noqa: E731
    t = lambda name: np.where(k(name), times[name], np.datetime64("NaT"))  # noqa: E731
    lead = np.where(k("redispatch"), default_dept, np.where(k("return"), -1,
                    np.where(k("dispatch"), first_dept, -1)))
    dispatched_at = np.where(k("redispatch"), times["redispatch"], t("dispatch"))
    feedback_at = np.where(k("feedback2"), times["feedback2"], t("feedback1"))
    closed_at = np.where(k("close_escalated"), times["close_escalated"], t("close"))
    limit = plan.limit
    ext = np.where(k("extend"), plan.ext_min, 0.0)
    suspended_now = k("suspend") & ~k("resume")
    W0 = plan.accepted_w
    # A clock stop keeps whole minutes left, and a resume restarts the clock from them,
    # exactly as the write path does.
    w_of = lambda name: np.where(k(name), calendar.work_min_at(  # noqa: E731
        np.where(k(name), times[name], d.created)), np.nan)
    remaining = np.round(W0 + limit - w_of("suspend"))
    due_w = np.where(k("resume"), w_of("resume") + remaining, W0 + limit) + ext
    due_at = calendar.at_work_min(due_w) if n else np.array([], dtype="datetime64[s]")
    remaining_at_suspend = np.where(suspended_now, remaining, np.nan)
    sign_due = np.full(n, np.datetime64("NaT"), dtype="datetime64[s]")
    has_dispatch = ~np.isnat(dispatched_at)
    if has_dispatch.any():
        sign_due[has_dispatch] = calendar.add_work_minutes(dispatched_at[has_dispatch], ref.day_minutes)
    supervision = k("supervise1").astype(np.int16) + k("supervise2").astype(np.int16)
    cell_ids = ref.cells["cell_id"].to_numpy()[d.cell]
    village_ids = ref.cells["village_id"].to_numpy()[d.cell].astype(np.int32)
    addr = ref.addresses
    last_time = np.max(np.where(step_time <= as_of, step_time, np.datetime64("1970-01-01")), axis=1) \
        if n else np.array([], dtype="datetime64[s]")
    cats = ref.categories
    phrase = (cats["name"].to_numpy()[d.category], (d.u[:, 28] * len(DETAILS)).astype(int))
    is_public = d.source == 3
    reporter_idx = np.where(is_public, (d.u[:, 29] * len(SURNAMES)).astype(int) * 2
                            + (d.u[:, 30] < 0.5), -1)
    reporters = [f"{s}{t}" for s in SURNAMES for t in ("先生", "女士")]
    base = len(reporters)
    worker_names = ref.cells["worker_name"].tolist()
    reporters += [f"网格员 {w}" for w in worker_names] + ["巡查中队", "12345热线"]
    reporter_idx = np.select([d.source == 2, d.source == 1, d.source == 0],
                             [base + d.cell, base + len(worker_names), base + len(worker_names) + 1],
                             reporter_idx)
    matters = pa.table({
        "matter_id": d.matter_id,
        "source": _dict_array(d.source, SOURCES),
        "category_id": cats["category_id"].to_numpy()[d.category].astype(np.int32),
        "major_code": _dict_array(np.searchsorted(np.unique(cats["major_code"].to_numpy()), plan.major),
                                  np.unique(cats["major_code"].to_numpy()).tolist()),
        "cat_name": _dict_array(d.category, cats["name"].tolist()),
        "detail": _dict_array(phrase[1], DETAILS),
        "address": _dict_array(d.address, addr["address"].tolist()),
        "reporter": _dict_array(reporter_idx, reporters),
        "lon": addr["lon"].to_numpy()[d.address],
        "lat": addr["lat"].to_numpy()[d.address],
        "cell_id": cell_ids.astype(np.int32),
        "village_id": village_ids,
        "level": _dict_array(plan.level, LEVELS),
        "urgent": plan.urgent,
        "status": pa.DictionaryArray.from_arrays(mask(status.astype(np.int32)), pa.array(STATUSES)),
        "lead_dept_id": mask(lead.astype(np.int32)),
        "created_at": d.created,
        "dispatched_at": dispatched_at,
        "signed_at": t("sign"),
        "feedback_at": feedback_at,
        "closed_at": closed_at,
        "followed_up_at": t("follow_up"),
        "voided_at": t("void"),
        "escalated_at": t("escalate"),
        "limit_min": (limit + ext).astype(np.int32),
        "due_at": due_at,
        "sign_due_at": sign_due,
        "suspended_at": np.where(suspended_now, times["suspend"], np.datetime64("NaT")),
        "remaining_min_at_suspend": pa.array(remaining_at_suspend,
                                             mask=np.isnan(remaining_at_suspend)).cast(pa.int32()),
        "extension_count": k("extend").astype(np.int16),
        "supervision_count": supervision,
        "rework_count": k("reject").astype(np.int16),
        "return_count": k("return").astype(np.int16),
        "satisfaction": pa.DictionaryArray.from_arrays(
            mask(np.where(k("follow_up"), plan.satisfaction, -1).astype(np.int32)), pa.array(SATISFACTION)),
        "updated_at": last_time,
        "event_count": kept_matrix.sum(axis=1, dtype=np.int32),
    })
    matters = matters.filter(pa.array(alive))
    return matters, events
