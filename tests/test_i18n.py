"""The string tables (``dashboard/i18n/``, one a page and ``common``): every string in
Chinese and English with the same placeholders, a key in one table only, each page's keys
in its own table, every key the code names defined, and a name for every coded value."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from dashboard import i18n
from dashboard.i18n import STRINGS, TABLES, name_of, t
from queries import vocabulary

REPO = Path(__file__).resolve().parents[1]
PLACEHOLDER = re.compile(r"\{(\w+)\}")
# What a page's table holds: its keys start so (the navbar's names are common).
PAGE_PREFIXES = {"analysis": ("an.",), "login": ("login.",), "warnings": ("wn.",), "admin_import": ("admin.",),
                 "screen": ("scr.",), "briefing": ("br.",), "emergency": ("em.",), "playback": ("pb.",),
                 "desk": ("desk.", "action.", "need.", "problem.", "actor.", "page.desk"), "drill": ("drill.",)}


def test_every_string_has_chinese_and_english_with_the_same_placeholders():
    for name, table in TABLES.items():
        for key, (zh, en) in table.items():
            assert zh.strip() and en.strip(), (name, key)
            assert set(PLACEHOLDER.findall(zh)) == set(PLACEHOLDER.findall(en)), (name, key)
    assert t("kpi.overdue", "zh") == "超期 (红灯)"
    assert t("kpi.overdue", "en") == "Overdue (red)"


def test_a_key_stands_in_one_table_and_every_table_is_looked_up():
    assert len(STRINGS) == sum(len(table) for table in TABLES.values())
    assert {path.stem for path in (REPO / "dashboard" / "i18n").glob("*.toml")} == set(TABLES)
    assert [path.name for path in (REPO / "dashboard" / "i18n").glob("*.py")] == ["__init__.py"]
    with pytest.raises(ValueError, match="both"):
        i18n._merged({"common": {"app.title": ("甲", "A")}, "desk": {"app.title": ("乙", "B")}})


def test_each_page_keeps_its_own_keys():
    for name, prefixes in PAGE_PREFIXES.items():
        assert TABLES[name] and [k for k in TABLES[name] if not k.startswith(prefixes)] == [], name


def test_every_key_the_code_names_exists():
    """Literal keys in the code (``t("an.…")``, ``t("desk.…")``…) are all defined."""
    used: set[str] = set()
    for path in (REPO / "dashboard").rglob("*.py"):
        used |= set(re.findall(r"""\bt\(\s*["']([\w.]+)["']""", path.read_text(encoding="utf-8")))
    assert len(used) > 200 and sorted(used - set(STRINGS)) == []


def test_every_coded_value_has_a_name_in_both_languages():
    from queries import resources

    for kind, codes in (("source", vocabulary.SOURCES), ("status", vocabulary.STATUSES),
                        ("level", vocabulary.LEVELS), ("satisfaction", vocabulary.SATISFACTION),
                        ("resource_kind", resources.KINDS), ("resource_state", resources.STATES)):
        for code in codes:
            assert f"{kind}.{code}" in STRINGS, (kind, code)
            assert name_of(kind, code, "zh") != code and name_of(kind, code, "en") != code
    assert name_of("source", "carrier-pigeon", "zh") == "carrier-pigeon"
