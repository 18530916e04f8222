"""Briefings (情况报告) as documents: the print-styled HTML of ``dashboard.views.briefing``'s
content, and its PDF or static HTML made by headless Chromium (Playwright's ``page.pdf``),
which embeds the subset of the CJK font (Noto Sans CJK) the text uses, so the PDF's text
layer holds the Chinese and no glyph is missing.

One document, two ways to see it:
- *live* (the ``/briefing`` preview, and the first step of every download): the charts are
  Plotly figures as JSON data blocks, drawn by ``assets/briefing.js`` with the plotly.js the
  server already serves; the map is inline SVG (no WebGL, no tiles);
- *static* (the HTML and PDF downloads): Chromium draws the live document, each chart is
  turned into a PNG ``<img>`` with its text alternative as ``alt``, the scripts are removed;
  then ``page.pdf`` or the page's HTML.
"""
from __future__ import annotations

import json
import math
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from markupsafe import escape

from dashboard.i18n import t
from dashboard.views.briefing import Briefing

PLOTLY_JS = "plotly/package_data/plotly.min.js"
ASSETS = Path(__file__).resolve().parents[1] / "assets"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
RENDER_TIMEOUT_MS = 120_000
# The map's lights on paper: the Okabe–Ito colours (safe with red-green colour blindness),
# and a shape on every red or yellow cell, so that grey print reads too.
MAP_COLOURS = {"red": "#d55e00", "yellow": "#f0e442", "green": "#009e73", "paused": "#8a9bb0", "none": "#b8c2cc",
               "empty": "#eef1f5"}
MAP_MARKS = {"red": "▲", "yellow": "◆"}
MAP_WIDTH = 680


def plotly_js_path() -> Path:
    import plotly

    return Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"


# -- the document ------------------------------------------------------------------------------
def _table(heads: list[str], rows: list[list[Any]], lang: str, numeric: set[int] = frozenset(),
           empty: str | None = None) -> str:
    if not rows:
        return f'<p class="br-empty">{escape(empty or t("br.empty", lang))}</p>'
    head = "".join(f"<th>{escape(h)}</th>" for h in heads)
    body = "".join("<tr>" + "".join(f'<td class="{"num" if i in numeric else ""}">{escape(str(c))}</td>'
                                    for i, c in enumerate(row)) + "</tr>" for row in rows)
    return f'<table class="br-table"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _heads(lang: str, *keys: str) -> list[str]:
    return [t(f"br.head.{k}", lang) for k in keys]


def _figure(item: dict[str, Any]) -> str:
    key, alt = item["key"], item["alt"]
    data = json.dumps(item["figure"], ensure_ascii=False, default=str).replace("</", "<\\/")
    return (f'<figure class="br-figure"><figcaption class="br-fig-title">{escape(item["title"])}</figcaption>'
            f'<div class="br-chart" id="br-chart-{escape(key)}" data-figure="br-fig-{escape(key)}" role="img" '
            f'aria-label="{escape(alt)}"></div>'
            f'<script type="application/json" id="br-fig-{escape(key)}">{data}</script>'
            f'<p class="br-alt">{escape(alt)}</p></figure>')


