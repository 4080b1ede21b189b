"""The job queue in PostgreSQL: pgqueuer's tables, created by migration 0016.

`enqueue` puts a job on the caller's own transaction, so that it commits or rolls back with
the business write beside it; the worker (`crm worker`, api/worker.py) runs it after the
commit. A job that failed its last attempt stays in the queue table with status `failed`,
its payload intact, and the error in pgqueuer's log table: `failed_jobs` lists them and
`retry_failed` queues one again.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import asyncpg
import orjson
from pgqueuer.adapters.drivers.asyncpg import AsyncpgDriver
from pgqueuer.adapters.persistence.qb import (
    QueryBuilderEnvironment,
    QueryQueueBuilder,
    QuerySchedulerBuilder,
)
from pgqueuer.adapters.persistence.queries import Queries
from pgqueuer.domain.settings import DBSettings, Durability
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from persistence.db import Statement, Transaction, announce

# Every name spelled out: pgqueuer would otherwise read them from the environment
# (PGQUEUER_QUEUE_TABLE, and even a bare QUEUE_TABLE), and the migration created these.
QUEUE = DBSettings(
    prefix="", db_schema=None, channel="ch_pgqueuer", function="fn_pgqueuer_changed",
    statistics_table="pgqueuer_statistics", queue_status_type="pgqueuer_status",
    queue_table="pgqueuer", queue_table_log="pgqueuer_log", trigger="tg_pgqueuer_changed",
    schedules_table="pgqueuer_schedules", durability=Durability.durable)

# The tables no record type declares: pgqueuer reads and writes them with its own SQL.
QUEUE_TABLES = (QUEUE.queue_table, QUEUE.queue_table_log, QUEUE.schedules_table,
                QUEUE.statistics_table)

Connection = Transaction | AsyncConnection | asyncpg.Connection


class JobStateError(LookupError):
    """A job that does not exist, or is not in the state the command needs."""


class QueueMissing(JobStateError):
    """The database has no job queue: its migrations have not run."""

    def __init__(self) -> None:
        super().__init__("the database has no job queue: run `crm migrate` first")


async def check_queue(connection: asyncpg.Connection) -> None:
    """Refuse, with QueueMissing, a database without the queue's tables."""
    if await connection.fetchval("SELECT to_regclass($1)", QUEUE.queue_table) is None:
        raise QueueMissing()


def queries(driver: AsyncpgDriver) -> Queries:
    """pgqueuer's statements over `driver`, on the queue's tables."""
    return Queries(driver, qbe=QueryBuilderEnvironment(QUEUE), qbq=QueryQueueBuilder(QUEUE),
                   qbs=QuerySchedulerBuilder(QUEUE))


class _AnnouncedDriver(AsyncpgDriver):
    """A driver on a unit of work's transaction: its statements are counted like the
    transaction's own."""

    def __init__(self, tx: Transaction) -> None:
        super().__init__(tx.driver_connection)
        self.engine = tx.engine

    async def fetch(self, query: str, *args: object) -> list[dict[str, object]]:
        announce(self.engine, query, args)
        return await super().fetch(query, *args)

    async def execute(self, query: str, *args: object) -> str:
        announce(self.engine, query, args)
        return await super().execute(query, *args)


async def _driver(connection: Connection) -> AsyncpgDriver:
    if isinstance(connection, Transaction):
        return _AnnouncedDriver(connection)
    if isinstance(connection, AsyncConnection):
        driver_connection = (await connection.get_raw_connection()).driver_connection
        if connection.in_transaction() and not driver_connection.is_in_transaction():
            # SQLAlchemy sends BEGIN only with its first statement: without this one, the job
            # would be committed at once, outside the transaction it was meant to join.
            await connection.exec_driver_sql("SELECT 1")
        return AsyncpgDriver(driver_connection)
    return AsyncpgDriver(connection)


def _uuid_subclass(value):
    """asyncpg's UUIDs, which orjson, knowing only uuid.UUID itself, does not take."""
    if isinstance(value, uuid.UUID):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON")


