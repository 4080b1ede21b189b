"""customerKpis split by product family through the API, on purchases with lines and survey
responses about products and orders laid out by hand in 2021 and 2022 (before anything the
demo holds), in a database of this module's own."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from decimal import Decimal

import asyncpg
import orjson
import pytest

from api.schema import schema
from api.schema.reads import reads_of
from persistence.customer_kpis import KpiGroup
from persistence.seed.generator import stable_id
from tests.databases import insert_order, own_database
from tests.graphql import graphql_over

KPIS = """query($g: [KpiGroup!]) {
  customerKpis(from: "2022-03-01", to: "2022-03-31", interval: MONTH, groupBy: $g) {
    periodStart key customersAtStart customersAtEnd acquired retentionRate buyers
    repeatPurchaseRate orders revenue responses npsResponses promoters detractors nps } }"""
# product -> its family; Loose has none.
PRODUCTS = {"G1": "Gadgets", "G2": "Gadgets", "C1": "Care", "Loose": None}
# customer -> its orders: (day, lines as (product, line total), status); V's order has no lines.
# P is the demo's customer, so that the customer role reads P's figures and no one else's.
ORDERS = {
    "P": [("2021-06-10", [("G1", "100")]), ("2022-03-05", [("G1", "40"), ("C1", "10")]),
          ("2022-03-20", [("G2", "30")])],
    "Q": [("2021-12-01", [("G1", "60")]), ("2022-03-08", [("C1", "25")])],
    "R": [("2021-03-15", [("C1", "70")])],  # active for Care when March starts, not at its end
    "T": [("2022-03-10", [("G1", "500")], "CANCELLED")],
    "U": [("2022-03-12", [("Loose", "15")])],
    "V": [("2022-03-25", [], "FULFILLED", "20")],
}
# NPS answers in March: (who, score, what it is about: a product, or the n-th order of whom).
# P's answer about Q's order is one the customer role reads without reading the order.
ANSWERS = [("P", 10, "G2"), ("P", 3, ("P", 1)), ("Q", 9, ("Q", 1)), ("Q", 10, "C1"),
           ("P", 7, ("Q", 1)), ("U", 8, None), ("U", 0, "Loose")]
FIGURES = ("customersAtStart", "customersAtEnd", "acquired", "retentionRate", "buyers",
           "repeatPurchaseRate", "orders", "revenue", "npsResponses", "promoters", "detractors",
           "nps")


def day(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(hour=9, tzinfo=UTC)


@pytest.fixture(scope="module")
def database(server_url: str):
    with own_database(server_url, "crm_product_kpis", demo=True) as url:
        yield url


@pytest.fixture(scope="module")
async def gql(settings, database, principals):
    await _lay_out(database)
    async with graphql_over(settings, database, principals) as client:
        yield client


async def _lay_out(url: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        products = {sku: await conn.fetchval(
            "INSERT INTO product (id, created_by, updated_by, sku, name, family, category) "
            "VALUES (gen_random_uuid(), 't', 't', $1, $1, $2, 'Kit') RETURNING id", f"KPI-{sku}",
            family) for sku, family in PRODUCTS.items()}
        contacts = {"P": stable_id("contact", "customer")}
        orders = {}
        for name, placed in ORDERS.items():
            if name not in contacts:
                contacts[name] = await conn.fetchval(
                    "INSERT INTO contact (id, created_by, updated_by, last_name) VALUES "
                    "(gen_random_uuid(), 't', 't', $1) RETURNING id", f"Family buyer {name}")
            for at, lines, *rest in placed:
                lines = [(products[sku], Decimal(total)) for sku, total in lines]
                total = Decimal(rest[1]) if len(rest) > 1 else sum(t for _, t in lines)
                orders.setdefault(name, []).append(await insert_order(
                    conn, contacts[name], day(at), total, lines=lines,
                    status=rest[0] if rest else "FULFILLED"))
        survey = await conn.fetchval(
            "INSERT INTO survey (id, created_by, updated_by, name, kind, questions, trigger) "
            "VALUES (gen_random_uuid(), 't', 't', 'NPS by family', 'NPS', '[]', 'MANUAL') "
            "RETURNING id")
        for n, (who, score, about) in enumerate(ANSWERS):
            order = orders[about[0]][about[1]] if isinstance(about, tuple) else None
            product = products[about] if isinstance(about, str) else None
            await conn.execute(
                "INSERT INTO survey_response (id, created_by, updated_by, survey_id, contact_id, "
                "order_id, product_id, answers, score, channel, responded_at) VALUES "
                "(gen_random_uuid(), 't', 't', $1, $2, $3, $4, $5::jsonb, $6, 'STAFF', $7)",
                survey, contacts[who], order, product,
                orjson.dumps([{"key": "score", "value": score}]).decode(), score,
                day(f"2022-03-{n + 10:02d}"))
    finally:
        await conn.close()


def by_family(kpis: list[dict]) -> dict:
    assert {k["periodStart"] for k in kpis} == {"2022-03-01"}
    return {k["key"]: tuple(Decimal(k[f]) if f == "revenue" else k[f] for f in FIGURES)
            for k in kpis}


@pytest.mark.parametrize("role", ("admin", "analyst"))
async def test_customer_kpis_by_product_family(gql, role):
    # when March 2022 is split by product family
    data = await gql.ok(role, KPIS, {"g": ["PRODUCT"]})
    # then Gadgets: S = E = P and Q (bought it in the year before), no newcomer; P bought
    # twice (40 of its mixed order, then 30); answered about G2 (10) and P's mixed order (3)
    # and Care: S = R, E = P and Q (R's lapsed), both new to it: CRR = (2 - 2) / 1; 10 and
    # 25; answered about P's mixed order (3), Q's order (9, 7) and C1 (10)
    # and no family: U's line of Loose, V's order without lines; U's answers about nothing
    # and about Loose; T's cancelled order counts nowhere
    assert by_family(data["customerKpis"]) == {
        "Gadgets": (2, 2, 0, 1.0, 1, 1.0, 2, Decimal(70), 2, 1, 1, 0.0),
        "Care": (1, 2, 2, 0.0, 2, 0.0, 2, Decimal(35), 4, 2, 1, 25.0),
        None: (0, 2, 2, None, 2, 0.0, 2, Decimal(35), 2, 0, 1, -50.0),
    }


async def test_customer_kpis_by_product_revenue_adds_up_and_a_mixed_order_counts_twice(gql):
    split = (await gql.ok("admin", KPIS, {"g": ["PRODUCT"]}))["customerKpis"]
    [whole] = (await gql.ok("admin", KPIS))["customerKpis"]
    # the families' revenue, unknown included, is that of every purchase
    assert sum(Decimal(k["revenue"]) for k in split) == Decimal(whole["revenue"]) == 140
    # while P's order of Gadgets and Care is an order of each: 6 against 5
    assert (sum(k["orders"] for k in split), whole["orders"]) == (6, 5)


async def test_customer_kpis_by_product_hold_only_the_customers_own(gql):
    # the customer (P) reads its own orders and answers: two Gadgets orders, one of Care
    data = await gql.ok("customer", KPIS, {"g": ["PRODUCT"]})
    # and its answer about Q's order, which it may not read, tells no family
    assert by_family(data["customerKpis"]) == {
        "Gadgets": (1, 1, 0, 1.0, 1, 1.0, 2, Decimal(70), 2, 1, 1, 0.0),
        "Care": (0, 1, 1, None, 1, 0.0, 1, Decimal(10), 1, 0, 1, -100.0),
        None: (0, 0, 0, None, 0, None, 0, Decimal(0), 1, 0, 0, 0.0),
    }


async def test_customer_kpis_by_product_refused_to_a_partner(gql):
    result = await gql("partner", KPIS, {"g": ["PRODUCT"]})
    assert result.error_codes() == ["FORBIDDEN"]


# What the split by family reads besides what customerKpis always reads: the lines' products
# and amounts, the products' family, and what a response is about.
FAMILY_READS = ("Order.lines", "OrderLine.product", "OrderLine.total", "Product.family",
                "SurveyResponse.order", "SurveyResponse.product")


@pytest.mark.parametrize("field", FAMILY_READS)
def test_customer_kpis_by_product_refused_without_each_field_it_reads(principals, field):
    # given an analyst's access without one of the fields the split by family reads
    access = principals["analyst"].access()
    type_name, field_name = field.split(".")
    narrowed = dataclasses.replace(access, readable={
        **access.readable, type_name: access.readable[type_name] - {field_name}})
    reads = reads_of(schema.get_field_for_type("customerKpis", "Query"))
    asked = {"from_": date(2022, 3, 1), "to": date(2022, 3, 31)}
    # then the split by family is refused for that field, and the whole still answered
    assert reads.denied(narrowed, {**asked, "group_by": [KpiGroup.PRODUCT]}) == (
        type_name, field_name)
    assert reads.denied(narrowed, asked) is None
    assert reads.denied(access, {**asked, "group_by": [KpiGroup.PRODUCT]}) is None
