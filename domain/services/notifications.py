"""Use cases of telling users: a comment's mentions and followers, a change's followers,
following a record, and marking notifications read.

Whoever is told must be able to read what they are told of, under their own role and record
rules: a mention of a user who may not read the record writes nothing and says nothing to
anyone, so that neither the author nor the mentioned user learns anything from it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime

from domain.access import Access
from domain.comments import (
    ChangeEvent,
    CommentableKind,
    NotificationKind,
    change_notices,
    comment_notices,
    mentioned,
)
from domain.errors import DomainError, ErrorCode, forbidden, not_found
from domain.ports import UnitOfWork
from domain.services.records import insert_audited

COMMENTABLE = tuple(kind.value for kind in CommentableKind)
MAX_MARKED_AT_ONCE = 100


async def post_comment(uow: UnitOfWork, access: Access, record_type: str,
                       record_id: uuid.UUID, values: dict, now: datetime) -> uuid.UUID:
    """Write a comment on a record with its audit entry (on the record's trail too), make its
    author follow the record, and tell the mentioned and the followers who may read it. In
    the caller's open transaction, after it checked the caller may comment."""
    comment = {"kind": "COMMENT", "at": now, "owner": access.user_id,
               "recordType": record_type, "recordId": record_id, **values}
    # Writing to the record's comments, which the caller checked, is what grants the comment.
    comment_id = await insert_audited(uow, "Activity", comment, parent_id=record_id,
                                      granted=comment.keys())
    if access.user_id is not None:
        await uow.notifications.follow(access.user_id, record_id, True, unless_unfollowed=True)
    followers = await uow.notifications.followers(record_type, record_id)
    await tell_of_comment(uow, access, record_type, record_id, comment_id,
                          mentioned(values["body"]), followers, now)
    return comment_id


async def tell_of_comment(uow: UnitOfWork, access: Access, record_type: str,
                          record_id: uuid.UUID, comment_id: uuid.UUID,
                          mentions: list[uuid.UUID], followers: Iterable[uuid.UUID],
                          now: datetime) -> None:
    """Notify the mentioned users and the followers who may read the comment."""
    followers = list(followers)
    readers = await uow.notifications.readers("Activity", comment_id, [*mentions, *followers])
    notices = comment_notices(access.user_id, mentions, followers, readers)
    await uow.notifications.notify([
        {"user": n.recipient, "kind": n.kind.value, "recordType": record_type,
         "recordId": record_id, "comment": comment_id, "actor": str(access.actor)}
        for n in notices], now)


async def notify_change(event: ChangeEvent, uow: UnitOfWork, now: datetime) -> int:
    """tell_of_change in a transaction of its own."""
    async with uow:
        told = await tell_of_change(event, uow, now)
        await uow.commit()
    return told


async def tell_of_change(event: ChangeEvent, uow: UnitOfWork, now: datetime) -> int:
    """Tell the followers of a changed record who may read it, and one of the fields that
    changed, that it changed (never how), except the one who changed it; how many were told.
    In the caller's open transaction: the change feed's consumer calls it for each change,
    and moves its cursor in the same commit. The unit of work must build other users' access
    (`access_of`). Changes to records that take no comments have no followers."""
    if event.record_type not in COMMENTABLE:
        return 0
    followers = await uow.notifications.followers(event.record_type, event.record_id)
    if not followers:
        return 0
    readers = await uow.notifications.readers(event.record_type, event.record_id, followers)
    told = change_notices(event, followers, readers)
    await uow.notifications.notify([
        {"user": notice.recipient, "kind": NotificationKind.CHANGE.value,
         "recordType": event.record_type, "recordId": event.record_id,
         "actor": event.actor, "fields": fields} for notice, fields in told], now)
    return len(told)


async def follow(record_type: str, record_id: uuid.UUID, following: bool, uow: UnitOfWork,
                 access: Access) -> uuid.UUID:
    """Follow a record the caller may read, or stop following it (its owner too)."""
    if access.user_id is None:
        raise forbidden("record", "Only staff users follow records.")
    async with uow:
        if not await uow.records.visible(record_type, [record_id]):
            raise not_found("record", record_type)
        await uow.notifications.follow(access.user_id, record_id, following)
        await uow.commit()
    return record_id


async def mark_read(ids: list[uuid.UUID] | None, uow: UnitOfWork, access: Access,
                    now: datetime) -> int:
    """Mark the caller's notifications read, those named or all; how many were unread. Ids
    of notifications that are not the caller's change nothing, as if they did not exist."""
    if access.user_id is None:
        raise forbidden(None, "Only staff users have notifications.")
    if ids is not None and not 0 < len(ids) <= MAX_MARKED_AT_ONCE:
        raise DomainError.one("ids", ErrorCode.INVALID,
                              f"Name 1 to {MAX_MARKED_AT_ONCE} notifications at once.")
    async with uow:
        marked = await uow.notifications.mark_read(ids, now)
        await uow.commit()
    return marked
