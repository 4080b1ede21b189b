"""The load tools from Debian's packages, installed when they are missing."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys

# Debian's package for each tool. pgbench ships with the server package.
PACKAGES = {"wrk": "wrk", "pgbench": "postgresql"}
APT_TIMEOUT = 900


def pgbench() -> str | None:
    """pgbench on PATH, or in a PostgreSQL installation under /usr/lib/postgresql."""
    return shutil.which("pgbench") or next(
        iter(sorted(glob.glob("/usr/lib/postgresql/*/bin/pgbench"), reverse=True)), None)


def _found(tool: str) -> bool:
    return bool(pgbench() if tool == "pgbench" else shutil.which(tool))


def _apt(*args: str) -> None:
    prefix = [] if os.geteuid() == 0 else ["sudo", "-n"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run([*prefix, "apt-get", *args], check=True, env=env, timeout=APT_TIMEOUT,
                   stdout=sys.stderr)


def ensure(tools: tuple[str, ...] = tuple(PACKAGES)) -> None:
    """Install the missing tools with apt-get, or exit saying how to install them."""
    missing = [tool for tool in tools if not _found(tool)]
    if not missing:
        return
    packages = [PACKAGES[tool] for tool in missing]
    if not shutil.which("apt-get"):
        sys.exit(f"bench: {', '.join(missing)} not found; install {' '.join(packages)}")
    print(f"bench: installing {' '.join(packages)} with apt-get", file=sys.stderr)
    try:
        _apt("update", "-q")
        _apt("install", "-y", "-q", "--no-install-recommends", *packages)
    except (OSError, subprocess.SubprocessError) as error:
        sys.exit(f"bench: could not install {' '.join(packages)} ({error}); "
                 f"run: apt-get install -y {' '.join(packages)}")
    if still := [tool for tool in missing if not _found(tool)]:
        sys.exit(f"bench: {', '.join(still)} still missing after apt-get install")
