"""The purchase roll-ups stay what the orders say through every kind of write, late ones
included, and customerKpis and cohorts read the same figures from them as from the orders."""

from __future__ import annotations

import asyncio
import random
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import asyncpg
import pytest

from persistence import purchase_rollups
from persistence.cohorts import cohorts, counted_cohorts
from persistence.customer_kpis import KpiInterval, counted_order_kpis, order_kpis
from persistence.db import Reader, make_engine
from tests.databases import insert_order, own_database
from tests.processes import environment

WINDOWS = [(date(2024, 1, 1), date(2024, 12, 31), KpiInterval.MONTH),
           (date(2024, 2, 10), date(2024, 11, 17), KpiInterval.MONTH),
           (date(2023, 3, 15), date(2025, 8, 20), KpiInterval.QUARTER),
           (date(2023, 1, 1), date(2025, 6, 30), KpiInterval.YEAR)]
# What the sums hold, and what the orders say they should hold.
HELD = ("SELECT kind, currency, bucket, period, sum(value) AS value FROM purchase_rollup "
        "GROUP BY 1, 2, 3, 4 HAVING sum(value) <> 0")
DUE = "SELECT * FROM crm_purchase_rollup_of(NULL, NULL, NULL) WHERE value <> 0"


@pytest.fixture(scope="module")
def url(server_url):
    with own_database(server_url, "crm_rollups", demo=True) as url:
        yield url


@pytest.fixture
async def conn(url):
    conn = await asyncpg.connect(url)
    yield conn
    await conn.close()


@pytest.fixture(scope="module")
async def reader(url):
    engine = make_engine(url, pool_size=2)
    yield Reader(engine)
    await engine.dispose()


async def _sums(conn: asyncpg.Connection, sql: str) -> set[tuple]:
    return {tuple(r) for r in await conn.fetch(sql)}


async def _assert_consistent(conn: asyncpg.Connection) -> None:
    assert await _sums(conn, HELD) == await _sums(conn, DUE)


def _at(rng: random.Random) -> datetime:
    return datetime(2022, 6, 1, tzinfo=UTC) + timedelta(minutes=rng.randrange(60 * 24 * 1200))


@pytest.fixture(scope="module")
async def contacts(url) -> list:
    """A dozen contacts with orders over three years, written one by one and in one statement."""
    conn = await asyncpg.connect(url)
    try:
        return await _write_history(conn)
    finally:
        await conn.close()


async def _write_history(conn: asyncpg.Connection) -> list:
    rng = random.Random(7)
    contacts = [r["id"] for r in await conn.fetch("SELECT id FROM contact ORDER BY id LIMIT 12")]
    for _ in range(150):
        await insert_order(conn, rng.choice(contacts), _at(rng),
                           Decimal(rng.randrange(1000, 90000)) / 100,
                           status=rng.choice(["FULFILLED", "FULFILLED", "CONFIRMED", "CANCELLED"]),
                           currency=rng.choice(["EUR", "EUR", "EUR", "USD"]))
    await conn.execute(
        "INSERT INTO sales_order (id, created_by, updated_by, contact_id, price_book_id, "
        "currency, status, ordered_at, subtotal, discount_total, total) "
        "SELECT gen_random_uuid(), 'test', 'test', c, b.id, 'EUR', 'CONFIRMED', "
        "timestamptz '2023-01-01' + n * interval '9 days', 50, 0, 50 "
        "FROM unnest($1::uuid[]) c, generate_series(1, 40) n, price_book b WHERE b.is_standard",
        contacts[:4])
    return contacts


async def test_every_write_keeps_the_sums_what_the_orders_say(conn, contacts):
    # given a history written order by order and in one statement
    await _assert_consistent(conn)
    first = await conn.fetchrow("SELECT id, contact_id FROM sales_order WHERE contact_id = $1 "
                                "AND status <> 'CANCELLED' ORDER BY ordered_at LIMIT 1",
                                contacts[0])
    # when an order arrives late, before every other of its customer's
    await insert_order(conn, contacts[0], datetime(2021, 12, 31, 23, 59, tzinfo=UTC),
                       Decimal("10.00"))
    await _assert_consistent(conn)
    # and orders are cancelled, archived, moved to another customer, repriced and deleted
    await conn.execute("UPDATE sales_order SET status = 'CANCELLED' WHERE id = $1", first["id"])
    await conn.execute("UPDATE sales_order SET archived_at = now() WHERE id IN (SELECT id FROM "
                       "sales_order WHERE contact_id = $1 ORDER BY id LIMIT 3)", contacts[1])
    await conn.execute("UPDATE sales_order SET contact_id = $1 WHERE contact_id = $2",
                       contacts[2], contacts[3])
    await conn.execute("UPDATE sales_order SET total = total + 1, currency = 'USD' WHERE id IN "
                       "(SELECT id FROM sales_order WHERE contact_id = $1 ORDER BY id LIMIT 2)",
                       contacts[4])
    await conn.execute("UPDATE sales_order SET ordered_at = ordered_at - interval '400 days' "
                       "WHERE contact_id = $1", contacts[5])
    await conn.execute("DELETE FROM sales_order WHERE contact_id = $1 AND ordered_at > "
                       "'2024-06-01'", contacts[6])
    # then the sums are still what the orders say, as they are after summing them up
    await _assert_consistent(conn)
    held = await conn.fetchval("SELECT count(*) FROM purchase_rollup")
    assert await purchase_rollups.compact(conn) > 0
    assert await conn.fetchval("SELECT count(*) FROM purchase_rollup") < held
    await _assert_consistent(conn)


