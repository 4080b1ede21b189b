"""Real server processes for the tests: uvicorn serving the app on a loopback port."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def environment(changes: dict[str, str | None]) -> dict[str, str]:
    """This process's environment with `changes`; a None value removes the variable."""
    merged = {**os.environ, **changes}
    return {name: value for name, value in merged.items() if value is not None}


@contextlib.contextmanager
def served(env: dict[str, str | None], log_path: Path, *, log_level: str = "warning",
           ready_within: float = 30) -> Iterator[str]:
    """The app in a uvicorn process of its own; yields its URL and stops it afterwards.

    The process writes to `log_path` (a file: nobody reads a pipe, and a full one would stall
    the server).
    """
    port = free_port()
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "api.cli", "serve", "--host", "127.0.0.1", "--port",
             str(port), "--log-level", log_level],
            env=environment(env), stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_until_healthy(process, url, log_path, ready_within)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()


def _wait_until_healthy(process, url: str, log_path: Path, ready_within: float) -> None:
    deadline = time.monotonic() + ready_within
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {log_path.read_text()}")
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"server did not start within {ready_within} s")
