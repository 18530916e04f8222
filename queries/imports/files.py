"""Reading an export as text: what kind of file it is (CSV, CSV.gz, Excel), its encoding
and delimiter, and every cell as text in file order (pyarrow for CSV, python-calamine for
Excel .xlsx, .xlsm and the old binary .xls).
A file that is not a table fails with one line a person can act on."""
from __future__ import annotations

import csv
import gzip
import io
import math
import time
from dataclasses import dataclass
from datetime import date, datetime
from datetime import time as dt_time
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from queries.imports.mapping import Mapping

EXCEL_SUFFIXES = (".xlsx", ".xlsm")
XLS_SUFFIX = ".xls"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"      # the compound file of an Excel 97–2003 .xls
# Encodings pyarrow decodes itself; any other goes through Python's codecs (slower).
_DELIMITERS = (",", ";", "\t", "|")
_SNIFF_BYTES = 1 << 16


@dataclass
class TextTable:
    """Every cell of a file as text (None when empty), columns in file order."""

    path: Path
    columns: list[str]
    table: pa.Table                  # columns c0, c1, … (names may repeat in a file)
    seconds: float
    row_numbers: np.ndarray | None = None   # each row's number in the file (1 = first under the header)

    @property
    def rows(self) -> int:
        return self.table.num_rows

    def column(self, name: str) -> pa.ChunkedArray:
        return self.table.column(self.columns.index(name))


def describe(path: Path) -> str:
    """How messages name a file: its name, not the path on the server."""
    return path.name


def _file_kind(path: Path) -> tuple[str, bytes]:
    """('csv' | 'gzip' | 'excel', first bytes of the content): refuses what is not a table
    with one clear line (a binary file renamed .csv, an empty file)."""
    if not path.exists():
        raise ValueError(f"{path}: no such file")
    if path.is_dir():
        raise ValueError(f"{path}: is a folder, not a file")
    size = path.stat().st_size
    if size == 0:
        raise ValueError(f"{describe(path)}: the file is empty")
    with open(path, "rb") as fh:
        head = fh.read(_SNIFF_BYTES)
    suffix = path.suffix.lower()
    if head[:4] == b"PK\x03\x04":
        if suffix in EXCEL_SUFFIXES:
            return "excel", head
        raise ValueError(f"{describe(path)}: a zip archive (an Excel workbook?), not a CSV text file; "
                         f"name an Excel file .xlsx")
    if suffix in EXCEL_SUFFIXES:
        raise ValueError(f"{describe(path)}: not an Excel .xlsx workbook")
    if head[:8] == OLE2_MAGIC:
        if suffix == XLS_SUFFIX:
            return "excel", head
        raise ValueError(f"{describe(path)}: an Excel 97–2003 workbook (or another OLE2 file), not a CSV text file; "
                         f"name an Excel file .xls")
    if suffix == XLS_SUFFIX:
        raise ValueError(f"{describe(path)}: not an Excel .xls workbook")
    if suffix in (".geojson", ".json", ".shp", ".gpkg"):
        raise ValueError(f"{describe(path)}: a geodata file, not a matter export (CSV, CSV.gz or Excel .xlsx); "
                         f"grids go in with import-grid")
    kind = "csv"
    if head[:2] == b"\x1f\x8b":
        kind = "gzip"
        try:
            with gzip.open(path, "rb") as fh:
                head = fh.read(_SNIFF_BYTES)
        except (OSError, EOFError) as exc:
            raise ValueError(f"{describe(path)}: a damaged gzip file ({exc})") from exc
        if not head:
            raise ValueError(f"{describe(path)}: the file is empty (inside its gzip)")
    elif suffix == ".gz":
        raise ValueError(f"{describe(path)}: named .gz but not gzip-compressed")
    if b"\x00" in head:
        raise ValueError(f"{describe(path)}: binary content, not a CSV text file "
                         f"(a renamed file? CSV, CSV.gz and Excel .xlsx are read)")
    if not head.strip():
        raise ValueError(f"{describe(path)}: the file holds no text (only blank lines)")
    return kind, head


def _decode_head(head: bytes, encoding: str, path: Path) -> str:
    enc = "utf-8-sig" if encoding.replace("_", "-").lower() in ("utf-8", "utf8") else encoding
    # The sniffed block may end inside a multi-byte character: drop a few bytes if needed.
    for cut in range(4):
        try:
            return head[: len(head) - cut].decode(enc)
        except UnicodeDecodeError as exc:
            last = exc
    hint = " (Chinese exports are often GBK: set [formats] encoding = \"gbk\")" if enc.startswith("utf") else ""
    raise ValueError(f"{describe(path)}: not {encoding} text{hint}") from last


