"""Lifetime value through the API: contacts whose purchases are drawn from known BG/NBD and
Gamma-Gamma parameters, refreshed by `crm analytics refresh`; the model read as lifetimeModel,
each contact's figures as Contact.lifetime, and both as each role."""

from __future__ import annotations

import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

import asyncpg
import numpy as np
import pytest

from domain.ids import to_global_id
from domain.lifetime import (
    DAYS_PER_MONTH,
    BgNbdParameters,
    GammaGammaParameters,
    expected_average_spend,
    expected_purchases,
    probability_alive,
)
from domain.lifetime.simulate import simulate_purchases
from tests.databases import insert_order, own_database
from tests.graphql import graphql_over
from tests.processes import environment

CUSTOMERS = 3000
TRUTH = BgNbdParameters(r=0.25, alpha=30.0, a=0.8, b=2.4)  # alpha in days
MODEL = """query { lifetimeModel { fittedAt currency customers repeatCustomers predicting
  horizonMonths monthlyDiscountRate margin scored
  purchases { parameters logLikelihood converged declined iterations message }
  spend { parameters converged declined message } } }"""
LIFETIME = """query($id: ID!) { node(id: $id) { ... on Contact { lifetime { frequency recency
  age historicValue expectedPurchases probabilityAlive churnProbability expectedSpend
  predictedValue computedAt } } } }"""
ANALYTICS_READERS = ("admin", "sales", "marketing", "analyst")


@pytest.fixture(scope="module")
def database(server_url: str):
    with own_database(server_url, "crm_lifetime", demo=True) as url:
        yield url


@pytest.fixture(scope="module")
async def lifetime_gql(settings, database, principals):
    async with graphql_over(settings, database, principals) as client:
        yield client


def _purchases(rng: np.random.Generator, today: datetime):
    """Per customer: (contact id, [(day, value)]), from the known parameters; repeat purchases
    spread over distinct days up to the last, each worth the customer's own mean."""
    drawn = simulate_purchases(rng, TRUTH, CUSTOMERS, (200.0, 700.0), time_step=1.0)
    nu = rng.gamma(3.0, 1 / 15.0, CUSTOMERS)
    customers = []
    for x, t_x, age, own in zip(drawn.frequency, drawn.recency, drawn.age, nu, strict=True):
        x, t_x, age = int(x), int(t_x), int(age)
        if x > t_x:  # more repeat days than days to hold them: not a history days can keep
            continue
        first = today - timedelta(days=age)
        mean = Decimal(str(round(float(rng.gamma(6.0, 1 / own)), 2))) + Decimal("1")
        days = sorted(rng.choice(np.arange(1, t_x), x - 1, replace=False).tolist()) if x > 1 \
            else []
        repeat = [*days, t_x] if x else []
        customers.append((uuid.uuid4(), [(first, Decimal("50.00"))]
                          + [(first + timedelta(days=d), mean) for d in repeat]))
    return customers


