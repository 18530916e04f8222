"""The DuckDB store: schema and migrations, the one query runner, the write path,
and the working calendar. Never imports ``dash`` or ``layers``."""
