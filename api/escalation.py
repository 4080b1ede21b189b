"""The escalation job: the server runs escalation every few seconds, as the System actor."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncEngine

from auth.grants import access_for
from domain.access import SYSTEM, Role
from domain.services.escalation import EscalationRun, escalate
from persistence.uow import UnitOfWork

log = logging.getLogger("crm.escalation")
SYSTEM_ACCESS = access_for(Role.ADMIN, SYSTEM)


class EscalationJob:
    """Runs escalation now and then, each case in its own transaction; runs never overlap."""

    def __init__(self, engine: AsyncEngine, clock: Callable[[], datetime],
                 interval: float) -> None:
        self.engine, self.clock, self.interval = engine, clock, interval

    async def run_once(self) -> EscalationRun:
        return await escalate(UnitOfWork(self.engine, SYSTEM_ACCESS), self.clock())

    async def run_forever(self) -> None:
        while True:
            try:
                run = await self.run_once()
                if run.at_risk or run.breached or run.failed:
                    log.info("escalation: %d at risk, %d breached, %d failed", run.at_risk,
                             run.breached, run.failed)
            except Exception:  # a failed run must not stop the next one
                log.exception("escalation run failed")
            await asyncio.sleep(self.interval)
