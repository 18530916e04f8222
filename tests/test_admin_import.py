"""The import page's logic (``dashboard/views/admin_import.py``) on a real DuckDB file: a mapping
picked from guesses round-trips through the real import, the job reaches 100 %, its
summary matches a direct count, and bad files give one message and change nothing."""
from __future__ import annotations

import base64
import gzip
import shutil
import tomllib

import pytest

from dashboard.views import admin_import as logic
from dashboard.writeops import OPS
from queries.imports.mapping import load_mapping
from queries.store import Store

HEADER = "工单编号,受理时间,办结时间,办理期限,问题类型,责任部门,状态,问题描述,纬度,经度\n"


def _csv(lat: float, lon: float) -> str:
    rows = [
        f"A1,2024/03/01 08:30,2024/03/02 10:00,2024/03/05 17:00,占道经营,城管中队,已办结,路口摆摊,{lat},{lon}",
        f"A2,2024/03/01 09:00,,2024/03/08 17:00,垃圾堆放,环卫所,处理中,河边垃圾,{lat},{lon}",
        "A3,2024/03/02 10:15,,,噪音扰民,,处理中,夜间施工,,",
        f"A2,2024/03/02 11:00,,,占道经营,城管中队,处理中,重复编号,{lat},{lon}",             # duplicate id
        f"A4,2024/03/03 12:00,2024/03/01 12:00,,占道经营,城管中队,已办结,先结后受,{lat},{lon}",  # closed earlier
        "A5,2024/03/03 13:00,,,占道经营,城管中队,处理中,坐标错误,abc,120.1",                # lat not a number
        f",2024/03/03 14:00,,,占道经营,城管中队,处理中,没有编号,{lat},{lon}",                # id missing
        "A6,昨天,,,占道经营,城管中队,处理中,时间错误,,",                                       # created unparseable
    ]
    return HEADER + "\n".join(rows) + "\n"


@pytest.fixture
def store(empty_db_path, tmp_path):
    path = tmp_path / "township.duckdb"
    shutil.copy(empty_db_path, path)
    s = Store(path)
    yield s
    s.close()


def _cell_point(store: Store) -> tuple[float, float]:
    return float(store.scalar("SELECT lat FROM areas WHERE level = 'cell' ORDER BY area_id LIMIT 1")), \
        float(store.scalar("SELECT lon FROM areas WHERE level = 'cell' ORDER BY area_id LIMIT 1"))


def _upload(tmp_path, name: str, data: bytes) -> tuple[str, object]:
    contents = "data:text/csv;base64," + base64.b64encode(data).decode()
    return logic.save_upload(tmp_path / "uploads", name, contents)


def _mapping_from_page_picks(info: dict) -> tuple[str, dict]:
    """What the page does: guess the columns and the format, map every status value."""
    picks = logic.guess_columns(info["columns"])
    fmt = logic.guess_timestamp_format([r[picks["created_at"]] for r in info["preview"]])
    status = {v: logic.guess_status(v) for v in logic.status_values(info, picks["status"])}
    text = logic.render_toml(logic.build_mapping(picks, timestamp=fmt, status=status), source_name=info["name"])
    return text, tomllib.loads(text)


def _matters(store: Store) -> int:
    return int(store.scalar("SELECT count(*) FROM matters"))


def test_guesses_match_chinese_and_311_headings():
    picks = logic.guess_columns(["工单编号", "受理时间", "办结时间", "办理期限", "问题类型", "责任部门", "状态",
                                 "来源", "问题描述", "事发地址", "经度", "纬度"])
    assert picks["id"] == "工单编号" and picks["created_at"] == "受理时间" and picks["lat"] == "纬度"
    assert picks["lon"] == "经度" and picks["point"] is None and picks["department"] == "责任部门"
    la = logic.guess_columns(["SRNumber", "CreatedDate", "ClosedDate", "ServiceDate", "RequestType", "Owner",
                              "Status", "Address", "Location"])
    assert la["id"] == "SRNumber" and la["address"] == "Address" and la["point"] == "Location"
    assert la["lat"] is None and la["lon"] is None
    assert logic.guess_timestamp_format(["2024/03/01 08:30", "2024/12/31 23:59"]) == "%Y/%m/%d %H:%M"
    assert logic.guess_timestamp_format(["01/02/2015 01:02:03 PM"]) == "%m/%d/%Y %I:%M:%S %p"
    assert logic.guess_timestamp_format(["2024-03-01T08:30:00"]) == ""
    assert [logic.guess_status(v) for v in ("已办结", "Closed", "处理中", "作废")] == \
        ["closed", "closed", "dispatched", "voided"]


