"""Opportunities through the API: stages and their history, bad input, access, partner deals."""

from __future__ import annotations

import uuid

import pytest

from api.schema.ids import to_global_id
from tests.demo import DEMO_PARTNER_ACCOUNT, OTHER_PARTNER_ACCOUNT, UNREGISTERED_ACCOUNT

PIPELINES = """{ pipelines { nodes { id name kind stages { id name position probability kind } } } }"""
CREATE = """mutation($input: OpportunityCreateInput!) { opportunityCreate(input: $input) {
  opportunity { id version name amount currency probability closeDate closedAt
    stage { name } pipeline { name } owner { email } territory { name }
    stageHistory { fromStage { name } toStage { name } actor } }
  errors { field code message } } }"""
UPDATE = """mutation($input: OpportunityUpdateInput!) { opportunityUpdate(input: $input) {
  opportunity { id version probability closedAt closeReason stage { name kind }
    stageHistory { fromStage { name } toStage { name } } }
  errors { field code message } } }"""
READ = """query($id: ID!) { opportunity(id: $id) { id name amount currency probability
  account { name } } }"""
ACCOUNT_DEALS = """query($id: ID!) { account(id: $id) { opportunities(first: 50) {
  totalCount nodes { id name } } } }"""
COUNT = """query($a: ID!) { opportunities(filter: {account: {eq: $a}}) { totalCount } }"""
REGISTER = """mutation($input: DealRegisterInput!) { dealRegister(input: $input) {
  opportunity { id version registration source partner { name } amount stage { name } }
  errors { field code message } } }"""
APPROVE = """mutation($input: DealDecisionInput!) { dealApprove(input: $input) {
  opportunity { registration owner { email } } errors { field code } } }"""
ROLE = """mutation($input: OpportunityContactRoleInput!) { opportunityContactRoleSet(input: $input) {
  opportunity { contactRoles { role contact { lastName } } } errors { field code } } }"""
NODE = """query($id: ID!) { node(id: $id) { id ... on Opportunity { name } } }"""


@pytest.fixture(scope="module")
async def stages(gql) -> dict[str, dict[str, str]]:
    """Stage ids by pipeline name and stage name."""
    data = await gql.ok("sales", PIPELINES)
    return {p["name"]: {s["name"]: s["id"] for s in p["stages"]} | {"": p["id"]}
            for p in data["pipelines"]["nodes"]}


async def _create(gql, role: str = "sales", **values) -> dict:
    data = await gql.ok(role, CREATE, {"input": values})
    payload = data["opportunityCreate"]
    assert payload["errors"] == [], payload["errors"]
    return payload["opportunity"]


async def test_pipelines_list_their_stages_in_order(gql):
    data = await gql.ok("service", PIPELINES)
    new_business = data["pipelines"]["nodes"][0]
    assert (new_business["name"], new_business["kind"]) == ("New business", "NEW_BUSINESS")
    assert [s["position"] for s in new_business["stages"]] == list(range(1, 8))
    assert [s["kind"] for s in new_business["stages"]][-2:] == ["WON", "LOST"]


async def test_create_starts_in_the_first_stage_with_its_probability(gql, factories):
    # given an account in a territory
    account = await factories.account()
    # when sales opens a deal without stage, owner or currency
    deal = await _create(gql, account=account["id"], name="Pilot", amount="1200.5")
    # then it starts in Qualification at 10%, owned by sales, in EUR, with one history entry
    assert (deal["stage"]["name"], deal["pipeline"]["name"]) == ("Qualification", "New business")
    assert (deal["probability"], deal["currency"], deal["amount"]) == (10, "EUR", "1200.50")
    assert deal["owner"]["email"] == "sales@example.com" and deal["closedAt"] is None
    assert [(h["fromStage"], h["toStage"]["name"]) for h in deal["stageHistory"]] == [
        (None, "Qualification")]


async def test_a_deal_moves_through_stages_and_needs_a_reason_to_be_won(gql, factories, stages):
    account = await factories.account()
    deal = await _create(gql, account=account["id"], name="Expansion", amount="5000")
    nb = stages["New business"]
    # when it moves to Proposal: probability follows the stage
    moved = (await gql.ok("sales", UPDATE, {"input": {
        "id": deal["id"], "version": 1, "stage": nb["Proposal"]}}))["opportunityUpdate"]
    assert moved["errors"] == [] and moved["opportunity"]["probability"] == 50
    # when it is won without a reason: REQUIRED, and nothing changes
    refused = (await gql.ok("sales", UPDATE, {"input": {
        "id": deal["id"], "version": 2, "stage": nb["Closed won"]}}))["opportunityUpdate"]
    assert [(e["field"], e["code"]) for e in refused["errors"]] == [("closeReason", "REQUIRED")]
    # when it is won with a reason
    won = (await gql.ok("sales", UPDATE, {"input": {
        "id": deal["id"], "version": 2, "stage": nb["Closed won"],
        "closeReason": "Best fit"}}))["opportunityUpdate"]["opportunity"]
    # then it is closed at 100%, and its history holds every move in order
    assert (won["version"], won["probability"], won["stage"]["kind"]) == (3, 100, "WON")
    assert won["closedAt"] is not None and won["closeReason"] == "Best fit"
    assert [(h["fromStage"] and h["fromStage"]["name"], h["toStage"]["name"])
            for h in won["stageHistory"]] == [
        (None, "Qualification"), ("Qualification", "Proposal"), ("Proposal", "Closed won")]
    # when it is taken back to an open stage, then it is no longer closed
    reopened = (await gql.ok("sales", UPDATE, {"input": {
        "id": deal["id"], "version": 3, "stage": nb["Proposal"]}}))["opportunityUpdate"]
    assert reopened["opportunity"]["closedAt"] is None


