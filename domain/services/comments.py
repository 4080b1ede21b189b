"""Comment use cases: comment on a record, edit one's own comment, archive a comment.

A comment is an activity of kind COMMENT on one record of a kind that takes comments, so it
shows on that record's timeline. Commenting needs read access to the record and write access
to its `comments` (each kind's group in the policy); on a case it is a reply, which also
moves the case's SLA clock and needs write access to the case (cases.reply).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from domain.access import Access, Role
from domain.comments import newly_mentioned, validate_body
from domain.errors import DomainError, ErrorCode, forbidden, not_found
from domain.ports import UnitOfWork
from domain.services.cases import reply
from domain.services.notifications import post_comment, tell_of_comment
from domain.services.records import require_writable_fields, update_audited

# The activity field that names the record a comment is on, for its timeline.
SUBJECT = {"Contact": "contact", "Account": "account", "Opportunity": "opportunity",
           "Lead": "lead"}


async def add_comment(record_type: str, record_id: uuid.UUID, body: str, uow: UnitOfWork,
                      access: Access, now: datetime, visibility: str | None = None
                      ) -> uuid.UUID:
    """Comment on a record the caller may read; the new comment's id."""
    if record_type == "Case":
        return await reply(record_id, body, visibility, uow, access, now)
    if visibility is not None:
        raise DomainError.one("visibility", ErrorCode.INVALID,
                              "Only a comment on a case has a visibility.")
    require_writable_fields(access, record_type, ["comments"])
    body = validate_body(body)
    async with uow:
        if not await uow.records.visible(record_type, [record_id]):
            raise not_found("record", record_type)
        values = {"body": body,
                  "territory": await uow.records.territory_of(record_type, record_id)}
        if record_type == "Order":  # on its buyer's timelines too, as a case's comments are
            order = await uow.records.lock("Order", record_id, ("account", "contact"))
            values |= {f: order.values.get(f) for f in ("account", "contact")}
        else:
            values[SUBJECT[record_type]] = record_id
        comment_id = await post_comment(uow, access, record_type, record_id, values, now)
        await uow.commit()
    return comment_id


async def _own_comment(uow: UnitOfWork, access: Access, id: uuid.UUID, version: int,
                       admins_too: bool = False) -> dict:
    """A live comment the caller may see, wrote (or, for `admins_too`, may archive as an
    admin) and still may comment on, at the version the caller last read."""
    comment = await uow.activities.comment(id)
    if comment is None or comment["archived"]:
        raise not_found("id", "comment")
    admin = admins_too and access.role is Role.ADMIN
    if comment["author"] != str(access.actor) and not admin:
        raise forbidden("id", "Only its author may change a comment.")
    require_writable_fields(access, comment["recordType"], ["comments"])
    if comment["version"] != version:
        raise DomainError.one(
            "version", ErrorCode.STALE_VERSION,
            f"The comment is at version {comment['version']}, not {version}: reload and retry.")
    return comment


async def edit_comment(id: uuid.UUID, version: int, body: str, uow: UnitOfWork,
                       access: Access, now: datetime) -> uuid.UUID:
    """Change the body of one's own comment; only the users it newly mentions are told."""
    body = validate_body(body)
    async with uow:
        comment = await _own_comment(uow, access, id, version)
        await update_audited(uow, "Activity", id, comment, {"body": body}, "update",
                             granted={"body"})
        mentions = newly_mentioned(comment["body"], body)
        if mentions:
            await tell_of_comment(uow, access, comment["recordType"], comment["recordId"], id,
                                  mentions, (), now)
        await uow.commit()
    return id


async def archive_comment(id: uuid.UUID, version: int, uow: UnitOfWork, access: Access
                          ) -> uuid.UUID:
    """Archive a comment: its author, or an admin."""
    async with uow:
        comment = await _own_comment(uow, access, id, version, admins_too=True)
        await uow.records.archive("Activity", id)
        await uow.audit.record("Activity", id, "archive", {"archived": (False, True)},
                               parent_id=comment["recordId"])
        await uow.commit()
    return id
