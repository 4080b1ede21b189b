"""Escalation: flag running cases before they breach, and act when they do.

Each moment (a metric at risk, a metric breached) is recorded once per case, so a run that
finds nothing new changes nothing: running the job twice is the same as running it once.
Each case is escalated in a transaction of its own, so one case that cannot be escalated
(a broken row) never holds back the others.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from domain.cases import CaseLifecycle, CasePriority
from domain.ports import UnitOfWork
from domain.services.cases import TYPE, policy_of
from domain.services.records import update_audited
from domain.sla import BreachAction, Level, SlaPolicy, reached

BATCH = 500
log = logging.getLogger("crm.escalation")


@dataclass
class EscalationRun:
    """What one run did."""

    cases: int = 0
    at_risk: int = 0
    breached: int = 0
    failed: int = 0  # cases that raised; each is logged with its id


def _breach(policy: SlaPolicy, state: dict) -> tuple[str | None, dict]:
    """What the policy does at a breach: raise the priority (its targets then apply from the
    case's opening) or hand the case to the escalation queue and user."""
    if policy.breach_action is BreachAction.RAISE_PRIORITY:
        raised = CasePriority(state["priority"]).raised().value
        if raised == state["priority"]:
            return None, {}
        changes = {"priority": raised}
        due = CaseLifecycle.of({**state, **changes}, policy).due_times()
        return f"priority raised to {raised}", changes | due
    if policy.breach_action is BreachAction.REASSIGN:
        changes = {f: v for f, v in (("queue", policy.escalation_queue),
                                     ("assignee", policy.escalation_user)) if v is not None}
        return ("reassigned" if changes else None), changes
    return None, {}


async def escalate(uow: UnitOfWork, now: datetime, limit: int = BATCH) -> EscalationRun:
    """One run over the cases with a passed, unrecorded moment, each in its own transaction:
    a case that fails is logged and left for the next run, and the others go on."""
    run = EscalationRun()
    tried: set = set()
    while len(tried) < limit:
        case_id = None
        try:
            async with uow:
                due = await uow.sla.due_cases(now, 1, skip=tried)
                if not due:
                    break
                case_id = due[0]
                tried.add(case_id)
                at_risk, breached = await _escalate_case(uow, case_id, now)
                await uow.commit()
        except Exception:
            if case_id is None:
                raise  # no case was picked: the run itself cannot proceed
            log.exception("escalation of case %s failed; it is left for the next run", case_id)
            run.failed += 1
            continue
        run.cases += 1
        run.at_risk += at_risk
        run.breached += breached
    return run


async def _escalate_case(uow: UnitOfWork, case_id, now: datetime) -> tuple[int, int]:
    """Record each passed moment of one locked case and act on it; (at risk, breached)."""
    at_risk = breached = 0
    state = await uow.cases.state(case_id)
    policy = await policy_of(uow, state)
    recorded = await uow.sla.recorded(case_id)
    # A raised priority brings the other moments closer: look again until none is new.
    while policy and (moments := reached(state, now, recorded)):
        moment, metric, level = moments[0]
        action, changes = None, {}
        if level is Level.AT_RISK:
            changes["atRisk"] = True
            at_risk += 1
        else:
            action, changes = _breach(policy, state)
            changes["breached"] = True
            breached += 1
        await update_audited(uow, TYPE, case_id, state, changes, f"escalation {metric} {level}")
        await uow.sla.record(case_id, moment, metric, level, action)
        state = {**state, **changes}
        recorded.add((metric, level))
    return at_risk, breached
