"""Service cases: what a customer asked, how it moves, and the work done on it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from domain.business_time import ALWAYS
from domain.comments import validate_body
from domain.errors import DomainError, ErrorCode, Problems
from domain.values import clean_text

if TYPE_CHECKING:  # domain.sla imports this module for CasePriority
    from domain.sla import SlaPolicy

REOPEN_WINDOW = timedelta(days=7)
MAX_TIME_ENTRY_MINUTES = 24 * 60


class CaseType(StrEnum):
    QUESTION = "QUESTION"
    PROBLEM = "PROBLEM"
    FEATURE_REQUEST = "FEATURE_REQUEST"
    COMPLAINT = "COMPLAINT"


class CasePriority(StrEnum):
    LOW = "LOW"
    NORMAL = "NORMAL"
    HIGH = "HIGH"
    URGENT = "URGENT"

    def raised(self) -> CasePriority:
        order = list(CasePriority)
        return order[min(order.index(self) + 1, len(order) - 1)]


class CaseStatus(StrEnum):
    NEW = "NEW"
    OPEN = "OPEN"
    PENDING_CUSTOMER = "PENDING_CUSTOMER"
    ON_HOLD = "ON_HOLD"
    RESOLVED = "RESOLVED"
    CLOSED = "CLOSED"


class CaseChannel(StrEnum):
    EMAIL = "EMAIL"
    PHONE = "PHONE"
    WEB = "WEB"
    CHAT = "CHAT"
    PORTAL = "PORTAL"
    SOCIAL = "SOCIAL"


class Visibility(StrEnum):
    """Who reads a message on a case: staff only, or the customer too."""

    INTERNAL = "INTERNAL"
    CUSTOMER = "CUSTOMER"


_WORKING = {CaseStatus.OPEN, CaseStatus.PENDING_CUSTOMER, CaseStatus.ON_HOLD,
            CaseStatus.RESOLVED, CaseStatus.CLOSED}
# status -> the statuses it may move to. RESOLVED -> OPEN is a reopening: within
# REOPEN_WINDOW the case itself reopens, later a linked follow-up case opens instead, as it
# does for a CLOSED case.
TRANSITIONS = {
    CaseStatus.NEW: _WORKING,
    CaseStatus.OPEN: _WORKING - {CaseStatus.OPEN},
    CaseStatus.PENDING_CUSTOMER: _WORKING - {CaseStatus.PENDING_CUSTOMER},
    CaseStatus.ON_HOLD: _WORKING - {CaseStatus.ON_HOLD},
    CaseStatus.RESOLVED: {CaseStatus.OPEN, CaseStatus.CLOSED},
    CaseStatus.CLOSED: {CaseStatus.OPEN},
}
DONE = (CaseStatus.RESOLVED, CaseStatus.CLOSED)
REFERENCES = {"contact": "Contact", "account": "Account", "assignee": "User",
              "queue": "CaseQueue", "product": "Product"}


@dataclass(frozen=True)
class CaseLifecycle:
    """A case's status and SLA clock. Each move checks the state machine and returns the
    fields it writes; business minutes count on the policy's calendar, or round the clock."""

    status: CaseStatus
    priority: str
    opened_at: datetime
    paused_since: datetime | None = None  # pending the customer since
    paused_minutes: int = 0
    resolved_at: datetime | None = None
    first_response_at: datetime | None = None
    policy: SlaPolicy | None = None

    @classmethod
    def of(cls, state: Mapping, policy: SlaPolicy | None = None) -> CaseLifecycle:
        """The lifecycle of a stored case, as its store's state() gives it."""
        return cls(CaseStatus(state["status"]), state["priority"], state["openedAt"],
                   state.get("slaPausedSince"), state["slaPausedMinutes"],
                   state.get("resolvedAt"), state.get("firstResponseAt"), policy)

    @classmethod
    def opening(cls, priority: str, opened_at: datetime, policy: SlaPolicy | None) -> dict:
        """The fields a new case starts with: NEW, its policy, and its due times."""
        new = cls(CaseStatus.NEW, priority, opened_at, policy=policy)
        return {"status": CaseStatus.NEW.value, "openedAt": opened_at, "slaPausedMinutes": 0,
                "slaPolicy": policy.id if policy else None} | new.due_times()

    def due_times(self) -> dict:
        """When each SLA target is at risk and due; nothing without a policy."""
        if self.policy is None:
            return {}
        return self.policy.due_times(self.priority, self.opened_at, self.paused_minutes)

    def elapsed(self, now: datetime) -> int:
        """Business minutes the case has run: since it opened, less the time it was paused."""
        end = self.paused_since or now
        return max(0, self._minutes(self.opened_at, end) - self.paused_minutes)

    def check_move(self, target: str) -> CaseStatus:
        """Refuse a move the state machine does not allow, with INVALID_TRANSITION."""
        allowed = TRANSITIONS[self.status]
        if CaseStatus(target) not in allowed:
            raise DomainError.one("status", ErrorCode.INVALID_TRANSITION,
                                  f"A case cannot go from {self.status} to {target} (allowed: "
                                  f"{', '.join(sorted(allowed)) or 'none'}).")
        return CaseStatus(target)

    def follows_up(self, target: str, now: datetime) -> bool:
        """Whether reopening opens a linked follow-up case instead of this one: a closed case,
        or one resolved longer than REOPEN_WINDOW ago. The move is checked first."""
        if self.check_move(target) is not CaseStatus.OPEN or self.status not in DONE:
            return False
        return not (self.status is CaseStatus.RESOLVED and self.resolved_at is not None
                    and now - self.resolved_at <= REOPEN_WINDOW)

    def move_to(self, target: str, now: datetime) -> dict:
        """The fields moving to `target` writes: the status, its timestamps, the SLA clock
        paused, resumed or stopped. A reopening that follows_up does not come here."""
        status = self.check_move(target)
        changes: dict = {"status": status.value}
        case = self
        if self.status is CaseStatus.PENDING_CUSTOMER and self.paused_since:
            changes |= self._resumed(self.paused_since, now)
        elif self.status is CaseStatus.RESOLVED and status is CaseStatus.OPEN:
            changes |= self._resumed(self.resolved_at, now)
            changes |= {"resolvedAt": None, "resolutionMinutes": None}
        if "slaPausedMinutes" in changes:
            case = replace(self, paused_since=None, paused_minutes=changes["slaPausedMinutes"])
        if status is CaseStatus.PENDING_CUSTOMER:
            changes["slaPausedSince"] = now
        if status in DONE and self.resolved_at is None:
            changes |= {"resolvedAt": now,
                        "resolutionMinutes": replace(case, paused_since=None).elapsed(now)}
        if status is CaseStatus.CLOSED:
            changes["closedAt"] = now
        return changes

    def check_takes_messages(self) -> None:
        if self.status is CaseStatus.CLOSED:
            raise DomainError.one("case", ErrorCode.INVALID,
                                  "A closed case takes no messages; reopen it.")

    def customer_replied(self, now: datetime) -> dict:
        """A customer's message takes a case pending the customer back to OPEN."""
        if self.status is not CaseStatus.PENDING_CUSTOMER:
            return {}
        return self.move_to(CaseStatus.OPEN, now)

    def staff_responded(self, now: datetime) -> dict:
        """The first customer-visible message from staff is the first response; it opens a
        NEW case."""
        if self.first_response_at is not None:
            return {}
        changes = {"firstResponseAt": now, "firstResponseMinutes": self.elapsed(now)}
        if self.status is CaseStatus.NEW:
            changes["status"] = CaseStatus.OPEN.value
        return changes

    def _minutes(self, start: datetime, end: datetime) -> int:
        return (self.policy.calendar if self.policy else ALWAYS).minutes_between(start, end)

    def _resumed(self, since: datetime, now: datetime) -> dict:
        """The clock runs again: the minutes since `since` no longer count."""
        paused = self.paused_minutes + self._minutes(since, now)
        resumed = replace(self, paused_since=None, paused_minutes=paused)
        return {"slaPausedSince": None, "slaPausedMinutes": paused} | resumed.due_times()


