"""Excel imports through python-calamine: the real LA sample (../shared/realdata) written as
.xlsx (openpyxl) and as Excel 97–2003 .xls (xlwt) at test time imports exactly the matters
its CSV imports, and a damaged or misnamed workbook fails in one line."""
from __future__ import annotations

import pandas as pd
import pytest

from layers.gridimport import import_grid
from layers.matterimport import import_matters
from queries.store import Store
from tests.importdata import CITIES, require_realdata

LA = CITIES["la"]
MATTERS = ("SELECT m.external_ref, m.status, m.source, m.created_at, m.closed_at, m.due_at, m.lat, m.lon, "
           "m.description, m.address, c.code AS cell, d.name AS dept, k.name AS category "
           "FROM matters m LEFT JOIN areas c ON c.area_id = m.cell_id LEFT JOIN departments d "
           "ON d.dept_id = m.lead_dept_id LEFT JOIN categories k ON k.category_id = m.category_id "
           "ORDER BY m.external_ref")


def write_xlsx(frame: pd.DataFrame, path) -> None:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("LA")
    sheet.append(list(frame.columns))
    for row in frame.itertuples(index=False):
        sheet.append([None if v == "" else v for v in row])
    book.save(path)


def write_xls(frame: pd.DataFrame, path) -> None:
    xlwt = pytest.importorskip("xlwt", reason="no .xls writer installed (xlwt, requirements-dev.txt)")
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("LA")
    for j, name in enumerate(frame.columns):
        sheet.write(0, j, name)
    for i, row in enumerate(frame.itertuples(index=False), start=1):
        for j, v in enumerate(row):
            if v != "":
                sheet.write(i, j, v)
    book.save(str(path))


def imported(tmp_path, source, name: str) -> pd.DataFrame:
    store = Store(tmp_path / f"{name}.duckdb", create=True)
    try:
        import_grid(store, path=str(LA.grid), id_field=LA.id_field, name_field=LA.name_field,
                    parent_field=LA.parent_field, township_name=LA.name)
        summary = import_matters(store, path=str(source), mapping=str(LA.mapping),
                                 rejects=str(tmp_path / f"{name}.rejects.csv"))
        return summary, store.frame(MATTERS)
    finally:
        store.close()


@pytest.fixture(scope="module")
def la_csv(tmp_path_factory):
    require_realdata(LA)
    folder = tmp_path_factory.mktemp("la-excel")
    summary, matters = imported(folder, LA.matters, "csv")
    frame = pd.read_csv(LA.matters, dtype=str, keep_default_na=False)
    return folder, frame, summary, matters


@pytest.mark.parametrize("suffix", ["xlsx", "xls"])
def test_the_la_sample_as_excel_imports_the_same_matters_as_its_csv(suffix, la_csv):
    folder, frame, want_summary, want = la_csv
    book = folder / f"la.{suffix}"
    (write_xlsx if suffix == "xlsx" else write_xls)(frame, book)
    summary, got = imported(folder, book, suffix)
    assert (summary["imported"], summary["rejected"]) == (want_summary["imported"], want_summary["rejected"])
    assert summary["imported"] > 9000
    pd.testing.assert_frame_equal(got, want)


@pytest.mark.parametrize(("name", "content", "message"), [
    ("bad.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "not a readable Excel workbook"),
    ("text.xls", b"SRNumber,CreatedDate\n1,2018-12-27\n", "not an Excel .xls workbook"),
    ("ole.csv", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "name an Excel file .xls"),
])
def test_a_damaged_or_misnamed_workbook_fails_in_one_line(name, content, message, tmp_path):
    from queries.imports.files import read_text_table
    from queries.imports.mapping import load_mapping

    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ValueError, match=message) as caught:
        read_text_table(path, load_mapping(LA.mapping))
    assert "\n" not in str(caught.value)