def test_mapping_round_trips_through_the_real_import(store, tmp_path):
    lat, lon = _cell_point(store)
    token, path = _upload(tmp_path, "matters-2024.csv", _csv(lat, lon).encode("utf-8"))
    assert logic.upload_path(tmp_path / "uploads", token) == path
    assert logic.upload_path(tmp_path / "uploads", "../../etc") is None

    info = logic.inspect_upload(path, "matters-2024.csv")
    assert info["rows"] == 8 and info["columns"][0] == "工单编号" and len(info["preview"]) == 8
    assert info["preview"][0]["问题类型"] == "占道经营"
    text, mapping = _mapping_from_page_picks(info)
    assert logic.check_mapping(text) is None
    assert mapping["columns"]["id"] == "工单编号" and mapping["formats"]["timestamp"] == "%Y/%m/%d %H:%M"
    assert mapping["status"] == {"处理中": "dispatched", "已办结": "closed"}
    # what the page saves is the same mapping the command line reads
    saved = logic.save_mapping_file(tmp_path / "mappings", "township_12345", text)
    assert load_mapping(saved) == load_mapping(mapping)

    before = _matters(store)
    board = logic.JobBoard()
    job_id = board.start(OPS["import_matters"], store, path, mapping, info["rows"], wait=True)
    snap = board.get(job_id).snapshot()
    assert snap["state"] == "done", snap["error"]
    assert snap["percent"] == 100
    s = snap["summary"]

    # the summary matches a direct count of the database and of the rejects
    assert s["rows_read"] == 8
    assert s["imported"] == _matters(store) - before == 3
    assert int(store.scalar("SELECT count(*) FROM matters WHERE external_ref IN ('A1', 'A2', 'A3')")) == 3
    assert s["rejected_by_reason"] == {"id duplicate of an earlier row": 1, "closed_at earlier than created_at": 1,
                                       "lat/lon not numbers": 1, "id missing": 1, "created_at unparseable": 1}
    assert s["rejected"] == 5 == sum(s["rejected_by_reason"].values())
    assert s["without_cell"] == 1 and s["without_coordinates"] == 1
    assert int(store.scalar("SELECT count(*) FROM matters WHERE external_ref = 'A1' AND status = 'closed'")) == 1
    # the first rejects, with row numbers and reasons, for the page
    assert [r["reason"] for r in snap["rejects"]][0] == "id duplicate of an earlier row"
    assert snap["rejects"][0]["row"] == "4" and snap["rejects"][0]["工单编号"] == "A2"
    assert len(snap["rejects"]) == 5 and board.get(job_id).rejects_path.exists()
    assert not board.running()


def test_progress_follows_the_steps_the_import_reports():
    job = logic.ImportJob("j", rows=200_000, rejects_path=logic.Path("/nonexistent"))
    assert job.snapshot(now=job.started + 10_000)["percent"] == 0         # time alone moves nothing
    job.advance("read", 0.30)
    assert (job.snapshot()["percent"], job.snapshot()["step"]) == (30, "read")
    job.advance("rejects", 1.0)
    assert job.snapshot()["percent"] == 99                                # never "done" before it is
    job.state = "done"
    assert job.snapshot()["percent"] == 100


def test_a_real_import_reports_every_step_in_order(store, tmp_path):
    from queries.imports.load import PROGRESS_STEPS

    lat, lon = _cell_point(store)
    _, path = _upload(tmp_path, "m.csv", _csv(lat, lon).encode("utf-8"))
    _, mapping = _mapping_from_page_picks(logic.inspect_upload(path, "m.csv"))
    heard: list[tuple[str, float]] = []
    OPS["import_matters"](store, path=str(path), mapping=mapping, rejects=str(tmp_path / "r.csv"),
                          progress=lambda step, share: heard.append((step, share)))
    assert heard == list(PROGRESS_STEPS.items())
    assert [share for _, share in heard] == sorted(share for _, share in heard)


