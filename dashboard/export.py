"""Tables as CSV and Excel files for download, safe to open in a spreadsheet.

A cell whose text starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return,
which some spreadsheets skip before reading a formula) would be run as a formula by Excel
or WPS when the file is opened: CSV injection. ``neutralise`` prefixes such text with an
apostrophe, which spreadsheets show as text and do not evaluate. Numbers stay numbers.
"""
from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Iterable, Sequence

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMATS = ("csv", "xlsx")
MEDIA_TYPES = {"csv": "text/csv",
               "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
# Characters XML 1.0 (and so an xlsx file) cannot hold.
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


@dataclass(frozen=True)
class Column:
    key: str          # the row dict's key
    header: str       # what the file's first row says


def neutralise(value: Any) -> Any:
    """Text that a spreadsheet would read as a formula, made inert; anything else as it is."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _plain(value: Any) -> Any:
    """A value a file can hold: missing (None, NaN) as empty, numpy scalars as Python's."""
    if value is None:
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def table_cells(columns: Sequence[Column], rows: Iterable[dict[str, Any]]) -> list[list[Any]]:
    """The header row and one row per record, every text cell neutralised."""
    cells = [[neutralise(c.header) for c in columns]]
    for row in rows:
        cells.append([neutralise(_plain(row.get(c.key))) for c in columns])
    return cells


def to_csv(columns: Sequence[Column], rows: Iterable[dict[str, Any]]) -> bytes:
    """UTF-8 with a byte-order mark, so that Excel reads the Chinese right."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    for line in table_cells(columns, rows):
        writer.writerow(["" if v is None else _text_or_number(v) for v in line])
    return buffer.getvalue().encode("utf-8-sig")


def _text_or_number(value: Any) -> Any:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    return value


def to_xlsx(columns: Sequence[Column], rows: Iterable[dict[str, Any]], sheet: str = "Sheet1") -> bytes:
    """One worksheet: a bold header, text as text (never a formula), numbers as numbers."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    ws = book.active
    ws.title = _sheet_title(sheet)
    for r, line in enumerate(table_cells(columns, rows), start=1):
        for c, value in enumerate(line, start=1):
            if isinstance(value, str):
                value = _ILLEGAL_XML.sub("", value)
            cell = ws.cell(row=r, column=c, value=value)
            if isinstance(value, str):
                cell.data_type = "s"          # never "f", whatever the text
            if r == 1:
                cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    for c, column in enumerate(columns, start=1):
        width = max([_display_width(column.header)] + [_display_width(ws.cell(row=r, column=c).value)
                                                        for r in range(2, min(ws.max_row, 200) + 1)])
        ws.column_dimensions[ws.cell(row=1, column=c).column_letter].width = min(max(width + 2, 8), 60)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet_title(text: str) -> str:
    cleaned = re.sub(r"[\[\]:*?/\\]", " ", text).strip() or "Sheet1"
    return cleaned[:31]


def _display_width(value: Any) -> int:
    text = "" if value is None else str(value)
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def export_file(columns: Sequence[Column], rows: Iterable[dict[str, Any]], fmt: str, *,
                name: str, sheet: str) -> tuple[bytes, str]:
    """(content, file name) in ``fmt`` (csv or xlsx)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    rows = list(rows)
    content = to_csv(columns, rows) if fmt == "csv" else to_xlsx(columns, rows, sheet)
    return content, f"{name}.{fmt}"
