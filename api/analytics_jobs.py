"""The analytics refresh: RFM scores of every contact and account, recomputed from their
orders in one transaction. The worker runs it on CRM_ANALYTICS_SCHEDULE; `crm analytics
refresh` (api/cli_analytics.py) runs it now."""

from __future__ import annotations

import logging
import time
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncEngine

from api.settings import Settings
from api.worker import JobContext
from persistence import rfm
from persistence.db import Transaction

log = logging.getLogger("crm.analytics")


async def refresh(engine: AsyncEngine, currency: str, now: datetime) -> dict[str, int]:
    """Recompute the scores as of `now` (to the second, as they are shown); the number of
    customers scored, by record type."""
    async with Transaction(engine) as tx:
        scored = await rfm.refresh(tx.driver_connection, currency, now.replace(microsecond=0))
        await tx.commit()
    return scored


def refresh_job(settings: Settings):
    """The worker's scheduled refresh."""
    async def refresh_analytics(context: JobContext) -> None:
        started = time.perf_counter()
        scored = await refresh(context.engine, settings.crm_reporting_currency, context.clock())
        log.info("analytics: RFM of %s in %.1fs", counts(scored), time.perf_counter() - started)
    return refresh_analytics


def counts(scored: dict[str, int]) -> str:
    return ", ".join(f"{n:,} {kind.lower()}s" for kind, n in scored.items())
