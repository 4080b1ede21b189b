"""The worker's duplicate rescan: contacts and accounts changed since the last run, read from
the change feed, get their name keys checked and their candidate pairs found anew.

It is one of the change feed's once-only consumers (api/feed_consumers.py): it rescans in
the transaction that moves its cursor on: a crash rescans the same changes again, which is
harmless, and no change is skipped. The full scan (`crm duplicates scan`) remains for a first
fill and after bulk loads.
"""

from __future__ import annotations

import logging
import uuid

from api.feed_consumers import consume
from api.worker import JobContext
from persistence.duplicate_scan import refresh_name_keys, scan_accounts, scan_contacts
from persistence.uow import UnitOfWork

log = logging.getLogger("crm.duplicates")
CURSOR = "duplicates"


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


async def _rescan(events, uow: UnitOfWork, context: JobContext) -> int:
    """Rescan the contacts and accounts a batch of events changed; how many there were."""
    contacts, accounts = _changed(events)
    conn = uow.transaction.driver_connection
    if contacts:
        fixed = await refresh_name_keys(conn, contacts)
        found = await scan_contacts(conn, contacts)
        log.info("duplicates: %d contacts rescanned, %d pairs, %d name keys fixed",
                 len(contacts), found.stored, fixed)
    if accounts:
        found = await scan_accounts(conn, accounts)
        log.info("duplicates: %d accounts rescanned, %d pairs", len(accounts), found.stored)
    return len(contacts) + len(accounts)


async def rescan_duplicates(context: JobContext) -> None:
    """Refresh the candidate pairs of the records changed since the cursor, a batch per
    transaction, until caught up or another worker holds the cursor."""
    await consume(context, CURSOR, _rescan)