async def test_a_statement_of_many_customers_keeps_the_sums(conn, contacts):
    # given more new customers than one statement locks one by one
    await conn.execute("INSERT INTO contact (id, created_by, updated_by, last_name) "
                       "SELECT gen_random_uuid(), 't', 't', 'Many ' || n "
                       "FROM generate_series(1, 1100) n")
    # when one statement writes an order for each
    await conn.execute(
        "INSERT INTO sales_order (id, created_by, updated_by, contact_id, price_book_id, "
        "currency, status, ordered_at, subtotal, discount_total, total) "
        "SELECT gen_random_uuid(), 't', 't', c.id, b.id, 'EUR', 'FULFILLED', "
        "timestamptz '2024-05-01' + (row_number() OVER ()) * interval '1 hour', 20, 0, 20 "
        "FROM contact c, price_book b WHERE b.is_standard AND c.last_name LIKE 'Many %'")
    # then it is summed like any other
    await _assert_consistent(conn)


async def test_a_write_that_is_rolled_back_leaves_the_sums_as_they_were(conn):
    # given the sums as they are
    before = await _sums(conn, HELD)
    contact = await conn.fetchval("SELECT id FROM contact ORDER BY id LIMIT 1")
    # when an order is written and its transaction rolled back
    transaction = conn.transaction()
    await transaction.start()
    await insert_order(conn, contact, datetime(2020, 1, 1, tzinfo=UTC), Decimal("5.00"))
    await transaction.rollback()
    # then nothing of it is summed
    assert await _sums(conn, HELD) == before


async def test_two_writers_of_one_customer_each_start_where_the_other_ended(url, conn,
                                                                           contacts):
    # given two transactions, each writing an order of the same customer
    contact = await conn.fetchval("SELECT id FROM contact ORDER BY id DESC LIMIT 1")
    other = await asyncpg.connect(url)
    try:
        first, second = conn.transaction(), other.transaction()
        await first.start()
        await second.start()
        await insert_order(conn, contact, datetime(2024, 3, 1, tzinfo=UTC), Decimal("20.00"))
        # when the second writes while the first has not committed
        waiting = asyncio.create_task(insert_order(other, contact, datetime(2024, 2, 1, tzinfo=UTC),
                                                   Decimal("30.00")))
        await asyncio.sleep(0.3)
        # then it waits for the first, and counts from what the first wrote
        assert not waiting.done()
        await first.commit()
        await waiting
        await second.commit()
    finally:
        await other.close()
    await _assert_consistent(conn)


@pytest.mark.parametrize(("start", "end", "interval"), WINDOWS)
async def test_kpis_from_the_sums_are_those_counted_from_the_orders(reader, principals, contacts,
                                                                    start, end, interval):
    # given every caller reading every order: the admin
    admin = principals["admin"].access()
    # when the KPIs are read from the sums and counted from the orders
    summed = await order_kpis(reader, admin, start, end, interval, None, "EUR")
    counted = await counted_order_kpis(reader, admin, start, end, interval, None, "EUR")
    # then they agree, and there is something to agree on
    assert summed == counted
    assert sum(r["orders"] for r in summed) > 0


@pytest.mark.parametrize(("start", "end"), [(date(2022, 1, 1), date(2025, 12, 31)),
                                            (date(2023, 5, 20), date(2024, 8, 3))])
async def test_cohorts_from_the_sums_are_those_counted_from_the_orders(reader, principals,
                                                                       contacts, start, end):
    admin = principals["admin"].access()
    summed = await cohorts(reader, admin, start, end, "EUR")
    assert summed == await counted_cohorts(reader, admin, start, end, "EUR")
    assert summed


async def test_a_rebuild_gives_the_sums_the_writes_kept(url, conn, contacts):
    # given the sums the writes kept, and then lost: as after a load with the triggers off
    kept = await _sums(conn, HELD)
    await conn.execute("DELETE FROM purchase_rollup WHERE kind = 'active'")
    # when `crm analytics rebuild` runs
    done = subprocess.run([sys.executable, "-m", "api.cli", "analytics", "rebuild"],
                          env=environment({"DATABASE_URL": url}), capture_output=True,
                          text=True, timeout=120)
    # then every order is summed anew, into what the writes had kept
    assert done.returncode == 0, done.stderr
    assert "purchase roll-ups rebuilt" in done.stdout
    assert await _sums(conn, HELD) == kept
