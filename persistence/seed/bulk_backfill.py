"""`crm seed --leads-and-surveys-only`: the bulk seed's leads and survey responses, added to a
database seeded before they were part of the seed, without seeding it again.

The contacts are read back in the order they were generated (by creation time, which the seed
spaces evenly), each with its first account, and handed to the seed's own generators; so a
database seeded with the same --seed gets exactly the rows a seed made today would hold. All
is copied in one transaction, with the keys in place: a failure adds nothing.
"""

from __future__ import annotations

import asyncio
import sys
from collections import defaultdict

import asyncpg
from sqlalchemy import text

from persistence.base import STAMP_COLUMNS
from persistence.db import make_engine
from persistence.seed.bulk import (
    CHUNK_CONTACTS,
    WITH_CHANGE_EVENTS,
    WITHOUT_CHANGE_EVENTS,
    Progress,
    SeedRefusedError,
)
from persistence.seed.bulk_deals import COLUMNS as DEAL_COLUMNS
from persistence.seed.bulk_history import Rows
from persistence.seed.bulk_leads import COLUMNS as LEAD_COLUMNS
from persistence.seed.bulk_leads import BulkLeads, SeededAccount, SeededContact
from persistence.seed.bulk_pools import SETUP_TIME
from persistence.seed.bulk_surveys import COLUMNS as SURVEY_COLUMNS
from persistence.seed.bulk_surveys import BulkSurveys
from persistence.seed.demo_deals import load_stages

# In load order, since the keys are in place: a lead names the deal its conversion opened.
COLUMNS = {**DEAL_COLUMNS, **LEAD_COLUMNS, **SURVEY_COLUMNS}
# Each contact as SeededContact holds it, with its first account: the one it was made for.
CONTACTS = """
SELECT c.id, c.created_at, c.first_name, c.last_name, c.primary_email,
       c.phones -> 0 ->> 'number' AS phone, c.address ->> 'country' AS country, c.owner_id,
       c.territory_id, a.id AS account_id, a.name, a.industry, a.size, a.website,
       a.territory_id AS account_territory_id
FROM contact c
LEFT JOIN LATERAL (SELECT l.account_id FROM account_contact l
                   WHERE l.contact_id = c.id AND l.archived_at IS NULL
                   ORDER BY l.created_at, l.id LIMIT 1) first_link ON true
LEFT JOIN account a ON a.id = first_link.account_id
WHERE c.archived_at IS NULL
ORDER BY c.created_at, c.id
"""


def seed_leads_and_surveys(url: str, *, seed: int = 42) -> dict[str, int]:
    """Add the leads, deals from conversions, surveys and responses that `crm seed --contacts`
    with this seed makes to a database that holds its contacts and no leads or surveys yet."""
    progress = Progress(0)
    progress.say(f"adding leads and survey responses with seed {seed}, in one transaction")
    try:
        counts = asyncio.run(_backfill(url, seed, progress))
    except SeedRefusedError as exc:
        raise SystemExit(f"crm seed: {exc}") from None
    except BaseException:
        print("crm seed: FAILED; the transaction was rolled back, so nothing was added",
              file=sys.stderr, flush=True)
        raise
    print("seed: added " + ", ".join(f"{n:,} {table}" for table, n in counts.items()),
          flush=True)
    return counts


async def _backfill(url: str, seed: int, progress: Progress) -> dict[str, int]:
    engine = make_engine(url, pool_size=1)
    try:
        async with engine.begin() as conn:
            if (await conn.execute(text("SELECT to_regclass('lead')"))).scalar() is None:
                raise SeedRefusedError("the database has no CRM tables; run `crm migrate` first")
            # A second run started meanwhile waits here, then sees the first one's rows.
            await conn.execute(text("LOCK TABLE lead, survey IN SHARE ROW EXCLUSIVE MODE"))
            contacts = (await conn.execute(text(
                "SELECT count(*) FROM contact WHERE archived_at IS NULL"))).scalar()
            if not contacts:
                raise SeedRefusedError("the database holds no contacts; seed it with "
                                       "`crm seed --contacts N`")
            if (await conn.execute(text(
                    "SELECT EXISTS (SELECT 1 FROM lead) OR EXISTS (SELECT 1 FROM survey)"))).scalar():
                raise SeedRefusedError("the database already holds leads or surveys")
            progress.contacts = contacts
            leads, surveys = BulkLeads(await load_stages(conn), seed), BulkSurveys(seed)
            driver = (await conn.get_raw_connection()).driver_connection
            # Holds off writes of audit entries by others until the commit.
            await driver.execute(WITHOUT_CHANGE_EVENTS)
            await _copy(driver, surveys.fixed_rows(SETUP_TIME), progress)
            await _copy_contacts(driver, leads, surveys, progress)
            await driver.execute(WITH_CHANGE_EVENTS)
            progress.say("all rows copied; committing")
        async with engine.connect() as conn:
            await conn.execute(text("ANALYZE " + ", ".join(COLUMNS)))
            await conn.commit()
        progress.say("done")
        return {table: n for table, n in progress.counts.items() if table in COLUMNS}
    finally:
        await engine.dispose()


async def _copy_contacts(driver: asyncpg.Connection, leads: BulkLeads, surveys: BulkSurveys,
                         progress: Progress) -> None:
    """Draw each contact's leads and responses, copying them every CHUNK_CONTACTS contacts."""
    rows: Rows = defaultdict(list)
    done = 0
    async for r in driver.cursor(CONTACTS, prefetch=10_000):
        account = (SeededAccount(r["account_id"], r["name"], r["industry"], r["size"],
                                 r["website"], r["account_territory_id"])
                   if r["account_id"] else None)
        contact = SeededContact(r["id"], r["created_at"], r["first_name"], r["last_name"],
                                r["primary_email"], r["phone"], r["country"], r["owner_id"],
                                r["territory_id"], account)
        leads.for_contact(rows, contact)
        surveys.for_contact(rows, contact)
        done += 1
        if done % CHUNK_CONTACTS == 0 or done == progress.contacts:
            await _copy(driver, rows, progress)
            rows = defaultdict(list)
            progress.say(f"{done:,}/{progress.contacts:,} contacts read, "
                         f"{sum(progress.counts.values()):,} rows added")
    await _copy(driver, rows, progress)


async def _copy(driver: asyncpg.Connection, rows: Rows, progress: Progress) -> None:
    for table, columns in COLUMNS.items():
        if records := rows.get(table):
            await driver.copy_records_to_table(table, records=records,
                                               columns=STAMP_COLUMNS + columns)
            progress.counts[table] += len(records)
