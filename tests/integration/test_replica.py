"""DATABASE_REPLICA_URL on a real streaming replica, built from a primary of the test's own
with pg_basebackup: the analytical queries read the replica, everything else the primary.

Pausing the replica's replay makes the two differ: a purchase written on the primary then is
in the operational list at once, and in the analytics only once the replica replays it."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime
from decimal import Decimal

import asyncpg
import pytest

from api.analytics_jobs import refresh
from api.schema.ids import to_global_id
from api.settings import ConfigError, load_settings
from persistence.db import make_engine
from persistence.migrate import upgrade
from tests.clusters import caught_up, primary_and_replica
from tests.databases import execute, insert_order, load_demo
from tests.graphql import graphql_over

# Years before anything the demo data holds, so that the customer below is alone in them.
FIGURES = """query($contact: ID!) {
  orders(filter: {contact: {eq: $contact}}) { totalCount }
  ordersAggregate(filter: {contact: {eq: $contact}}) { totalCount }
  customerKpis(from: "2011-01-01", to: "2011-03-31", interval: MONTH) { periodStart orders }
  cohorts(metric: REVENUE, from: "2011-01-01", to: "2011-03-31") { month periods { value } }
  funnel(from: "2011-01-01", to: "2011-03-31") { steps { count } } }"""
CONTACT_CREATE = """mutation($input: ContactCreateInput!) { contactCreate(input: $input) {
  contact { id lastName } errors { field code message } } }"""


def _prepare(server: str, url: str) -> None:
    asyncio.run(execute(server, ("CREATE DATABASE crm",)))
    upgrade(url)
    asyncio.run(load_demo(url))


@pytest.fixture(scope="module")
def urls():
    with primary_and_replica(_prepare) as (primary_url, replica_url):
        yield primary_url, replica_url


@pytest.fixture(scope="module")
async def primary(urls):
    conn = await asyncpg.connect(urls[0])
    yield conn
    await conn.close()


@pytest.fixture(scope="module")
async def replica(urls, primary):
    conn = await _connect_when_ready(urls[1])
    assert await conn.fetchval("SELECT pg_is_in_recovery()"), "the replica is not a standby"
    await caught_up(primary, conn)
    yield conn
    await conn.close()


@pytest.fixture(scope="module")
async def gql(settings, urls, principals, replica):
    replicated = settings.model_copy(update={"database_replica_url": urls[1]})
    async with graphql_over(replicated, urls[0], principals) as client:
        yield client


async def _connect_when_ready(url: str, timeout: float = 20) -> asyncpg.Connection:
    """A standby refuses connections until it reaches a consistent state."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return await asyncpg.connect(url)
        except (asyncpg.CannotConnectNowError, OSError):
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.1)


async def _order(conn: asyncpg.Connection, contact: uuid.UUID, day: str, total: str) -> None:
    await insert_order(conn, contact, datetime.fromisoformat(day).replace(hour=9, tzinfo=UTC),
                       Decimal(total))


async def _lead(conn: asyncpg.Connection, day: str) -> None:
    await conn.execute(
        "INSERT INTO lead (id, created_at, created_by, updated_by, last_name, status) VALUES "
        "(gen_random_uuid(), $1, 't', 't', 'Replicated', 'NEW')",
        datetime.fromisoformat(day).replace(hour=9, tzinfo=UTC))


async def _pause(replica: asyncpg.Connection) -> None:
    await replica.execute("SELECT pg_wal_replay_pause()")
    while await replica.fetchval("SELECT pg_get_wal_replay_pause_state()") != "paused":
        await asyncio.sleep(0.02)


async def _figures(gql, contact: uuid.UUID) -> dict:
    data = await gql.ok("admin", FIGURES, {"contact": to_global_id("Contact", contact)})
    return {
        "listed": data["orders"]["totalCount"],
        "counted": data["ordersAggregate"]["totalCount"],
        "kpi_orders": sum(row["orders"] or 0 for row in data["customerKpis"]),
        "cohort_revenue": sum(Decimal(cell["value"] or 0)
                              for cohort in data["cohorts"] for cell in cohort["periods"]),
        "funnel_leads": sum(group["steps"][0]["count"] for group in data["funnel"]),
    }


