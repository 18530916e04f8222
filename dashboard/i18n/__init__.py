"""Every string a person sees, in Chinese (the default) and English: one table a page
(``overview``, ``desk``, ``analysis``, ``warnings``, ``admin_import``) and ``common`` for
what several pages share, merged here into ``STRINGS``; a key stands in one table only.

``t(key, lang, **values)`` looks a string up and fills its ``{placeholders}``. Names of
coded values (sources, statuses, lights, levels, satisfaction) live in ``common`` under
``source.*``, ``status.*``, ``light.*``, ``level.*`` and ``satisfaction.*``;
``name_of(kind, code, lang)`` reads them.
"""
from __future__ import annotations

from urllib.parse import parse_qs

from dashboard.i18n import admin_import, analysis, common, desk, overview, warnings
from dashboard.i18n.common import GRID_LOCALE_ZH

LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"

# table name → its strings (key → (中文, English))
TABLES: dict[str, dict[str, tuple[str, str]]] = {
    "common": common.STRINGS, "overview": overview.STRINGS, "desk": desk.STRINGS, "analysis": analysis.STRINGS,
    "warnings": warnings.STRINGS, "admin_import": admin_import.STRINGS,
}


def _merged(tables: dict[str, dict[str, tuple[str, str]]]) -> dict[str, tuple[str, str]]:
    """One table of them all; a key in two tables is an error, not a silent override."""
    merged: dict[str, tuple[str, str]] = {}
    home: dict[str, str] = {}
    for name, table in tables.items():
        for key, pair in table.items():
            if key in home:
                raise ValueError(f"string {key!r} is in both i18n/{home[key]}.py and i18n/{name}.py")
            home[key] = name
            merged[key] = pair
    return merged


STRINGS: dict[str, tuple[str, str]] = _merged(TABLES)


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