@pytest.mark.parametrize(("values", "expected"), [
    ({"amount": "-1"}, [("amount", "INVALID")]),
    ({"amount": "10.005"}, [("amount", "INVALID")]),
    ({"currency": "XYZ"}, [("currency", "INVALID")]),
    ({"probability": 101}, [("probability", "INVALID")]),
    ({"name": " "}, [("name", "REQUIRED")]),
    ({"stage": "unknown"}, [("stage", "INVALID")]),
])
async def test_create_with_bad_input_writes_nothing(gql, factories, values, expected):
    account = await factories.account()
    data = await gql.ok("sales", CREATE, {"input": {
        "account": account["id"], "name": "Deal", **values}})
    assert [(e["field"], e["code"]) for e in data["opportunityCreate"]["errors"]] == expected
    assert (await gql.ok("admin", COUNT, {"a": account["id"]}))["opportunities"]["totalCount"] == 0


async def test_unknown_stage_and_stage_of_another_pipeline_are_refused(gql, factories, stages):
    account = await factories.account()
    unknown = to_global_id("Stage", uuid.UUID(int=0))
    other = stages["Renewal"]["Upcoming"]
    for values, expected in (
        ({"stage": unknown}, ("stage", "NOT_FOUND")),
        ({"pipeline": stages["New business"][""], "stage": other}, ("stage", "INVALID")),
    ):
        data = await gql.ok("sales", CREATE, {"input": {
            "account": account["id"], "name": "Deal", **values}})
        assert [(e["field"], e["code"]) for e in data["opportunityCreate"]["errors"]] == [expected]
    assert (await gql.ok("admin", COUNT, {"a": account["id"]}))["opportunities"]["totalCount"] == 0


async def test_stale_version_is_refused(gql, factories):
    account = await factories.account()
    deal = await _create(gql, account=account["id"], name="Stale")
    await gql.ok("sales", UPDATE, {"input": {"id": deal["id"], "version": 1, "probability": 30}})
    stale = await gql.ok("sales", UPDATE, {"input": {"id": deal["id"], "version": 1,
                                                     "probability": 40}})
    assert [e["code"] for e in stale["opportunityUpdate"]["errors"]] == ["STALE_VERSION"]


@pytest.mark.parametrize("role", ["marketing", "service"])
async def test_amounts_are_forbidden_to_marketing_and_service(gql, factories, role):
    account = await factories.account()
    deal = await _create(gql, account=account["id"], name="Secret", amount="900")
    result = await gql(role, READ, {"id": deal["id"]})
    assert result.data["opportunity"]["name"] == "Secret"
    assert result.data["opportunity"]["amount"] is None
    assert [e["extensions"]["code"] for e in result.errors_at("opportunity", "amount")] == [
        "FORBIDDEN"]


@pytest.mark.parametrize("role", ["sales", "analyst", "admin"])
async def test_amounts_are_readable_by_sales_analyst_and_admin(gql, factories, role):
    account = await factories.account()
    deal = await _create(gql, account=account["id"], name="Open", amount="900")
    assert (await gql.ok(role, READ, {"id": deal["id"]}))["opportunity"]["amount"] == "900.00"


async def test_customers_reach_no_deal(gql, factories):
    account = await factories.account()
    deal = await _create(gql, account=account["id"], name="Hidden")
    for query, variables in ((READ, {"id": deal["id"]}), (NODE, {"id": deal["id"]})):
        result = await gql("customer", query, variables)
        assert result.errors == [] and list(result.data.values()) == [None]
    listed = await gql.ok("customer", "{ opportunities { totalCount } }")
    assert listed["opportunities"]["totalCount"] == 0


@pytest.mark.parametrize("role", ["marketing", "service", "analyst"])
async def test_only_sales_and_admin_open_deals(gql, factories, role):
    account = await factories.account()
    data = await gql.ok(role, CREATE, {"input": {"account": account["id"], "name": "No"}})
    assert [e["code"] for e in data["opportunityCreate"]["errors"]] == ["FORBIDDEN"]