async def test_analytics_read_the_replica_and_lists_the_primary(gql, primary, replica):
    # given a customer whose January purchase, and a January lead, the replica has replayed
    customer = await primary.fetchval(
        "INSERT INTO contact (id, created_by, updated_by, last_name) VALUES "
        "(gen_random_uuid(), 't', 't', 'Replicated') RETURNING id")
    await _order(primary, customer, "2011-01-05", "100")
    await _lead(primary, "2011-01-20")
    await caught_up(primary, replica)
    assert await _figures(gql, customer) == {
        "listed": 1, "counted": 1, "kpi_orders": 1, "cohort_revenue": Decimal(100),
        "funnel_leads": 1}

    # when the replica stops replaying, and the customer buys again in February, when
    # another lead comes in
    await _pause(replica)
    await _order(primary, customer, "2011-02-10", "50")
    await _lead(primary, "2011-02-12")

    # then the order list (the primary) shows the purchase, and the aggregate, the customer
    # KPIs, the cohorts and the funnel (the replica) see neither yet
    assert await _figures(gql, customer) == {
        "listed": 2, "counted": 1, "kpi_orders": 1, "cohort_revenue": Decimal(100),
        "funnel_leads": 1}

    # when the replica replays again
    await replica.execute("SELECT pg_wal_replay_resume()")
    await caught_up(primary, replica)

    # then the analytics count the second purchase and lead too
    assert await _figures(gql, customer) == {
        "listed": 2, "counted": 2, "kpi_orders": 2, "cohort_revenue": Decimal(150),
        "funnel_leads": 2}


async def test_mutation_writes_the_primary_while_a_replica_is_configured(gql, primary, replica):
    # given a replica, which refuses every write
    assert await replica.fetchval("SHOW transaction_read_only") == "on"
    # when a contact is created
    result = await gql.ok("admin", CONTACT_CREATE, {"input": {"lastName": "Written"}})
    # then it is written, on the primary
    payload = result["contactCreate"]
    assert payload["errors"] == [] and payload["contact"]["lastName"] == "Written"
    assert await primary.fetchval("SELECT count(*) FROM contact WHERE last_name = 'Written'") == 1
    # and reaches the replica by replication
    await caught_up(primary, replica)
    assert await replica.fetchval("SELECT count(*) FROM contact WHERE last_name = 'Written'") == 1


async def test_refresh_reads_the_replica_and_writes_the_primary(settings, urls, primary,
                                                                replica):
    # given a customer with a purchase the replica has replayed, and one it has not
    customer = await primary.fetchval(
        "INSERT INTO contact (id, created_by, updated_by, last_name) VALUES "
        "(gen_random_uuid(), 't', 't', 'Refreshed') RETURNING id")
    await _order(primary, customer, "2012-01-05", "100")
    await caught_up(primary, replica)
    await _pause(replica)
    await _order(primary, customer, "2012-02-10", "50")
    replicated = settings.model_copy(update={"database_replica_url": urls[1]})
    engine = make_engine(urls[0], pool_size=1)
    scores = ("SELECT s.frequency, s.monetary, l.frequency AS repeats FROM rfm_score s "
              "JOIN lifetime_score l ON l.contact_id = s.record_id WHERE s.record_id = $1")
    try:
        # when the analytics are refreshed with the replica configured
        await refresh(engine, replicated, datetime.now(UTC))
        # then the scores, written on the primary, count the purchase the replica holds
        assert dict(await primary.fetchrow(scores, customer)) == {
            "frequency": 1, "monetary": Decimal(100), "repeats": 0}
        # and once it has replayed the second, a refresh counts both
        await replica.execute("SELECT pg_wal_replay_resume()")
        await caught_up(primary, replica)
        await refresh(engine, replicated, datetime.now(UTC))
        assert dict(await primary.fetchrow(scores, customer)) == {
            "frequency": 2, "monetary": Decimal(150), "repeats": 1}
    finally:
        await replica.execute("SELECT pg_wal_replay_resume()")
        await engine.dispose()


def test_settings_refuse_a_replica_url_that_is_not_postgresql():
    # when DATABASE_REPLICA_URL names another kind of database
    with pytest.raises(ConfigError) as refused:
        load_settings(database_replica_url="mysql://replica/crm")
    # then the server does not start, and the message names the variable to fix
    assert "DATABASE_REPLICA_URL: " in str(refused.value)
    assert "DATABASE_REPLICA_URL must start with postgresql://" in str(refused.value)