def _header(text: str, delimiter: str | None, path: Path) -> tuple[list[str], str]:
    first_line = text.splitlines()[0] if text.splitlines() else ""
    if delimiter is None:
        counts = {d: first_line.count(d) for d in _DELIMITERS}
        delimiter = max(counts, key=counts.get) if max(counts.values()) > 0 else ","
    try:
        header = next(csv.reader(io.StringIO(text), delimiter=delimiter))
    except (csv.Error, StopIteration) as exc:
        raise ValueError(f"{describe(path)}: cannot read the header line ({exc})") from exc
    if not any(h.strip() for h in header):
        raise ValueError(f"{describe(path)}: the first line is not a header of column names")
    return header, delimiter


def read_text_table(path: str | Path, mapping: Mapping) -> TextTable:
    """The file's cells as text, in file order. Errors a person can act on raise
    ``ValueError``: empty, binary, wrong encoding, malformed CSV, header without rows."""
    started = time.perf_counter()
    path = Path(path)
    kind, head = _file_kind(path)
    if kind == "excel":
        columns, table, row_numbers = _read_excel(path, mapping.sheet)
    else:
        text = _decode_head(head, mapping.encoding, path)
        columns, delimiter = _header(text, mapping.delimiter, path)
        names = [f"c{i}" for i in range(len(columns))]
        row_numbers = None
        stream = pa.input_stream(str(path), compression="gzip" if kind == "gzip" else None)
        try:
            table = pacsv.read_csv(
                stream,
                read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, encoding=mapping.encoding,
                                               block_size=1 << 24),
                parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True),
                convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in names},
                                                     strings_can_be_null=True, quoted_strings_can_be_null=True),
            )
        except pa.ArrowInvalid as exc:
            message = str(exc).splitlines()[0]
            if "UTF8" in message or "utf8" in message.lower():
                raise ValueError(f"{describe(path)}: not UTF-8 text beyond the first lines; "
                                 f"set [formats] encoding (e.g. \"gbk\")") from exc
            raise ValueError(f"{describe(path)}: not a well-formed CSV file "
                             f"({message[:200]})") from exc
        except UnicodeDecodeError as exc:
            raise ValueError(f"{describe(path)}: not {mapping.encoding} text ({exc.reason})") from exc
        except (OSError, EOFError) as exc:
            raise ValueError(f"{describe(path)}: cannot be read ({exc})") from exc
    if table.num_rows == 0:
        raise ValueError(f"{describe(path)}: a header but no rows")
    if row_numbers is None:
        row_numbers = np.arange(1, table.num_rows + 1, dtype=np.int64)
    return TextTable(path, [c.strip() for c in columns], table, time.perf_counter() - started, row_numbers)


def _excel_text(value: Any) -> str | None:
    """A cell as the text the checks read: dates and times ISO (a date alone at midnight),
    whole numbers without ".0", empty cells None."""
    if value is None or isinstance(value, bool):
        return None if value is None else str(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return datetime.combine(value, dt_time()).isoformat(sep=" ")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer() and abs(value) < 2**53:
            return str(int(value))
        return repr(value)
    text = str(value)
    return text if text.strip() else None


def _read_excel(path: Path, sheet: str | None) -> tuple[list[str], pa.Table, np.ndarray]:
    """The first sheet (or the named one) as text; blank rows are skipped, and each row
    keeps its number under the header row (Excel's row number minus one). python-calamine
    (Rust) reads .xlsx, .xlsm and .xls alike, several times faster than openpyxl."""
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
    except (CalamineError, OSError, ValueError) as exc:
        raise ValueError(f"{describe(path)}: not a readable Excel workbook ({exc})") from exc
    try:
        if sheet is not None and sheet not in book.sheet_names:
            raise ValueError(f"{describe(path)}: no sheet {sheet!r}; its sheets are: {', '.join(book.sheet_names)}")
        if not book.sheet_names:
            raise ValueError(f"{describe(path)}: the workbook has no sheet")
        try:
            grid = (book.get_sheet_by_name(sheet) if sheet else book.get_sheet_by_index(0)).to_python(
                skip_empty_area=False)
        except (CalamineError, ValueError) as exc:
            raise ValueError(f"{describe(path)}: not a readable Excel workbook ({exc})") from exc
    finally:
        book.close()
    if not grid or not any(h not in (None, "") for h in grid[0]):
        raise ValueError(f"{describe(path)}: the sheet is empty")
    header = list(grid[0])
    while header and header[-1] in (None, ""):
        header.pop()
    columns = [str(_excel_text(h) or "") for h in header]
    width = len(columns)
    cells: list[list[str | None]] = [[] for _ in range(width)]
    numbers: list[int] = []
    for number, row in enumerate(grid[1:], start=1):
        texts = [_excel_text(row[i]) if i < len(row) else None for i in range(width)]
        if all(v is None for v in texts) and all(v in (None, "") or (isinstance(v, str) and not v.strip())
                                                  for v in row):
            continue
        numbers.append(number)
        for i in range(width):
            cells[i].append(texts[i])
    table = pa.table({f"c{i}": pa.array(cells[i], type=pa.string()) for i in range(width)})
    return columns, table, np.asarray(numbers, dtype=np.int64)
