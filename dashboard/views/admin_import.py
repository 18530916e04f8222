"""The logic behind ``/admin/import``: an uploaded matter export becomes a mapping (picked
column by column in the page) and then an import run by the server, the database's one
writer, in a worker thread whose progress the page polls.

Everything here is plain Python the page's callbacks call: saving and inspecting an
upload, guessing which column holds which field, building and rendering the mapping TOML
(the format of docs/IMPORT.md), and the job board that runs an import and reports on it.
The import itself is ``dashboard.writeops.OPS["import_matters"]`` on the server's store:
one transaction, so a failure changes nothing.
"""
from __future__ import annotations

import base64
import binascii
import json
import re
import secrets
import shutil
import threading
import time
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

import pandas as pd
import pyarrow.compute as pc

from queries.imports.files import TextTable, read_text_table
from queries.imports.mapping import IMPORT_STATUSES, Mapping, load_mapping

# Bigger exports go through the command line (`python -m dashboard import-matters`), which
# reads the file where it lies instead of carrying it through the browser as base64. The
# page's bound is setting upload_max_mb; this is its default.
MAX_UPLOAD_BYTES = 200 * 1024 * 1024
UPLOAD_SUFFIXES = (".csv.gz", ".csv", ".xlsx", ".xls")
# What a compressed or Excel file starts with (a .csv's text is checked by inspect_upload).
MAGIC = {".csv.gz": b"\x1f\x8b", ".xlsx": b"PK\x03\x04", ".xls": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"}
DECODE_CHUNK = 4 * 1024 * 1024          # base64 characters decoded and written at a time (a multiple of 4)
UPLOADS_KEPT_S = 24 * 3600              # an upload folder older than this is swept at the next upload
PREVIEW_ROWS = 10
REJECTS_SHOWN = 20
# A column with more distinct values than this is no status column: its values are not listed.
MAX_STATUS_VALUES = 50

# Our fields the page asks for, in the order of docs/IMPORT.md.
FIELDS = ("id", "created_at", "closed_at", "due_at", "category", "department", "status", "source",
          "description", "address", "lat", "lon", "point")
REQUIRED = ("id", "created_at")
STATUSES = IMPORT_STATUSES

# Column names (normalised: lower case, no blanks, "_" or "-") that suggest each field:
# exact names first, then fragments. Common 12345 / 数字城管 and US 311 export headings.
_EXACT: dict[str, tuple[str, ...]] = {
    "id": ("id", "编号", "工单号", "工单编号", "事项编号", "案件编号", "caseenquiryid", "srnumber", "uniquekey",
           "caseid", "requestid", "serviceRequestid"),
    "created_at": ("createdat", "createddate", "受理时间", "创建时间", "登记时间", "上报时间", "opendt", "opened",
                   "requesteddatetime", "createdate"),
    "closed_at": ("closedat", "closeddate", "办结时间", "结案时间", "关闭时间", "closeddt", "closed", "closedate"),
    "due_at": ("dueat", "duedate", "办理期限", "截止时间", "期限", "targetdt", "servicedate", "duedt"),
    "category": ("category", "type", "小类", "事项类别", "类别", "问题类型", "requesttype", "complainttype"),
    "department": ("department", "dept", "责任部门", "承办部门", "处置部门", "部门", "owner", "agency"),
    "status": ("status", "状态", "办理状态", "casestatus", "事项状态"),
    "source": ("source", "来源", "事项来源", "requestsource", "channel", "渠道"),
    "description": ("description", "描述", "事项描述", "问题描述", "内容", "casetitle", "descriptor", "title"),
    "address": ("address", "地址", "事发地址", "location", "incidentaddress"),
    "lat": ("lat", "latitude", "纬度", "y"),
    "lon": ("lon", "lng", "long", "longitude", "经度", "x"),
    "point": ("point", "geom", "geometry", "wkt", "location", "坐标", "位置"),
}
_FRAGMENTS: dict[str, tuple[str, ...]] = {
    "id": ("编号", "number", "id"),
    "created_at": ("受理", "创建", "created", "open"),
    "closed_at": ("办结", "结案", "closed"),
    "due_at": ("期限", "due", "target"),
    "category": ("类别", "类型", "category", "type"),
    "department": ("部门", "单位", "department", "agency"),
    "status": ("状态", "status"),
    "source": ("来源", "source"),
    "description": ("描述", "内容", "description", "title"),
    "address": ("地址", "address"),
    "lat": ("纬度", "latitude"),
    "lon": ("经度", "longitude"),
    "point": ("坐标", "point"),
}
# Timestamp formats tried on the sample of created_at values, most common first; "" is ISO 8601.
TIMESTAMP_CANDIDATES = ("", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y-%m-%d %H:%M",
                        "%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%d/%m/%Y %H:%M:%S",
                        "%Y年%m月%d日 %H:%M:%S", "%Y年%m月%d日 %H:%M", "%Y%m%d%H%M%S", "%Y-%m-%d", "%Y/%m/%d")
_CLOSED_WORDS = ("close", "closed", "办结", "结案", "已完成", "完成", "已办结", "completed", "resolved", "referred out")
_VOID_WORDS = ("void", "作废", "cancel", "撤销", "duplicate")
_REGISTERED_WORDS = ("new", "registered", "受理", "待派", "未派")
_TOKEN = re.compile(r"^[0-9a-f]{16}$")
_MAPPING_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


class UploadError(ValueError):
    """An upload the page refuses, said in one line; ``key`` names the page's message."""

    def __init__(self, key: str, detail: str = ""):
        super().__init__(detail or key)
        self.key = key
        self.detail = detail


# -- the upload ---------------------------------------------------------------------------
def upload_suffix(filename: str) -> str | None:
    name = (filename or "").lower()
    return next((s for s in UPLOAD_SUFFIXES if name.endswith(s)), None)


def save_upload(base: Path, filename: str, contents: str, *, limit: int = MAX_UPLOAD_BYTES) -> tuple[str, Path]:
    """Write a dcc.Upload ``contents`` (a data URL) into a fresh folder under ``base``;
    returns (token, path). The token, not the path, travels to the browser. The base64 is
    decoded and written a chunk at a time (the decoded file is never a second copy in
    memory), and the file must be what its name says: gzip, an xlsx (zip), an xls (OLE2) or text."""
    suffix = upload_suffix(filename)
    if suffix is None:
        raise UploadError("admin.error.suffix")
    _, _, encoded = (contents or "").partition(",")
    if len(encoded) * 3 // 4 > limit:
        raise UploadError("admin.error.too_big")
    sweep_uploads(base)
    token = secrets.token_hex(8)
    folder = Path(base) / token
    folder.mkdir(parents=True)
    path = folder / f"upload{suffix}"
    try:
        written = 0
        with open(path, "wb") as out:
            for start in range(0, len(encoded), DECODE_CHUNK):
                try:
                    data = base64.b64decode(encoded[start:start + DECODE_CHUNK], validate=True)
                except (binascii.Error, ValueError) as exc:
                    raise UploadError("admin.error.unreadable", str(exc)) from exc
                if start == 0:
                    check_content(suffix, data)
                written += len(data)
                if written > limit:
                    raise UploadError("admin.error.too_big")
                out.write(data)
        if written == 0:
            check_content(suffix, b"")
    except BaseException:
        remove_upload(path)
        raise
    return token, path


# What the upload endpoint's refusals say on the page, by their HTTP status.
UPLOAD_REFUSALS = {413: "admin.error.too_big", 415: "admin.error.suffix", 422: "admin.error.content"}


def save_upload_stream(base: Path, filename: str, chunks: Iterable[bytes], *,
                       limit: int = MAX_UPLOAD_BYTES) -> tuple[str, Path]:
    """Write the chunks of an upload (``POST /admin/import/upload``) into a fresh folder under
    ``base``, one at a time; returns (token, path). Refused (``UploadError``, nothing left on
    disk): a name of a kind we do not take, more than ``limit`` bytes, or first bytes that are
    not what the name says (gzip, an xlsx zip)."""
    suffix = upload_suffix(filename)
    if suffix is None:
        raise UploadError("admin.error.suffix")
    sweep_uploads(base)
    token = secrets.token_hex(8)
    folder = Path(base) / token
    folder.mkdir(parents=True)
    path = folder / f"upload{suffix}"
    try:
        written = 0
        head = b""
        with open(path, "wb") as out:
            for data in chunks:
                if len(head) < 16:
                    head += data[:16]
                written += len(data)
                if written > limit:
                    raise UploadError("admin.error.too_big")
                out.write(data)
        check_content(suffix, head)
    except BaseException:
        remove_upload(path)
        raise
    return token, path


def check_content(suffix: str, head: bytes) -> None:
    """UploadError unless the file's first bytes fit its kind."""
    magic = MAGIC.get(suffix)
    if magic is not None and not head.startswith(magic):
        raise UploadError("admin.error.content")
    # a .csv's content (text, a table) is checked by inspect_upload, which reads it whole


def remove_upload(path: Path | None) -> None:
    """Delete an upload's folder (the file, and the rejects of its import)."""
    if path is not None:
        shutil.rmtree(Path(path).parent, ignore_errors=True)


def sweep_uploads(base: Path, older_than_s: float = UPLOADS_KEPT_S) -> None:
    """Remove upload folders left from earlier sessions (never imported, or imported long ago)."""
    base = Path(base)
    if not base.is_dir():
        return
    cutoff = time.time() - older_than_s
    for folder in base.iterdir():
        try:
            if folder.is_dir() and _TOKEN.match(folder.name) and folder.stat().st_mtime < cutoff:
                shutil.rmtree(folder, ignore_errors=True)
        except OSError:
            continue


def upload_path(base: Path, token: str | None) -> Path | None:
    """The saved upload a token names, or None (never a path the browser chose)."""
    if not token or not _TOKEN.match(str(token)):
        return None
    folder = Path(base) / token
    found = [p for p in folder.glob("upload*") if upload_suffix(p.name)] if folder.is_dir() else []
    return found[0] if found else None


def _read_any_encoding(path: Path) -> tuple[TextTable, str]:
    try:
        return read_text_table(path, Mapping(columns={})), "utf-8"
    except ValueError as exc:
        if "not utf-8" not in str(exc).lower():
            raise
    # Chinese exports that are not UTF-8 are almost always GBK
    return read_text_table(path, Mapping(columns={}, encoding="gbk")), "gbk"


def inspect_upload(path: Path, filename: str) -> dict[str, Any]:
    """What the page needs of a file: columns, row count, first rows, its encoding, and the
    distinct values of every column with few of them (for the status mapping). A file that
    is not a table (empty, binary, header only) raises ``ValueError`` with one line."""
    try:
        text, encoding = _read_any_encoding(path)
    except ValueError as exc:   # the saved copy's name means nothing to the person: use theirs
        message = str(exc)
        raise ValueError(filename + message[len(path.name):] if message.startswith(path.name) else message) from exc
    columns = list(text.columns)
    if len(set(columns)) != len(columns) or not all(columns):
        seen = sorted({c for c in columns if columns.count(c) > 1 or not c})
        raise ValueError(f"{filename}: the header repeats or leaves out column names ({', '.join(map(repr, seen))})")
    head = text.table.slice(0, PREVIEW_ROWS).to_pylist()
    preview = [{name: row[f"c{i}"] for i, name in enumerate(columns)} for row in head]
    distinct: dict[str, list[str]] = {}
    for i, name in enumerate(columns):
        values = pc.unique(pc.utf8_trim_whitespace(text.table.column(i)))
        if len(values) <= MAX_STATUS_VALUES + 1:
            distinct[name] = sorted({v for v in values.to_pylist() if v})
    return {"name": filename, "columns": columns, "rows": text.rows, "preview": preview,
            "encoding": encoding, "distinct": distinct}


# -- guesses --------------------------------------------------------------------------------
def _norm(name: str) -> str:
    return re.sub(r"[\s_\-./()（）]", "", str(name)).lower()


def guess_columns(columns: list[str]) -> dict[str, str | None]:
    """Our field → the file's column that probably holds it (each column used once)."""
    normed = {c: _norm(c) for c in columns}
    picked: dict[str, str | None] = {f: None for f in FIELDS}
    used: set[str] = set()
    for table, exact in ((_EXACT, True), (_FRAGMENTS, False)):
        for f in FIELDS:
            if picked[f] is not None:
                continue
            for word in table[f]:
                word = _norm(word)
                hit = next((c for c in columns if c not in used
                            and (normed[c] == word if exact else (len(word) > 2 or not word.isascii())
                                 and word in normed[c])), None)
                if hit is not None:
                    picked[f] = hit
                    used.add(hit)
                    break
    if picked["lat"] and picked["lon"]:
        picked["point"] = None
    elif picked["point"]:
        picked["lat"] = picked["lon"] = None
    else:
        picked["lat"] = picked["lon"] = None
    return picked


def guess_timestamp_format(samples: list[str | None]) -> str:
    """The candidate format that parses the most samples, earliest on a tie ("" = ISO
    8601); a stray bad value in the sample (it will be rejected) does not spoil the guess."""
    values = [str(v).strip() for v in samples if v and str(v).strip()]
    best, best_count = "", 0
    for fmt in TIMESTAMP_CANDIDATES:
        count = 0
        for v in values:
            try:
                datetime.fromisoformat(v) if fmt == "" else datetime.strptime(v, fmt)
                count += 1
            except ValueError:
                pass
        if count > best_count:
            best, best_count = fmt, count
    return best


def guess_status(value: str) -> str:
    low = str(value).strip().lower()
    if any(w in low for w in _VOID_WORDS):
        return "voided"
    if any(w in low for w in _CLOSED_WORDS):
        return "closed"
    if any(w == low or (not w.isascii() and w in low) for w in _REGISTERED_WORDS):
        return "registered"
    return "dispatched"


def status_values(info: dict[str, Any] | None, column: str | None) -> list[str] | None:
    """Their distinct status values, one per case-insensitive spelling; None when the
    column has too many to be a status column."""
    if not info or not column:
        return []
    values = info.get("distinct", {}).get(column)
    if values is None:
        return None
    seen: dict[str, str] = {}
    for v in values:
        seen.setdefault(v.strip().lower(), v.strip())
    return list(seen.values())


# -- the mapping ----------------------------------------------------------------------------
def build_mapping(picks: dict[str, str | None], *, timestamp: str | None = None,
                  status: dict[str, str] | None = None, encoding: str = "utf-8") -> dict[str, Any]:
    """The mapping (as docs/IMPORT.md's TOML tables) from the page's picks."""
    columns = {f: picks[f] for f in FIELDS if picks.get(f)}
    mapping: dict[str, Any] = {"columns": columns}
    formats: dict[str, str] = {}
    if timestamp and timestamp.strip():
        formats["timestamp"] = timestamp.strip()
    if encoding and encoding.lower() not in ("utf-8", "utf8"):
        formats["encoding"] = encoding
    if formats:
        mapping["formats"] = formats
    if columns.get("status") and status:
        mapping["status"] = {k: v for k, v in status.items() if v}
    return mapping


def _toml_key(key: str) -> str:
    return key if _BARE_KEY.match(key) else json.dumps(key, ensure_ascii=False)


def render_toml(mapping: dict[str, Any], *, source_name: str = "") -> str:
    """The mapping as a TOML file, as docs/IMPORT.md documents it."""
    lines = ["# Mapping written by /admin/import" + (f" for {source_name}" if source_name else "") + ".",
             "#   python -m dashboard import-matters --db DB FILE --mapping THIS.toml", ""]
    for table in ("columns", "formats", "status"):
        values = mapping.get(table)
        if not values:
            continue
        lines.append(f"[{table}]")
        lines += [f"{_toml_key(k)} = {json.dumps(v, ensure_ascii=False)}" for k, v in values.items()]
        lines.append("")
    return "\n".join(lines)


def check_mapping(text: str) -> str | None:
    """None when the TOML is a valid mapping, else what is wrong (one line)."""
    try:
        load_mapping(tomllib.loads(text))
    except (ValueError, tomllib.TOMLDecodeError) as exc:
        return str(exc).replace("<mapping>: ", "")
    return None


def save_mapping_file(folder: Path, name: str, text: str) -> Path:
    """Write the mapping as ``<folder>/<name>.toml``; an existing file is not replaced."""
    stem = (name or "").strip().removesuffix(".toml")
    if not _MAPPING_NAME.match(stem):
        raise UploadError("admin.error.mapping_name")
    problem = check_mapping(text)
    if problem:
        raise UploadError("admin.error.mapping", problem)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{stem}.toml"
    try:
        with open(path, "x", encoding="utf-8") as fh:
            fh.write(text)
    except FileExistsError as exc:
        raise UploadError("admin.error.mapping_exists", path.name) from exc
    return path


# -- the import job --------------------------------------------------------------------------
@dataclass
class ImportJob:
    """One import's progress; the worker thread writes it, the page's poll reads it."""

    job_id: str
    rows: int
    rejects_path: Path
    started: float = field(default_factory=time.monotonic)
    state: str = "running"            # running | done | failed
    summary: dict[str, Any] | None = None
    rejects: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None
    finished: float | None = None
    step: str | None = None           # the import's last finished step (queries.imports.load.PROGRESS_STEPS)
    share: float = 0.0                # … and the share of the work done with it
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def advance(self, step: str, share: float) -> None:
        """The import's progress hook: a step has ended."""
        with self.lock:
            self.step, self.share = step, max(self.share, share)

    def snapshot(self, now: float | None = None) -> dict[str, Any]:
        """JSON-able: state, percent (the steps the import reported, below 100 until it has
        ended; 100 when finished), the last step."""
        with self.lock:
            now = time.monotonic() if now is None else now
            percent = min(99, int(100 * self.share)) if self.state == "running" else 100
            return {"job_id": self.job_id, "state": self.state, "percent": percent, "step": self.step,
                    "rows": self.rows,
                    "summary": self.summary, "rejects": list(self.rejects), "error": self.error,
                    "seconds": round((self.finished or now) - self.started, 1)}


def read_rejects(path: Path, limit: int = REJECTS_SHOWN) -> list[dict[str, Any]]:
    """The first rejected rows (their columns, row and reason), as text."""
    if not Path(path).exists():
        return []
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, nrows=limit)
    columns = ["row", "reason"] + [c for c in frame.columns if c not in ("row", "reason")]
    return frame[columns].to_dict("records")


