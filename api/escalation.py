"""Escalation as a schedule of the worker (api/jobs.py): one run at each moment of
CRM_ESCALATION_SCHEDULE, by one worker however many run, as the System actor."""

from __future__ import annotations

import logging

from api.worker import JobContext
from auth.grants import access_for
from domain.access import SYSTEM, Role
from domain.services.escalation import EscalationRun, escalate
from persistence.uow import UnitOfWork

log = logging.getLogger("crm.escalation")
SYSTEM_ACCESS = access_for(Role.ADMIN, SYSTEM)


async def run_escalation(context: JobContext) -> EscalationRun:
    """One escalation run, each case in its own transaction; a case another run holds is
    skipped, so even two runs at once escalate each moment once."""
    run = await escalate(UnitOfWork(context.engine, SYSTEM_ACCESS), context.clock())
    if run.at_risk or run.breached or run.failed:
        log.info("escalation: %d at risk, %d breached, %d failed", run.at_risk, run.breached,
                 run.failed)
    return run
