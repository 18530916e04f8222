"""The strings several pages share: the app and its navbar, the as-of line, the filter bar's
and dropdowns' own words, the map's outlines and hover, working time, lights, and the names
of coded values (``source.*``, ``status.*``, ``level.*``, ``satisfaction.*``: the codes are
``queries/vocabulary.py``), with AG Grid's own words in Chinese.
"""
from __future__ import annotations

# key → (中文, English)
STRINGS: dict[str, tuple[str, str]] = {
    # app
    "app.title": ("乡镇(街道)指挥调度中心", "Township Command and Dispatch Center"),
    "app.subtitle": ("实时运行态势", "Real-time operations"),
    "nav.overview": ("态势总览", "Overview"),
    "nav.desk": ("调度台", "Dispatch desk"),
    "nav.analysis": ("分析研判", "Analysis"),
    "nav.warnings": ("预测预警", "Warnings"),
    "nav.language": ("语言", "Language"),
    "lang.zh": ("中文", "中文"),
    "lang.en": ("English", "English"),
    # status line
    "asof": ("数据时间 {time}", "As of {time}"),
    "calendar.next_year_unknown": ("{year} 年节假日安排尚未载入：{year} 年的期限暂按常规周一至周五计算，"
                                   "国务院办公厅通知发布后请用 calendar load 载入",
                                   "The {year} holiday schedule is not loaded: {year} deadlines count a plain "
                                   "Monday-to-Friday week until it is (calendar load)"),
    "asof.waiting": ("正在读取数据…", "Loading data…"),
    "empty.table": ("暂无在办事项", "No open matters"),
    "error.store": ("数据暂时无法读取：{reason}", "Data cannot be read right now: {reason}"),
    # filter bar
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
    "map.hover.code": ("编码", "Code"),
    "map.hover.village": ("所属", "Village"),
    "map.township": ("乡镇边界", "Township boundary"),
    "map.villages": ("村/社区边界", "Village boundaries"),
    "map.no_grid": ("尚未导入网格", "No grid imported yet"),
    # departments
    "dept.unassigned": ("未派单", "Not dispatched"),
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
    # follow-up answers (回访满意度)
    "satisfaction.satisfied": ("满意", "Satisfied"),
    "satisfaction.basic": ("基本满意", "Basically satisfied"),
    "satisfaction.unsatisfied": ("不满意", "Unsatisfied"),
}


# AG Grid's own words (filter menus, overlays) in Chinese; English is the grid's default.
GRID_LOCALE_ZH = {
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
