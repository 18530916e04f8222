"""Every string a person sees, in Chinese (the default) and English.

``t(key, lang, **values)`` looks a string up and fills its ``{placeholders}``. Names of
coded values (sources, statuses, lights, levels) live here too, under ``source.*``,
``status.*``, ``light.*`` and ``level.*``; ``name_of(kind, code, lang)`` reads them.
"""
from __future__ import annotations

from urllib.parse import parse_qs

LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"

# key → (中文, English)
STRINGS: dict[str, tuple[str, str]] = {
    # app
    "app.title": ("乡镇(街道)指挥调度中心", "Township Command and Dispatch Center"),
    "app.subtitle": ("实时运行态势", "Real-time operations"),
    "nav.overview": ("态势总览", "Overview"),
    "nav.language": ("语言", "Language"),
    "lang.zh": ("中文", "中文"),
    "lang.en": ("English", "English"),
    "page.overview": ("态势总览", "Overview"),
    # status line
    "asof": ("数据时间 {time}", "As of {time}"),
    "calendar.next_year_unknown": ("{year} 年节假日安排尚未载入：{year} 年的期限暂按常规周一至周五计算，"
                                   "国务院办公厅通知发布后请用 calendar load 载入",
                                   "The {year} holiday schedule is not loaded: {year} deadlines count a plain "
                                   "Monday-to-Friday week until it is (calendar load)"),
    "asof.waiting": ("正在读取数据…", "Loading data…"),
    "empty.none": ("暂无事项 — 尚未导入或受理任何事项", "No matters yet — none imported or registered"),
    "empty.none.hint": ("受理或导入事项后，此处将实时显示网格分布、灯态与部门工作量。",
                        "Once matters are registered or imported, the grid map, lights and "
                        "department workload appear here as they happen."),
    "empty.filtered": ("没有符合筛选条件的在办事项", "No open matters match the filters"),
    "empty.table": ("暂无在办事项", "No open matters"),
    "empty.departments": ("暂无部门工作量数据", "No department workload yet"),
    "error.store": ("数据暂时无法读取：{reason}", "Data cannot be read right now: {reason}"),
    # KPI tiles
    "kpi.received_today": ("今日受理", "Received today"),
    "kpi.closed_today": ("今日办结", "Closed today"),
    "kpi.open": ("在办事项", "Open matters"),
    "kpi.overdue": ("超期 (红灯)", "Overdue (red)"),
    "kpi.due_soon": ("临期 (黄灯)", "Due soon (yellow)"),
    "kpi.on_time_rate": ("按期结案率 · 近30天", "On-time closure · 30 days"),
    "kpi.satisfaction": ("满意率 · 近30天", "Satisfaction · 30 days"),
    "kpi.ratio": ("{num} / {den}", "{num} / {den}"),
    "kpi.on_time_detail": ("按期 {num} / 应结 {den}", "on time {num} / due {den}"),
    "kpi.satisfaction_detail": ("满意 {num} / 参评 {den}", "satisfied {num} / rated {den}"),
    "kpi.no_rate": ("—", "—"),
    "kpi.no_denominator": ("暂无可计算数据", "nothing to rate yet"),
    "kpi.today_detail": ("自 0 时起", "since midnight"),
    "kpi.open_detail": ("含缓办", "incl. paused"),
    "kpi.overdue_detail": ("已超过办理时限", "past the time limit"),
    "kpi.due_soon_detail": ("剩余不足 {share}% 时限", "less than {share}% of the limit left"),
    # filter bar
    "filter.villages": ("村/社区", "Village / community"),
    "filter.sources": ("来源", "Source"),
    "filter.majors": ("大类", "Category"),
    "filter.depts": ("责任部门", "Department"),
    "filter.all": ("全部", "All"),
    "filter.clear": ("清除筛选", "Clear filters"),
    "filter.unassigned": ("未派单", "Not dispatched"),
    "dropdown.select_all": ("全选", "Select all"),
    "dropdown.deselect_all": ("全不选", "Deselect all"),
    "dropdown.selected_count": ("已选 {num_selected} 项", "{num_selected} selected"),
    "dropdown.search": ("搜索", "Search"),
    "dropdown.clear_search": ("清除搜索", "Clear search"),
    "dropdown.clear_selection": ("清除选择", "Clear selection"),
    "dropdown.no_options_found": ("无匹配项", "No options found"),
    # map
    "map.title": ("网格事项分布", "Matters by grid cell"),
    "map.metric.open": ("在办数", "Open"),
    "map.metric.overdue": ("超期数", "Overdue"),
    "map.metric.light": ("灯态", "Lights"),
    "map.colorbar.open": ("在办", "Open"),
    "map.colorbar.overdue": ("超期", "Overdue"),
    "map.colorbar.light": ("最差灯态", "Worst light"),
    "map.hover.code": ("编码", "Code"),
    "map.hover.village": ("所属", "Village"),
    "map.hover.open": ("在办", "Open"),
    "map.hover.overdue": ("超期", "Overdue"),
    "map.hover.due_soon": ("临期", "Due soon"),
    "map.hover.light": ("最差灯态", "Worst light"),
    "map.township": ("乡镇边界", "Township boundary"),
    "map.villages": ("村/社区边界", "Village boundaries"),
    "map.no_grid": ("尚未导入网格", "No grid imported yet"),
    # departments chart
    "dept.title": ("部门工作量", "Department workload"),
    "dept.open": ("在办", "Open"),
    "dept.open_not_overdue": ("在办 (未超期)", "Open, not overdue"),
    "dept.open_total": ("在办 {n}", "{n} open"),
    "dept.axis.open": ("在办事项", "Open matters"),
    "dept.axis.closed": ("近30天办结", "Closed in 30 days"),
    "dept.overdue": ("超期", "Overdue"),
    "dept.closed_30d": ("近30天办结", "Closed, 30 days"),
    "dept.unassigned": ("未派单", "Not dispatched"),
    "dept.sorted": ("按超期数排序", "sorted by overdue"),
    # table
    "table.title": ("在办事项", "Open matters"),
    "table.subtitle": ("按紧急程度排序，最多 {limit} 条", "most urgent first, at most {limit}"),
    "table.light": ("灯态 / 剩余时间", "Light / time left"),
    "table.matter_id": ("编号", "No."),
    "table.source": ("来源", "Source"),
    "table.major": ("大类", "Category"),
    "table.category": ("小类", "Sub-category"),
    "table.dept": ("责任部门", "Department"),
    "table.village": ("村/社区", "Village"),
    "table.cell": ("网格", "Grid cell"),
    "table.status": ("状态", "Status"),
    "table.created_at": ("受理时间", "Received"),
    "table.due_at": ("办理期限", "Due"),
    "table.description": ("事项描述", "Description"),
    "table.address": ("地址", "Address"),
    "table.supervision": ("督办", "Supervised"),
    "table.urgent": ("紧急", "urgent"),
    # working time
    "remaining.hours": ("剩余 {n} 工作时", "{n} work h left"),
    "remaining.days": ("剩余 {n} 工作日", "{n} work days left"),
    "overdue.hours": ("超期 {n} 工作时", "{n} work h overdue"),
    "overdue.days": ("超期 {n} 工作日", "{n} work days overdue"),
    "overdue.just": ("已到期", "due now"),
    "remaining.paused": ("暂停计时 · {rest}", "clock stopped · {rest}"),
    "remaining.none": ("无办理时限", "no time limit"),
    # lights
    "light.red": ("超期", "Overdue"),
    "light.yellow": ("临期", "Due soon"),
    "light.green": ("正常", "On time"),
    "light.paused": ("暂停计时", "Clock stopped"),
    "light.none": ("无时限", "No time limit"),
    "light.empty": ("无在办事项", "No open matters"),
    # sources (DOMAIN.md §2)
    "source.transfer": ("上级交办", "Transferred"),
    "source.inspection": ("巡查发现", "Inspection"),
    "source.grid": ("网格上报", "Grid report"),
    "source.public": ("群众反映", "Public"),
    # statuses (DOMAIN.md §3)
    "status.registered": ("已受理", "Registered"),
    "status.dispatched": ("已派单", "Dispatched"),
    "status.handling": ("处置中", "Handling"),
    "status.feedback": ("已反馈", "Feedback"),
    "status.verified": ("已核查", "Verified"),
    "status.suspended": ("缓办", "Suspended"),
    "status.returned": ("已退回", "Returned"),
    "status.escalated": ("已上报", "Escalated"),
    "status.closed": ("已办结", "Closed"),
    "status.voided": ("已作废", "Void"),
    # levels (DOMAIN.md §9)
    "level.general": ("一般", "General"),
    "level.larger": ("较大", "Larger"),
    "level.major": ("重大", "Major"),
    "level.especially_major": ("特别重大", "Especially major"),
    # the dispatch desk (/desk)
    "nav.desk": ("调度台", "Dispatch desk"),
    "page.desk": ("调度台", "Dispatch desk"),
    "desk.queues.title": ("待办队列", "Queues"),
    "desk.queues.subtitle": ("需要现在处理的事项，最紧急的在前", "what needs action now, most urgent first"),
    "desk.queue.new": ("待派单", "To dispatch"),
    "desk.queue.new.hint": ("新受理或被退回，尚未派单", "new or returned, not dispatched yet"),
    "desk.queue.sign_overdue": ("签收超时", "Not signed for"),
    "desk.queue.sign_overdue.hint": ("派单后超过签收期限仍未签收", "dispatched, the sign-for deadline has passed"),
    "desk.queue.verify": ("待核查", "To verify"),
    "desk.queue.verify.hint": ("部门已反馈，等待中心核查", "feedback in, waiting for verification"),
    "desk.queue.due_soon": ("即将超期 (黄灯)", "Due soon (yellow)"),
    "desk.queue.due_soon.hint": ("剩余不足 {share}% 时限", "less than {share}% of the limit left"),
    "desk.queue.overdue": ("已超期 (红灯)", "Overdue (red)"),
    "desk.queue.overdue.hint": ("已超过办理时限", "past the time limit"),
    "desk.queue.follow_up": ("待回访", "To follow up"),
    "desk.queue.follow_up.hint": ("近 {days} 天办结、尚未回访", "closed in the last {days} days, not followed up"),
    "desk.queue.empty": ("暂无", "Nothing waiting"),
    "desk.queue.more": ("显示前 {shown} 条，共 {total} 条", "showing {shown} of {total}"),
    "desk.sign_late.hours": ("签收超时 {n} 工作时", "sign-for {n} work h late"),
    "desk.sign_late.days": ("签收超时 {n} 工作日", "sign-for {n} work days late"),
    "desk.sign_late.just": ("签收已到期", "sign-for due now"),
    "desk.closed_at": ("办结于 {time}", "closed {time}"),
    "desk.card.title": ("事项卡片", "Matter card"),
    "desk.card.empty": ("从左侧队列中选择一个事项", "Choose a matter from a queue"),
    "desk.card.empty.hint": ("选中后在此查看详情、位置、灯态与流转记录，并办理当前状态允许的操作。",
                             "Its details, location, light and timeline appear here, with the actions "
                             "its state allows."),
    "desk.card.not_found": ("事项 {id} 不存在或不在可见范围内", "Matter {id} does not exist or is outside your view"),
    "desk.card.finished": ("已结束，不再计时", "finished, the clock has stopped"),
    "desk.card.urgent": ("紧急", "Urgent"),
    "desk.card.supervised": ("督办 {n} 次", "supervised {n}×"),
    "desk.field.status": ("状态", "Status"),
    "desk.field.source": ("来源", "Source"),
    "desk.field.category": ("类别", "Category"),
    "desk.field.level": ("级别", "Level"),
    "desk.field.place": ("位置", "Location"),
    "desk.field.address": ("地址", "Address"),
    "desk.field.worker": ("网格员", "Grid worker"),
    "desk.field.reporter": ("反映人", "Reporter"),
    "desk.field.external_ref": ("外部编号", "External ref."),
    "desk.field.dept": ("责任部门", "Lead department"),
    "desk.field.co_depts": ("协办部门", "Co-handling"),
    "desk.field.created_at": ("受理时间", "Registered"),
    "desk.field.dispatched_at": ("派单时间", "Dispatched"),
    "desk.field.sign_due_at": ("签收期限", "Sign-for due"),
    "desk.field.due_at": ("办理期限", "Due"),
    "desk.field.closed_at": ("办结时间", "Closed"),
    "desk.field.limit": ("办理时限", "Time limit"),
    "desk.field.counts": ("督办 / 延期 / 返工 / 退回", "Supervised / extended / rework / returned"),
    "desk.field.satisfaction": ("回访满意度", "Satisfaction"),
    "desk.field.description": ("事项描述", "Description"),
    "desk.limit.hours": ("{n} 工作时", "{n} work h"),
    "desk.limit.days": ("{n} 工作日", "{n} work days"),
    "desk.timeline.title": ("流转记录", "Timeline"),
    "desk.timeline.empty": ("暂无记录", "No events"),
    "desk.timeline.by": ("经办：{actor}", "by {actor}"),
    "desk.timeline.extend": ("延长 {amount}", "extended by {amount}"),
    "desk.timeline.dept": ("部门：{dept}", "department: {dept}"),
    "desk.map.title": ("位置", "Location"),
    "desk.map.no_point": ("该事项只有地址，没有坐标", "This matter has an address but no coordinates"),
    "desk.map.point": ("事项位置", "Matter location"),
    "desk.map.cell": ("所在网格", "Grid cell"),
    "actor.desk": ("调度台", "Dispatch desk"),
    "desk.actions.title": ("办理", "Actions"),
    "desk.actions.none": ("当前状态下没有可办理的操作", "Nothing can be done in this state"),
    "desk.actions.note": ("办理意见", "Note"),
    "desk.actions.note.placeholder": ("督办、延期、缓办、退回、作废、返工、上报、重开时必填",
                                      "Required to supervise, extend, suspend, return, void, reject, "
                                      "escalate or reopen"),
    "desk.actions.note_needed": ("需填写办理意见", "needs a note"),
    "desk.actions.other": ("其他操作", "Other actions"),
    "desk.dispatch.department": ("责任部门", "Lead department"),
    "desk.dispatch.co": ("协办部门 (可选)", "Co-handling departments (optional)"),
    "desk.dispatch.suggested": ("建议", "suggested"),
    "desk.dispatch.load": ("在办 {open} · 超期 {overdue}", "{open} open · {overdue} overdue"),
    "desk.dispatch.suggestion": ("按类别「{category}」建议派往：{dept}", "Suggested for “{category}”: {dept}"),
    "desk.dispatch.placeholder": ("选择部门", "Choose a department"),
    "desk.extend.amount": ("延期时长", "Extension"),
    "desk.extend.unit.hours": ("工作时", "work hours"),
    "desk.extend.unit.work_days": ("工作日", "work days"),
    "desk.follow_up.satisfaction": ("满意度", "Satisfaction"),
    "satisfaction.satisfied": ("满意", "Satisfied"),
    "satisfaction.basic": ("基本满意", "Basically satisfied"),
    "satisfaction.unsatisfied": ("不满意", "Unsatisfied"),
    "action.accept": ("受理", "Register"),
    "action.dispatch": ("派单", "Dispatch"),
    "action.sign": ("签收", "Sign for"),
    "action.feedback": ("反馈", "Report feedback"),
    "action.verify": ("核查通过", "Verify (pass)"),
    "action.reject": ("返工", "Reject (rework)"),
    "action.close": ("办结", "Close"),
    "action.follow_up": ("回访", "Follow up"),
    "action.supervise": ("督办", "Supervise"),
    "action.extend": ("延期", "Extend"),
    "action.suspend": ("缓办", "Suspend"),
    "action.resume": ("恢复计时", "Resume"),
    "action.return": ("退回", "Return"),
    "action.void": ("作废", "Void"),
    "action.escalate": ("上报", "Escalate"),
    "action.reopen": ("重开", "Reopen"),
    "action.redue": ("期限重算", "Deadline recomputed"),
    "desk.done": ("已办理「{action}」：事项 {id} 当前状态「{status}」",
                  "{action} done: matter {id} is now {status}"),
    "desk.refused": ("无法办理「{action}」：事项 {id} 当前为「{status}」，{need}",
                     "{action} refused: matter {id} is {status}; {need}"),
    "desk.not_found": ("事项 {id} 不存在或不在可见范围内", "Matter {id} does not exist or is outside your view"),
    "desk.fix_fields": ("未提交：请更正标出的内容", "Not done: correct the marked fields"),
    "desk.field_error": ("{field}：{problem}", "{field}: {problem}"),
    "need.close": ("须先通过核查", "it must pass verification first"),
    "need.verify": ("尚无反馈", "it has no feedback yet"),
    "need.feedback": ("须先签收", "it must be signed for first"),
    "need.sign": ("尚未派单", "it has not been dispatched"),
    "need.follow_up": ("尚未办结", "it is not closed yet"),
    "need.reject": ("没有可返工的反馈", "it has no feedback to reject"),
    "need.resume": ("未处于缓办", "its clock is not stopped"),
    "need.reopen": ("只有已办结的事项可以重开", "only a closed matter can be reopened"),
    "need.dispatch": ("只有新受理或被退回的事项可以派单", "only a new or returned matter can be dispatched"),
    "need.default": ("流程不允许此操作", "the lifecycle does not allow it"),
    "problem.required": ("必填", "required"),
    "problem.positive": ("须为大于 0 的数", "must be a number above 0"),
    "problem.extend_amount": ("请填写延期时长", "give the length of the extension"),
    "problem.extension_too_long": ("不得超过 30 天的工作时间", "at most 30 days of working time"),
    "problem.too_long": ("内容过长", "too long"),
    "problem.not_text": ("含有无法识别的字符", "contains characters that are not text"),
    "problem.choose": ("请选择一项", "choose one"),
    "problem.unknown_department": ("未知部门", "unknown department"),
    "problem.not_a_list": ("格式不对", "must be a list"),
    "problem.unknown": ("{problem}", "{problem}"),
}


