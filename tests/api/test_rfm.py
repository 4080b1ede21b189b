"""RFM scores through the API: 25 contacts whose orders are laid out so that each quintile
holds exactly five of them on every score, refreshed by `crm analytics refresh`, read and
filtered by segment as each role."""

from __future__ import annotations

import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import asyncpg
import pytest

from domain.ids import to_global_id
from tests.databases import insert_order, own_database
from tests.graphql import graphql_over
from tests.processes import environment

CREATE = """mutation($n: String!) { contactCreate(input: {lastName: $n}) {
  contact { id } errors { code } } }"""
QUINTILES = """query { contacts(first: 50, filter: {lastName: {startsWith: "Quintile"}},
  orderBy: [{field: LAST_NAME}]) { nodes { lastName rfm { recency frequency monetary currency
  r f m segment computedAt } } } }"""
IN_SEGMENT = """query($s: RfmSegment!) { contacts(first: 50, filter: {and: [
  {lastName: {startsWith: "Quintile"}}, {rfmSegment: {eq: $s}}]}, orderBy: [{field: LAST_NAME}])
  { nodes { lastName } } }"""
UNSCORED = """query { contacts(first: 50, filter: {and: [{lastName: {startsWith: "Quintile"}},
  {rfmSegment: {isNull: true}}]}) { nodes { lastName } } }"""
ACCOUNT_RFM = """query { accounts(first: 100, filter: {rfmSegment: {isNull: false}})
  { nodes { rfm { segment r f m } } } }"""
ONE_RFM = """query($id: ID!) { node(id: $id) { ... on Contact { rfm { segment } } } }"""
STAFF_READERS = ("admin", "sales", "marketing", "analyst")


def design(k: int) -> tuple[int, int, int]:
    """The (r, f, m) contact k was laid out for: each score takes each value five times."""
    return k // 5 + 1, (k % 5 + k // 5) % 5 + 1, (k % 5 * 2 + k // 5) % 5 + 1


def name(k: int) -> str:
    return f"Quintile {k:02d}"


@pytest.fixture(scope="module")
def database(server_url: str):
    with own_database(server_url, "crm_rfm", demo=True) as url:
        yield url


@pytest.fixture(scope="module")
async def rfm_gql(settings, database, principals):
    async with graphql_over(settings, database, principals) as client:
        yield client


