"""`crm seed --contacts N` against real databases: shape, validity, determinism, refusal."""

from __future__ import annotations

import asyncio
import uuid
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import orjson
import phonenumbers
import pytest

from persistence.migrate import upgrade
from persistence.seed.bulk import seed_bulk
from persistence.seed.bulk_rows import BulkRows
from persistence.seed.demo import COUNTRY_TERRITORY, CUSTOMER_EMAIL, USERS
from persistence.seed.demo_deals import StageInfo

CONTACTS = 2_000
SEED = 42
OTHER_SEED = 7

TABLE_HASH = """
SELECT count(*) AS n, md5(string_agg(t::text, '|' ORDER BY t.id)) AS digest FROM {table} t
"""
CONTACTS_PER_ACCOUNT = """
SELECT min(n) AS least, max(n) AS most FROM (
  SELECT count(ac.id) AS n FROM account a LEFT JOIN account_contact ac ON ac.account_id = a.id
  GROUP BY a.id) per_account
"""
B2C_CONTACTS = """
SELECT count(*) FROM contact c
WHERE NOT EXISTS (SELECT 1 FROM account_contact ac WHERE ac.contact_id = c.id)
"""
CONTACT_TERRITORIES = """
SELECT c.address ->> 'country' AS country, t.name AS territory, count(*) AS n
FROM contact c JOIN territory t ON t.id = c.territory_id GROUP BY 1, 2
"""
OWNER_ROLES = """
SELECT DISTINCT u.role FROM account a JOIN app_user u ON u.id = a.owner_id
UNION SELECT DISTINCT u.role FROM contact c JOIN app_user u ON u.id = c.owner_id
"""
NOTE_AUTHORS = """
SELECT count(*) FROM note n
WHERE n.created_by NOT IN (SELECT 'User:' || id::text FROM app_user) OR n.updated_by <> n.created_by
"""
BAD_STAMPS = """
SELECT count(*) FROM {table}
WHERE version <> 1 OR archived_at IS NOT NULL OR updated_at < created_at OR created_at > now()
"""
PARTNER_CONTACTS_OUTSIDE_PARTNER_ACCOUNTS = """
SELECT count(*) FROM partner_contact pc WHERE NOT EXISTS (
  SELECT 1 FROM account_contact ac JOIN partner_account pa ON pa.account_id = ac.account_id
  WHERE ac.contact_id = pc.contact_id AND pa.partner_id = pc.partner_id)
"""
CUSTOMER = """
SELECT c.primary_email, p.email AS portal_email FROM contact c
JOIN portal_identity p ON p.contact_id = c.id WHERE c.primary_email = $1
"""
SCHEMA = """
SELECT conrelid::regclass::text AS tbl, conname AS name, pg_get_constraintdef(oid) AS def
FROM pg_constraint WHERE connamespace = 'public'::regnamespace
UNION ALL SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'
ORDER BY 1, 2, 3
"""
STAMPED_TABLES = ("territory", "app_user", "partner", "account", "contact", "account_contact",
                  "partner_account", "partner_contact", "portal_identity", "note", "consent",
                  "opportunity", "opportunity_stage_change", "opportunity_contact",
                  "activity", "sales_order", "sales_order_line", "product", "price_book_entry",
                  "survey", "survey_invitation", "survey_response")
BAD_DEALS = """
SELECT count(*) FROM opportunity o JOIN pipeline_stage s ON s.id = o.stage_id
WHERE s.pipeline_id <> o.pipeline_id OR o.probability <> s.probability
   OR (s.kind = 'OPEN') <> (o.closed_at IS NULL AND o.close_reason IS NULL)
   OR NOT EXISTS (SELECT 1 FROM opportunity_stage_change h
                  WHERE h.opportunity_id = o.id AND h.to_stage_id = o.stage_id)
"""
BAD_ORDER_TOTALS = """
SELECT count(*) FROM sales_order o WHERE o.total <> (SELECT sum(l.total) FROM sales_order_line l
  WHERE l.order_id = o.id) OR o.subtotal - o.discount_total <> o.total
"""
LEAD_DEALS = "SELECT count(converted_opportunity_id) FROM lead"
DEAL_ROLES_OUTSIDE_ACCOUNT = """
SELECT count(*) FROM opportunity_contact r JOIN opportunity o ON o.id = r.opportunity_id
WHERE NOT EXISTS (SELECT 1 FROM account_contact ac
                  WHERE ac.account_id = o.account_id AND ac.contact_id = r.contact_id)
"""


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, ""))


