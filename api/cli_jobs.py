"""The `crm` commands of the background jobs: the worker, and the failed jobs."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Sequence
from datetime import UTC

import asyncpg

from api.app import database_url
from api.jobs import ENTRYPOINTS, build_worker
from api.settings import Settings
from api.worker import Entrypoint, Schedule
from persistence.db import libpq_url, make_engine
from persistence.jobs import check_queue, failed_jobs, retry_failed


async def run_worker(settings: Settings, *, entrypoints: Sequence[Entrypoint] = ENTRYPOINTS,
                     extra_schedules: Sequence[Schedule] = ()) -> None:
    """Run a worker until SIGTERM or SIGINT, then stop it gracefully."""
    url = database_url(settings)
    engine = make_engine(url, pool_size=settings.crm_db_pool_size,
                         statement_timeout_ms=settings.crm_statement_timeout_ms)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    try:
        await build_worker(settings, url, engine, entrypoints=entrypoints,
                           extra_schedules=extra_schedules).run(stop)
    finally:
        await engine.dispose()


def cmd_worker(args, settings: Settings) -> None:
    asyncio.run(run_worker(settings))


async def _on_connection(settings: Settings, work):
    connection = await asyncpg.connect(libpq_url(database_url(settings)))
    try:
        await check_queue(connection)
        return await work(connection)
    finally:
        await connection.close()


def cmd_jobs_failed(args, settings: Settings) -> None:
    jobs = asyncio.run(_on_connection(settings, lambda c: failed_jobs(c, args.limit)))
    if not jobs:
        print("no failed jobs")
        return
    print("id\tentrypoint\tattempts\tfailed at\tlast error")
    for job in jobs:
        when = job.failed_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        error = " ".join(job.error.split())  # one line per job
        print(f"{job.id}\t{job.entrypoint}\t{job.attempts}\t{when}\t{error}")


def cmd_jobs_retry(args, settings: Settings) -> None:
    entrypoint = asyncio.run(_on_connection(settings, lambda c: retry_failed(c, args.id)))
    print(f"job {args.id} ({entrypoint}) queued again, from its first attempt")


def add_commands(sub) -> None:
    """Add worker and jobs to the `crm` parser."""
    sub.add_parser("worker", help="run background jobs and schedules until SIGTERM or SIGINT"
                   ).set_defaults(run=cmd_worker)
    jobs = sub.add_parser("jobs", help="background jobs").add_subparsers(
        dest="action", required=True)
    failed = jobs.add_parser("failed", help="the jobs that failed their last attempt")
    failed.add_argument("--limit", type=int, default=100, help="at most this many (default 100)")
    failed.set_defaults(run=cmd_jobs_failed)
    retry = jobs.add_parser("retry", help="queue a failed job again, from its first attempt")
    retry.add_argument("id", type=int)
    retry.set_defaults(run=cmd_jobs_retry)
