"""The worker's duplicate rescan: contacts and accounts changed since the last run, read from
the change feed, get their name keys checked and their candidate pairs found anew.

It claims a feed cursor as the once-only consumers do (api/feed_consumers.py), and rescans in
the transaction that moves the cursor on: a crash rescans the same changes again, which is
harmless, and no change is skipped. The full scan (`crm duplicates scan`) remains for a first
fill and after bulk loads.
"""

from __future__ import annotations

import logging
import uuid

from api.worker import JobContext
from auth.grants import access_for
from domain.access import SYSTEM, Role
from persistence import changes, feed_cursors
from persistence.db import Reader
from persistence.duplicate_scan import refresh_name_keys, scan_accounts, scan_contacts
from persistence.uow import UnitOfWork

log = logging.getLogger("crm.duplicates")
CURSOR = "duplicates"
BATCH = 500


def _changed(events) -> tuple[list[uuid.UUID], list[uuid.UUID]]:
    """The contacts and accounts the events touch: a link changes its contact's company."""
    contacts, accounts = set(), set()
    for event in events:
        if event.record_type == "Contact":
            contacts.add(event.record_id)
        elif event.record_type == "Account":
            accounts.add(event.record_id)
        elif event.record_type == "AccountContact" and event.parent_id is not None:
            contacts.add(event.parent_id)
    return sorted(contacts), sorted(accounts)


async def rescan_duplicates(context: JobContext) -> None:
    """Refresh the candidate pairs of the records changed since the cursor, a batch per
    transaction, until caught up or another worker holds the cursor."""
    await changes.sequence_pending(context.engine)
    reader = Reader(context.engine, announced=False)
    uow = UnitOfWork(context.engine, access_for(Role.ADMIN, SYSTEM))
    while True:
        async with uow:
            cursor = await feed_cursors.claim(uow.transaction, CURSOR)
            if cursor is None:
                return
            events = await changes.events_after(reader, cursor, BATCH)
            contacts, accounts = _changed(events)
            conn = uow.transaction.driver_connection
            if contacts:
                fixed = await refresh_name_keys(conn, contacts)
                found = await scan_contacts(conn, contacts)
                log.info("duplicates: %d contacts rescanned, %d pairs, %d name keys fixed",
                         len(contacts), found.stored, fixed)
            if accounts:
                found = await scan_accounts(conn, accounts)
                log.info("duplicates: %d accounts rescanned, %d pairs", len(accounts),
                         found.stored)
            if events:
                await feed_cursors.advance(uow.transaction, CURSOR, events[-1].seq)
            await uow.commit()
        if len(events) < BATCH:
            return