# AG Grid's own words (filter menus, overlays) in Chinese; English is the grid's default.
_GRID_LOCALE_ZH = {
    "noRowsToShow": "暂无在办事项",
    "noMatchingRows": "没有匹配的事项",
    "loadingOoo": "加载中…",
    "filterOoo": "筛选…",
    "contains": "包含",
    "notContains": "不包含",
    "equals": "等于",
    "notEqual": "不等于",
    "startsWith": "开头是",
    "endsWith": "结尾是",
    "blank": "为空",
    "notBlank": "不为空",
    "lessThan": "小于",
    "greaterThan": "大于",
    "lessThanOrEqual": "小于等于",
    "greaterThanOrEqual": "大于等于",
    "inRange": "介于",
    "andCondition": "且",
    "orCondition": "或",
    "applyFilter": "应用",
    "resetFilter": "重置",
    "clearFilter": "清除",
    "cancelFilter": "取消",
    "sortAscending": "升序",
    "sortDescending": "降序",
    "pinColumn": "固定列",
    "autosizeThisColumn": "自动调整此列",
    "resetColumns": "重置列",
}


def grid_locale(lang: str) -> dict[str, str]:
    return dict(_GRID_LOCALE_ZH) if lang != "en" else {"noRowsToShow": t("empty.table", "en")}


