"""Worker processes as production runs them: two `crm worker`s escalate each SLA moment once,
a worker stops gracefully on SIGTERM, and a job whose worker was killed with SIGKILL is picked
again by another."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from api.context import utc_now
from api.escalation import SYSTEM_ACCESS
from persistence.db import make_engine
from persistence.jobs import enqueue
from persistence.uow import UnitOfWork
from tests.databases import own_database
from tests.jobs import eventually, fetch, job_row, log_statuses

CRM = str(Path(sys.executable).parent / "crm")
pytestmark = pytest.mark.e2e

# Each passed moment of a running case, as escalation counts it: one row per moment.
MOMENTS = "SELECT count(*) FROM case_escalation"


@pytest.fixture(scope="module")
def demo_url(server_url):
    """A database of its own with the demo, whose running cases are past their SLA moments."""
    with own_database(server_url, "crm_escalate", demo=True) as url:
        yield url


@contextlib.contextmanager
def worker_process(command: list[str], env: dict, log: Path) -> Iterator[subprocess.Popen]:
    """A worker process writing to `log`; killed afterwards if it is still running."""
    with log.open("w") as out:
        process = subprocess.Popen(command, env={**os.environ, **env}, stdout=out,
                                   stderr=subprocess.STDOUT)
        try:
            yield process
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(10)


def stop(process: subprocess.Popen, within: float = 20) -> int:
    process.send_signal(signal.SIGTERM)
    return process.wait(within)


def started(log: Path) -> bool:
    return "worker started" in log.read_text()


async def wait_for(check, within: float = 30) -> bool:
    async def probe():
        return check()
    return await eventually(probe, within=within, every=0.2)


async def scalar(url: str, sql: str):
    return (await fetch(url, sql))[0][0]


async def test_two_workers_escalate_each_moment_once(demo_url, tmp_path):
    # given a demo whose running cases have SLA moments passed and unrecorded
    before = await scalar(demo_url, MOMENTS)
    assert await due(demo_url) > 0
    env = {"DATABASE_URL": demo_url, "CRM_ESCALATION_SCHEDULE": "* * * * * *",
           "CRM_HOME": str(tmp_path)}
    logs = [tmp_path / "first.log", tmp_path / "second.log"]
    # when two `crm worker` processes run escalation every second until nothing is due
    with worker_process([CRM, "worker"], env, logs[0]) as first, \
            worker_process([CRM, "worker"], env, logs[1]) as second:
        assert await wait_for(lambda: all(started(log) for log in logs))
        assert await eventually(lambda: _none_due(demo_url), within=60, every=0.5)
        await asyncio.sleep(2)  # a few more moments, which find nothing left to do
        # then both stop cleanly on SIGTERM
        assert stop(first) == 0 and stop(second) == 0
    # and every moment is recorded once, with one audit entry per change it made
    duplicates = await fetch(demo_url, "SELECT case_id, metric, level FROM case_escalation "
                                       "GROUP BY 1, 2, 3 HAVING count(*) > 1")
    assert duplicates == []
    audited = await fetch(demo_url, "SELECT record_id, action FROM audit_entry WHERE action "
                                    "LIKE 'escalation %' GROUP BY 1, 2 HAVING count(*) > 1")
    assert audited == []
    # and what the two workers say they did adds up to what was recorded, nothing twice
    recorded = await scalar(demo_url, MOMENTS) - before
    said = [tuple(map(int, m)) for log in logs for m in re.findall(
        r"escalation: (\d+) at risk, (\d+) breached", log.read_text())]
    assert recorded > 0 and sum(a + b for a, b in said) == recorded, said


async def due(url: str) -> int:
    """Running cases with a passed moment not yet recorded, as escalation finds them."""
    engine = make_engine(url, pool_size=1)
    try:
        async with UnitOfWork(engine, SYSTEM_ACCESS) as uow:
            return len(await uow.sla.due_cases(utc_now(), 1000))
    finally:
        await engine.dispose()


async def _none_due(url: str) -> bool:
    return await due(url) == 0


@pytest.fixture(scope="module")
def queue_url(server_url):
    with own_database(server_url, "crm_killed", migrated=True) as url:
        yield url


async def test_a_job_whose_worker_is_killed_is_picked_again_by_another(queue_url, tmp_path):
    # given a worker that counts a job's heartbeat stale after two seconds
    env = {"DATABASE_URL": queue_url, "CRM_ESCALATION_SCHEDULE": "off",
           "CRM_WORKER_HEARTBEAT_TIMEOUT": "2", "CRM_HOME": str(tmp_path)}
    command = [sys.executable, "-m", "tests.job_worker"]
    runs = tmp_path / "runs"
    engine = make_engine(queue_url, pool_size=1)
    try:
        async with engine.connect() as conn, conn.begin():
            job_id = await enqueue(conn, "test.note-then-sleep",
                                   {"runs": str(runs), "seconds": 600})
    finally:
        await engine.dispose()
    with worker_process(command, env, tmp_path / "killed.log") as killed:
        # when it is killed with SIGKILL in the middle of the job
        assert await wait_for(lambda: runs.exists())
        killed.kill()
        killed.wait(10)
    assert (await job_row(queue_url, job_id))["status"] == "picked"
    # then another worker picks the job again once its heartbeat is stale, and finishes it
    with worker_process(command, env, tmp_path / "successor.log") as successor:
        assert await eventually(lambda: _gone(queue_url, job_id), within=30, every=0.2)
        assert stop(successor) == 0
    pids = runs.read_text().split()
    assert len(pids) == 2 and pids[0] == str(killed.pid) and pids[1] == str(successor.pid)
    assert await log_statuses(queue_url, job_id) == ["queued", "picked", "picked", "successful"]


async def _gone(url: str, job_id: int) -> bool:
    return await job_row(url, job_id) is None


@pytest.mark.parametrize("command", [["worker"], ["jobs", "failed"], ["jobs", "retry", "1"]])
def test_job_commands_without_the_queue_say_to_migrate(server_url, tmp_path, command):
    with own_database(server_url, "crm_unmigrated") as url:
        result = subprocess.run([CRM, *command], env={**os.environ, "DATABASE_URL": url,
                                                      "CRM_HOME": str(tmp_path)},
                                capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert result.stderr.strip() == "crm: the database has no job queue: run `crm migrate` first"
