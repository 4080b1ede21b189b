"""`crm analytics refresh`: recompute the RFM scores now, as the worker's schedule does."""

from __future__ import annotations

import asyncio
import time

from api.analytics_jobs import counts, refresh
from api.app import database_url
from api.context import utc_now
from api.settings import Settings
from persistence.db import make_engine


def cmd_refresh(args, settings: Settings) -> None:
    async def run() -> dict[str, int]:
        engine = make_engine(database_url(settings), pool_size=1)
        try:
            return await refresh(engine, settings.crm_reporting_currency, utc_now())
        finally:
            await engine.dispose()

    started = time.perf_counter()
    scored = asyncio.run(run())
    print(f"analytics: RFM scores of {counts(scored)} in {time.perf_counter() - started:.1f}s "
          f"({settings.crm_reporting_currency})")


def add_commands(sub) -> None:
    analytics = sub.add_parser("analytics", help="customer analytics")
    actions = analytics.add_subparsers(dest="action", required=True)
    refresh_cmd = actions.add_parser("refresh", help="recompute the RFM scores of every "
                                                     "contact and account now")
    refresh_cmd.set_defaults(run=cmd_refresh)
