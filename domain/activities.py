"""Activities: calls, logged emails, meetings, tasks and notes on the records they concern."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from domain.errors import DomainError, ErrorCode, Problems
from domain.values import clean_text

MAX_CALL_SECONDS = 24 * 3600


class ActivityKind(StrEnum):
    CALL = "CALL"
    EMAIL = "EMAIL"
    MEETING = "MEETING"
    TASK = "TASK"
    NOTE = "NOTE"
    COMMENT = "COMMENT"  # on any record that takes comments (domain/comments.py)


class Direction(StrEnum):
    INBOUND = "INBOUND"
    OUTBOUND = "OUTBOUND"


class CallOutcome(StrEnum):
    CONNECTED = "CONNECTED"
    VOICEMAIL = "VOICEMAIL"
    NO_ANSWER = "NO_ANSWER"
    WRONG_NUMBER = "WRONG_NUMBER"


class TaskPriority(StrEnum):
    LOW = "LOW"
    NORMAL = "NORMAL"
    HIGH = "HIGH"


class TaskStatus(StrEnum):
    OPEN = "OPEN"
    DONE = "DONE"
    CANCELLED = "CANCELLED"


# The records an activity may concern, by input field.
SUBJECTS = {"contact": "Contact", "account": "Account", "lead": "Lead",
            "opportunity": "Opportunity"}
REFERENCES = {**SUBJECTS, "assignee": "User", "callScript": "CallScript"}
# Fields that only make sense for some kinds.
KIND_FIELDS = {
    "direction": (ActivityKind.CALL, ActivityKind.EMAIL),
    "durationSeconds": (ActivityKind.CALL,),
    "outcome": (ActivityKind.CALL,),
    "callScript": (ActivityKind.CALL,),
    "messageId": (ActivityKind.EMAIL,),
    "startsAt": (ActivityKind.MEETING, ActivityKind.TASK),
    "endsAt": (ActivityKind.MEETING,),
    "location": (ActivityKind.MEETING,),
    "attendees": (ActivityKind.MEETING,),
    "dueAt": (ActivityKind.TASK,),
    "priority": (ActivityKind.TASK,),
    "status": (ActivityKind.TASK,),
    "assignee": (ActivityKind.TASK,),
    "reminderAt": (ActivityKind.TASK,),
}


def _duration(value):
    if value is not None and not 0 <= value <= MAX_CALL_SECONDS:
        raise DomainError.one("durationSeconds", ErrorCode.INVALID,
                              "durationSeconds runs from 0 to a day.")
    return value


def validate_activity(values: dict, *, kind: ActivityKind, creating: bool,
                      stored: dict | None = None) -> dict:
    """Check an activity's fields for its kind; every problem is reported at once."""
    problems, clean = Problems(), {}
    stored = stored or {}
    for field in values:
        if field in KIND_FIELDS and kind not in KIND_FIELDS[field] and values[field] is not None:
            problems.add(field, ErrorCode.INVALID, f"A {kind.value.lower()} has no {field}.")
    problems.check(values, clean, "subject", lambda v: clean_text(v, "subject", limit=300))
    problems.check(values, clean, "body", lambda v: clean_text(v, "body", limit=20_000))
    problems.check(values, clean, "location", lambda v: clean_text(v, "location", limit=300))
    problems.check(values, clean, "messageId", lambda v: clean_text(v, "messageId", limit=300))
    problems.check(values, clean, "direction", lambda v: Direction(v).value if v else None)
    problems.check(values, clean, "outcome", lambda v: CallOutcome(v).value if v else None)
    problems.check(values, clean, "priority",
                   lambda v: TaskPriority(v or TaskPriority.NORMAL).value)
    problems.check(values, clean, "status", lambda v: TaskStatus(v or TaskStatus.OPEN).value)
    problems.check(values, clean, "durationSeconds", _duration)
    for field in ("occurredAt", "startsAt", "endsAt", "dueAt", "reminderAt"):
        if field in values:
            clean[field] = values[field]
    for field in REFERENCES:
        if field in values:
            clean[field] = values[field]
    if "attendees" in values:
        clean["attendees"] = list(dict.fromkeys(values["attendees"] or []))
    _check_times(kind, {**stored, **clean}, problems)
    if creating:
        if not any(clean.get(f) for f in SUBJECTS):
            problems.add("contact", ErrorCode.REQUIRED,
                         "An activity concerns a contact, an account, a lead or a deal.")
        if kind is ActivityKind.TASK and not clean.get("subject"):
            problems.add("subject", ErrorCode.REQUIRED, "A task needs a subject.")
        if kind is ActivityKind.NOTE and not clean.get("body"):
            problems.add("body", ErrorCode.REQUIRED, "A note needs a body.")
    problems.raise_if_any()
    return clean


def _check_times(kind: ActivityKind, merged: dict, problems: Problems) -> None:
    starts, ends = merged.get("startsAt"), merged.get("endsAt")
    if kind is ActivityKind.MEETING:
        if starts is None or ends is None:
            problems.add("startsAt", ErrorCode.REQUIRED, "A meeting has a start and an end.")
        elif ends <= starts:
            problems.add("endsAt", ErrorCode.INVALID, "A meeting ends after it starts.")
    due, reminder = merged.get("dueAt"), merged.get("reminderAt")
    if kind is ActivityKind.TASK and due is not None and reminder is not None and reminder > due:
        problems.add("reminderAt", ErrorCode.INVALID, "The reminder comes before the due time.")
    if kind is ActivityKind.TASK and due is not None and starts is not None and due < starts:
        problems.add("dueAt", ErrorCode.INVALID, "A task cannot be due before it starts.")


def timeline_time(kind: ActivityKind, merged: dict, now: datetime) -> datetime:
    """Where an activity sits on a timeline: when it happened, starts or is due."""
    if kind is ActivityKind.MEETING:
        return merged["startsAt"]
    if kind is ActivityKind.TASK and merged.get("dueAt") is not None:
        return merged["dueAt"]
    return merged.get("occurredAt") or merged.get("at") or now


def validate_call_script(values: dict, *, creating: bool) -> dict:
    """A name, and questions each with the answers to expect."""
    problems, clean = Problems(), {}
    problems.check(values, clean, "name",
                   lambda v: clean_text(v, "name", required=True, limit=200))
    if creating:
        problems.require(values, "name")
    for index, item in enumerate(values.get("questions") or []):
        if not clean_text(item.get("question"), "question"):
            problems.add(f"questions[{index}].question", ErrorCode.REQUIRED,
                         "A question needs its text.")
    if "questions" in values:
        clean["questions"] = [
            {"question": q["question"].strip(),
             "answers": [a.strip() for a in q.get("answers") or [] if a and a.strip()]}
            for q in values["questions"] or [] if q.get("question")]
    elif creating:
        clean["questions"] = []
    problems.raise_if_any()
    return clean
