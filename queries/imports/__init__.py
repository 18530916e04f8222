"""Bring your own township: the store's side of importing a grid and a history of matters.

- ``mapping``: the TOML mapping of an export's columns and values to ours, and its checks;
- ``files``: sniffing and reading CSV, CSV.gz and Excel files as text;
- ``load``: loading into the store (matters and events, a new grid), one transaction each.

The geodata work (reading polygons, CRS, GCJ-02, point → cell) lives in ``layers``; it
reaches these modules through plain callbacks (``locate``, ``to_wgs84``), so that this
layer never imports geodata code.
"""