def normalise_language(lang: str | None, default: str = DEFAULT_LANGUAGE) -> str:
    return lang if lang in LANGUAGES else (default if default in LANGUAGES else DEFAULT_LANGUAGE)


def language_from_search(search: str | None, default: str = DEFAULT_LANGUAGE) -> str:
    """The language a URL's query string asks for (``?lang=en``), else ``default``."""
    values = parse_qs((search or "").lstrip("?")).get("lang")
    return normalise_language(values[0] if values else None, default)


def t(key: str, lang: str = DEFAULT_LANGUAGE, **values) -> str:
    """The string ``key`` in ``lang`` (zh or en), with ``values`` filled in."""
    zh, en = STRINGS[key]
    text = en if lang == "en" else zh
    return text.format(**values) if values else text


def name_of(kind: str, code: str | None, lang: str = DEFAULT_LANGUAGE) -> str:
    """The name of a coded value (``kind`` one of source, status, light, level);
    an unknown code shows as itself rather than failing a whole panel."""
    code = plain(code)
    if not code:
        return ""
    key = f"{kind}.{code}"
    return t(key, lang) if key in STRINGS else code


def plain(value) -> str:
    """Text from a database value: missing (None, NaN, NA) reads as an empty string."""
    if value is None:
        return ""
    try:
        if value != value:      # NaN, the way pandas marks a missing string
            return ""
    except TypeError:           # pd.NA refuses comparison
        return ""
    return str(value)


def pick(zh, en, lang: str) -> str:
    """A bilingual name stored in the database: English when asked for and present."""
    zh, en = plain(zh), plain(en)
    if lang == "en" and en:
        return en
    return zh or en


# The pages' own strings live beside them; one table for t() all the same.
from dashboard.strings_admin import STRINGS as _ADMIN_STRINGS  # noqa: E402  (/admin/import)
from dashboard.strings_analysis import STRINGS as _ANALYSIS_STRINGS  # noqa: E402  (/analysis, /warnings)

STRINGS.update(_ANALYSIS_STRINGS)
STRINGS.update(_ADMIN_STRINGS)
