"""Escalation: flag running cases before they breach, and act when they do.

Each moment (a metric at risk, a metric breached) is recorded once per case, so a run that
finds nothing new changes nothing: running the job twice is the same as running it once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.cases import CasePriority
from domain.ports import UnitOfWork
from domain.services.cases import TYPE, policy_of, sla_moments
from domain.services.records import update_audited
from domain.sla import BreachAction, Level, SlaPolicy, reached

BATCH = 500


@dataclass
class EscalationRun:
    """What one run did."""

    cases: int = 0
    at_risk: int = 0
    breached: int = 0


def _breach(policy: SlaPolicy, state: dict) -> tuple[str | None, dict]:
    """What the policy does at a breach: raise the priority (its targets then apply from the
    case's opening) or hand the case to the escalation queue and user."""
    if policy.breach_action is BreachAction.RAISE_PRIORITY:
        raised = CasePriority(state["priority"]).raised().value
        if raised == state["priority"]:
            return None, {}
        changes = {"priority": raised}
        return f"priority raised to {raised}", changes | sla_moments(policy, {**state, **changes})
    if policy.breach_action is BreachAction.REASSIGN:
        changes = {f: v for f, v in (("queue", policy.escalation_queue),
                                     ("assignee", policy.escalation_user)) if v is not None}
        return ("reassigned" if changes else None), changes
    return None, {}


async def escalate(uow: UnitOfWork, now: datetime, limit: int = BATCH) -> EscalationRun:
    """One run over the cases with a passed, unrecorded moment, in one transaction."""
    run = EscalationRun()
    async with uow:
        for case_id in await uow.sla.due_cases(now, limit):
            state = await uow.cases.state(case_id)
            policy = await policy_of(uow, state)
            recorded = await uow.sla.recorded(case_id)
            run.cases += 1
            # A raised priority brings the other moments closer: look again until none is new.
            while policy and (moments := reached(state, now, recorded)):
                moment, metric, level = moments[0]
                action, changes = None, {}
                if level is Level.AT_RISK:
                    changes["atRisk"] = True
                    run.at_risk += 1
                else:
                    action, changes = _breach(policy, state)
                    changes["breached"] = True
                    run.breached += 1
                await update_audited(uow, TYPE, case_id, state, changes,
                                     f"escalation {metric} {level}")
                await uow.sla.record(case_id, moment, metric, level, action)
                state = {**state, **changes}
                recorded.add((metric, level))
        await uow.commit()
    return run