def validate_case(values: dict, *, creating: bool) -> dict:
    """A case's own fields; every problem is reported at once."""
    problems, clean = Problems(), {}
    problems.check(values, clean, "subject",
                   lambda v: clean_text(v, "subject", required=True, limit=300))
    problems.check(values, clean, "description",
                   lambda v: clean_text(v, "description", limit=20_000))
    problems.check(values, clean, "type", lambda v: CaseType(v or CaseType.QUESTION).value)
    problems.check(values, clean, "priority",
                   lambda v: CasePriority(v or CasePriority.NORMAL).value)
    problems.check(values, clean, "channel", lambda v: CaseChannel(v or CaseChannel.WEB).value)
    for field in REFERENCES:
        if field in values:
            clean[field] = values[field]
    if creating:
        for field, default in (("type", CaseType.QUESTION), ("priority", CasePriority.NORMAL),
                               ("channel", CaseChannel.WEB)):
            if clean.get(field) is None:
                clean[field] = default.value
        problems.require(values, "subject")
        if not clean.get("contact") and not clean.get("account"):
            problems.add("contact", ErrorCode.REQUIRED, "A case is for a contact or an account.")
    problems.raise_if_any()
    return clean


def validate_time_entry(minutes: int, note: str | None) -> dict:
    problems = Problems()
    if not isinstance(minutes, int) or not 0 < minutes <= MAX_TIME_ENTRY_MINUTES:
        problems.add("minutes", ErrorCode.INVALID,
                     f"Time spent is more than 0 and at most {MAX_TIME_ENTRY_MINUTES} minutes.")
    clean = {"minutes": minutes}
    problems.check({"note": note}, clean, "note", lambda v: clean_text(v, "note", limit=2000))
    problems.raise_if_any()
    return clean


def validate_queue(values: dict, *, creating: bool) -> dict:
    problems, clean = Problems(), {}
    problems.check(values, clean, "name",
                   lambda v: clean_text(v, "name", required=True, limit=100))
    problems.check(values, clean, "description",
                   lambda v: clean_text(v, "description", limit=2000))
    problems.check(values, clean, "active", lambda v: bool(v) if v is not None else True)
    if creating:
        problems.require(values, "name")
    problems.raise_if_any()
    return clean


def validate_reply(body, visibility) -> dict:
    problems, clean = Problems(), {}
    problems.check({"body": body}, clean, "body", validate_body)
    problems.check({"visibility": visibility}, clean, "visibility",
                   lambda v: Visibility(v or Visibility.INTERNAL).value)
    problems.require({"body": body}, "body")
    problems.raise_if_any()
    return clean
