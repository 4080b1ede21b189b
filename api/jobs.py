"""Every job the worker runs, in one explicit list: the entrypoints that
persistence.jobs.enqueue names, and the schedules. A new kind of job is added here and
nowhere else; `build_worker` makes the worker that `crm worker` and `crm serve --worker` run.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from api.analytics_jobs import COMPACT_SCHEDULE, compact_job, refresh_job
from api.context import utc_now
from api.duplicate_jobs import rescan_duplicates
from api.escalation import run_escalation
from api.feed_consumers import notify_followers
from api.import_jobs import RUN_IMPORT, run_import_job
from api.settings import ConfigError, Settings
from api.survey_jobs import SCHEDULE as SURVEY_SCHEDULE
from api.survey_jobs import invite_job
from api.webhooks import WebhookConfig, deliver, delivery_client, listen_and_dispatch, sweep
from api.worker import Entrypoint, JobContext, Schedule, Worker
from auth.keys import KeyConfigError, load_configured_key, load_or_create_key
from persistence import changes
from persistence.db import libpq_url
from persistence.feed_listener import FeedListener
from persistence.jobs import prune_log
from persistence.webhook_store import DELIVER

log = logging.getLogger("crm.worker")

# Each with its attempts and backoff (api/worker.py's Entrypoint). A webhook delivery
# schedules its own next attempt (domain/webhooks.py's RETRY_DELAYS); the worker's retries
# only cover a job that failed to record its attempt, such as on a lost database connection.
ENTRYPOINTS: tuple[Entrypoint, ...] = (
    Entrypoint(DELIVER, deliver, max_attempts=10, first_retry=timedelta(seconds=1),
               longest_retry=timedelta(minutes=5)),
    # An import uses both cores: one at a time per worker's queue, each retry resuming.
    Entrypoint(RUN_IMPORT, run_import_job, max_attempts=3, first_retry=timedelta(seconds=5),
               concurrency_limit=1),
)


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
             Schedule("crm.notifications.changes", "*/5 * * * * *", notify_followers),
             Schedule("crm.duplicates.rescan", "*/30 * * * * *", rescan_duplicates),
             Schedule("crm.surveys.invite", SURVEY_SCHEDULE, invite_job),
             Schedule("crm.analytics.compact", COMPACT_SCHEDULE, compact_job),
             Schedule("crm.webhooks.sweep", settings.crm_webhook_sweep_schedule, sweep)]
    if settings.crm_analytics_schedule.lower() != "off":
        found.append(Schedule("crm.analytics.refresh", settings.crm_analytics_schedule,
                              refresh_job(settings)))
    if settings.escalation_schedule:
        found.append(Schedule("crm.escalation", settings.escalation_schedule, run_escalation))
    return tuple(found)


def signing_key(settings: Settings):
    """The configured signing key, the root that seals webhook secrets."""
    try:
        return (load_configured_key(settings.crm_jwt_private_key) if settings.crm_jwt_private_key
                else load_or_create_key(Path(settings.crm_home)))
    except KeyConfigError as exc:
        raise ConfigError(f"Configuration error:\n  {exc}") from None


def build_worker(settings: Settings, url: str, engine: AsyncEngine, *,
                 clock: Callable[[], datetime] = utc_now,
                 entrypoints: Sequence[Entrypoint] = ENTRYPOINTS,
                 extra_schedules: Sequence[Schedule] = ()) -> Worker:
    """The worker of these settings over `url`; its jobs write through `engine`. Tests add
    entrypoints and schedules of their own."""
    config = WebhookConfig(signing_key(settings), settings.webhook_rules,
                           settings.crm_webhook_timeout,
                           delivery_client(settings.crm_webhook_timeout))

    async def dispatcher(context: JobContext, stop) -> None:
        feed = FeedListener(libpq_url(url))
        await feed.start()
        try:
            await listen_and_dispatch(context, feed, stop)
        finally:
            await feed.stop()
            # Services stop after the jobs have: no delivery uses the client any more.
            await config.http.aclose()

    return Worker(url, JobContext(engine, clock, config), entrypoints,
                  (*schedules(settings), *extra_schedules), services=(dispatcher,),
                  concurrency=settings.crm_worker_concurrency,
                  heartbeat_timeout=settings.crm_worker_heartbeat_timeout,
                  shutdown_grace=settings.crm_worker_shutdown_grace)
