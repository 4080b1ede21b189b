"""The analytics refresh (persistence/analytics_refresh.py) in a transaction of its own, with
the settings' currency, discount rate and margin. The worker runs it on CRM_ANALYTICS_SCHEDULE;
`crm analytics refresh` (api/cli_analytics.py) runs it now. The purchase roll-ups' differences
are summed up (persistence/purchase_rollups.py) every COMPACT_SCHEDULE."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncEngine

from api.settings import Settings
from api.worker import JobContext
from domain.lifetime_valuation import LifetimeSettings
from persistence import analytics_refresh, purchase_rollups
from persistence.analytics_refresh import Refreshed
from persistence.db import Transaction
from persistence.summaries import replica_snapshot

log = logging.getLogger("crm.analytics")
# Each order write appends about a dozen differences; summed every ten minutes, the roll-ups a
# query adds up stay a few thousand rows.
COMPACT_SCHEDULE = "*/10 * * * *"


async def refresh(engine: AsyncEngine, settings: Settings, now: datetime) -> Refreshed:
    async with replica_snapshot(settings.database_replica_url) as source, \
            Transaction(engine) as tx:
        refreshed = await analytics_refresh.refresh(
            tx.driver_connection, settings.crm_reporting_currency, now,
            LifetimeSettings(settings.crm_clv_monthly_discount, settings.crm_analytics_margin),
            source)
        await tx.commit()
    return refreshed


def refresh_job(settings: Settings):
    """The worker's scheduled refresh."""
    async def refresh_analytics(context: JobContext) -> None:
        refreshed = await refresh(context.engine, settings, context.clock())
        log.info("analytics: %s", refreshed.summary())
    return refresh_analytics


async def compact_job(context: JobContext) -> None:
    """The worker's scheduled summing of the purchase roll-ups."""
    async with Transaction(context.engine) as tx:
        summed = await purchase_rollups.compact(tx.driver_connection)
        await tx.commit()
    log.info("purchase roll-ups: %d rows summed", summed)
