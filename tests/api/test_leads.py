"""Leads through the API: capture, duplicates, assignment, round robin, conversion, access."""

from __future__ import annotations

import asyncio
import itertools
from collections import Counter
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from tests.demo import TERRITORY_DACH

FORM = """mutation($input: CaptureFormCreateInput!) { captureFormCreate(input: $input) {
  form { id version active } token errors { field code } } }"""
FORM_UPDATE = """mutation($input: CaptureFormUpdateInput!) { captureFormUpdate(input: $input) {
  form { active } errors { code } } }"""
CAPTURE = """mutation($input: LeadCaptureInput!) { leadCapture(input: $input) {
  accepted duplicate errors { field code message } } }"""
BY_EMAIL = """query($email: String!) { leads(filter: {email: {eq: $email}}) { totalCount
  nodes { id version status source phone country owner { email } territory { name }
          captures { form { id } payload } } } }"""
TERRITORY = """mutation($input: TerritoryInput!) { territorySave(input: $input) {
  territory { id } errors { code } } }"""
USER = """mutation($input: UserCreateInput!) { userCreate(input: $input) {
  user { id } errors { code } } }"""
RULE = """mutation($input: AssignmentRuleInput!) { assignmentRuleSave(input: $input) {
  rule { id position territory { id } } errors { field code } } }"""
CREATE = """mutation($input: LeadCreateInput!) { leadCreate(input: $input) {
  lead { id version status } errors { field code message } } }"""
UPDATE = """mutation($input: LeadUpdateInput!) { leadUpdate(input: $input) {
  lead { id version status } errors { field code } } }"""
CONVERT = """mutation($input: LeadConvertInput!) { leadConvert(input: $input) {
  lead { status convertedAt convertedContact { id lastName emails { address } }
         convertedAccount { id name } convertedOpportunity { id name source amount } }
  errors { field code message } } }"""
ACCOUNTS_NAMED = """query($name: String!) { accounts(filter: {name: {eq: $name}}) { totalCount } }"""
_n = itertools.count(1)


@pytest.fixture(scope="module")
async def form(gql) -> dict:
    """A capture form and its token."""
    data = await gql.ok("admin", FORM, {"input": {"name": f"Website {next(_n)}"}})
    assert data["captureFormCreate"]["errors"] == []
    return data["captureFormCreate"]


async def _capture(gql, token: str, **values) -> dict:
    result = await gql("admin", CAPTURE, {"input": values}, token=token)
    assert result.errors == [], result.body
    return result.data["leadCapture"]


async def _lead(gql, email: str) -> dict:
    return (await gql.ok("admin", BY_EMAIL, {"email": email}))["leads"]


async def test_capture_normalises_and_a_second_capture_is_folded_in(gql, form):
    email = f"Ann.Lee{next(_n)}@Example.com"
    first = await _capture(gql, form["token"], firstName="Ann", lastName="Lee", email=email,
                           phone="030 1234567", country="de", company="Lee GmbH")
    again = await _capture(gql, form["token"], lastName="Lee", email=email.upper())
    assert (first["accepted"], first["duplicate"]) == (True, False)
    assert (again["accepted"], again["duplicate"]) == (True, True)
    leads = await _lead(gql, email.lower())
    assert leads["totalCount"] == 1
    lead = leads["nodes"][0]
    assert (lead["status"], lead["source"], lead["phone"], lead["country"]) == (
        "NEW", "WEB_FORM", "+49301234567", "DE")
    assert [c["form"]["id"] for c in lead["captures"]] == [form["form"]["id"]] * 2


@pytest.mark.parametrize(("values", "expected"), [
    ({"email": "not-an-email", "lastName": "X"}, [("email", "INVALID")]),
    ({"email": "ok{n}@example.com", "lastName": "X", "phone": "12"}, [("phone", "INVALID")]),
    ({"lastName": "X"}, [("email", "REQUIRED")]),
    ({"email": "ok{n}@example.com"}, [("lastName", "REQUIRED")]),
])
async def test_capture_with_bad_input_writes_nothing(gql, form, values, expected):
    n = next(_n)
    values = {k: v.format(n=n) for k, v in values.items()}
    result = await _capture(gql, form["token"], **values)
    assert not result["accepted"]
    assert [(e["field"], e["code"]) for e in result["errors"]] == expected
    if "@" in values.get("email", "") and "." in values["email"]:
        assert (await _lead(gql, values["email"]))["totalCount"] == 0


