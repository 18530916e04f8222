"""Briefings (情况报告): ``python -m dashboard brief`` writes a PDF whose text layer holds the
Chinese headings and figures, with every font embedded, and whose pages, rendered to images
by pdftoppm, show the charts and the map in colour; the static HTML carries its charts as
images with text alternatives and no script; a village user's briefing holds that village
alone; the /briefing page previews the content and downloads it; periods, 环比 and 同比."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pytest

from dashboard.cli_brief import next_run
from dashboard.views.briefing import period_of
from queries import accounts
from tests.servers import REPO, copy_db

END = "2026-11-17"
needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None or shutil.which("pdftoppm") is None,
                                   reason="poppler-utils (pdftotext, pdftoppm) is not installed: apt-get install "
                                          "poppler-utils")
needs_chromium = pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="no /usr/bin/chromium")


def _brief(db: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "dashboard", "brief", "--db", str(db), *args], cwd=REPO,
                          env=os.environ.copy(), capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def brief_db(tmp_path_factory, demo_db_path):
    folder = tmp_path_factory.mktemp("brief")
    db = copy_db(demo_db_path, folder)
    from queries.store import Store

    store = Store(db)
    try:
        villages = store.run("reference/villages", scope=store.all_village_ids())
        code, name = villages["code"].iloc[0], villages["name"].iloc[0]
        others = [n for n in villages["name"] if n != name]
        accounts.add_user(store, name="village-leader", role="leader", password="village-leader-pass", scope=[code])
    finally:
        store.close()
    return db, folder, name, others


@pytest.fixture(scope="module")
def pdf(brief_db):
    db, folder, _, _ = brief_db
    out = folder / "week.pdf"
    done = _brief(db, "--period", "week", "--end", END, "--format", "pdf", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert out.read_bytes().startswith(b"%PDF")
    return out


def _ppm(path: Path) -> tuple[int, int, bytes]:
    data = path.read_bytes()
    parts = data.split(maxsplit=4)
    assert parts[0] == b"P6" and parts[3] == b"255"
    return int(parts[1]), int(parts[2]), parts[4]


def _near(pixels: bytes, colour: str, tolerance: int = 40) -> int:
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return sum(1 for i in range(0, len(pixels) - 2, 3)
               if abs(pixels[i] - r) + abs(pixels[i + 1] - g) + abs(pixels[i + 2] - b) < tolerance)


@needs_chromium
@needs_poppler
def test_the_pdf_text_layer_holds_the_chinese_headings_and_figures(pdf):
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    for heading in ("周报", "一、主要指标", "二、事项分布", "三、预警及处置", "四、部门排名（综合指标值）",
                    "五、超期与督办事项", "六、未来14天受理量预测（按大类）", "七、网格灯态图"):
        assert heading in text, heading
    for word in ("环比", "同比", "分子", "分母", "结案率", "按期结案率", "MASE", "季节朴素", "报告期：2026-11-11 至 2026-11-17"):
        assert word in text, word
    assert "%" in text and any(ch.isdigit() for ch in text)
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    assert fonts and all(" yes " in line for line in fonts)          # every font embedded: no tofu from a missing one


@needs_chromium
@needs_poppler
def test_the_pages_as_images_show_the_charts_and_the_map(pdf, tmp_path):
    images = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True)
    assert len(images.stdout.splitlines()[2:]) >= 3                    # the trend, the sources, the forecast
    subprocess.run(["pdftoppm", "-r", "40", str(pdf), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.ppm"))
    assert len(pages) >= 3
    colours = {"chart blue": 0, "map red": 0, "map green": 0, "ink": 0}
    for page in pages:
        _, _, pixels = _ppm(page)
        colours["chart blue"] += _near(pixels, "#0072b2")
        colours["map red"] += _near(pixels, "#d55e00")
        colours["map green"] += _near(pixels, "#009e73")
        colours["ink"] += _near(pixels, "#1d2733", 60)
    assert all(n > 50 for n in colours.values()), colours


@needs_chromium
def test_a_village_briefing_holds_that_village_alone_as_static_html(brief_db):
    db, folder, name, others = brief_db
    out = folder / "village.html"
    done = _brief(db, "--period", "month", "--end", END, "--format", "html", "--out", str(out),
                  "--user", "village-leader")
    assert done.returncode == 0, done.stderr
    html = out.read_text(encoding="utf-8")
    assert "<script" not in html                                       # static: charts are images
    assert html.count('<img src="data:image/png;base64,') == 3
    assert 'alt="柱状图' in html and 'alt="条形图' in html              # text alternatives
    assert "<title>网格图" in html
    assert f"范围：{name}" in html and "月报" in html and "2026-11-01 至 2026-11-17" in html
    assert not [other for other in others if f"<td>{other}</td>" in html]


def test_periods_and_their_comparisons():
    week = period_of("week", date(2026, 11, 17))
    assert (week.start, week.prev_start, week.prev_end) == (date(2026, 11, 11), date(2026, 11, 4), date(2026, 11, 10))
    assert (week.yoy_start, week.yoy_end) == (date(2025, 11, 11), date(2025, 11, 17))
    month = period_of("month", date(2026, 3, 31))
    assert (month.start, month.prev_start, month.prev_end) == (date(2026, 3, 1), date(2026, 2, 1), date(2026, 2, 28))
    leap = period_of("day", date(2028, 2, 29))
    assert leap.yoy_start == date(2027, 2, 28)
    with pytest.raises(ValueError):
        period_of("year", date(2026, 1, 1))


def test_the_schedule_runs_at_the_next_time_of_day():
    assert next_run(datetime(2026, 11, 18, 7, 59), "08:00") == datetime(2026, 11, 18, 8, 0)
    assert next_run(datetime(2026, 11, 18, 8, 0), "08:00") == datetime(2026, 11, 19, 8, 0)
    assert next_run(datetime(2026, 12, 31, 9, 0), "08:00") == datetime(2027, 1, 1, 8, 0)


def test_the_briefing_page_previews_and_checks_its_input(writable_app):
    app, _ = writable_app
    client = app.server.test_client()
    page = client.get(f"/briefing?period=week&end={END}")
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert "周报" in html and "一、主要指标" in html and 'id="br-download-pdf"' in html
    assert '<script src="/assets/briefing.js"></script>' in html
    # no inline script runs (CSP): the figures travel as JSON data blocks
    assert html.count("<script") == html.count('<script type="application/json"') + 2
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    bad = client.get("/briefing?period=year&end=someday")
    assert bad.status_code == 422 and {e["field"] for e in bad.get_json()["errors"]} == {"period", "end"}
    assert client.get("/briefing/download?format=docx").status_code == 422


@needs_chromium
def test_the_briefing_page_downloads_the_pdf(writable_app):
    app, _ = writable_app
    answer = app.server.test_client().get(f"/briefing/download?period=day&end={END}&format=pdf&lang=en")
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    assert answer.headers["Content-Disposition"].endswith(f"briefing-day-{END}.pdf")
    assert answer.get_data().startswith(b"%PDF")
