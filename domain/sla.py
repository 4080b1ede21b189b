"""Service-level agreements: which policy a case falls under, its due times, escalation."""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from domain.business_time import BusinessCalendar, parse_calendar
from domain.cases import CasePriority
from domain.errors import DomainError, ErrorCode, Problems
from domain.values import clean_text

MAX_TARGET_MINUTES = 365 * 24 * 60


class Metric(StrEnum):
    FIRST_RESPONSE = "FIRST_RESPONSE"
    RESOLUTION = "RESOLUTION"


class Level(StrEnum):
    AT_RISK = "AT_RISK"
    BREACHED = "BREACHED"


class BreachAction(StrEnum):
    """What escalation does when a target is breached, besides flagging the case."""

    RAISE_PRIORITY = "RAISE_PRIORITY"
    REASSIGN = "REASSIGN"
    NONE = "NONE"


# field of the case -> (metric, level) it marks the moment of
MOMENTS = {"firstResponseRiskAt": (Metric.FIRST_RESPONSE, Level.AT_RISK),
           "firstResponseDueAt": (Metric.FIRST_RESPONSE, Level.BREACHED),
           "resolutionRiskAt": (Metric.RESOLUTION, Level.AT_RISK),
           "resolutionDueAt": (Metric.RESOLUTION, Level.BREACHED)}


@dataclass(frozen=True)
class Target:
    first_response: int  # business minutes
    resolution: int


@dataclass(frozen=True)
class SlaPolicy:
    id: uuid.UUID
    calendar: BusinessCalendar
    targets: dict[str, Target]  # by priority
    at_risk_percent: int
    breach_action: BreachAction
    escalation_queue: uuid.UUID | None
    escalation_user: uuid.UUID | None

    def due_times(self, priority: str, opened_at: datetime,
                  paused_minutes: int) -> dict[str, datetime | None]:
        """Where each target falls, and where its at-risk moment falls, in business time.

        Minutes spent pending the customer do not count, so they push every moment back.
        """
        target = self.targets.get(priority)
        if target is None:
            return dict.fromkeys(MOMENTS)

        def after(minutes: int) -> datetime:
            return self.calendar.add_minutes(opened_at, minutes + paused_minutes)

        def risk(minutes: int) -> datetime:
            return after(math.ceil(minutes * self.at_risk_percent / 100))

        return {"firstResponseRiskAt": risk(target.first_response),
                "firstResponseDueAt": after(target.first_response),
                "resolutionRiskAt": risk(target.resolution),
                "resolutionDueAt": after(target.resolution)}


# The seed computes due times without a case: due_times(policy, priority, opened, paused).
due_times = SlaPolicy.due_times


def reached(case: dict, now: datetime, recorded: set[tuple[str, str]]
            ) -> list[tuple[datetime, Metric, Level]]:
    """The moments (when, metric, level) a running case has passed and not yet recorded,
    earliest first.

    A first response already given, or a case resolved, stops its metric's clock.
    """
    stopped = {Metric.FIRST_RESPONSE: case.get("firstResponseAt") is not None,
               Metric.RESOLUTION: case.get("resolvedAt") is not None}
    found = [(case[field], metric, level) for field, (metric, level) in MOMENTS.items()
             if case.get(field) is not None and case[field] <= now and not stopped[metric]
             and (metric, level) not in recorded]
    return sorted(found, key=lambda m: m[0])


def _targets(raw: list[dict], problems: Problems) -> list[dict]:
    seen, clean = set(), []
    for i, item in enumerate(raw):
        at = f"targets[{i}]"
        priority = item.get("priority")
        if priority in seen:
            problems.add(f"{at}.priority", ErrorCode.INVALID, "One target per priority.")
        seen.add(priority)
        minutes = [item.get("firstResponseMinutes"), item.get("resolutionMinutes")]
        for field, value in zip(("firstResponseMinutes", "resolutionMinutes"), minutes,
                                strict=True):
            if not isinstance(value, int) or not 0 < value <= MAX_TARGET_MINUTES:
                problems.add(f"{at}.{field}", ErrorCode.INVALID,
                             "A target is a positive number of business minutes.")
        clean.append({"priority": CasePriority(priority).value,
                      "firstResponseMinutes": minutes[0], "resolutionMinutes": minutes[1]})
    return clean


def validate_sla_policy(values: dict, *, creating: bool) -> dict:
    problems, clean = Problems(), {}
    problems.check(values, clean, "name",
                   lambda v: clean_text(v, "name", required=True, limit=200))
    problems.check(values, clean, "accountTier",
                   lambda v: clean_text(v, "accountTier", limit=40))
    problems.check(values, clean, "active", lambda v: bool(v) if v is not None else True)
    problems.check(values, clean, "breachAction",
                   lambda v: BreachAction(v or BreachAction.NONE).value)
    for field in ("calendar", "product", "escalationQueue", "escalationUser", "position"):
        if field in values:
            clean[field] = values[field]
    if "atRiskPercent" in values:
        percent = values["atRiskPercent"]
        if percent is None or not 1 <= percent <= 99:
            problems.add("atRiskPercent", ErrorCode.INVALID, "At risk runs from 1 to 99 %.")
        clean["atRiskPercent"] = percent
    if "targets" in values:
        clean["targets"] = _targets(values["targets"] or [], problems)
    if creating:
        clean.setdefault("breachAction", BreachAction.NONE.value)
        problems.require(values, "name", "calendar")
        if not values.get("targets"):
            problems.add("targets", ErrorCode.REQUIRED, "A policy has a target per priority.")
    problems.raise_if_any()
    return clean


def validate_calendar(values: dict, *, creating: bool, stored: dict | None = None) -> dict:
    """Name, zone, hours and holidays; the whole calendar they make up must hold together."""
    problems, clean = Problems(), {}
    problems.check(values, clean, "name",
                   lambda v: clean_text(v, "name", required=True, limit=200))
    for field in ("timeZone", "hours", "holidays"):
        if field in values:
            clean[field] = values[field] if field == "timeZone" else list(values[field] or [])
    if creating:
        problems.require(values, "name", "timeZone")
    merged = {**(stored or {}), **clean}
    try:
        parse_calendar(merged.get("timeZone"), merged.get("hours") or [],
                       merged.get("holidays") or [])
    except DomainError as exc:
        problems.absorb(exc)
    problems.raise_if_any()
    return clean
