"""`crm analytics refresh`: recompute RFM and lifetime value now, as the worker's schedule
does; `crm analytics rebuild`: sum every order into the purchase roll-ups anew."""

from __future__ import annotations

import asyncio

from api.analytics_jobs import refresh
from api.app import database_url
from api.context import utc_now
from api.settings import Settings
from persistence import purchase_rollups
from persistence.analytics_refresh import Refreshed
from persistence.db import Transaction, make_engine


def cmd_refresh(args, settings: Settings) -> None:
    async def run() -> Refreshed:
        engine = make_engine(database_url(settings), pool_size=1)
        try:
            return await refresh(engine, settings, utc_now())
        finally:
            await engine.dispose()

    print(f"analytics ({settings.crm_reporting_currency}): {asyncio.run(run()).summary()}")


def cmd_rebuild(args, settings: Settings) -> None:
    async def run() -> int:
        engine = make_engine(database_url(settings), pool_size=1)
        try:
            async with Transaction(engine) as tx:
                await purchase_rollups.rebuild(tx.driver_connection)
                await tx.commit()
                return await tx.driver_connection.fetchval("SELECT count(*) FROM purchase_rollup")
        finally:
            await engine.dispose()

    print(f"purchase roll-ups rebuilt: {asyncio.run(run()):,} sums")


def add_commands(sub) -> None:
    analytics = sub.add_parser("analytics", help="customer analytics")
    actions = analytics.add_subparsers(dest="action", required=True)
    refresh_cmd = actions.add_parser("refresh", help="recompute the RFM scores and the "
                                                     "lifetime value of every customer now")
    refresh_cmd.set_defaults(run=cmd_refresh)
    rebuild_cmd = actions.add_parser("rebuild", help="sum every order into the purchase "
                                                     "roll-ups anew, after a load that "
                                                     "bypassed their triggers")
    rebuild_cmd.set_defaults(run=cmd_rebuild)
