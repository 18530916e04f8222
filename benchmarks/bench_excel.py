"""Excel read speed: the LA sample (10,000 rows × 34 columns, ../shared/realdata) written as
.xlsx, read to text cells by python-calamine (queries.imports.files._read_excel, what the
import uses) and by openpyxl's read-only mode (the reader it replaced, re-stated here), and
as .xls by calamine; then the whole import (read, checks, cells, matters, derived tables)
of the CSV, the .xlsx and the .xls. Prints median (min–max) of --runs runs.

Run: `.venv/bin/python benchmarks/bench_excel.py [--runs 5]` from the repo root.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pandas as pd

from layers.gridimport import import_grid
from layers.matterimport import import_matters
from queries.imports.files import _excel_text, _read_excel
from queries.store import Store

REPO = Path(__file__).resolve().parents[1]
LA = REPO.parent / "shared" / "realdata" / "la-311-2018"
CSV = LA / "myla311_2018-12-27_to_31.csv"
GRID = LA / "la_neighborhood_councils_2019.geojson"
MAPPING = REPO / "data" / "mappings" / "la_311.toml"


def read_openpyxl(path: Path) -> int:
    """The replaced reader: every row as text cells, blank rows skipped."""
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        rows = book.worksheets[0].iter_rows(values_only=True)
        header = next(rows)
        width, n = len(header), 0
        cells: list[list] = [[] for _ in range(width)]
        for row in rows:
            if row is None or all(v is None for v in row):
                continue
            n += 1
            for i in range(width):
                cells[i].append(_excel_text(row[i]) if i < len(row) else None)
        return n
    finally:
        book.close()


def timed(fn, runs: int) -> tuple[float, float, float]:
    fn()                                    # warm-up
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), min(times), max(times)


def show(label: str, figures: tuple[float, float, float], rows: int) -> None:
    med, lo, hi = figures
    print(f"{label:34s} {med:7.3f} s ({lo:.3f}–{hi:.3f})  {rows / med:10,.0f} rows/s")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if not CSV.exists():
        print(f"LA sample not found at {CSV}")
        return 0
    frame = pd.read_csv(CSV, dtype=str, keep_default_na=False)
    rows = len(frame)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        xlsx, xls = folder / "la.xlsx", folder / "la.xls"
        import openpyxl
        import xlwt

        book = openpyxl.Workbook(write_only=True)
        sheet = book.create_sheet("LA")
        sheet.append(list(frame.columns))
        for row in frame.itertuples(index=False):
            sheet.append([None if v == "" else v for v in row])
        book.save(xlsx)
        old = xlwt.Workbook(encoding="utf-8")
        ws = old.add_sheet("LA")
        for j, name in enumerate(frame.columns):
            ws.write(0, j, name)
        for i, row in enumerate(frame.itertuples(index=False), start=1):
            for j, v in enumerate(row):
                if v != "":
                    ws.write(i, j, v)
        old.save(str(xls))
        print(f"LA sample: {rows:,} rows × {len(frame.columns)} columns; {args.runs} runs after a warm-up")
        opx = timed(lambda: read_openpyxl(xlsx), args.runs)
        cal = timed(lambda: _read_excel(xlsx, None), args.runs)
        show("read .xlsx, openpyxl (before)", opx, rows)
        show("read .xlsx, python-calamine (now)", cal, rows)
        show("read .xls, python-calamine (now)", timed(lambda: _read_excel(xls, None), args.runs), rows)
        print(f"read .xlsx speed-up: {opx[0] / cal[0]:.1f}× (median)")

        def whole(source: Path) -> None:
            db = folder / "bench.duckdb"
            for f in folder.glob("bench.duckdb*"):
                f.unlink()
            store = Store(db, create=True)
            try:
                import_grid(store, path=str(GRID), id_field="nc_id", name_field="name", parent_field="service_re",
                            township_name="LA")
                import_matters(store, path=str(source), mapping=str(MAPPING), rejects=str(folder / "rej.csv"))
            finally:
                store.close()
        for label, source in (("CSV", CSV), (".xlsx", xlsx), (".xls", xls)):
            show(f"grid + import, {label}", timed(lambda s=source: whole(s), max(1, args.runs // 2)), rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