def run_import(job: ImportJob, op: Callable[..., dict[str, Any]], store: Any, path: Path,
               mapping: dict[str, Any]) -> None:
    """The worker's body: run the import operation and record its outcome on ``job``."""
    try:
        summary = op(store, path=str(path), mapping=mapping, rejects=str(job.rejects_path), progress=job.advance)
        rejects = read_rejects(job.rejects_path) if summary.get("rejected") else []
        with job.lock:
            job.summary, job.rejects, job.state = summary, rejects, "done"
    except Exception as exc:  # noqa: BLE001 — whatever stops it, the page must say so, not hang
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        with job.lock:
            job.error, job.state = message, "failed"
    finally:
        Path(path).unlink(missing_ok=True)      # the upload is imported (or failed): only the rejects stay
        with job.lock:
            job.finished = time.monotonic()


class JobBoard:
    """The imports this server runs, keyed by a random id; held in the Flask config (one
    per server, shared by its request threads), guarded by a lock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._jobs: dict[str, ImportJob] = {}

    def start(self, op: Callable[..., dict[str, Any]], store: Any, path: Path, mapping: dict[str, Any],
              rows: int, *, wait: bool = False) -> str:
        job = ImportJob(secrets.token_hex(8), rows, Path(path).parent / "rejects.csv")
        with self._lock:
            self._jobs[job.job_id] = job
        worker = threading.Thread(target=run_import, args=(job, op, store, Path(path), mapping),
                                  name=f"import-{job.job_id}", daemon=True)
        worker.start()
        if wait:
            worker.join()
        return job.job_id

    def get(self, job_id: str | None) -> ImportJob | None:
        with self._lock:
            return self._jobs.get(str(job_id)) if job_id else None

    def running(self) -> bool:
        with self._lock:
            return any(j.state == "running" for j in self._jobs.values())
