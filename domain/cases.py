"""Service cases: what a customer asked, how it moves, and the work done on it."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from domain.errors import DomainError, ErrorCode, Problems
from domain.values import clean_text

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


def check_transition(current: str, target: str) -> None:
    """Refuse a move the state machine does not allow, with INVALID_TRANSITION."""
    if CaseStatus(target) not in TRANSITIONS[CaseStatus(current)]:
        allowed = ", ".join(sorted(TRANSITIONS[CaseStatus(current)])) or "none"
        raise DomainError.one("status", ErrorCode.INVALID_TRANSITION,
                              f"A case cannot go from {current} to {target} (allowed: "
                              f"{allowed}).")


def reopens_in_place(status: str, resolved_at: datetime | None, now: datetime) -> bool:
    """A resolved case reopens itself within the window; otherwise a follow-up opens."""
    return (status == CaseStatus.RESOLVED and resolved_at is not None
            and now - resolved_at <= REOPEN_WINDOW)


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
    problems.check({"body": body}, clean, "body",
                   lambda v: clean_text(v, "body", required=True, limit=20_000))
    problems.check({"visibility": visibility}, clean, "visibility",
                   lambda v: Visibility(v or Visibility.INTERNAL).value)
    problems.require({"body": body}, "body")
    problems.raise_if_any()
    return clean
