"""PostgreSQL clusters of a test's own: a primary, and a streaming replica made from it with
pg_basebackup, on free loopback ports under a temporary directory, stopped afterwards."""

from __future__ import annotations

import asyncio
import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

TOOLS = ("initdb", "pg_ctl", "pg_basebackup", "postgres")
# The user the servers run as when the tests run as root, which PostgreSQL refuses.
SERVER_USER = "postgres"


def postgres_bindir() -> Path:
    """The directory of one PostgreSQL version's binaries, so that pg_basebackup matches the
    primary's major version; fails the test, naming what is missing, when there is none."""
    candidates = []
    if pg_config := shutil.which("pg_config"):
        found = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True)
        candidates.append(Path(found.stdout.strip()))
    if initdb := shutil.which("initdb"):
        candidates.append(Path(initdb).resolve().parent)
    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    for bindir in candidates:
        if all((bindir / tool).is_file() for tool in TOOLS):
            return bindir
    pytest.fail(f"PostgreSQL's server binaries ({', '.join(TOOLS)}) are needed to build a "
                f"primary and a replica; none of {[str(c) for c in candidates]} holds them all")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Clusters:
    bindir: Path
    home: Path
    as_user: list[str]

    def run(self, tool: str, *args: str) -> None:
        done = subprocess.run([*self.as_user, str(self.bindir / tool), *args],
                              capture_output=True, text=True, timeout=120)
        if done.returncode:
            raise RuntimeError(f"{tool} {' '.join(args)} failed:\n{done.stdout}{done.stderr}")

    def configure(self, pgdata: Path, port: int, **settings: str) -> None:
        lines = {"port": str(port), "listen_addresses": "'127.0.0.1'",
                 "unix_socket_directories": f"'{self.home}'", "fsync": "off", **settings}
        with (pgdata / "postgresql.conf").open("a") as conf:
            conf.writelines(f"{name} = {value}\n" for name, value in lines.items())

    def start(self, pgdata: Path) -> None:
        self.run("pg_ctl", "-D", str(pgdata), "-l", str(pgdata / "server.log"), "-w", "start")

    def stop(self, pgdata: Path) -> None:
        if (pgdata / "postmaster.pid").exists():
            self.run("pg_ctl", "-D", str(pgdata), "-m", "immediate", "-w", "stop")


def _as_server_user(home: Path) -> list[str]:
    if os.geteuid() != 0:
        return []
    try:
        user = pwd.getpwnam(SERVER_USER)
    except KeyError:
        pytest.fail(f"running as root, PostgreSQL needs another user to run as: there is no "
                    f"{SERVER_USER!r} user")
    os.chown(home, user.pw_uid, user.pw_gid)
    return ["runuser", "-u", SERVER_USER, "--"]


@contextlib.contextmanager
def primary_and_replica(prepare) -> Iterator[tuple[str, str]]:
    """URLs of a primary's `crm` database and of its streaming replica; `prepare(url)` fills
    the primary before the replica is copied from it. Both are stopped and removed after."""
    bindir = postgres_bindir()
    home = Path(tempfile.mkdtemp(prefix="crm-replica-"))
    clusters = Clusters(bindir, home, _as_server_user(home))
    primary, replica = home / "primary", home / "replica"
    primary_port, replica_port = free_port(), free_port()
    try:
        clusters.run("initdb", "-D", str(primary), "-A", "trust", "-U", "postgres", "--no-sync")
        clusters.configure(primary, primary_port, wal_level="replica", max_wal_senders="4")
        with (primary / "pg_hba.conf").open("a") as hba:
            hba.write("host replication postgres 127.0.0.1/32 trust\n")
        clusters.start(primary)
        server = f"postgresql://postgres@127.0.0.1:{primary_port}"
        prepare(server, f"{server}/crm")
        clusters.run("pg_basebackup", "-h", "127.0.0.1", "-p", str(primary_port), "-U",
                     "postgres", "-D", str(replica), "-R", "-X", "stream", "-c", "fast")
        clusters.configure(replica, replica_port, hot_standby="on")
        clusters.start(replica)
        yield f"{server}/crm", f"postgresql://postgres@127.0.0.1:{replica_port}/crm"
    finally:
        for pgdata in (replica, primary):
            with contextlib.suppress(RuntimeError):
                clusters.stop(pgdata)
        shutil.rmtree(home, ignore_errors=True)


async def caught_up(primary, replica, timeout: float = 20) -> None:
    """Wait until the replica (an asyncpg connection) has replayed all the primary has written."""
    target = await primary.fetchval("SELECT pg_current_wal_lsn()::text")
    deadline = time.monotonic() + timeout
    while not await replica.fetchval("SELECT pg_last_wal_replay_lsn() >= $1::text::pg_lsn",
                                       target):
        if time.monotonic() > deadline:
            raise AssertionError(f"the replica has not replayed up to {target} in {timeout} s")
        await asyncio.sleep(0.05)
