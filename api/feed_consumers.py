"""The change feed's once-only consumers, run by the worker: each reads the events after its
cursor and acts on them in the transaction that moves the cursor on, so that each event is
acted on exactly once across every worker, and none is lost to a crash.

Unlike subscriptions, which every API process serves to its own sockets, these write
(notifications, duplicate rescans, survey invitations): two processes must never both act on
one event.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from api.worker import JobContext
from auth.grants import access_for
from auth.principal import staff_access
from domain.access import SYSTEM, Role
from domain.comments import ChangeEvent as Change
from domain.ports import UnitOfWork as UnitOfWorkPort
from domain.services.notifications import tell_of_change
from persistence import changes, feed_cursors
from persistence.changes import ChangeEvent
from persistence.db import Reader
from persistence.uow import UnitOfWork

log = logging.getLogger("crm.feed")
BATCH = 500

# Acts on one batch of events, in the transaction that moves the cursor past them; returns
# how many acts it made.
Handler = Callable[[list[ChangeEvent], UnitOfWorkPort, JobContext], Awaitable[int]]


async def consume(context: JobContext, name: str, handle: Handler) -> int | None:
    """Act on every event after the cursor `name`, a batch per transaction, until caught up;
    how many acts the handler reported, or None when another process holds the cursor."""
    await changes.sequence_pending(context.engine)
    reader, done = Reader(context.engine, announced=False), 0
    # The consumer reads other users' access (a follower's), never a caller's.
    uow = UnitOfWork(context.engine, access_for(Role.ADMIN, SYSTEM), access_of=staff_access)
    while True:
        async with uow:
            cursor = await feed_cursors.claim(uow.transaction, name)
            if cursor is None:
                return None
            events = await changes.events_after(reader, cursor, BATCH)
            if events:
                done += await handle(events, uow, context)
            if events:
                await feed_cursors.advance(uow.transaction, name, events[-1].seq)
            await uow.commit()  # a new consumer's cursor too, placed at the newest event
        if len(events) < BATCH:
            return done


async def _notify_followers(events: list[ChangeEvent], uow: UnitOfWorkPort,
                            context: JobContext) -> int:
    told = 0
    for event in events:
        told += await tell_of_change(Change(event.record_type, event.record_id, event.action,
                                            event.fields, event.actor), uow, context.clock())
    return told


async def notify_followers(context: JobContext) -> None:
    """The followers of each changed record, told of the change."""
    told = await consume(context, "notifications", _notify_followers)
    if told:
        log.info("change feed: %d followers told", told)
