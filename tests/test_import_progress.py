"""The import's progress on the command line: a bar redrawn on a terminal, nothing when
standard error is a file or a pipe (the summary is printed either way)."""
from __future__ import annotations

import os
import pty
import subprocess
import sys

from tests.importdata import CITIES, require_realdata
from tests.servers import REPO

LA = CITIES["la"]


def command(db) -> list[str]:
    return [sys.executable, "-m", "dashboard", "import-matters", "--db", str(db), str(LA.matters),
            "--mapping", str(LA.mapping), "--rejects", str(db) + ".rejects.csv"]


def test_a_terminal_sees_the_bar_reach_100(tmp_path):
    require_realdata(LA)
    leader, follower = pty.openpty()
    done = subprocess.run(command(tmp_path / "tty.duckdb"), cwd=REPO, stdout=subprocess.PIPE, stderr=follower,
                          stdin=subprocess.DEVNULL, timeout=600)
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    os.close(leader)
    shown = b"".join(chunks).decode("utf-8", "replace")
    assert done.returncode == 0
    assert "\r[" in shown and "100 % rejects" in shown and " 30 % read" in shown
    assert b"imported" in done.stdout


def test_a_pipe_gets_no_bar(tmp_path):
    require_realdata(LA)
    done = subprocess.run(command(tmp_path / "pipe.duckdb"), cwd=REPO, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "\r[" not in done.stderr and "%" not in done.stderr
    assert "imported" in done.stdout
