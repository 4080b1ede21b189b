"""Where and from what a run was made: machine, versions, commit."""

from __future__ import annotations

import asyncio
import platform
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import asyncpg

PROJECT_DIR = Path(__file__).parent.parent


def _output(argv: list[str]) -> str:
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=30, cwd=PROJECT_DIR)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return (done.stdout or done.stderr).strip()


def commit() -> dict[str, str]:
    """The full and short commit, and how the working tree differs from it."""
    changes = _output(["git", "status", "--porcelain"]).splitlines()
    modified = sum(not line.startswith("??") for line in changes)
    untracked = len(changes) - modified
    dirty = (f" (working tree dirty: {modified} tracked files modified, {untracked} untracked "
             "paths)" if changes else "")
    return {"commit": _output(["git", "rev-parse", "HEAD"]),
            "commit_short": _output(["git", "rev-parse", "--short", "HEAD"]), "dirty": dirty}


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def memory() -> str:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return f"{int(line.split()[1]) / 1024 / 1024:.1f} GB RAM"
    return "unknown RAM"


async def _postgres_version(url: str) -> str:
    conn = await asyncpg.connect(url, timeout=5)
    try:
        return "PostgreSQL " + await conn.fetchval("SHOW server_version")
    finally:
        await conn.close()


def started() -> dict[str, str]:
    """When the run began and from which commit: what the servers will load."""
    return {"date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), **commit()}


def describe(url: str, pg5_node: Path) -> dict[str, str]:
    """CPUs, CPU model, memory and the versions of what runs."""
    wrk = _output(["wrk", "--version"]).splitlines()
    versions = [asyncio.run(_postgres_version(url)), f"Python {platform.python_version()}",
                f"Node {_output(['node', '--version'])} "
                f"(PostGraphile 5: {_output([str(pg5_node), '--version'])})",
                wrk[0].split(" [")[0] if wrk else "wrk ?"]
    return {"nproc": _output(["nproc"]), "cpu": cpu_model(), "memory": memory(),
            "versions": ", ".join(versions)}