@pytest.fixture(scope="module")
async def refreshed(lifetime_gql, database):
    today = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)
    customers = _purchases(np.random.default_rng(7), today)
    conn = await asyncpg.connect(database)
    try:
        book = await conn.fetchval("SELECT id FROM price_book WHERE is_standard")
        await conn.copy_records_to_table(
            "contact", columns=("id", "created_by", "updated_by", "last_name"),
            records=[(c, "test", "test", f"Buyer {n}") for n, (c, _) in enumerate(customers)])
        await conn.copy_records_to_table(
            "sales_order", columns=("id", "created_by", "updated_by", "contact_id",
                                    "price_book_id", "currency", "status", "ordered_at",
                                    "subtotal", "discount_total", "total"),
            records=[(uuid.uuid4(), "test", "test", c, book, "EUR", "FULFILLED", at, v, 0, v)
                     for c, orders in customers for at, v in orders])
    finally:
        await conn.close()
    done = subprocess.run([sys.executable, "-m", "api.cli", "analytics", "refresh"],
                          env=environment({"DATABASE_URL": database,
                                           "CRM_ANALYTICS_MARGIN": "0.5"}),
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return customers, done.stdout


async def test_refresh_fits_the_model_to_every_buyer(lifetime_gql, refreshed):
    customers, output = refreshed
    # when the admin reads the model
    model = (await lifetime_gql.ok("admin", MODEL))["lifetimeModel"]
    # then both fits converged over every buyer, and every buyer was scored
    assert model["predicting"] and "predicting" in output
    assert model["customers"] == model["scored"] == len(customers)
    repeat = sum(1 for _, orders in customers if len(orders) > 1)
    assert model["repeatCustomers"] == repeat >= 200
    assert model["purchases"]["converged"] and not model["purchases"]["declined"]
    assert model["spend"]["converged"] and model["margin"] == 0.5
    assert model["horizonMonths"] == 12 and model["monthlyDiscountRate"] == 0.01
    # and the BG/NBD parameters are of the size the purchases were drawn with (3,000
    # customers estimate them loosely; tests/unit/test_lifetime_bgnbd.py holds them to 5%)
    found = model["purchases"]["parameters"]
    assert 0.5 < found["r"] / TRUTH.r < 2 and 0.5 < found["alpha"] / TRUTH.alpha < 2


async def test_contact_lifetime_is_the_models_prediction_for_its_history(lifetime_gql, refreshed):
    customers, _ = refreshed
    model = (await lifetime_gql.ok("admin", MODEL))["lifetimeModel"]
    purchases = BgNbdParameters(**model["purchases"]["parameters"])
    spend = GammaGammaParameters(**model["spend"]["parameters"])
    # given a repeat buyer, whose history the test knows
    contact, orders = next((c, o) for c, o in customers if len(o) >= 4)
    x, t_x = len(orders) - 1, (orders[-1][0] - orders[0][0]).days
    age = (datetime.now(UTC).date() - orders[0][0].date()).days
    mean = sum(v for _, v in orders[1:]) / x
    # when its lifetime figures are read
    got = (await lifetime_gql.ok("admin", LIFETIME, {"id": to_global_id("Contact", contact)})
           )["node"]["lifetime"]
    # then they are the history, and the models' predictions for it
    assert (got["frequency"], got["recency"], got["age"]) == (x, t_x, age)
    half = (sum(v for _, v in orders) / 2).quantize(Decimal("0.01"), ROUND_HALF_UP)
    assert Decimal(got["historicValue"]) == half
    assert got["expectedPurchases"] == pytest.approx(
        expected_purchases(purchases, 12 * DAYS_PER_MONTH, [x], [t_x], [age])[0], rel=1e-9)
    alive = probability_alive(purchases, [x], [t_x], [age])[0]
    assert got["probabilityAlive"] == pytest.approx(alive, rel=1e-9)
    assert got["churnProbability"] == pytest.approx(1 - alive, rel=1e-9)
    assert float(got["expectedSpend"]) == pytest.approx(
        expected_average_spend(spend, [x], [float(mean)])[0], abs=0.006)
    # and predicted CLV is below undiscounted purchases x spend x margin, and above nothing
    undiscounted = got["expectedPurchases"] * float(got["expectedSpend"]) * 0.5
    assert 0 < float(got["predictedValue"]) < undiscounted


async def test_lifetime_of_a_one_time_buyer_uses_the_population_spend(lifetime_gql, refreshed):
    customers, _ = refreshed
    model = (await lifetime_gql.ok("admin", MODEL))["lifetimeModel"]
    spend = GammaGammaParameters(**model["spend"]["parameters"])
    contact = next(c for c, orders in customers if len(orders) == 1)
    got = (await lifetime_gql.ok("admin", LIFETIME, {"id": to_global_id("Contact", contact)})
           )["node"]["lifetime"]
    assert got["frequency"] == 0 and got["recency"] == 0
    assert float(got["expectedSpend"]) == pytest.approx(spend.p * spend.gamma / (spend.q - 1),
                                                        abs=0.006)


@pytest.mark.parametrize("role", ANALYTICS_READERS)
async def test_lifetime_model_readable_by_analytics_roles(lifetime_gql, refreshed, role):
    assert (await lifetime_gql.ok(role, MODEL))["lifetimeModel"]["customers"] > 0


@pytest.mark.parametrize("role", ("service", "partner", "customer"))
async def test_lifetime_model_refused_to_other_roles(lifetime_gql, refreshed, role):
    result = await lifetime_gql(role, MODEL)
    assert result.error_codes() == ["FORBIDDEN"] and not (result.data or {}).get("lifetimeModel")


@pytest.fixture
def few_buyers_database(server_url: str):
    with own_database(server_url, "crm_lifetime_few", demo=True) as url:
        yield url


async def test_too_few_repeat_buyers_decline_to_predict(few_buyers_database, settings, principals):
    # given a database whose buyers are too few for the model
    url = few_buyers_database
    conn = await asyncpg.connect(url)
    try:
        contact = await conn.fetchval("INSERT INTO contact (id, created_by, updated_by, "
                                      "last_name) VALUES (gen_random_uuid(), 't', 't', "
                                      "'Lonely') RETURNING id")
        for days in (40, 20):
            await insert_order(conn, contact, datetime.now(UTC) - timedelta(days=days),
                               Decimal(10), status="CONFIRMED")
    finally:
        await conn.close()
    # when the refresh runs
    done = subprocess.run([sys.executable, "-m", "api.cli", "analytics", "refresh"],
                          env=environment({"DATABASE_URL": url}), capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    async with graphql_over(settings, url, principals) as gql:
        model = (await gql.ok("analyst", MODEL))["lifetimeModel"]
        got = (await gql.ok("analyst", LIFETIME, {"id": to_global_id(
            "Contact", contact)}))["node"]["lifetime"]
    # then the model declines and says why, and the contact keeps its history without
    # predictions
    assert not model["predicting"] and model["purchases"]["declined"]
    assert "at least 200" in model["purchases"]["message"] and "not predicting" in done.stdout
    assert model["purchases"]["parameters"] is None
    assert (got["frequency"], got["recency"], Decimal(got["historicValue"])) == (1, 20, 20)
    assert got["expectedPurchases"] is None and got["predictedValue"] is None