@pytest.mark.parametrize("name,data,expected", [
    ("renamed.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8, "binary content"),
    ("empty.csv", b"", "the file is empty"),
    ("header-only.csv", HEADER.encode(), "a header but no rows"),
    ("book.csv", b"PK\x03\x04" + b"\x00" * 100, "not a CSV text file"),
])
def test_bad_files_give_one_message_and_change_nothing(store, tmp_path, name, data, expected):
    _token, path = _upload(tmp_path, name, data)
    with pytest.raises(ValueError) as refused:
        logic.inspect_upload(path, name)
    assert expected in str(refused.value) and "\n" not in str(refused.value)
    assert str(refused.value).startswith(f"{name}: ")

    # Had the page let it through, the import itself refuses it whole.
    before, version = _matters(store), store.data_version()
    board = logic.JobBoard()
    mapping = {"columns": {"id": "工单编号", "created_at": "受理时间"}}
    snap = board.get(board.start(OPS["import_matters"], store, path, mapping, 1, wait=True)).snapshot()
    assert snap["state"] == "failed" and expected in snap["error"] and snap["percent"] == 100
    assert _matters(store) == before and store.data_version() == version


def test_a_missing_column_fails_whole_and_names_the_columns(store, tmp_path):
    lat, lon = _cell_point(store)
    _token, path = _upload(tmp_path, "m.csv", _csv(lat, lon).encode())
    info = logic.inspect_upload(path, "m.csv")
    _text, mapping = _mapping_from_page_picks(info)
    mapping["columns"]["category"] = "小类名称"          # not in the file
    before, version = _matters(store), store.data_version()
    board = logic.JobBoard()
    snap = board.get(board.start(OPS["import_matters"], store, path, mapping, info["rows"], wait=True)).snapshot()
    assert snap["state"] == "failed"
    assert "小类名称" in snap["error"] and "工单编号" in snap["error"]
    assert _matters(store) == before and store.data_version() == version


def test_a_gbk_export_is_read_as_gbk(tmp_path):
    _token, path = _upload(tmp_path, "gbk.csv", "编号,受理时间,状态\nG1,2024-01-01 08:00:00,已办结\n".encode("gbk"))
    info = logic.inspect_upload(path, "gbk.csv")
    assert info["encoding"] == "gbk" and info["columns"] == ["编号", "受理时间", "状态"]
    assert logic.build_mapping(logic.guess_columns(info["columns"]), encoding="gbk")["formats"] == {"encoding": "gbk"}


def test_upload_limits_and_mapping_files(tmp_path):
    with pytest.raises(logic.UploadError) as big:
        logic.save_upload(tmp_path, "x.csv", "data:;base64," + base64.b64encode(b"a" * 2000).decode(), limit=1000)
    assert big.value.key == "admin.error.too_big"
    with pytest.raises(logic.UploadError) as suffix:
        logic.save_upload(tmp_path, "grid.shp", "data:;base64,AAAA")
    assert suffix.value.key == "admin.error.suffix"
    packed = "data:;base64," + base64.b64encode(gzip.compress(b"id,created_at\n")).decode()
    _token, gz = logic.save_upload(tmp_path, "M.CSV.GZ", packed)
    assert gz.name == "upload.csv.gz"
    for name in ("fake.csv.gz", "fake.xlsx"):                  # the content must be what the name says
        with pytest.raises(logic.UploadError) as content:
            logic.save_upload(tmp_path, name, "data:;base64," + base64.b64encode(b"id,created_at\n").decode())
        assert content.value.key == "admin.error.content"
    before = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(logic.UploadError):                      # refused half-way: nothing is left
        logic.save_upload(tmp_path, "x.csv", "data:;base64," + base64.b64encode(b"a" * 2000).decode() + "!!!!")
    assert sorted(p.name for p in tmp_path.iterdir()) == before

    text = logic.render_toml(logic.build_mapping({"id": "编号", "created_at": "受理 时间", "status": "状态"},
                                                 status={"已办结": "closed", 'say "done"': "closed"}))
    assert tomllib.loads(text)["columns"]["created_at"] == "受理 时间"
    assert tomllib.loads(text)["status"]['say "done"'] == "closed"
    logic.save_mapping_file(tmp_path, "ours", text)
    with pytest.raises(logic.UploadError) as exists:
        logic.save_mapping_file(tmp_path, "ours", text)
    assert exists.value.key == "admin.error.mapping_exists"
    with pytest.raises(logic.UploadError) as name:
        logic.save_mapping_file(tmp_path, "../evil", text)
    assert name.value.key == "admin.error.mapping_name"
    assert "[columns] must name" in logic.check_mapping(logic.render_toml({"columns": {"id": "编号"}}))


def test_a_big_upload_is_decoded_in_chunks_and_its_file_removed_after_the_import(store, tmp_path, monkeypatch):
    monkeypatch.setattr(logic, "DECODE_CHUNK", 8)              # many chunks, also for a small file
    lat, lon = _cell_point(store)
    data = _csv(lat, lon).encode("utf-8")
    _token, path = _upload(tmp_path, "chunks.csv", data)
    assert path.read_bytes() == data
    info = logic.inspect_upload(path, "chunks.csv")
    _text, mapping = _mapping_from_page_picks(info)
    board = logic.JobBoard()
    job = board.get(board.start(OPS["import_matters"], store, path, mapping, info["rows"], wait=True))
    assert job.snapshot()["state"] == "done"
    assert not path.exists() and job.rejects_path.exists()     # the upload is gone, the rejects stay


def test_old_upload_folders_are_swept(tmp_path):
    import os

    base = tmp_path / "uploads"
    _token, old = _upload(tmp_path, "old.csv", b"a,b\n1,2\n")
    os.utime(old.parent, (0, 0))
    _token, new = _upload(tmp_path, "new.csv", b"a,b\n1,2\n")
    assert not old.parent.exists() and new.exists() and len(list(base.iterdir())) == 1
