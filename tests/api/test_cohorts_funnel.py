"""The cohort matrix, the lead funnel and the customer KPIs through the API, on purchases,
leads and survey answers laid out by hand in 2021 and 2022 (before anything the demo holds),
in a database of this module's own."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal

import asyncpg
import orjson
import pytest

from tests.databases import insert_order, own_database
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
    "I": [("2021-03-15", "30")],  # active when March 2022 starts, and no more when it ends
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
        for name, orders in ORDERS.items():
            contact = await conn.fetchval(
                "INSERT INTO contact (id, created_by, updated_by, last_name) VALUES "
                "(gen_random_uuid(), 't', 't', $1) RETURNING id", f"Cohort {name}")
            for at, total, *status in orders:
                await insert_order(conn, contact, day(at), Decimal(total),
                                   status=status[0] if status else "FULFILLED")
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
        await _answer_surveys(conn, contact)
        # A came from a referral: a lead converted into it, before any window asked about
        await conn.execute(
            "INSERT INTO lead (id, created_at, created_by, updated_by, last_name, source, status, "
            "converted_at, converted_contact_id) SELECT gen_random_uuid(), $1, 't', 't', "
            "'Referred A', 'REFERRAL', 'CONVERTED', $1, id FROM contact WHERE last_name = "
            "'Cohort A'", day("2021-11-30"))
    finally:
        await conn.close()


# kind -> the answers given in June 2022: a score each, or SERVQUAL's (dimension, aspect, value)
ANSWERS = {
    "NPS": [10, 9, 9, 10, 9, 10, 9, 9, 7, 8, 8, 7, 7, 0, 3, 6, 5, 6, 4, 2],
    "CSAT": [5, 4, 3, 5, 2],
    "CES": [2, 3, 7],
    "SERVQUAL": [[("RELIABILITY", "EXPECTATION", 6), ("RELIABILITY", "PERCEPTION", 4),
                  ("EMPATHY", "EXPECTATION", 5), ("EMPATHY", "PERCEPTION", 6)],
                 [("RELIABILITY", "EXPECTATION", 7), ("RELIABILITY", "PERCEPTION", 5)]],
}


async def _answer_surveys(conn, contact) -> None:
    for kind, answers in ANSWERS.items():
        survey = await conn.fetchval(
            "INSERT INTO survey (id, created_by, updated_by, name, kind, questions, trigger) "
            "VALUES (gen_random_uuid(), 't', 't', $1, $1, '[]', 'MANUAL') RETURNING id", kind)
        for n, answer in enumerate(answers):
            given = ([{"key": f"q{i}", "value": v, "dimension": d, "aspect": a}
                      for i, (d, a, v) in enumerate(answer)] if kind == "SERVQUAL"
                     else [{"key": "score", "value": answer}])
            await conn.execute(
                "INSERT INTO survey_response (id, created_by, updated_by, survey_id, contact_id, "
                "answers, score, channel, responded_at) VALUES (gen_random_uuid(), 't', 't', "
                "$1, $2, $3::jsonb, $4, 'STAFF', $5)", survey, contact, orjson.dumps(given).decode(),
                None if kind == "SERVQUAL" else answer, day(f"2022-06-{n + 1:02d}"))


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


KPIS = """query($from: Date!, $to: Date!) { customerKpis(from: $from, to: $to, interval: MONTH) {
  periodStart key responses nps npsResponses promoters detractors csat csatResponses ces
  cesResponses servqualGaps { dimension gap } servqualResponses customersAtStart customersAtEnd
  acquired retentionRate churnRate buyers repeatPurchaseRate orders revenue averageOrderValue
  purchaseFrequency revenuePerCustomer } }"""


async def test_customer_kpis_of_march_retention_and_purchases(gql):
    # when the admin asks for March 2022
    [march] = (await gql.ok("admin", KPIS, {"from": "2022-03-01", "to": "2022-03-31"})
               )["customerKpis"]
    # then S = A-F, H and I (a purchase in the year before March), E = A-H (I's lapsed), and
    # N = G: CRR = (8 - 1) / 8
    assert march["periodStart"] == "2022-03-01" and march["key"] is None
    assert (march["customersAtStart"], march["customersAtEnd"], march["acquired"]) == (8, 8, 1)
    assert (march["retentionRate"], march["churnRate"]) == (0.875, 0.125)
    # and A, E (twice) and G bought: 4 orders for 180
    assert (march["buyers"], march["orders"], Decimal(march["revenue"])) == (3, 4, 180)
    assert march["repeatPurchaseRate"] == 0.3333 and march["purchaseFrequency"] == 1.3333
    assert Decimal(march["averageOrderValue"]) == 45 and Decimal(march["revenuePerCustomer"]) == 60
    # and no survey was answered: no score at all, not a score of 0
    assert (march["responses"], march["nps"], march["csat"], march["ces"]) == (0, None, None, None)


async def test_customer_kpis_of_june_survey_scores(gql):
    [june] = (await gql.ok("admin", KPIS, {"from": "2022-06-01", "to": "2022-06-30"})
              )["customerKpis"]
    # NPS: 8 promoters and 7 detractors of 20 answers
    assert (june["npsResponses"], june["promoters"], june["detractors"], june["nps"]) == \
        (20, 8, 7, 5.0)
    # CSAT: 3 of 5 answers are 4 or 5; CES: the mean of 2, 3 and 7
    assert (june["csat"], june["csatResponses"], june["ces"], june["cesResponses"]) == \
        (60.0, 5, 4.0, 3)
    # SERVQUAL: reliability perceived 4.5 against 6.5 expected, empathy 6 against 5
    assert june["servqualGaps"] == [{"dimension": "EMPATHY", "gap": 1.0},
                                    {"dimension": "RELIABILITY", "gap": -2.0}]
    assert june["servqualResponses"] == 2 and june["responses"] == 30
    # and nobody bought in June: no rate to give
    assert june["buyers"] == 0 and june["averageOrderValue"] is None


@pytest.mark.parametrize("role", ("admin", "marketing", "service", "analyst"))
async def test_customer_kpis_read_by_roles_that_read_orders_and_responses(gql, role):
    [june] = (await gql.ok(role, KPIS, {"from": "2022-06-01", "to": "2022-06-30"})
              )["customerKpis"]
    assert june["npsResponses"] == 20


@pytest.mark.parametrize("role", ("partner",))
async def test_customer_kpis_refused_to_roles_without_the_records(gql, role):
    result = await gql(role, KPIS, {"from": "2022-06-01", "to": "2022-06-30"})
    assert result.error_codes() == ["FORBIDDEN"]


@pytest.mark.parametrize("group", ("TERRITORY", "ACCOUNT_TIER", "SEGMENT", "SOURCE"))
async def test_customer_kpis_split_by_a_group_add_up_to_the_whole(gql, group):
    query = KPIS.replace("interval: MONTH)", "interval: QUARTER, groupBy: $g)").replace(
        "$to: Date!)", "$to: Date!, $g: [KpiGroup!])")
    whole = (await gql.ok("admin", query, {"from": "2022-01-01", "to": "2022-06-30"})
             )["customerKpis"]
    split = (await gql.ok("admin", query, {"from": "2022-01-01", "to": "2022-06-30",
                                           "g": [group]}))["customerKpis"]
    for figure in ("buyers", "orders", "acquired", "customersAtStart", "npsResponses"):
        assert sum(k[figure] for k in split) == sum(k[figure] for k in whole), figure


async def test_customer_kpis_split_by_one_group_at_a_time(gql):
    result = await gql("admin", """{ customerKpis(from: "2022-01-01", to: "2022-03-31",
        groupBy: [TERRITORY, SEGMENT]) { key } }""")
    assert result.error_codes() == ["INVALID"]


async def test_customer_kpis_by_the_source_of_the_customers_lead(gql):
    query = KPIS.replace("interval: MONTH)", "interval: MONTH, groupBy: [SOURCE])")
    march = (await gql.ok("admin", query, {"from": "2022-03-01", "to": "2022-03-31"})
             )["customerKpis"]
    # A, converted from a referral, bought in March; E and G came from no lead
    assert {k["key"]: k["buyers"] for k in march} == {"REFERRAL": 1, None: 2}
