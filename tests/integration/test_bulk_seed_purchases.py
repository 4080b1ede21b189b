"""`crm seed --contacts N --orders-per-contact X`: repeat buyers among the contacts."""

from __future__ import annotations

import uuid

import asyncpg
import pytest

from persistence.seed.bulk import seed_bulk
from persistence.seed.bulk_rows import BulkRows
from persistence.seed.demo import BASE_TIME
from persistence.seed.demo_deals import StageInfo
from tests.databases import own_database

CONTACTS = 2_000
ORDERS_PER_CONTACT = 4.0
SEED = 42
# What `crm seed --contacts 2000` made before contacts could buy (seed 42, stages as below),
# and the leads and survey responses it makes since; the deals their conversions opened
# (128, with 217 stage changes and 128 contact roles) come on top of the 299 it made before.
ROWS_WITHOUT_PURCHASES = {
    "territory": 13, "app_user": 7, "partner": 2, "product": 8, "price_book_entry": 16,
    "account": 208, "note": 2398, "contact": 2000, "account_contact": 1831, "portal_identity": 1,
    "consent": 4038, "opportunity": 299 + 128, "opportunity_stage_change": 446 + 217,
    "opportunity_contact": 292 + 128, "activity": 1880, "sales_order": 161,
    "sales_order_line": 337, "partner_account": 4, "partner_contact": 37, "lead": 1021,
    "audit_entry": 910, "survey": 4, "survey_invitation": 248, "survey_response": 401}

ORDERS_DIGEST = """
SELECT count(*), md5(string_agg(concat_ws('|', o.number, o.account_id, o.contact_id, o.status,
  o.ordered_at, o.total, l.product_id, l.unit_price), ',' ORDER BY o.number))
FROM sales_order o JOIN sales_order_line l ON l.order_id = o.id
"""
CONTACT_ORDERS = """
SELECT count(*) AS orders, count(DISTINCT contact_id) AS buyers,
       count(*) FILTER (WHERE status = 'FULFILLED') AS fulfilled,
       count(*) FILTER (WHERE status = 'CANCELLED') AS cancelled,
       avg(total) AS mean_total
FROM sales_order WHERE contact_id IS NOT NULL
"""
# An order naming a contact bills the contact's account or nobody else, and falls in its life.
MISPLACED_ORDERS = """
SELECT count(*) FROM sales_order o JOIN contact c ON c.id = o.contact_id
WHERE o.ordered_at < c.created_at OR o.ordered_at > $1 OR o.currency <> 'EUR'
   OR (o.account_id IS NOT NULL AND NOT EXISTS (
       SELECT 1 FROM account_contact ac
       WHERE ac.account_id = o.account_id AND ac.contact_id = o.contact_id))
"""
# One line each, quantity 1 at the drawn value, no discount: every total is that value.
INCONSISTENT_ORDERS = """
SELECT count(*) FROM sales_order o
WHERE o.contact_id IS NOT NULL AND (
  (SELECT count(*) FROM sales_order_line l WHERE l.order_id = o.id) <> 1
  OR EXISTS (SELECT 1 FROM sales_order_line l WHERE l.order_id = o.id AND (
      l.position <> 1 OR l.quantity <> 1 OR l.discount_percent <> 0 OR l.unit_price <= 0
      OR l.unit_price <> o.total OR l.total <> o.total))
  OR o.subtotal <> o.total OR o.discount_total <> 0)
"""
GAPS = """
SELECT count(DISTINCT contact_id) AS repeat_buyers,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM gap) / 86400) AS median_days
FROM (SELECT contact_id, ordered_at - lag(ordered_at) OVER (
        PARTITION BY contact_id ORDER BY ordered_at) AS gap
      FROM sales_order WHERE contact_id IS NOT NULL) gaps
WHERE gap IS NOT NULL
"""
NUMBERS = """
SELECT count(*) AS n, count(DISTINCT number) AS distinct_numbers, min(number) AS first,
       max(number) AS last FROM sales_order
"""


@pytest.fixture(scope="module")
def buyers(server_url):
    """Two databases seeded alike with contacts that buy; dropped at the end."""
    with (own_database(server_url, "crm_test_buyers", migrated=True) as first,
          own_database(server_url, "crm_test_buyers", migrated=True) as second):
        counts = [seed_bulk(url, CONTACTS, seed=SEED, orders_per_contact=ORDERS_PER_CONTACT)
                  for url in (first, second)]
        yield (first, second), counts