@pytest.fixture(scope="module")
async def scored(rfm_gql, database):
    """The 25 contacts with their orders, plus orders that must not count, refreshed."""
    ids = {}
    for k in range(25):
        await rfm_gql.ok("admin", CREATE, {"n": name(k)})
        ids[k] = await _contact_id(database, name(k))
    noon = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)
    conn = await asyncpg.connect(database)
    try:
        for k, contact_id in ids.items():
            r, f, m = design(k)
            last = noon - timedelta(days=30 * (5 - r) + k % 5 + 1)
            each = (Decimal(m * 1000) / f).quantize(Decimal("0.01"))
            for i in range(f):
                await insert_order(conn, contact_id, last - timedelta(days=2 * i), each)
        # Not purchases, or not in the reporting currency: none of them counts.
        for status in ("DRAFT", "CANCELLED"):
            await insert_order(conn, ids[0], noon, Decimal("99999"), status=status)
        await insert_order(conn, ids[0], noon, Decimal("99999"), currency="USD")
    finally:
        await conn.close()
    await rfm_gql.ok("admin", CREATE, {"n": "Quintile without orders"})
    done = subprocess.run([sys.executable, "-m", "api.cli", "analytics", "refresh"],
                          env=environment({"DATABASE_URL": database}), capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout, noon


async def _contact_id(database: str, last_name: str) -> uuid.UUID:
    conn = await asyncpg.connect(database)
    try:
        return await conn.fetchval("SELECT id FROM contact WHERE last_name = $1", last_name)
    finally:
        await conn.close()


async def test_refresh_reports_what_it_scored(scored):
    # given the 25 contacts that bought, and the demo's accounts with orders
    # when the refresh runs, then it says how many of each it scored
    output, _ = scored
    assert "RFM of 25 contacts, 29 accounts" in output and "(EUR)" in output


async def test_rfm_scores_are_quintiles_over_customers_who_bought(rfm_gql, scored):
    # when the admin reads the contacts' scores
    _, noon = scored
    nodes = (await rfm_gql.ok("admin", QUINTILES))["contacts"]["nodes"]
    by_name = {n["lastName"]: n["rfm"] for n in nodes}
    # then each score is the quintile the orders were laid out for
    for k in range(25):
        got = by_name[name(k)]
        assert (got["r"], got["f"], got["m"]) == design(k), name(k)
    # and the raw values are the purchases' own: Quintile 24 bought 4 times, 3,000 in all,
    # the last 1 day before the refresh; its draft, cancelled and USD orders do not count
    assert by_name[name(24)]["frequency"] == 4
    assert Decimal(by_name[name(24)]["monetary"]) == Decimal("3000.00")
    computed = datetime.fromisoformat(by_name[name(24)]["computedAt"])
    assert by_name[name(24)]["recency"] == (computed.date() - (noon - timedelta(days=5)).date()).days
    assert by_name[name(0)]["frequency"] == 1 and by_name[name(0)]["currency"] == "EUR"
    assert Decimal(by_name[name(0)]["monetary"]) == Decimal("1000.00")
    # and one who never bought has no scores
    assert by_name["Quintile without orders"] is None


@pytest.mark.parametrize("k, segment", [
    (24, "CHAMPIONS"), (20, "CHAMPIONS"),  # r 5, FM 4 and 5
    (0, "LOST"),  # 1 on every score
    (3, "AT_RISK"), (9, "AT_RISK"),  # r 1-2, FM 3
    (4, "CANT_LOSE_THEM"),  # r 1, FM 5
    (5, "ABOUT_TO_SLEEP"),  # r 2, FM 2
    (21, "POTENTIAL_LOYALISTS"),  # r 5, FM 2
    (11, "LOYAL"),  # r 3, f 3, m 5: FM 4
    (13, "NEED_ATTENTION"),  # r 3, f 1, m 4: FM 3
])
async def test_rfm_segment_follows_the_grid(rfm_gql, scored, k, segment):
    nodes = (await rfm_gql.ok("admin", QUINTILES))["contacts"]["nodes"]
    assert {n["lastName"]: n["rfm"]["segment"] for n in nodes if n["rfm"]}[name(k)] == segment


async def test_contacts_filter_by_rfm_segment(rfm_gql, scored):
    # when the contacts are filtered by a segment, then those in it are listed
    data = await rfm_gql.ok("admin", IN_SEGMENT, {"s": "CANT_LOSE_THEM"})
    assert [n["lastName"] for n in data["contacts"]["nodes"]] == [name(2), name(4)]
    # and isNull finds those with no purchase
    data = await rfm_gql.ok("admin", UNSCORED)
    assert [n["lastName"] for n in data["contacts"]["nodes"]] == ["Quintile without orders"]


@pytest.mark.parametrize("role", STAFF_READERS)
async def test_account_rfm_readable_by_analytics_roles(rfm_gql, scored, role):
    # given the demo's accounts, scored when it was loaded and again by the refresh
    # when a role that reads analytics lists the scored accounts it sees
    nodes = (await rfm_gql.ok(role, ACCOUNT_RFM))["accounts"]["nodes"]
    # then it sees their scores
    assert nodes and all(1 <= n["rfm"]["r"] <= 5 and n["rfm"]["segment"] for n in nodes)


@pytest.mark.parametrize("role", ("service", "partner"))
async def test_account_rfm_refused_to_other_roles(rfm_gql, scored, role):
    # when a role that may not read analytics filters by segment or reads the scores
    result = await rfm_gql(role, ACCOUNT_RFM)
    # then it is refused, and no score reaches it
    assert "FORBIDDEN" in result.error_codes() and not (result.data or {}).get("accounts")


async def test_customer_never_reads_its_own_rfm(rfm_gql, scored, principals):
    # given the customer's own contact, which it may read
    own = principals["customer"].contact_id
    contact_id = to_global_id("Contact", own)
    assert (await rfm_gql.ok("customer", """query($id: ID!) { node(id: $id) { id } }""",
                             {"id": contact_id}))["node"]["id"] == contact_id
    # when it asks for its RFM scores, then they are refused
    result = await rfm_gql("customer", ONE_RFM, {"id": contact_id})
    assert result.error_codes() == ["FORBIDDEN"]
