"""Starting the real server (``python -m dashboard serve``) as a subprocess, and waiting
until it answers: for the benchmarks and the tests, which measure and drive the product as
its users reach it."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_health(url: str, process: subprocess.Popen, timeout_s: float = 90) -> dict:
    deadline = time.monotonic() + timeout_s
    last = None
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:
                return json.loads(response.read())
        except OSError as exc:
            last = exc
            time.sleep(0.3)
    raise TimeoutError(f"no answer from {url}/healthz in {timeout_s} s ({last})")


@dataclass
class Served:
    url: str
    process: subprocess.Popen


@contextmanager
def running_server(db: Path, folder: Path, env: dict[str, str | None] | None = None) -> Iterator[str]:
    """Serve ``db`` (the caller's own copy: DuckDB locks a file per process) on a free port.
    ``env``: variables to set for the server (None: to remove)."""
    with serving(db, folder, env) as served:
        yield served.url


@contextmanager
def serving(db: Path, folder: Path, env: dict[str, str | None] | None = None) -> Iterator[Served]:
    """As ``running_server``, with the server's process (for its memory, say)."""
    port = free_port()
    environment = {k: v for k, v in {**os.environ, **(env or {})}.items() if v is not None}
    with open(folder / f"server-{port}.log", "w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "dashboard", "serve", "--db", str(db), "--host", "127.0.0.1",
             "--port", str(port)],
            cwd=REPO, env=environment, stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            wait_for_health(url, process)
            yield Served(url, process)
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
