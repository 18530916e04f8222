"""Reusable pieces of the dashboard's pages: id factories, KPI tiles, light badges, the
filter bar, the navbar and panel frames. Pure layout builders: no data access."""
