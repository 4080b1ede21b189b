"""The change feed's once-only consumers, run by the worker: each reads the events after its
cursor and acts on them in the transaction that moves the cursor on, so that each event is
acted on exactly once across every worker, and none is lost to a crash.

Unlike subscriptions, which every API process serves to its own sockets, these write
(notifications today): two processes must never both act on one event.
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

Handler = Callable[[ChangeEvent, UnitOfWorkPort, JobContext], Awaitable[int]]


async def consume(context: JobContext, name: str, handle: Handler) -> int:
    """Act on every event after the cursor `name`, a batch per transaction, until caught up
    or another process holds the cursor; how many acts the handler reported."""
    await changes.sequence_pending(context.engine)
    reader, done = Reader(context.engine, announced=False), 0
    # The consumer reads other users' access (a follower's), never a caller's.
    uow = UnitOfWork(context.engine, access_for(Role.ADMIN, SYSTEM), access_of=staff_access)
    while True:
        async with uow:
            cursor = await feed_cursors.claim(uow.transaction, name)
            if cursor is None:
                return done
            events = await changes.events_after(reader, cursor, BATCH)
            for event in events:
                done += await handle(event, uow, context)
            if events:
                await feed_cursors.advance(uow.transaction, name, events[-1].seq)
            await uow.commit()  # a new consumer's cursor too, placed at the newest event
        if len(events) < BATCH:
            return done


async def _notify_followers(event: ChangeEvent, uow: UnitOfWorkPort, context: JobContext) -> int:
    return await tell_of_change(Change(event.record_type, event.record_id, event.action,
                                       event.fields, event.actor), uow, context.clock())


async def notify_followers(context: JobContext) -> None:
    """The followers of each changed record, told of the change."""
    told = await consume(context, "notifications", _notify_followers)
    if told:
        log.info("change feed: %d followers told", told)
