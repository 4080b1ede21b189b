"""The background worker: pgqueuer's queue manager and scheduler on a connection of their own,
running the jobs of api/jobs.py with retries, and stopping without losing a job.

A job that raises is tried again after an exponential backoff with jitter, up to its
entrypoint's attempts; then it is held as `failed`, payload and error kept (crm jobs failed,
crm jobs retry). A worker that dies stops beating for its jobs: after the heartbeat timeout
another worker picks them again. A worker told to stop takes no new jobs, waits for its
running ones up to the grace period, and then releases the rest to the queue.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import random
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta

import asyncpg
from pgqueuer.adapters.drivers.asyncpg import AsyncpgDriver
from pgqueuer.core.applications import PgQueuer
from pgqueuer.core.executors import AbstractEntrypointExecutor
from pgqueuer.domain import models
from pgqueuer.domain.errors import RetryRequested
from sqlalchemy.ext.asyncio import AsyncEngine

from persistence.db import libpq_url
from persistence.jobs import QUEUE, check_queue, decode, queries

log = logging.getLogger("crm.worker")


@dataclasses.dataclass(frozen=True)
class JobContext:
    """What every job and schedule is given: the database, and the time."""

    engine: AsyncEngine
    clock: Callable[[], datetime]
    webhooks: object | None = None  # api.webhooks.WebhookConfig: the key, the target rules


@dataclasses.dataclass(frozen=True)
class JobRun:
    """One run of a job: `attempt` is 1 for the first run."""

    id: int
    entrypoint: str
    attempt: int
    payload: object


@dataclasses.dataclass(frozen=True)
class Entrypoint:
    """A kind of job, by the name enqueue gives it; raising fails the attempt."""

    name: str
    run: Callable[[JobContext, JobRun], Awaitable[None]]
    max_attempts: int = 5
    first_retry: timedelta = timedelta(seconds=10)
    longest_retry: timedelta = timedelta(hours=1)
    concurrency_limit: int = 0  # jobs of this kind running at once across workers; 0: any


@dataclasses.dataclass(frozen=True)
class Schedule:
    """A job the workers run at the moments of a cron expression, one worker per moment."""

    name: str
    expression: str
    run: Callable[[JobContext], Awaitable[None]]


def retry_delay(entry: Entrypoint, failed_attempt: int,
                rand: Callable[[], float] = random.random) -> timedelta:
    """The wait after the attempt numbered `failed_attempt` (1 for the first) failed:
    first_retry doubled per attempt, capped at longest_retry, of which a random half to all
    is taken, so that jobs that failed together do not come back together."""
    ceiling = min(entry.first_retry * 2 ** (failed_attempt - 1), entry.longest_retry)
    return ceiling * (0.5 + 0.5 * rand())


@dataclasses.dataclass
class _Executor(AbstractEntrypointExecutor):
    """Runs an entrypoint as pgqueuer's executor: a failure asks pgqueuer to retry after the
    backoff until the last attempt, whose failure pgqueuer then holds as `failed`."""

    entry: Entrypoint
    context: JobContext
    releasing: Callable[[], bool]

    async def execute(self, job: models.Job, context: models.Context) -> None:
        run = JobRun(job.id, job.entrypoint, job.attempts + 1, decode(job.payload))
        try:
            # The worker cancels this scope to release the job when it stops.
            with context.cancellation:
                await self.entry.run(self.context, run)
        except Exception as exc:
            if run.attempt >= self.entry.max_attempts:
                raise
            raise RetryRequested(delay=retry_delay(self.entry, run.attempt),
                                 reason=f"{type(exc).__name__}: {exc}") from exc
        if context.cancellation.cancel_called and self.releasing():
            # Back to the queue at once, for this worker's successor; it counts as an attempt.
            raise RetryRequested(delay=timedelta(0), reason="released: its worker stopped")


class Worker:
    """Runs jobs and schedules until told to stop; several may run against one database."""

    def __init__(self, url: str, context: JobContext, entrypoints: Sequence[Entrypoint],
                 schedules: Sequence[Schedule], *, concurrency: int = 10,
                 heartbeat_timeout: float = 30, shutdown_grace: float = 30,
                 services: Sequence[Callable[[JobContext, asyncio.Event], Awaitable[None]]] = (),
                 ) -> None:
        self.url, self.context = url, context
        self.entrypoints, self.schedules = tuple(entrypoints), tuple(schedules)
        self.concurrency = concurrency
        self.heartbeat_timeout = timedelta(seconds=heartbeat_timeout)
        self.shutdown_grace = shutdown_grace
        self._releasing = False
        # Loops beside the queue, until the worker stops: the webhook dispatcher's listener.
        self.services = tuple(services)

    def _build(self, connection: asyncpg.Connection) -> PgQueuer:
        driver = AsyncpgDriver(connection)
        pgq = PgQueuer(driver, channel=QUEUE.channel, queries=queries(driver))
        for entry in self.entrypoints:
            pgq.entrypoint(
                entry.name, concurrency_limit=entry.concurrency_limit, on_failure="hold",
                accepts_context=True,
                executor_factory=lambda parameters, entry=entry: _Executor(
                    parameters, entry, self.context, lambda: self._releasing))(_unused)
        for schedule in self.schedules:
            async def fire(_: models.Schedule, schedule: Schedule = schedule) -> None:
                await schedule.run(self.context)
            pgq.schedule(schedule.name, schedule.expression, accepts_context=False)(fire)
        return pgq

    async def run(self, stop: asyncio.Event) -> None:
        """Work until `stop` is set, then stop gracefully."""
        connection = await asyncpg.connect(libpq_url(self.url),
                                           server_settings={"application_name": "crm worker"})
        try:
            await check_queue(connection)
            pgq = self._build(connection)
            beside = [asyncio.create_task(service(self.context, stop)) for service in self.services]
            log.info("worker started: %d entrypoints, schedules %s", len(self.entrypoints),
                     ", ".join(f"{s.name} ({s.expression})" for s in self.schedules) or "none")
            try:
                await self._until_stopped(pgq, stop)
            finally:
                for task in beside:
                    task.cancel()
                await asyncio.gather(*beside, return_exceptions=True)
        finally:
            await connection.close()

    async def _until_stopped(self, pgq: PgQueuer, stop: asyncio.Event) -> None:
        batch = max(1, self.concurrency // 2)  # pgqueuer wants twice a batch in flight
        runner = asyncio.create_task(pgq.run(
            batch_size=batch, max_concurrent_tasks=2 * batch,
            # A delayed job (a webhook's retry in 5 s) is due without any notification: the
            # queue is looked at every second, not pgqueuer's default 30.
            dequeue_timeout=timedelta(seconds=1),
            heartbeat_timeout=self.heartbeat_timeout))
        stopped = asyncio.create_task(stop.wait())
        await asyncio.wait({runner, stopped}, return_when=asyncio.FIRST_COMPLETED)
        stopped.cancel()
        if not runner.done():
            log.info("worker stopping: waiting up to %s s for %d running jobs",
                     self.shutdown_grace, len(pgq.qm.job_context))
            pgq.shutdown.set()
            await asyncio.wait({runner}, timeout=self.shutdown_grace)
        if not runner.done():
            self._releasing = True
            log.warning("worker stopping: releasing %d running jobs to the queue",
                        len(pgq.qm.job_context))
            for job_context in list(pgq.qm.job_context.values()):
                job_context.cancellation.cancel()
            await asyncio.wait({runner}, timeout=10)
        if runner.done():
            await runner  # raises what stopped it, if anything did
        else:
            runner.cancel()  # a schedule still running: its next moment runs it again
            with contextlib.suppress(asyncio.CancelledError):
                await runner
        log.info("worker stopped")


async def _unused(job: models.Job, context: models.Context) -> None:
    """pgqueuer registers a function per entrypoint; _Executor runs the Entrypoint instead."""
    raise AssertionError("not called")  # pragma: no cover

