"""Geodata layer: the township grid (乡镇 → 村/社区 → 网格) and the geometry the map draws.

Everything here is stored and returned in WGS-84 (EPSG:4326); areas and distances are
measured in UTM 50N (EPSG:32650), which covers Yangzhou. GCJ-02 input (Gaode/Tencent,
DataV boundary files) is converted at the door with `layers.gcj02`, never mixed in.

This package never imports `dash`, `dashboard` or `duckdb`: it sits between the app and
the store, and is tested on its own.
"""