async def test_partner_registers_a_deal_that_sales_approves(gql):
    # given the demo partner registers a deal on its own account
    data = await gql.ok("partner", REGISTER, {"input": {
        "account": DEMO_PARTNER_ACCOUNT, "name": "Partner deal", "amount": "700"}})
    payload = data["dealRegister"]
    assert payload["errors"] == []
    deal = payload["opportunity"]
    assert (deal["registration"], deal["source"], deal["partner"]["name"]) == (
        "PENDING", "PARTNER", "Demo Partner")
    # then another partner cannot reach it by any path
    for query, variables in ((READ, {"id": deal["id"]}), (NODE, {"id": deal["id"]})):
        result = await gql("other_partner", query, variables)
        assert result.errors == [] and list(result.data.values()) == [None]
    listed = await gql.ok("other_partner", "{ opportunities(first: 100) { nodes { id } } }")
    assert deal["id"] not in {n["id"] for n in listed["opportunities"]["nodes"]}
    nested = await gql("other_partner", ACCOUNT_DEALS, {"id": DEMO_PARTNER_ACCOUNT})
    assert nested.data["account"] is None
    # when it is approved, it is owned by the approver; approving twice is a CONFLICT
    approved = await gql.ok("admin", APPROVE, {"input": {"id": deal["id"], "version": 1}})
    assert approved["dealApprove"]["opportunity"] == {
        "registration": "APPROVED", "owner": {"email": "admin@example.com"}}
    again = await gql.ok("admin", APPROVE, {"input": {"id": deal["id"], "version": 2}})
    assert [e["code"] for e in again["dealApprove"]["errors"]] == ["CONFLICT"]


@pytest.mark.parametrize("account", [OTHER_PARTNER_ACCOUNT, UNREGISTERED_ACCOUNT])
async def test_partner_cannot_register_on_accounts_it_does_not_reach(gql, account):
    data = await gql.ok("partner", REGISTER, {"input": {"account": account, "name": "Grab"}})
    assert [(e["field"], e["code"]) for e in data["dealRegister"]["errors"]] == [
        ("account", "NOT_FOUND")]


async def test_staff_cannot_register_and_partners_cannot_approve(gql, factories):
    account = await factories.account()
    data = await gql.ok("sales", REGISTER, {"input": {"account": account["id"], "name": "X"}})
    assert [e["code"] for e in data["dealRegister"]["errors"]] == ["FORBIDDEN"]
    deal = await _create(gql, account=account["id"], name="Direct")
    refused = await gql.ok("partner", APPROVE, {"input": {"id": deal["id"], "version": 1}})
    assert [e["code"] for e in refused["dealApprove"]["errors"]] == ["FORBIDDEN"]


async def test_contact_roles_are_set_and_taken_off(gql, factories):
    account = await factories.account()
    contact = await factories.contact()
    deal = await _create(gql, account=account["id"], name="Roles")
    given = {"opportunityId": deal["id"], "contactId": contact["id"], "role": "ECONOMIC_BUYER"}
    set_ = (await gql.ok("sales", ROLE, {"input": given}))["opportunityContactRoleSet"]
    assert set_["opportunity"]["contactRoles"] == [
        {"role": "ECONOMIC_BUYER", "contact": {"lastName": contact["lastName"]}}]
    removed = (await gql.ok("sales", ROLE, {"input": {**given, "role": None}}))
    assert removed["opportunityContactRoleSet"]["opportunity"]["contactRoles"] == []
    denied = await gql.ok("marketing", ROLE, {"input": given})
    assert [e["code"] for e in denied["opportunityContactRoleSet"]["errors"]] == ["FORBIDDEN"]


async def test_account_lists_its_deals(gql, factories):
    account = await factories.account()
    first = await _create(gql, account=account["id"], name="One")
    second = await _create(gql, account=account["id"], name="Two")
    data = await gql.ok("analyst", ACCOUNT_DEALS, {"id": account["id"]})
    deals = data["account"]["opportunities"]
    assert deals["totalCount"] == 2
    assert [n["id"] for n in deals["nodes"]] == [second["id"], first["id"]]  # newest first


async def test_a_won_deal_keeps_its_reason(gql, factories, stages):
    account = await factories.account()
    deal = await _create(gql, account=account["id"], name="Kept", stage=stages["New business"][
        "Closed won"], closeReason="Signed")
    cleared = await gql.ok("sales", UPDATE, {"input": {"id": deal["id"], "version": 1,
                                                       "closeReason": ""}})
    assert [(e["field"], e["code"]) for e in cleared["opportunityUpdate"]["errors"]] == [
        ("closeReason", "REQUIRED")]
    renamed = await gql.ok("sales", UPDATE, {"input": {"id": deal["id"], "version": 1,
                                                       "closeReason": "Signed early"}})
    assert renamed["opportunityUpdate"]["opportunity"]["closeReason"] == "Signed early"
