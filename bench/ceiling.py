"""The ceiling: Q2's answer built by one SQL statement, driven by pgbench on the load CPU."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from bench import tools
from bench.load import CONNECTIONS, LOAD_CPU
from persistence.db import libpq_url

Q2_SQL = Path(__file__).parent / "sql" / "q2.sql"


def pgbench() -> str:
    """The pgbench binary, installed from Debian's packages when it is missing."""
    tools.ensure(("pgbench",))
    return tools.pgbench()


def run(url: str, account_id: str, seconds: int) -> float:
    """Transactions per second of bench/sql/q2.sql over 8 connections for `seconds`."""
    # Prepared, as asyncpg and node-postgres run their statements; -n: no vacuum first.
    argv = ["taskset", "-c", LOAD_CPU, pgbench(), "-n", "-M", "prepared", "-f", str(Q2_SQL),
            "-c", str(CONNECTIONS), "-j", "1", "-T", str(seconds),
            "-D", f"account_id={account_id}", libpq_url(url)]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 60)
    tps = re.search(r"tps = ([\d.]+) \(without initial connection time\)", done.stdout)
    failed = re.search(r"number of failed transactions: (\d+)", done.stdout)
    if done.returncode != 0 or not tps or (failed and int(failed[1])):
        raise RuntimeError(f"pgbench failed:\n{done.stdout}\n{done.stderr}")
    return float(tps[1])
