"""Activity use cases: log one, change it, and a user's calendar feed."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import datetime

from domain.access import Access
from domain.activities import (
    REFERENCES,
    SUBJECTS,
    ActivityKind,
    TaskStatus,
    timeline_time,
    validate_activity,
    validate_call_script,
)
from domain.errors import DomainError, ErrorCode, Problem, forbidden
from domain.ports import Locked, UnitOfWork
from domain.services.records import (
    RecordKind,
    archive_record,
    check_references,
    create_checked,
    insert_audited,
    lock_at_version,
    require_create,
    require_writable_fields,
    stateless,
    validated_by_use_case,
)

TYPE = "Activity"
KIND = RecordKind(TYPE, validated_by_use_case, REFERENCES)
CALL_SCRIPT = RecordKind("CallScript", stateless(validate_call_script), {})
ALL_FIELDS = ("kind", "at", "subject", "body", "contact", "account", "lead", "opportunity",
              "direction", "durationSeconds", "outcome", "callScript", "messageId", "startsAt",
              "endsAt", "location", "dueAt", "reminderAt", "priority", "status", "assignee",
              "createdAt")


async def _check_attendees(uow: UnitOfWork, people: list[tuple[str, uuid.UUID]]) -> None:
    missing = [i for i, (kind, person) in enumerate(people)
               if not await uow.records.visible(kind, [person])]
    if missing:
        raise DomainError(*(Problem(f"attendees[{i}]", ErrorCode.NOT_FOUND,
                                    "No user or contact with this id.") for i in missing))


async def log_activity(kind: ActivityKind, values: dict, uow: UnitOfWork, access: Access,
                       now: datetime) -> uuid.UUID:
    """Record a call, email, meeting, task or note on the records it concerns."""
    require_create(access, TYPE, values)
    if kind is ActivityKind.COMMENT:
        raise DomainError.one("kind", ErrorCode.INVALID,
                              "A comment is on a record: add it with commentCreate.")
    clean = validate_activity(values, kind=kind, creating=True)
    clean |= {"kind": kind.value, "owner": access.user_id,
              "at": timeline_time(kind, clean, now)}
    clean.pop("occurredAt", None)
    if kind is ActivityKind.TASK:
        clean.setdefault("assignee", access.user_id)
        clean.setdefault("status", TaskStatus.OPEN.value)
        clean.setdefault("priority", "NORMAL")
    attendees = clean.pop("attendees", None)

    async def write(clean: dict) -> uuid.UUID:
        if attendees:
            await _check_attendees(uow, attendees)
        subject = next(f for f in SUBJECTS if clean.get(f))
        clean["territory"] = await uow.records.territory_of(SUBJECTS[subject], clean[subject])
        new_id = await insert_audited(uow, TYPE, clean)
        if attendees:
            await uow.activities.set_attendees(new_id, attendees)
        return new_id

    return await create_checked(KIND, clean, uow, write)


async def update_activity(id: uuid.UUID, version: int, values: dict, uow: UnitOfWork,
                          access: Access) -> uuid.UUID:
    """Change an activity; its place on the timeline follows its new times."""
    require_writable_fields(access, TYPE, values)
    async with uow:
        locked = await lock_at_version(uow, TYPE, id, version, ALL_FIELDS)
        stored = locked.values
        _not_a_comment(locked)
        kind = ActivityKind(stored["kind"])
        clean = validate_activity(values, kind=kind, creating=False, stored=stored)
        attendees = clean.pop("attendees", None)
        await check_references(KIND, clean, uow)
        if not any({**stored, **clean}.get(f) for f in SUBJECTS):
            raise DomainError.one("contact", ErrorCode.REQUIRED,
                                  "An activity concerns a contact, an account, a lead or a deal.")
        merged = {**stored, **clean}
        clean["at"] = timeline_time(kind, merged, stored["at"])
        clean.pop("occurredAt", None)
        changes = {f: (stored.get(f), v) for f, v in clean.items() if stored.get(f) != v}
        if changes:
            await uow.records.update(TYPE, id, {f: v for f, (_, v) in changes.items()})
        if attendees is not None:
            await _check_attendees(uow, attendees)
            await uow.activities.set_attendees(id, attendees)
            changes["attendees"] = (None, [str(p) for _, p in attendees])
        if changes:
            await uow.audit.record(TYPE, id, "update", changes)
        await uow.commit()
    return id


def _not_a_comment(locked: Locked) -> None:
    """A comment is its author's to change (commentUpdate), and its author's or an admin's
    to archive (commentArchive), whoever else may change activities."""
    if locked.values.get("kind") == ActivityKind.COMMENT.value:
        raise DomainError.one("id", ErrorCode.INVALID,
                              "A comment is changed with commentUpdate and commentArchive.")


async def archive_activity(id: uuid.UUID, version: int, uow: UnitOfWork, access: Access
                           ) -> uuid.UUID:
    """Archive an activity that is no comment."""
    return await archive_record(KIND, id, version, uow, access, refuse=_not_a_comment,
                                reading=("kind",))


def feed_secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


async def reset_calendar_feed(uow: UnitOfWork, access: Access) -> str:
    """A new secret calendar address for the calling user; the old one stops working."""
    if access.user_id is None:
        raise forbidden(None, "Only staff users have a calendar.")
    secret = secrets.token_urlsafe(32)
    async with uow:
        await uow.activities.set_feed(access.user_id, feed_secret_hash(secret))
        await uow.commit()
    return secret
