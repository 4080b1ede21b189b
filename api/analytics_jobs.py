"""The analytics refresh (persistence/analytics_refresh.py) in a transaction of its own, with
the settings' currency, discount rate and margin. The worker runs it on CRM_ANALYTICS_SCHEDULE;
`crm analytics refresh` (api/cli_analytics.py) runs it now."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncEngine

from api.settings import Settings
from api.worker import JobContext
from domain.lifetime_valuation import LifetimeSettings
from persistence import analytics_refresh
from persistence.analytics_refresh import Refreshed
from persistence.db import Transaction

log = logging.getLogger("crm.analytics")


async def refresh(engine: AsyncEngine, settings: Settings, now: datetime) -> Refreshed:
    async with Transaction(engine) as tx:
        refreshed = await analytics_refresh.refresh(
            tx.driver_connection, settings.crm_reporting_currency, now,
            LifetimeSettings(settings.crm_clv_monthly_discount, settings.crm_analytics_margin))
        await tx.commit()
    return refreshed


def refresh_job(settings: Settings):
    """The worker's scheduled refresh."""
    async def refresh_analytics(context: JobContext) -> None:
        refreshed = await refresh(context.engine, settings, context.clock())
        log.info("analytics: %s", refreshed.summary())
    return refresh_analytics
