"""The forecast, checked against figures worked out by hand."""

from __future__ import annotations

import itertools

import pytest

TERRITORY = """mutation($input: TerritoryInput!) { territorySave(input: $input) {
  territory { id } errors { field code } } }"""
STAGES = """{ pipelines { nodes { name stages { id name } } } }"""
CREATE = """mutation($input: OpportunityCreateInput!) { opportunityCreate(input: $input) {
  opportunity { id } errors { field code message } } }"""
FORECAST = """query($period: ForecastPeriod!, $from: Date!, $to: Date!, $by: ForecastGroupBy!) {
  forecast(period: $period, from: $from, to: $to, groupBy: $by) { group groupName periodStart
    currency openAmount weightedAmount committedAmount wonAmount deals wonDeals } }"""
_year = itertools.count(2031)


@pytest.fixture
async def territory_with_deals(gql, factories):
    """A new territory whose deals close in a year no other test uses.

    Q1: 1000 at 10% (open), 2000 at 90% (open, committed), 500 won, 300 lost, 800 in USD open
    at 50%; Q2: 400 at 50% (open).
    """
    year = next(_year)
    name = f"Forecast {year}"
    territory = (await gql.ok("admin", TERRITORY, {"input": {"name": name}}))[
        "territorySave"]["territory"]["id"]
    stages = {s["name"]: s["id"] for s in (await gql.ok("admin", STAGES))["pipelines"]["nodes"][0]
              ["stages"]}
    account = await factories.account()
    deals = [
        ("1000", "EUR", "Qualification", f"{year}-01-15", {}),
        ("2000", "EUR", "Commit", f"{year}-02-01", {}),
        ("500", "EUR", "Closed won", f"{year}-03-31", {"closeReason": "Price"}),
        ("300", "EUR", "Closed lost", f"{year}-03-01", {"closeReason": "Timing"}),
        ("800", "USD", "Proposal", f"{year}-02-10", {}),
        ("400", "EUR", "Proposal", f"{year}-04-01", {}),
    ]
    for amount, currency, stage, close, extra in deals:
        payload = (await gql.ok("admin", CREATE, {"input": {
            "account": account["id"], "name": f"{stage} {amount}", "amount": amount,
            "currency": currency, "stage": stages[stage], "closeDate": close,
            "territory": territory, **extra}}))["opportunityCreate"]
        assert payload["errors"] == []
    return year, territory, name


async def test_quarterly_forecast_by_territory(gql, territory_with_deals):
    year, territory, name = territory_with_deals
    rows = (await gql.ok("analyst", FORECAST, {"period": "QUARTER", "from": f"{year}-01-01",
                                               "to": f"{year}-12-31", "by": "TERRITORY"}))
    mine = [r for r in rows["forecast"] if r["group"] == territory]
    assert mine == [
        {"group": territory, "groupName": name, "periodStart": f"{year}-01-01",
         "currency": "EUR", "openAmount": "3000.00", "weightedAmount": "1900.00",
         "committedAmount": "2000.00", "wonAmount": "500.00", "deals": 4, "wonDeals": 1},
        {"group": territory, "groupName": name, "periodStart": f"{year}-01-01",
         "currency": "USD", "openAmount": "800.00", "weightedAmount": "400.00",
         "committedAmount": "0.00", "wonAmount": "0.00", "deals": 1, "wonDeals": 0},
        {"group": territory, "groupName": name, "periodStart": f"{year}-04-01",
         "currency": "EUR", "openAmount": "400.00", "weightedAmount": "200.00",
         "committedAmount": "0.00", "wonAmount": "0.00", "deals": 1, "wonDeals": 0},
    ]


async def test_monthly_forecast_splits_the_quarter(gql, territory_with_deals):
    year, territory, _ = territory_with_deals
    rows = (await gql.ok("sales", FORECAST, {"period": "MONTH", "from": f"{year}-01-01",
                                             "to": f"{year}-03-31", "by": "TERRITORY"}))
    eur = [(r["periodStart"], r["openAmount"], r["weightedAmount"], r["deals"])
           for r in rows["forecast"] if r["group"] == territory and r["currency"] == "EUR"]
    assert eur == [(f"{year}-01-01", "1000.00", "100.00", 1),
                   (f"{year}-02-01", "2000.00", "1800.00", 1),
                   (f"{year}-03-01", "0.00", "0.00", 2)]


async def test_a_partner_forecasts_only_its_own_deals(gql, territory_with_deals):
    year, _, _ = territory_with_deals
    rows = await gql.ok("partner", FORECAST, {"period": "QUARTER", "from": f"{year}-01-01",
                                              "to": f"{year}-12-31", "by": "PIPELINE"})
    assert rows["forecast"] == []


@pytest.mark.parametrize("role", ["marketing", "service", "customer"])
async def test_forecast_is_forbidden_without_access_to_amounts(gql, role):
    result = await gql(role, FORECAST, {"period": "MONTH", "from": "2031-01-01",
                                        "to": "2031-12-31", "by": "OWNER"})
    assert result.data is None or result.data.get("forecast") is None
    assert result.error_codes() == ["FORBIDDEN"]


async def test_forecast_refuses_a_window_that_ends_before_it_starts(gql):
    result = await gql("admin", FORECAST, {"period": "MONTH", "from": "2031-02-01",
                                           "to": "2031-01-01", "by": "PIPELINE"})
    assert result.error_codes() == ["INVALID"]