async def _admin(server_url: str, sql: str) -> None:
    conn = await asyncpg.connect(server_url)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture(scope="module")
def seeded(server_url):
    """Three migrated databases: two seeded alike, one with another seed; dropped at the end."""
    names = [f"crm_test_bulk_{uuid.uuid4().hex[:10]}" for _ in range(3)]
    urls, counts = [], []
    try:
        for name, seed in zip(names, (SEED, SEED, OTHER_SEED), strict=True):
            asyncio.run(_admin(server_url, f'CREATE DATABASE "{name}"'))
            urls.append(_with_database(server_url, name))
            upgrade(urls[-1])
            counts.append(seed_bulk(urls[-1], CONTACTS, seed=seed))
        yield urls, counts
    finally:
        for name in names:
            asyncio.run(_admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
async def db(seeded):
    conn = await asyncpg.connect(seeded[0][0])
    yield conn
    await conn.close()


async def _digests(url: str, tables) -> dict[str, tuple]:
    conn = await asyncpg.connect(url)
    try:
        return {t: tuple(await conn.fetchrow(TABLE_HASH.format(table=t))) for t in tables}
    finally:
        await conn.close()


async def test_seed_bulk_counts_in_expected_ranges(seeded, db):
    # given a bulk seed of CONTACTS contacts
    counts = seeded[1][0]
    # then the returned counts are the rows in the database, in realistic proportions
    for table, n in counts.items():
        assert await db.fetchval(f"SELECT count(*) FROM {table}") == n, table
    assert counts["contact"] == CONTACTS
    assert counts["territory"] == 13
    assert counts["app_user"] == len(USERS) + 1
    assert counts["partner"] == 2
    assert CONTACTS / 14 < counts["account"] < CONTACTS / 7
    assert 0.8 * CONTACTS < counts["account_contact"] < 0.95 * CONTACTS
    assert 0.06 * CONTACTS < await db.fetchval(B2C_CONTACTS) < 0.2 * CONTACTS
    assert 1.5 * CONTACTS < counts["consent"] < 2.5 * CONTACTS
    assert CONTACTS < counts["note"] < 1.5 * CONTACTS
    assert 0 < counts["partner_account"] < 0.05 * counts["account"]
    # besides the deals that converting a lead opened, one or two per account
    lead_deals = await db.fetchval(LEAD_DEALS)
    assert 0 < lead_deals < 0.1 * CONTACTS
    assert counts["account"] < counts["opportunity"] - lead_deals < 2 * counts["account"]
    assert 2 * counts["opportunity"] < counts["opportunity_stage_change"]
    assert 0.8 * CONTACTS < counts["activity"] < 1.2 * CONTACTS
    assert 0.5 * counts["account"] < counts["sales_order"] < counts["account"]
    assert counts["sales_order"] < counts["sales_order_line"] < 3 * counts["sales_order"]
    assert 0.4 * CONTACTS < counts["lead"] < 0.6 * CONTACTS
    assert counts["survey"] == 4
    assert 0.15 * CONTACTS < counts["survey_response"] < 0.25 * CONTACTS


async def test_seed_bulk_order_totals_add_up_and_new_orders_number_after_them(db):
    assert await db.fetchval(BAD_ORDER_TOTALS) == 0
    last = await db.fetchval("SELECT max(number) FROM sales_order")
    assert await db.fetchval("SELECT 'SO-' || lpad(nextval('order_number')::text, 6, '0')") > last


async def test_seed_bulk_deals_sit_in_their_stage_with_their_history(db):
    assert await db.fetchval(BAD_DEALS) == 0
    assert await db.fetchval(DEAL_ROLES_OUTSIDE_ACCOUNT) == 0


async def test_seed_bulk_every_account_has_one_to_twenty_contacts(db):
    row = await db.fetchrow(CONTACTS_PER_ACCOUNT)
    assert row["least"] >= 1
    assert row["most"] <= 20


async def test_seed_bulk_phones_are_valid_e164(db):
    # when every phone of every contact is parsed
    numbers = [phone["number"] for phones in await db.fetch("SELECT phones FROM contact")
               for phone in orjson.loads(phones["phones"])]
    # then each is a valid number, already in E.164 form
    assert len(numbers) >= CONTACTS
    for number in set(numbers):
        parsed = phonenumbers.parse(number)
        assert phonenumbers.is_valid_number(parsed), number
        assert phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164) == number