@pytest.fixture
async def db(buyers):
    conn = await asyncpg.connect(buyers[0][0])
    yield conn
    await conn.close()


def _rows(orders_per_contact: float) -> dict[str, list]:
    stages = {kind: [StageInfo(uuid.UUID(int=n), uuid.UUID(int=10 + n), k, 50, k)
                     for n, k in enumerate(("OPEN", "WON", "LOST"))]
              for kind in ("NEW_BUSINESS", "RENEWAL", "UPSELL")}
    data = BulkRows(CONTACTS, SEED, stages, uuid.UUID(int=99),
                    orders_per_contact=orders_per_contact)
    return {**data.fixed, **data.chunk(CONTACTS)}


async def test_seed_purchases_orders_name_contacts_about_x_each(buyers, db):
    # given contacts seeded to place ORDERS_PER_CONTACT orders each on average
    row = await db.fetchrow(CONTACT_ORDERS)
    # then their orders name them, about X per contact, mostly fulfilled, a few cancelled
    assert 0.75 * ORDERS_PER_CONTACT < row["orders"] / CONTACTS < 1.25 * ORDERS_PER_CONTACT
    assert 0.5 * CONTACTS < row["buyers"] < CONTACTS
    assert 0.8 < row["fulfilled"] / row["orders"] < 0.9
    assert 0.02 < row["cancelled"] / row["orders"] < 0.08
    assert 200 < row["mean_total"] < 400
    assert await db.fetchval(MISPLACED_ORDERS, BASE_TIME) == 0
    # and the account orders are still there, named by no contact
    assert await db.fetchval("SELECT count(*) FROM sales_order WHERE contact_id IS NULL") > 0
    assert buyers[1][0]["sales_order"] == await db.fetchval("SELECT count(*) FROM sales_order")


async def test_seed_purchases_repeat_buyers_come_back_after_gaps(db):
    row = await db.fetchrow(GAPS)
    assert row["repeat_buyers"] > 0.3 * CONTACTS
    # weeks between purchases, typically, not minutes and not years
    assert 3 < row["median_days"] < 180


async def test_seed_purchases_totals_are_their_one_line(db):
    assert await db.fetchval(INCONSISTENT_ORDERS) == 0


async def test_seed_purchases_share_the_order_numbers_with_account_orders(db):
    # given contact orders and account orders, made in one sequence
    row = await db.fetchrow(NUMBERS)
    # then they are numbered SO-000001 to SO-n without gaps, and new orders come after them
    assert row["distinct_numbers"] == row["n"]
    assert (row["first"], row["last"]) == ("SO-000001", f"SO-{row['n']:06d}")
    assert await db.fetchval("SELECT nextval('order_number')") == row["n"] + 1


async def test_seed_purchases_same_seed_gives_same_orders(buyers):
    # given two databases seeded alike
    digests = []
    for url in buyers[0]:
        conn = await asyncpg.connect(url)
        try:
            digests.append(tuple(await conn.fetchrow(ORDERS_DIGEST)))
        finally:
            await conn.close()
    # then their orders and lines are the same
    assert digests[0] == digests[1]
    assert digests[0][0] > CONTACTS


def test_seed_purchases_none_by_default_leaves_the_rows_as_before():
    # given the rows of the default seed and of one whose contacts buy
    before, buying = _rows(0), _rows(ORDERS_PER_CONTACT)
    # then the default makes as many rows as before contacts could buy
    assert {table: len(rows) for table, rows in before.items()} == ROWS_WITHOUT_PURCHASES
    # and buying contacts change no other row, nor the account orders beyond their numbers
    for table in set(before) - {"sales_order", "sales_order_line"}:
        assert before[table] == buying[table], table

    def account_orders(rows):
        return [row[1:7] + row[8:] for row in rows["sales_order"] if row[9] is None]

    assert account_orders(before) == account_orders(buying)


@pytest.mark.parametrize("orders_per_contact", [-1.0, 21.0, float("nan")])
def test_seed_purchases_refuses_x_out_of_range(orders_per_contact):
    with pytest.raises(SystemExit, match="--orders-per-contact"):
        seed_bulk("postgresql://nowhere.invalid/none", 10, orders_per_contact=orders_per_contact)
