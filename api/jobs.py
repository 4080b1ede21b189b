"""Every job the worker runs, in one explicit list: the entrypoints that
persistence.jobs.enqueue names, and the schedules. A new kind of job is added here and
nowhere else; `build_worker` makes the worker that `crm worker` and `crm serve --worker` run.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from api.context import utc_now
from api.escalation import run_escalation
from api.feed_consumers import notify_followers
from api.settings import Settings
from api.worker import Entrypoint, JobContext, Schedule, Worker
from persistence import changes
from persistence.jobs import prune_log

log = logging.getLogger("crm.worker")

# Webhook deliveries, imports and the like are added here as they come, each with its
# attempts and backoff (api/worker.py's Entrypoint).
ENTRYPOINTS: tuple[Entrypoint, ...] = ()


async def prune_job_log(context: JobContext) -> None:
    """pgqueuer's log of job states, beyond persistence.jobs.LOG_KEPT: deleted, its counts kept."""
    log.info("job log: %d entries pruned", await prune_log(context.engine))


def prune_change_feed(kept: timedelta):
    """The change feed's events beyond CRM_CHANGE_RETENTION_DAYS, deleted."""
    async def prune_feed(context: JobContext) -> None:
        log.info("change feed: %d events pruned", await changes.prune(context.engine, kept))
    return prune_feed


def schedules(settings: Settings) -> tuple[Schedule, ...]:
    """The schedules the settings turn on."""
    found = [Schedule("crm.jobs.prune_log", "17 3 * * *", prune_job_log),
             Schedule("crm.changes.prune", "23 3 * * *", prune_change_feed(
                 timedelta(days=settings.crm_change_retention_days))),
             Schedule("crm.notifications.changes", "*/5 * * * * *", notify_followers)]
    if settings.escalation_schedule:
        found.append(Schedule("crm.escalation", settings.escalation_schedule, run_escalation))
    return tuple(found)


def build_worker(settings: Settings, url: str, engine: AsyncEngine, *,
                 clock: Callable[[], datetime] = utc_now,
                 entrypoints: Sequence[Entrypoint] = ENTRYPOINTS,
                 extra_schedules: Sequence[Schedule] = ()) -> Worker:
    """The worker of these settings over `url`; its jobs write through `engine`. Tests add
    entrypoints and schedules of their own."""
    return Worker(url, JobContext(engine, clock), entrypoints,
                  (*schedules(settings), *extra_schedules),
                  concurrency=settings.crm_worker_concurrency,
                  heartbeat_timeout=settings.crm_worker_heartbeat_timeout,
                  shutdown_grace=settings.crm_worker_shutdown_grace)
