"""The worker against PostgreSQL: a failing job is retried with backoff and then held as
failed, which `crm jobs failed` lists and `crm jobs retry` queues again; a stopping worker
finishes or releases its jobs; a schedule fires once per moment however many workers run."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import asyncpg

from api.context import utc_now
from api.worker import Entrypoint, JobContext, Schedule, Worker
from persistence.jobs import enqueue, failed_jobs
from tests.jobs import eventually, fetch, job_row, log_statuses, running

CRM = str(Path(sys.executable).parent / "crm")


def worker(url, engine, entrypoints=(), schedules=(), **options) -> Worker:
    return Worker(url, JobContext(engine, utc_now), entrypoints, schedules, **options)


async def queue(engine, entrypoint: str, payload=None) -> int:
    async with engine.connect() as conn, conn.begin():
        return await enqueue(conn, entrypoint, payload)


def crm(url: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([CRM, *args], env={**os.environ, "DATABASE_URL": url},
                          capture_output=True, text=True, timeout=60)


class Flaky:
    """An entrypoint that fails while `failing` is set, noting when each attempt ran."""

    def __init__(self) -> None:
        self.failing = True
        self.attempts: list[tuple[int, float]] = []

    async def __call__(self, context, job) -> None:
        self.attempts.append((job.attempt, time.monotonic()))
        if self.failing:
            raise ValueError(f"remote said no to {job.payload['order']}")


async def test_a_failing_job_is_retried_with_backoff_then_held_and_retried_by_command(
        queue_url, queue_engine):
    # given an entrypoint that fails, tried three times from a 0.4 s first retry
    flaky = Flaky()
    entry = Entrypoint("test.flaky", flaky, max_attempts=3, first_retry=timedelta(seconds=0.4))
    async with running(worker(queue_url, queue_engine, [entry])):
        job_id = await queue(queue_engine, "test.flaky", {"order": "A-1"})
        # when the worker has run out of attempts
        held = await eventually(lambda: _status_is(queue_url, job_id, "failed"))
    # then it ran three times, waiting 0.2-0.4 s and then 0.4-0.8 s (backoff with jitter)
    assert held and [a for a, _ in flaky.attempts] == [1, 2, 3]
    waits = [b - a for (_, a), (_, b) in zip(flaky.attempts, flaky.attempts[1:], strict=False)]
    assert 0.2 <= waits[0] < 0.4 + 1.5 and 0.4 <= waits[1] < 0.8 + 1.5, waits
    # and it is kept with its payload and its last error
    [failed] = [j for j in await _failed(queue_url) if j.id == job_id]
    assert (failed.entrypoint, failed.attempts, failed.payload) == ("test.flaky", 3, {"order": "A-1"})
    assert failed.error == "ValueError: remote said no to A-1"
    assert await log_statuses(queue_url, job_id) == [
        "queued", "picked", "queued", "picked", "queued", "picked", "failed"]

    # when `crm jobs failed` lists it
    listed = crm(queue_url, "jobs", "failed")
    assert listed.returncode == 0, listed.stderr
    [line] = [line for line in listed.stdout.splitlines() if line.startswith(f"{job_id}\t")]
    assert line.split("\t")[1:3] == ["test.flaky", "3"]
    assert line.endswith("ValueError: remote said no to A-1")
    # and `crm jobs retry` queues it again, from its first attempt, to succeed this time
    flaky.failing = False
    retried = crm(queue_url, "jobs", "retry", str(job_id))
    assert retried.returncode == 0 and "queued again" in retried.stdout, retried.stderr
    assert (await job_row(queue_url, job_id))["attempts"] == 0
    async with running(worker(queue_url, queue_engine, [entry])):
        assert await eventually(lambda: _gone(queue_url, job_id))
    assert flaky.attempts[-1][0] == 1
    assert (await log_statuses(queue_url, job_id))[-1] == "successful"
    assert job_id not in {j.id for j in await _failed(queue_url)}


async def test_jobs_retry_refuses_an_unknown_or_unfailed_job_with_a_message(queue_url,
                                                                          queue_engine):
    unknown = crm(queue_url, "jobs", "retry", "987654321")
    assert unknown.returncode != 0 and "no job 987654321" in unknown.stderr
    waiting = await queue(queue_engine, "test.nobody-runs-this")
    refused = crm(queue_url, "jobs", "retry", str(waiting))
    assert refused.returncode != 0 and f"job {waiting} is queued, not failed" in refused.stderr


async def test_a_stopping_worker_finishes_short_jobs_and_releases_long_ones(queue_url,
                                                                           queue_engine):
    # given a worker that allows its jobs one second to finish when it stops
    started: set[int] = set()

    async def sleep(context, job):
        started.add(job.id)
        await asyncio.sleep(job.payload["seconds"])

    entry = Entrypoint("test.sleep", sleep)
    async with running(worker(queue_url, queue_engine, [entry], shutdown_grace=1)):
        short = await queue(queue_engine, "test.sleep", {"seconds": 0.5})
        long = await queue(queue_engine, "test.sleep", {"seconds": 60})
        assert await eventually(lambda: _started(started, short, long))
        stopped_at = time.monotonic()
    # then the stop took about the grace period, not the long job's minute
    assert time.monotonic() - stopped_at < 5
    # and the short job finished while the long one went back to the queue, ready at once
    assert await log_statuses(queue_url, short) == ["queued", "picked", "successful"]
    released = await job_row(queue_url, long)
    assert (released["status"], released["attempts"]) == ("queued", 1)
    assert released["execute_after"] <= (await fetch(queue_url, "SELECT now()"))[0][0]


async def test_a_schedule_fires_once_per_moment_across_two_workers(queue_url, queue_engine):
    # given two workers, each on its own connection, with the same every-second schedule
    fired: list[tuple[str, float]] = []

    def schedule(name: str) -> Schedule:
        async def note(context) -> None:
            fired.append((name, time.time()))
        return Schedule("test.every-second", "* * * * * *", note)

    first = worker(queue_url, queue_engine, schedules=[schedule("first")])
    second = worker(queue_url, queue_engine, schedules=[schedule("second")])
    async with running(first, second):
        await asyncio.sleep(5.5)
    # then each second's moment ran once, in one worker or the other, never in both (each
    # worker looks for due moments a second after the next one, so not every second runs)
    seconds = [int(moment) for _, moment in fired]
    assert len(seconds) >= 2, fired
    assert len(seconds) == len(set(seconds)), fired


async def _status_is(url: str, job_id: int, status: str) -> bool:
    row = await job_row(url, job_id)
    return row is not None and row["status"] == status


async def _gone(url: str, job_id: int) -> bool:
    return await job_row(url, job_id) is None


async def _started(started: set, *ids: int) -> bool:
    return started.issuperset(ids)


async def _failed(url: str):
    connection = await asyncpg.connect(url)
    try:
        return await failed_jobs(connection)
    finally:
        await connection.close()

