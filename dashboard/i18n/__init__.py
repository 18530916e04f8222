"""Every string a person sees, in Chinese (the default) and English: one table a page
(``overview``, ``desk``, ``analysis``, ``warnings``, ``admin_import``) and ``common`` for
what several pages share, merged here into ``STRINGS``; a key stands in one table only.

``t(key, lang, **values)`` looks a string up and fills its ``{placeholders}``. Names of
coded values (sources, statuses, lights, levels, satisfaction) live in ``common`` under
``source.*``, ``status.*``, ``light.*``, ``level.*`` and ``satisfaction.*``;
``name_of(kind, code, lang)`` reads them.

The tables are data, not code: ``<table>.toml`` beside this file, one entry a line
(``"desk.queue.new" = ["待派单", "To dispatch"]``), read with ``tomllib`` at import.
"""
from __future__ import annotations

import tomllib
from pathlib import Path
from urllib.parse import parse_qs

LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"

HERE = Path(__file__).parent
TABLE_NAMES = ("common", "overview", "desk", "analysis", "warnings", "admin_import", "login", "audit",
               "drill", "screen", "briefing", "emergency", "playback")


def _read_table(name: str) -> dict[str, tuple[str, str]]:
    """``<name>.toml``: key → (中文, English), in the file's order."""
    with open(HERE / f"{name}.toml", "rb") as file:
        entries = tomllib.load(file)
    table: dict[str, tuple[str, str]] = {}
    for key, pair in entries.items():
        if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(s, str) for s in pair)):
            raise ValueError(f"string {key!r} in i18n/{name}.toml is not [中文, English]: {pair!r}")
        table[key] = (pair[0], pair[1])
    return table


# table name → its strings (key → (中文, English))
TABLES: dict[str, dict[str, tuple[str, str]]] = {name: _read_table(name) for name in TABLE_NAMES}


def _merged(tables: dict[str, dict[str, tuple[str, str]]]) -> dict[str, tuple[str, str]]:
    """One table of them all; a key in two tables is an error, not a silent override."""
    merged: dict[str, tuple[str, str]] = {}
    home: dict[str, str] = {}
    for name, table in tables.items():
        for key, pair in table.items():
            if key in home:
                raise ValueError(f"string {key!r} is in both i18n/{home[key]}.toml and i18n/{name}.toml")
            home[key] = name
            merged[key] = pair
    return merged


STRINGS: dict[str, tuple[str, str]] = _merged(TABLES)

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


def grid_locale(lang: str) -> dict[str, str]:
    return dict(GRID_LOCALE_ZH) if lang != "en" else {"noRowsToShow": t("empty.table", "en")}


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