def map_svg(cells: dict[str, Any], width: int = MAP_WIDTH) -> str:
    """The cells as SVG paths, filled by their worst light, with a mark on red and yellow
    cells; lon/lat drawn equirectangular around the township's mean latitude."""
    features = cells["geojson"].get("features", [])
    rings: list[tuple[int, list[list[list[float]]]]] = []
    for f in features:
        geometry = f.get("geometry") or {}
        polygons = [geometry["coordinates"]] if geometry.get("type") == "Polygon" else geometry.get("coordinates", [])
        rings.append((int(f["id"]), [ring for polygon in polygons for ring in polygon]))
    points = [p for _, rs in rings for ring in rs for p in ring]
    if not points:
        return ""
    x0, x1 = min(p[0] for p in points), max(p[0] for p in points)
    y0, y1 = min(p[1] for p in points), max(p[1] for p in points)
    k = math.cos(math.radians((y0 + y1) / 2))
    scale = (width - 20) / max((x1 - x0) * k, 1e-9)
    height = int((y1 - y0) * scale) + 20

    def xy(p: list[float]) -> tuple[float, float]:
        return 10 + (p[0] - x0) * k * scale, 10 + (y1 - p[1]) * scale

    paths, marks = [], []
    for cell_id, rs in rings:
        light = cells["lights"].get(cell_id, "empty")
        d = " ".join("M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in map(xy, ring)) + " Z" for ring in rs)
        paths.append(f'<path d="{d}" fill="{MAP_COLOURS.get(light, MAP_COLOURS["empty"])}" stroke="#ffffff" '
                     f'stroke-width="0.6"/>')
        if light in MAP_MARKS and rs:
            xs, ys = zip(*map(xy, rs[0]))
            marks.append(f'<text x="{sum(xs) / len(xs):.1f}" y="{sum(ys) / len(ys) + 4:.1f}" text-anchor="middle" '
                         f'font-size="11" fill="#1d2733">{MAP_MARKS[light]}</text>')
    legend = "".join(
        f'<span class="br-key"><i style="background:{MAP_COLOURS[light]}"></i>{escape(MAP_MARKS.get(light, ""))}'
        f' {escape(cells["labels"][light])}</span>' for light in ("red", "yellow", "green", "paused", "none", "empty"))
    return (f'<figure class="br-figure br-map"><svg xmlns="http://www.w3.org/2000/svg" role="img" '
            f'aria-label="{escape(cells["alt"])}" width="{width}" height="{height}" viewBox="0 0 {width} {height}">'
            f'<title>{escape(cells["alt"])}</title>{"".join(paths)}{"".join(marks)}</svg>'
            f'<div class="br-legend">{legend}</div><p class="br-alt">{escape(cells["alt"])}</p></figure>')


STYLE = """
@page { size: A4; margin: 14mm 12mm; }
body.br-doc { font-family: "Noto Sans CJK SC", "Noto Sans SC", "Microsoft YaHei", sans-serif; color: #1d2733;
  margin: 0 auto; max-width: 190mm; font-size: 10.5pt; line-height: 1.5; background: white; }
.br-doc h1 { font-size: 20pt; margin: 0 0 4pt; }
.br-doc h2 { font-size: 13pt; margin: 14pt 0 6pt; border-bottom: 1.5pt solid #0072b2; padding-bottom: 2pt;
  break-after: avoid; }
.br-doc .br-meta { color: #5c6b7a; margin: 0; }
.br-table { border-collapse: collapse; width: 100%; margin: 4pt 0 8pt; font-size: 9pt; break-inside: auto; }
.br-table th, .br-table td { border: 0.5pt solid #c9d3de; padding: 2pt 4pt; text-align: left; vertical-align: top; }
.br-table th { background: #eef3f8; }
.br-table tr { break-inside: avoid; }
.br-table td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.br-note, .br-alt { color: #5c6b7a; font-size: 8.5pt; margin: 2pt 0 6pt; }
.br-figure { margin: 6pt 0; break-inside: avoid; }
.br-fig-title { font-weight: 600; }
.br-chart img, .br-chart { max-width: 100%; }
.br-legend { font-size: 8.5pt; display: flex; flex-wrap: wrap; gap: 8pt; }
.br-key i { display: inline-block; width: 9pt; height: 9pt; margin-right: 3pt; border: 0.5pt solid #8a9bb0;
  vertical-align: -1pt; }
.br-empty { color: #5c6b7a; }
.br-toolbar { font-family: sans-serif; background: #eef3f8; padding: 8px 12px; margin: 0 0 12px;
  display: flex; gap: 12px; align-items: center; flex-wrap: wrap; }
@media print { .br-toolbar { display: none; } }
"""


def document(brief: Briefing, *, scripts: tuple[str, ...] = (), toolbar: str = "") -> str:
    """The whole briefing as one HTML page; ``scripts``: plotly.js and assets/briefing.js (the
    live document), none in a static copy."""
    lang = brief.lang
    k = brief.kpis
    kpi_table = _table(_heads(lang, "indicator", "value", "numerator", "denominator", "rule", "prev", "mom",
                              "yoy_value", "yoy"),
                       [[r["name"], r["value"], r["numerator"], r["denominator"], r["rule"], r["prev"], r["mom"],
                         r["yoy_value"], r["yoy"]] for r in k], lang, numeric={1, 2, 3, 5, 6, 7, 8})
    figures = {f["key"]: _figure(f) for f in brief.figures}
    cats = _table(_heads(lang, "category", "major", "received", "share"),
                  [[r["name"], r["major"], r["received"], r["share"]] for r in brief.top_categories], lang, {2, 3})
    villages = _table(_heads(lang, "village", "received", "share"),
                      [[r["name"], r["received"], r["share"]] for r in brief.top_villages], lang, {1, 2})
    warn = _table(_heads(lang, "severity", "method", "where", "what", "observed", "expected", "first_seen", "fate"),
                  [[r["severity"], r["method"], r["where"], r["what"], r["observed"], r["expected"], r["first_seen"],
                    r["fate"]] for r in brief.warnings], lang, {4, 5})
    ranking = _table(_heads(lang, "rank", "dept", "score", "volume", "mom", "yoy"),
                     [[r["rank"], r["dept"], r["score"], r["volume"], r["mom"], r["yoy"]] for r in brief.ranking],
                     lang, {0, 2, 3, 4, 5})

    def matters(rows: list[dict]) -> str:
        shown = rows[:15]
        more = (f'<p class="br-note">{escape(t("br.matters.more", lang, n=len(rows) - 15))}</p>'
                if len(rows) > 15 else "")
        return _table(_heads(lang, "id", "light", "category", "village", "dept", "status", "remaining", "supervision"),
                      [[r["id"], r["light_label"], r["category"], r["village"], r["dept"], r["status"], r["remaining"],
                        r["supervision"]] for r in shown], lang, {7}) + more

    forecast = _table(_heads(lang, "series", "total", "mase", "naive_mase", "mape", "naive_mape", "points"),
                      [[r["name"], r["total"], r["mase"], r["naive_mase"], r["mape"], r["naive_mape"], r["points"]]
                       for r in brief.forecasts], lang, {2, 3, 4, 5, 6})
    head_scripts = "".join(f'<script src="{escape(src)}"></script>' for src in scripts)
    body = f"""
<header><h1>{escape(brief.title)}</h1>
<p class="br-meta">{escape(brief.period.text(lang))} · {escape(t("br.scope", lang, scope=brief.scope_text))}</p>
<p class="br-meta">{escape(t("br.made", lang, time=brief.made_at.strftime("%Y-%m-%d %H:%M")))}</p></header>
<section><h2>{escape(t("br.sec.kpis", lang))}</h2><p class="br-note">{escape(t("br.sec.kpis.note", lang))}</p>
{kpi_table}</section>
<section><h2>{escape(t("br.sec.where", lang))}</h2>{figures["trend"]}{cats}{villages}{figures["sources"]}</section>
<section><h2>{escape(t("br.sec.warnings", lang))}</h2>
<p>{escape(t("br.warn.summary", lang, **brief.warning_summary))}</p>{warn}</section>
<section><h2>{escape(t("br.sec.ranking", lang))}</h2>{ranking}</section>
<section><h2>{escape(t("br.sec.matters", lang))}</h2><p class="br-note">{escape(t("br.sec.matters.note", lang))}</p>
<h3>{escape(t("br.matters.overdue", lang, n=len(brief.overdue)))}</h3>{matters(brief.overdue)}
<h3>{escape(t("br.matters.supervised", lang, n=len(brief.supervised)))}</h3>{matters(brief.supervised)}</section>
<section><h2>{escape(t("br.sec.forecast", lang))}</h2><p class="br-note">{escape(t("br.sec.forecast.note", lang))}</p>
{figures["forecast"]}{forecast}</section>
<section><h2>{escape(t("br.sec.map", lang))}</h2>{map_svg(brief.map_cells)}</section>"""
    return (f'<!DOCTYPE html><html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">'
            f'<title>{escape(brief.title)} · {escape(brief.period.text(lang))}</title><style>{STYLE}</style>'
            f'{head_scripts}</head><body class="br-doc">{toolbar}{body}</body></html>')


# -- the static copies: Chromium -----------------------------------------------------------------------
def render(brief: Briefing, fmt: str, out: Path, *, chromium: str = CHROMIUM) -> Path:
    """Write the briefing to ``out`` as ``pdf`` or static ``html`` (charts as PNG images)."""
    if fmt not in ("pdf", "html"):
        raise ValueError("format is pdf or html")
    # Playwright's sync API refuses a thread that already runs an event loop (a caller's own
    # Playwright, say): the rendering gets a thread of its own.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="briefing-render") as pool:
        pool.submit(_render, brief, fmt, Path(out), chromium).result()     # its exception is raised here
    return Path(out)


def _render(brief: Briefing, fmt: str, out: Path, chromium: str) -> None:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="township-brief-") as folder:
        live = Path(folder) / "live.html"
        live.write_text(document(brief, scripts=(plotly_js_path().as_uri(), (ASSETS / "briefing.js").as_uri())),
                        encoding="utf-8")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            try:
                page = browser.new_page(viewport={"width": 900, "height": 1200})
                page.goto(live.as_uri(), wait_until="load", timeout=RENDER_TIMEOUT_MS)
                page.wait_for_function("window.townshipBriefing && window.townshipBriefing.ready === true",
                                       timeout=RENDER_TIMEOUT_MS)
                page.evaluate("window.townshipBriefing.toImages()")
                page.wait_for_function("window.townshipBriefing.static === true", timeout=RENDER_TIMEOUT_MS)
                out.parent.mkdir(parents=True, exist_ok=True)
                if fmt == "pdf":
                    page.emulate_media(media="print")
                    page.pdf(path=str(out), format="A4", print_background=True, prefer_css_page_size=True)
                else:
                    out.write_text(page.content(), encoding="utf-8")
            finally:
                browser.close()


# -- composing one ----------------------------------------------------------------------------------
def compose(reader, store, settings, *, period: str, end, lang: str, scope: list[int], scope_text: str, now):
    """The briefing of ``period`` (day|week|month) ending on ``end`` within ``scope``."""
    from dashboard.views import briefing as content
    from dashboard.views.screen import township_name
    from queries.analysis_config import load_analysis_config

    return content.build(reader, load_analysis_config(), scope=scope, scope_text=scope_text,
                         period=content.period_of(period, end), now=now, yellow_share=settings.yellow_fraction,
                         minutes_per_day=store.calendar.day_minutes(now), township=township_name(reader, scope, lang),
                         lang=lang)


def scope_text_of(reader, scope: list[int], user, lang: str) -> str:
    """The villages a briefing covers, in words."""
    if user is None or user.township_wide:
        return t("br.scope.all", lang)
    names = [str(n) for n in reader.run("reference/villages", scope=list(scope))["name"]]
    return ("、" if lang == "zh" else ", ").join(names) or "—"


def file_name(period: str, end, fmt: str) -> str:
    return f"briefing-{period}-{end.isoformat()}.{fmt}"