async def enqueue(connection: Connection, entrypoint: str, payload: Mapping | None = None, *,
                  execute_after: timedelta | None = None,
                  dedupe_key: str | None = None) -> int | None:
    """Queue a job for `entrypoint` on `connection`; the id of the job, or None when a job
    with the same `dedupe_key` is already waiting or running.

    `connection` is a unit of work's `Transaction` (`uow.transaction`), a SQLAlchemy
    `AsyncConnection` or an asyncpg connection. Inside its open transaction the job commits
    or rolls back with it, and the worker hears of it at the commit; outside one it is
    queued at once. `payload` is JSON (orjson: UUIDs, datetimes and dates are welcome);
    the entrypoint receives it decoded. `execute_after` delays the first attempt: from the
    transaction's start (PostgreSQL's now()). `entrypoint` names one of api/jobs.py's
    ENTRYPOINTS; nothing runs a job of another name.
    """
    encoded = orjson.dumps(payload, default=_uuid_subclass) if payload is not None else None
    [job_id] = await queries(await _driver(connection)).enqueue(
        entrypoint, encoded, execute_after=execute_after, dedupe_key=dedupe_key,
        # A duplicate must not abort the caller's transaction with a unique violation.
        on_conflict="skip")
    return job_id


async def enqueue_many(connection: Connection, entrypoint: str,
                       jobs: Sequence[tuple[Mapping, str | None]]) -> list[int | None]:
    """Queue a job for `entrypoint` per (payload, dedupe_key), in one statement, as `enqueue`
    queues one: the ids, None where a job with that dedupe key is already waiting or running.
    """
    if not jobs:
        return []
    return await queries(await _driver(connection)).enqueue(
        [entrypoint] * len(jobs),
        [orjson.dumps(payload, default=_uuid_subclass) for payload, _ in jobs],
        [0] * len(jobs), dedupe_key=[key for _, key in jobs], on_conflict="skip")


def decode(payload: bytes | None):
    """A job's payload as enqueue was given it."""
    return orjson.loads(payload) if payload is not None else None


@dataclass(frozen=True)
class FailedJob:
    """A job that failed its last attempt, kept for inspection and retry."""

    id: int
    entrypoint: str
    attempts: int
    error: str
    failed_at: datetime
    payload: object


_FAILED = (
    f"SELECT j.id, j.entrypoint, j.attempts + 1 AS attempts, j.updated AS failed_at, "
    f"j.payload, l.traceback FROM {QUEUE.queue_table} j LEFT JOIN LATERAL ("
    f"SELECT traceback FROM {QUEUE.queue_table_log} WHERE job_id = j.id AND status = 'failed' "
    f"ORDER BY created DESC, id DESC LIMIT 1) l ON TRUE "
    f"WHERE j.status = 'failed' ORDER BY j.updated DESC, j.id DESC LIMIT $1")


def _error(traceback: str | None) -> str:
    if traceback is None:
        return "(no error recorded)"
    record = orjson.loads(traceback)
    return f"{record['exception_type']}: {record['exception_message']}"


async def failed_jobs(connection: asyncpg.Connection, limit: int = 100) -> list[FailedJob]:
    """The failed jobs, the latest first: `attempts` counts every run, the first included."""
    rows = await connection.fetch(_FAILED, limit)
    return [FailedJob(r["id"], r["entrypoint"], r["attempts"], _error(r["traceback"]),
                      r["failed_at"], decode(r["payload"])) for r in rows]


async def retry_failed(connection: asyncpg.Connection, job_id: int) -> str:
    """Queue a failed job again, from its first attempt; its entrypoint. Refuses an unknown
    job, or one that has not failed, with JobStateError."""
    async with connection.transaction():
        row = await connection.fetchrow(
            f"SELECT entrypoint, status::text AS status FROM {QUEUE.queue_table} "
            f"WHERE id = $1 FOR UPDATE", job_id)
        if row is None:
            raise JobStateError(f"no job {job_id} in the queue (a job that succeeded is gone)")
        if row["status"] != "failed":
            raise JobStateError(f"job {job_id} is {row['status']}, not failed")
        await queries(AsyncpgDriver(connection)).requeue_jobs([job_id])
    return row["entrypoint"]


# What pgqueuer's log keeps: every job writes a row per state (queued, picked, done), and
# nothing of pgqueuer deletes them. Past this age only the per-second counts in its
# statistics table remain, except the entries of jobs still held as failed.
LOG_KEPT = timedelta(days=30)


async def prune_log(engine: AsyncEngine, kept: timedelta = LOG_KEPT) -> int:
    """Delete the log entries older than `kept` that are already counted in the statistics
    and belong to no job held as failed; how many."""
    return await Statement(engine).value(
        f"WITH pruned AS (DELETE FROM {QUEUE.queue_table_log} l WHERE l.aggregated "
        f"AND l.created < now() - $1::interval AND NOT EXISTS (SELECT 1 FROM "
        f"{QUEUE.queue_table} j WHERE j.id = l.job_id AND j.status = 'failed') RETURNING 1) "
        f"SELECT count(*) FROM pruned", (kept,))