async def test_a_capture_token_can_do_nothing_else(gql, form):
    token = form["token"]
    listed = await gql("admin", "{ leads { totalCount } contacts { totalCount } }", token=token)
    assert listed.data == {"leads": {"totalCount": 0}, "contacts": {"totalCount": 0}}
    create = await gql("admin", CREATE, {"input": {"lastName": "X", "email": "x@example.com"}},
                       token=token)
    assert [e["code"] for e in create.data["leadCreate"]["errors"]] == ["FORBIDDEN"]


@pytest.mark.parametrize("role", ["admin", "sales", "marketing"])
async def test_staff_cannot_capture_without_a_form(gql, role):
    data = await gql.ok(role, CAPTURE, {"input": {"lastName": "X", "email": "s@example.com"}})
    assert [e["code"] for e in data["leadCapture"]["errors"]] == ["FORBIDDEN"]


async def test_an_inactive_form_captures_nothing(gql):
    made = (await gql.ok("admin", FORM, {"input": {"name": f"Old form {next(_n)}"}}))[
        "captureFormCreate"]
    await gql.ok("admin", FORM_UPDATE, {"input": {"id": made["form"]["id"], "version": 1,
                                                  "active": False}})
    email = f"late{next(_n)}@example.com"
    result = await gql("admin", CAPTURE, {"input": {"lastName": "Late", "email": email}},
                       token=made["token"])
    # its key no longer authenticates at all
    assert result.status == 401 and result.error_codes() == ["UNAUTHENTICATED"]
    assert (await _lead(gql, email))["totalCount"] == 0


async def _territory_with_reps(gql, reps: int) -> tuple[str, list[str], str]:
    """A new territory with `reps` sales users, and a rule sending an industry to it."""
    n = next(_n)
    territory = (await gql.ok("admin", TERRITORY, {"input": {"name": f"Leads {n}"}}))[
        "territorySave"]["territory"]["id"]
    users = []
    for r in range(reps):
        users.append((await gql.ok("admin", USER, {"input": {
            "email": f"rep{n}-{r}@example.com", "name": f"Rep {r}", "role": "SALES",
            "territory": territory}}))["userCreate"]["user"]["id"])
    industry = f"Industry {n}"
    rule = await gql.ok("admin", RULE, {"input": {"position": n, "industry": industry,
                                                  "territory": territory}})
    assert rule["assignmentRuleSave"]["errors"] == []
    return territory, users, industry


async def test_round_robin_is_fair_under_concurrent_captures(gql, form):
    # given a territory with three reps and a rule sending an industry to it
    territory, users, industry = await _territory_with_reps(gql, 3)
    n = next(_n)
    # when 50 leads of that industry are captured at once
    results = await asyncio.gather(*(
        _capture(gql, form["token"], lastName=f"Fair {i}", email=f"fair{n}-{i}@example.com",
                 industry=industry) for i in range(50)))
    assert all(r["accepted"] for r in results)
    # then each rep got 16 or 17 of them, all in the territory
    query = """query($t: ID!) { leads(first: 100, filter: {territory: {eq: $t}}) {
      totalCount nodes { owner { id } } } }"""
    leads = (await gql.ok("admin", query, {"t": territory}))["leads"]
    assert leads["totalCount"] == 50
    counts = Counter(node["owner"]["id"] for node in leads["nodes"])
    assert set(counts) == set(users)
    assert sorted(counts.values()) == [16, 17, 17]


async def test_lead_assign_runs_the_rules_again(gql):
    territory, users, industry = await _territory_with_reps(gql, 1)
    email = f"assign{next(_n)}@example.com"
    created = (await gql.ok("marketing", CREATE, {"input": {
        "lastName": "Assign", "email": email}}))["leadCreate"]["lead"]
    await gql.ok("marketing", UPDATE, {"input": {"id": created["id"], "version": 1,
                                                 "industry": industry}})
    assign = """mutation($input: LeadRefInput!) { leadAssign(input: $input) {
      lead { owner { id } territory { id } } errors { code } } }"""
    data = (await gql.ok("marketing", assign, {"input": {"id": created["id"], "version": 2}}))
    assert data["leadAssign"]["lead"] == {"owner": {"id": users[0]}, "territory": {"id": territory}}


