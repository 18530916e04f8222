"""The dashboard on an imported city (issue 4): the overview's map shows the city's own
polygons and its KPIs and department workload show the imported matters."""
import shutil

import pandas as pd

from dashboard.context import whole_township
from dashboard.reader import Reader
from dashboard.views import overview as panels
from queries.store import Store
from tests.importdata import imported_city


def test_the_overview_shows_an_imported_city(tmp_path_factory):
    db, grid_summary, _ = imported_city("la", tmp_path_factory.mktemp("la-pages"))
    copy = tmp_path_factory.mktemp("la-pages-copy") / "la.duckdb"
    shutil.copy(db, copy)
    store = Store(copy, read_only=True)
    try:
        reader = Reader(store)
        # As of the export's last hour, so "today" and "open now" mean something.
        now = pd.Timestamp(store.scalar("SELECT max(created_at) FROM matters")).to_pydatetime()
        view = panels.View(tuple(whole_township(reader.store)), now.replace(second=0, microsecond=0), 0.25)
        cells = store.scalar("SELECT count(*) FROM areas WHERE level = 'cell'")
        assert cells > 90                                            # the neighborhood councils

        figure, cell_ids = panels.map_figure(reader, view, "zh")
        grid = figure.data[0]
        assert grid.type == "choroplethmap" and len(cell_ids) == cells
        assert len(grid.geojson["features"]) == cells
        lon, lat = figure.layout.map.center.lon, figure.layout.map.center.lat
        assert -119 < lon < -118 and 33.5 < lat < 34.5                # Los Angeles, not Yangzhou

        kpis = panels.kpi_values(reader, view)
        assert kpis["received_today"] == store.scalar(
            "SELECT count(*) FROM matters WHERE CAST(created_at AS DATE) = CAST(? AS DATE)", [now])
        assert kpis["received_today"] > 0
        assert kpis["open_count"] == store.scalar("SELECT count(*) FROM open_matters") > 0

        chart = panels.department_figure(reader, view, "en")
        departments = set(chart.data[0].y)
        imported = set(store.frame("SELECT name FROM departments WHERE imported")["name"])
        assert departments & imported                                  # the city's own agencies
        rows = panels.open_matter_rows(reader, view, "zh", 450)
        assert rows and all(r["cell_code"] or r["cell"] == "" for r in rows)
    finally:
        store.close()
