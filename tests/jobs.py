"""Helpers of the job tests: a queue database of their own, workers run in this process, and
the queue's rows as the worker left them."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable

import asyncpg

from api.worker import Worker


@contextlib.asynccontextmanager
async def running(*workers: Worker) -> AsyncIterator[None]:
    """The workers at work during the block; stopped gracefully after it, within 20 s."""
    stop = asyncio.Event()
    tasks = [asyncio.create_task(w.run(stop)) for w in workers]
    try:
        yield
    finally:
        stop.set()
        await asyncio.wait_for(asyncio.gather(*tasks), 20)


async def eventually(check: Callable[[], Awaitable], within: float = 15, every: float = 0.1):
    """The first true value `check` returns, polled for at most `within` seconds."""
    deadline = time.monotonic() + within
    while True:
        value = await check()
        if value or time.monotonic() > deadline:
            return value
        await asyncio.sleep(every)


async def fetch(url: str, sql: str, *args) -> list[asyncpg.Record]:
    """Rows of one statement, on a connection of its own."""
    connection = await asyncpg.connect(url)
    try:
        return await connection.fetch(sql, *args)
    finally:
        await connection.close()


async def job_row(url: str, job_id: int) -> asyncpg.Record | None:
    rows = await fetch(url, "SELECT status::text AS status, attempts, execute_after, payload "
                            "FROM pgqueuer WHERE id = $1", job_id)
    return rows[0] if rows else None


async def log_statuses(url: str, job_id: int) -> list[str]:
    """The states pgqueuer's log recorded for a job, in order."""
    rows = await fetch(url, "SELECT status::text FROM pgqueuer_log WHERE job_id = $1 "
                            "ORDER BY created, id", job_id)
    return [r[0] for r in rows]