async def test_convert_makes_account_contact_and_deal_once(gql):
    n = next(_n)
    email = f"convert{n}@example.com"
    lead = (await gql.ok("sales", CREATE, {"input": {
        "firstName": "Cora", "lastName": "Vert", "email": email, "company": f"Vert {n} Ltd"}})
            )["leadCreate"]["lead"]
    data = await gql.ok("sales", CONVERT, {"input": {
        "id": lead["id"], "version": 1, "opportunity": {"name": "First order", "amount": "250"}}})
    converted = data["leadConvert"]
    assert converted["errors"] == []
    result = converted["lead"]
    assert result["status"] == "CONVERTED" and result["convertedAt"] is not None
    assert result["convertedAccount"]["name"] == f"Vert {n} Ltd"
    assert result["convertedContact"]["lastName"] == "Vert"
    assert result["convertedContact"]["emails"] == [{"address": email}]
    assert result["convertedOpportunity"]["source"] == "LEAD"
    assert result["convertedOpportunity"]["amount"] == "250.00"
    again = await gql.ok("sales", CONVERT, {"input": {"id": lead["id"], "version": 2}})
    assert [e["code"] for e in again["leadConvert"]["errors"]] == ["CONFLICT"]


async def test_convert_with_a_bad_deal_writes_nothing(gql):
    n = next(_n)
    company = f"Nothing {n} AG"
    lead = (await gql.ok("sales", CREATE, {"input": {
        "lastName": "Naught", "email": f"naught{n}@example.com", "company": company}})
            )["leadCreate"]["lead"]
    data = await gql.ok("sales", CONVERT, {"input": {
        "id": lead["id"], "version": 1, "opportunity": {"name": "Bad", "amount": "-5"}}})
    assert [(e["field"], e["code"]) for e in data["leadConvert"]["errors"]] == [
        ("opportunity.amount", "INVALID")]
    assert (await gql.ok("admin", ACCOUNTS_NAMED, {"name": company}))["accounts"][
        "totalCount"] == 0
    status = (await gql.ok("admin", "query($id: ID!) { lead(id: $id) { status version } }",
                           {"id": lead["id"]}))["lead"]
    assert status == {"status": "NEW", "version": 1}


@pytest.mark.parametrize("role", ["service", "analyst", "partner", "customer"])
async def test_only_sales_marketing_and_admin_enter_leads(gql, role):
    data = await gql.ok(role, CREATE, {"input": {"lastName": "No", "email": "no@example.com"}})
    assert [e["code"] for e in data["leadCreate"]["errors"]] == ["FORBIDDEN"]


@pytest.mark.parametrize("role", ["partner", "customer"])
async def test_portals_see_no_leads(gql, role):
    assert (await gql.ok(role, "{ leads { totalCount } }"))["leads"]["totalCount"] == 0


async def test_marketing_cannot_convert(gql):
    lead = (await gql.ok("marketing", CREATE, {"input": {
        "lastName": "Mkt", "email": f"mkt{next(_n)}@example.com", "company": "Mkt"}})
            )["leadCreate"]["lead"]
    data = await gql.ok("marketing", CONVERT, {"input": {"id": lead["id"], "version": 1}})
    assert [e["code"] for e in data["leadConvert"]["errors"]] == ["FORBIDDEN"]


STATS = """query($from: Date!, $to: Date!) { leadSourceStats(from: $from, to: $to) {
  source leads qualified converted wonDeals wonAmounts { currency amount }
  qualificationRate conversionRate winRate } }"""
DEAL_WON = """mutation($input: OpportunityUpdateInput!) { opportunityUpdate(input: $input) {
  errors { code } } }"""
WON_STAGE = """{ pipelines { nodes { stages { id name } } } }"""


async def _stats(gql, role: str = "analyst") -> dict:
    today = datetime.now(UTC).date().isoformat()
    rows = (await gql.ok(role, STATS, {"from": today, "to": today}))["leadSourceStats"]
    return {r["source"]: r for r in rows}


