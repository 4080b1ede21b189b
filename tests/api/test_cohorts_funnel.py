"""The cohort matrix and the lead funnel through the API, on purchases and leads laid out by
hand in 2022 (before anything the demo holds), in a database of this module's own."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal

import asyncpg
import pytest

from tests.databases import own_database
from tests.graphql import graphql_over

COHORTS = """query($m: CohortMetric!) { cohorts(metric: $m, from: "2022-01-01", to: "2022-03-31")
  { month size periods { period customers value } } }"""
FUNNEL = """query($g: FunnelGroup) { funnel(from: "2022-06-01", to: "2022-06-30", groupBy: $g)
  { key steps { step count conversionRate overallRate medianDays } } }"""
# customer -> its orders: (day, total, status); H bought first in December, before the window.
ORDERS = {
    "A": [("2022-01-05", "100"), ("2022-02-10", "50"), ("2022-03-15", "25")],
    "B": [("2022-01-20", "200"), ("2022-02-01", "80")],
    "C": [("2022-01-31", "300")],
    "D": [("2022-01-02", "10"), ("2022-02-05", "999", "CANCELLED")],
    "E": [("2022-02-14", "40"), ("2022-03-01", "60"), ("2022-03-20", "5")],
    "F": [("2022-02-28", "70")],
    "G": [("2022-03-09", "90")],
    "H": [("2021-12-15", "20"), ("2022-01-10", "20")],
}
# lead -> (source, created, qualified, converted, deal outcome): the funnel's known timings.
LEADS = {
    "L1": ("WEB_FORM", "2022-06-01", "2022-06-03", "2022-06-07", ("WON", "2022-06-17")),
    "L2": ("WEB_FORM", "2022-06-02", "2022-06-06", "2022-06-08", ("OPEN", None)),
    "L3": ("EVENT", "2022-06-05", "2022-06-11", None, None),
    "L4": ("EVENT", "2022-06-10", None, None, None),
    "L5": (None, "2022-06-12", None, "2022-06-13", ("LOST", "2022-06-20")),
    "Late": ("EVENT", "2022-07-01", None, None, None),
}


def day(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text).replace(hour=9, tzinfo=UTC)


@pytest.fixture(scope="module")
def database(server_url: str):
    with own_database(server_url, "crm_cohorts", demo=True) as url:
        yield url


@pytest.fixture(scope="module")
async def gql(settings, database, principals):
    await _lay_out(database)
    async with graphql_over(settings, database, principals) as client:
        yield client


async def _lay_out(url: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        book = await conn.fetchval("SELECT id FROM price_book WHERE is_standard")
        for name, orders in ORDERS.items():
            contact = await conn.fetchval(
                "INSERT INTO contact (id, created_by, updated_by, last_name) VALUES "
                "(gen_random_uuid(), 't', 't', $1) RETURNING id", f"Cohort {name}")
            for at, total, *status in orders:
                await conn.execute(
                    "INSERT INTO sales_order (id, created_by, updated_by, contact_id, "
                    "price_book_id, currency, status, ordered_at, subtotal, discount_total, "
                    "total) VALUES (gen_random_uuid(), 't', 't', $1, $2, 'EUR', $3, $4, $5, 0, $5)",
                    contact, book, status[0] if status else "FULFILLED", day(at), Decimal(total))
        account = await conn.fetchval("SELECT id FROM account ORDER BY id LIMIT 1")
        stages = {r["kind"]: (r["pipeline_id"], r["id"]) for r in await conn.fetch(
            "SELECT DISTINCT ON (kind) kind, pipeline_id, id FROM pipeline_stage "
            "WHERE archived_at IS NULL ORDER BY kind, position")}
        for name, (source, created, qualified, converted, deal) in LEADS.items():
            lead_id, deal_id = uuid.uuid4(), None
            if deal:
                kind, closed = deal
                pipeline, stage = stages[kind]
                deal_id = await conn.fetchval(
                    "INSERT INTO opportunity (id, created_at, created_by, updated_by, account_id, "
                    "name, currency, pipeline_id, stage_id, probability, closed_at) VALUES "
                    "(gen_random_uuid(), $1, 't', 't', $2, $3, 'EUR', $4, $5, 50, $6) "
                    "RETURNING id", day(converted), account, f"Deal {name}", pipeline, stage,
                    day(closed))
            await conn.execute(
                "INSERT INTO lead (id, created_at, created_by, updated_by, last_name, source, "
                "status, converted_at, converted_opportunity_id) VALUES ($1, $2, 't', 't', $3, "
                "$4, $5, $6, $7)", lead_id, day(created), name, source,
                "CONVERTED" if converted else "QUALIFIED" if qualified else "NEW",
                day(converted), deal_id)
            if qualified:
                await conn.execute(
                    "INSERT INTO audit_entry (id, created_at, record_type, record_id, action, "
                    "changes, created_by, updated_by) VALUES (gen_random_uuid(), $1, 'Lead', $2, "
                    "'update', '{\"status\": {\"before\": \"NEW\", \"after\": \"QUALIFIED\"}}', "
                    "'t', 't')", day(qualified), lead_id)
    finally:
        await conn.close()


def matrix(cohorts: list[dict]) -> dict:
    return {c["month"]: (c["size"], [(p["customers"], Decimal(p["value"])) for p in c["periods"]])
            for c in cohorts}


async def test_cohort_retention_matrix(gql):
    # when the admin asks for the retention of the first quarter's cohorts
    data = await gql.ok("admin", COHORTS, {"m": "RETENTION"})
    # then each cohort's share of buyers, month by month, is as laid out; H, whose first
    # purchase came before January, is in none; D's cancelled order counts for nothing
    assert matrix(data["cohorts"]) == {
        "2022-01-01": (4, [(4, Decimal("1")), (2, Decimal("0.5")), (1, Decimal("0.25"))]),
        "2022-02-01": (2, [(2, Decimal("1")), (1, Decimal("0.5"))]),
        "2022-03-01": (1, [(1, Decimal("1"))]),
    }


async def test_cohort_revenue_matrix(gql):
    data = await gql.ok("admin", COHORTS, {"m": "REVENUE"})
    assert matrix(data["cohorts"]) == {
        "2022-01-01": (4, [(4, Decimal("610")), (2, Decimal("130")), (1, Decimal("25"))]),
        "2022-02-01": (2, [(2, Decimal("110")), (1, Decimal("65"))]),
        "2022-03-01": (1, [(1, Decimal("90"))]),
    }


async def test_funnel_counts_rates_and_median_days(gql):
    # when the admin asks for June's funnel
    data = await gql.ok("admin", FUNNEL)
    [group] = data["funnel"]
    # then five leads went in, and each step's count, rate and median time is as laid out:
    # qualified after 2, 4, 6 and (L5, converted at once) 1 days: median 3
    assert group["key"] is None
    assert [(s["step"], s["count"], s["conversionRate"], s["medianDays"])
            for s in group["steps"]] == [
        ("LEAD", 5, None, None), ("QUALIFIED", 4, 0.8, 3.0), ("CONVERTED", 3, 0.75, 2.0),
        ("OPPORTUNITY", 3, 1.0, 0.0), ("WON", 1, 0.3333, 10.0)]
    assert [s["overallRate"] for s in group["steps"]] == [1.0, 0.8, 0.6, 0.6, 0.2]


async def test_funnel_by_source(gql):
    data = await gql.ok("admin", FUNNEL, {"g": "SOURCE"})
    counts = {g["key"]: [s["count"] for s in g["steps"]] for g in data["funnel"]}
    assert counts == {"EVENT": [2, 1, 0, 0, 0], "WEB_FORM": [2, 2, 2, 2, 1],
                      None: [1, 1, 1, 1, 0]}


@pytest.mark.parametrize("role", ("admin", "sales", "marketing", "service", "analyst"))
async def test_cohorts_read_by_staff_who_read_orders(gql, role):
    data = await gql.ok(role, COHORTS, {"m": "REVENUE"})
    assert [c["size"] for c in data["cohorts"]] == [4, 2, 1]


@pytest.mark.parametrize("role, query, variables", [
    ("partner", COHORTS, {"m": "RETENTION"}),
    ("partner", FUNNEL, {}),
    ("customer", FUNNEL, {}),
])
async def test_analytics_refused_to_roles_without_the_fields(gql, role, query, variables):
    result = await gql(role, query, variables)
    assert result.error_codes() == ["FORBIDDEN"]


async def test_customer_cohorts_hold_only_its_own_purchases(gql):
    # a customer reads its own orders: its cohorts are its own, none in 2022
    for metric in ("RETENTION", "REVENUE"):
        assert (await gql.ok("customer", COHORTS, {"m": metric}))["cohorts"] == []


@pytest.mark.parametrize("role", ("admin", "marketing", "service", "analyst"))
async def test_funnel_read_by_roles_that_read_leads(gql, role):
    data = await gql.ok(role, FUNNEL)
    assert data["funnel"][0]["steps"][0]["count"] == 5


async def test_funnel_refuses_a_window_ending_before_it_starts(gql):
    result = await gql("admin", """{ funnel(from: "2022-06-30", to: "2022-06-01") { key } }""")
    assert result.error_codes() == ["INVALID"]
