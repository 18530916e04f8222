"""Test helpers around the real server: a private copy of a database to serve."""
from __future__ import annotations

import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def copy_db(source: Path, folder: Path, name: str = "township.duckdb") -> Path:
    target = folder / name
    shutil.copy(source, target)
    return target