async def test_lead_source_stats_count_what_was_added(gql):
    # given the statistics of today's leads so far
    before = (await _stats(gql)).get("EVENT") or {
        "leads": 0, "qualified": 0, "converted": 0, "wonDeals": 0, "wonAmounts": []}
    won_stage = next(s["id"] for s in (await gql.ok("admin", WON_STAGE))["pipelines"]["nodes"][0]
                     ["stages"] if s["name"] == "Closed won")
    # when four event leads come in: one stays new, one qualifies, two convert, one deal is won
    ids = []
    for i in range(4):
        n = next(_n)
        ids.append((await gql.ok("sales", CREATE, {"input": {
            "lastName": f"Event {i}", "email": f"event{n}@example.com", "company": f"Ev {n}",
            "source": "EVENT"}}))["leadCreate"]["lead"]["id"])
    await gql.ok("sales", UPDATE, {"input": {"id": ids[1], "version": 1, "status": "QUALIFIED"}})
    deals = []
    for lead_id in ids[2:]:
        data = await gql.ok("sales", CONVERT, {"input": {
            "id": lead_id, "version": 1, "opportunity": {"name": "Expo deal", "amount": "1000"}}})
        deals.append(data["leadConvert"]["lead"]["convertedOpportunity"]["id"])
    won = await gql.ok("sales", DEAL_WON, {"input": {"id": deals[0], "version": 1,
                                                    "stage": won_stage, "closeReason": "Demo"}})
    assert won["opportunityUpdate"]["errors"] == []
    # then the EVENT row grew by exactly these
    after = (await _stats(gql))["EVENT"]
    assert (after["leads"] - before["leads"], after["qualified"] - before["qualified"],
            after["converted"] - before["converted"],
            after["wonDeals"] - before["wonDeals"]) == (4, 3, 2, 1)
    eur = [Decimal(a["amount"]) for a in after["wonAmounts"] if a["currency"] == "EUR"]
    eur_before = [Decimal(a["amount"]) for a in before["wonAmounts"] if a["currency"] == "EUR"]
    assert sum(eur) - sum(eur_before) == Decimal("1000")
    assert after["conversionRate"] == round(after["converted"] / after["leads"], 4)


async def test_marketing_reads_source_stats_but_not_won_amounts(gql):
    today = datetime.now(UTC).date().isoformat()
    result = await gql("marketing", STATS, {"from": today, "to": today})
    assert result.data["leadSourceStats"]
    assert {e["extensions"]["code"] for e in result.errors} == {"FORBIDDEN"}
    assert all(e["path"][-1] == "wonAmounts" for e in result.errors)


@pytest.mark.parametrize("role", ["partner", "customer"])
async def test_portals_get_no_source_stats(gql, role):
    today = datetime.now(UTC).date().isoformat()
    result = await gql(role, STATS, {"from": today, "to": today})
    assert result.error_codes() == ["FORBIDDEN"]


async def test_changing_a_rule_needs_its_version(gql):
    _, _, industry = await _territory_with_reps(gql, 1)
    rules = (await gql.ok("admin", "{ assignmentRules(first: 100) { nodes { id industry } } }"))
    rule = next(r for r in rules["assignmentRules"]["nodes"] if r["industry"] == industry)
    data = await gql.ok("admin", RULE, {"input": {"id": rule["id"], "industry": "Other"}})
    assert [(e["field"], e["code"]) for e in data["assignmentRuleSave"]["errors"]] == [
        ("version", "REQUIRED")]


@pytest.mark.parametrize("role", ["sales", "marketing", "service", "analyst"])
async def test_only_admins_keep_capture_forms_and_assignment_rules(gql, role):
    form = await gql.ok(role, FORM, {"input": {"name": f"Not mine {next(_n)}"}})
    assert [e["code"] for e in form["captureFormCreate"]["errors"]] == ["FORBIDDEN"]
    rule = await gql.ok(role, RULE, {"input": {"position": 1, "country": "DE",
                                               "territory": TERRITORY_DACH}})
    assert [e["code"] for e in rule["assignmentRuleSave"]["errors"]] == ["FORBIDDEN"]