async def test_seed_bulk_contacts_sit_in_the_territory_of_their_country(db):
    rows = await db.fetch(CONTACT_TERRITORIES)
    for row in rows:
        assert COUNTRY_TERRITORY[row["country"]] == row["territory"], dict(row)
    # every leaf territory holds contacts to look up
    assert {row["territory"] for row in rows} == set(COUNTRY_TERRITORY.values())


async def test_seed_bulk_records_are_owned_and_authored_by_staff(db):
    assert {r["role"] for r in await db.fetch(OWNER_ROLES)} == {"sales"}
    assert await db.fetchval(NOTE_AUTHORS) == 0
    for table in STAMPED_TABLES:
        assert await db.fetchval(BAD_STAMPS.format(table=table)) == 0, table


async def test_seed_bulk_partners_reach_only_their_accounts_contacts(db):
    assert await db.fetchval(PARTNER_CONTACTS_OUTSIDE_PARTNER_ACCOUNTS) == 0
    assert await db.fetchval("SELECT count(*) FROM partner_contact") > 0


async def test_seed_bulk_customer_has_a_portal_identity(db):
    row = await db.fetchrow(CUSTOMER, CUSTOMER_EMAIL)
    assert row is not None
    assert row["portal_email"] == CUSTOMER_EMAIL


async def test_seed_bulk_same_seed_gives_same_rows(seeded):
    # given two databases seeded alike and one with another seed
    urls, counts = seeded
    tables = ("contact", "account", "account_contact", "note", "consent", "partner_contact",
              "opportunity", "opportunity_stage_change", "opportunity_contact", "activity",
              "sales_order", "sales_order_line", "lead", "audit_entry", "survey",
              "survey_invitation", "survey_response")
    first, second, other = [await _digests(url, tables) for url in urls]
    # then the same seed gives identical rows, and another seed different contacts
    assert counts[0] == counts[1]
    assert first == second
    assert first["contact"] != other["contact"]
    assert first["lead"] != other["lead"]


def test_bulk_rows_do_not_depend_on_chunk_size():
    # given the same contacts generated in one chunk and in uneven chunks
    stages = {kind: [StageInfo(uuid.uuid4(), uuid.uuid4(), k, 50, k) for k in ("OPEN", "WON",
                                                                          "LOST")]
              for kind in ("NEW_BUSINESS", "RENEWAL", "UPSELL")}
    book = uuid.uuid4()
    whole, pieces = (BulkRows(CONTACTS, SEED, stages, book),
                     BulkRows(CONTACTS, SEED, stages, book))
    in_one = whole.chunk(CONTACTS)
    in_pieces: dict[str, list] = {}
    while not pieces.done:
        for table, rows in pieces.chunk(333).items():
            in_pieces.setdefault(table, []).extend(rows)
    # then the rows are the same, deals, leads and survey responses included
    assert whole.fixed == pieces.fixed and in_one["opportunity"] and in_one["sales_order"]
    assert in_one["lead"] and in_one["audit_entry"] and in_one["survey_response"]
    assert dict(in_one) == in_pieces


async def test_seed_bulk_refuses_a_database_with_data(seeded, db):
    # given a database that already holds the seeded data
    before = await db.fetchval("SELECT count(*) FROM contact")
    # when seeding it again
    with pytest.raises(SystemExit, match="already holds data"):
        await asyncio.to_thread(seed_bulk, seeded[0][0], 10)
    # then nothing was added
    assert await db.fetchval("SELECT count(*) FROM contact") == before


async def test_seed_bulk_leaves_keys_and_indexes_as_migrated(server_url, db):
    # given a database that was only migrated
    name = f"crm_test_bulk_{uuid.uuid4().hex[:10]}"
    await _admin(server_url, f'CREATE DATABASE "{name}"')
    try:
        await asyncio.to_thread(upgrade, _with_database(server_url, name))
        fresh = await asyncpg.connect(_with_database(server_url, name))
        try:
            migrated = [tuple(row) for row in await fresh.fetch(SCHEMA)]
        finally:
            await fresh.close()
    finally:
        await _admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    # then the seed, which drops keys and indexes while it copies, restored every one
    assert [tuple(row) for row in await db.fetch(SCHEMA)] == migrated
    assert len(migrated) > 40


async def test_seed_bulk_refuses_an_unmigrated_database(server_url):
    name = f"crm_test_bulk_{uuid.uuid4().hex[:10]}"
    await _admin(server_url, f'CREATE DATABASE "{name}"')
    try:
        with pytest.raises(SystemExit, match="crm migrate"):
            await asyncio.to_thread(seed_bulk, _with_database(server_url, name), 10)
    finally:
        await _admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
