"""The deal, lead and activity rows of the access policy, cell by cell, through the API.

EXPECTED is written out by hand from the README's policy table, so that a change to
auth/policy.py that is not also a deliberate change here fails.
"""

from __future__ import annotations

import pytest

from tests.demo import DEMO_ACTIVITY, DEMO_DEAL, DEMO_LEAD, DEMO_PARTNER_DEAL, SALES_USER

ROLES = ("admin", "sales", "marketing", "service", "analyst", "partner", "customer")
EXPECTED = {
    "deal": ("RW", "RW", "R", "R", "R", "R", "-"),
    "amounts": ("RW", "RW", "-", "-", "R", "R", "-"),
    "sales": ("RW", "RW", "R", "R", "R", "-", "-"),
    "history": ("R", "R", "R", "R", "R", "-", "-"),
    "contacts": ("RW", "RW", "R", "R", "R", "-", "-"),
}
FIELDS = {
    "deal": ["name", "account { id }", "pipeline { id }", "stage { id }", "probability",
             "closeDate", "closeReason", "source"],
    "amounts": ["amount", "currency"],
    "sales": ["owner { id }", "territory { id }"],
    "history": ["stageHistory { at }"],
    "contacts": ["contactRoles { role }"],
}
CREATE = """mutation($input: OpportunityCreateInput!) { opportunityCreate(input: $input) {
  opportunity { id } errors { code } } }"""
UPDATE = """mutation($input: OpportunityUpdateInput!) { opportunityUpdate(input: $input) {
  errors { code } } }"""
ROLE = """mutation($input: OpportunityContactRoleInput!) { opportunityContactRoleSet(input: $input) {
  errors { code } } }"""
WRITES = {"deal": {"name": "Renamed"}, "amounts": {"amount": "10"},
          "sales": {"owner": SALES_USER}}


def cell(group: str, role: str) -> str:
    return EXPECTED[group][ROLES.index(role)]


@pytest.mark.parametrize("group, role", [(g, r) for g in FIELDS for r in ROLES])
async def test_deal_field_group_read(gql, group, role):
    deal_id = DEMO_PARTNER_DEAL if role == "partner" else DEMO_DEAL
    query = "query($id: ID!) { opportunity(id: $id) { id %s } }" % " ".join(FIELDS[group])
    result = await gql(role, query, {"id": deal_id})
    deal = result.data["opportunity"]
    if role == "customer":  # customers reach no deal at all
        assert deal is None and result.errors == []
        return
    assert deal["id"] == deal_id
    for selection in FIELDS[group]:
        name = selection.split()[0]
        errors = result.errors_at("opportunity", name)
        if "R" in cell(group, role):
            assert errors == [], (name, errors)
        else:
            assert deal[name] is None
            assert [e["extensions"]["code"] for e in errors] == ["FORBIDDEN"], name


@pytest.mark.parametrize("group, role", [(g, r) for g in FIELDS if g != "history"
                                         for r in ROLES])
async def test_deal_field_group_write(gql, factories, group, role):
    # given a fresh deal owned by the EMEA sales user, so that sales may write it
    account = await factories.account()
    deal = (await gql.ok("admin", CREATE, {"input": {
        "account": account["id"], "name": "Matrix", "owner": SALES_USER}}))[
        "opportunityCreate"]["opportunity"]
    # when the role writes a field of the group
    if group == "contacts":
        contact = await factories.contact()
        result = await gql(role, ROLE, {"input": {
            "opportunityId": deal["id"], "contactId": contact["id"], "role": "USER"}})
        codes = [e["code"] for e in result.data["opportunityContactRoleSet"]["errors"]]
    else:
        result = await gql(role, UPDATE, {"input": {
            "id": deal["id"], "version": 1, **WRITES[group]}})
        codes = [e["code"] for e in result.data["opportunityUpdate"]["errors"]]
    # then it is accepted where the table says W, and FORBIDDEN elsewhere
    assert codes == ([] if "W" in cell(group, role) else ["FORBIDDEN"])


LEAD_EXPECTED = {
    "person": ("RW", "RW", "RW", "R", "R", "-", "-"),
    "channels": ("RW", "RW", "RW", "R", "-", "-", "-"),
    "company": ("RW", "RW", "RW", "R", "R", "-", "-"),
    "qualification": ("RW", "RW", "RW", "R", "R", "-", "-"),
    "sales": ("RW", "RW", "RW", "R", "R", "-", "-"),
    "conversion": ("R", "R", "R", "R", "R", "-", "-"),
}
LEAD_FIELDS = {
    "person": ["firstName", "lastName", "title"],
    "channels": ["email", "phone"],
    "company": ["company", "industry", "size", "country", "website"],
    "qualification": ["source", "campaign", "status", "score", "lastCapturedAt",
                      "captures { at }"],
    "sales": ["owner { id }", "territory { id }"],
    "conversion": ["convertedAt", "convertedContact { id }", "convertedAccount { id }",
                   "convertedOpportunity { id }"],
}
LEAD_WRITES = {"person": {"lastName": "Renamed"}, "channels": {"email": "moved@example.com"},
               "company": {"company": "Moved Ltd"}, "qualification": {"score": 55},
               "sales": {"owner": SALES_USER}}
LEAD_CREATE = """mutation($input: LeadCreateInput!) { leadCreate(input: $input) {
  lead { id } errors { code } } }"""
LEAD_UPDATE = """mutation($input: LeadUpdateInput!) { leadUpdate(input: $input) {
  errors { code } } }"""


@pytest.mark.parametrize("group, role", [(g, r) for g in LEAD_FIELDS for r in ROLES])
async def test_lead_field_group_read(gql, group, role):
    query = "query($id: ID!) { lead(id: $id) { id %s } }" % " ".join(LEAD_FIELDS[group])
    result = await gql(role, query, {"id": DEMO_LEAD})
    lead = result.data["lead"]
    if role in ("partner", "customer"):  # the portals reach no lead at all
        assert lead is None and result.errors == []
        return
    for selection in LEAD_FIELDS[group]:
        name = selection.split()[0]
        errors = result.errors_at("lead", name)
        if "R" in LEAD_EXPECTED[group][ROLES.index(role)]:
            assert errors == [], (name, errors)
        else:
            assert lead[name] is None
            assert [e["extensions"]["code"] for e in errors] == ["FORBIDDEN"], name


@pytest.mark.parametrize("group, role", [(g, r) for g in LEAD_WRITES for r in ROLES])
async def test_lead_field_group_write(gql, group, role):
    # given a fresh lead owned by the EMEA sales user, so that sales may write it
    created = (await gql.ok("admin", LEAD_CREATE, {"input": {
        "lastName": "Matrix", "email": "matrix@example.com", "owner": SALES_USER}}))
    lead = created["leadCreate"]["lead"]
    # when the role writes a field of the group
    result = await gql(role, LEAD_UPDATE, {"input": {"id": lead["id"], "version": 1,
                                                     **LEAD_WRITES[group]}})
    codes = [e["code"] for e in result.data["leadUpdate"]["errors"]]
    # then it is accepted where the table says W, and FORBIDDEN elsewhere
    assert codes == ([] if "W" in LEAD_EXPECTED[group][ROLES.index(role)] else ["FORBIDDEN"])


# Activity.work: admin RW, sales RW, marketing R, service RW, analyst R, partner -, customer -
ACTIVITY_WORK = ("RW", "RW", "R", "RW", "R", "-", "-")
ACTIVITY_READ = ("kind", "at", "subject", "body", "owner { id }", "attendees { user { id } }")
ACTIVITY_LOG = """mutation($input: ActivityLogInput!) { activityLog(input: $input) {
  activity { id } errors { code } } }"""
ACTIVITY_UPDATE = """mutation($input: ActivityUpdateInput!) { activityUpdate(input: $input) {
  errors { code } } }"""


@pytest.mark.parametrize("role", ROLES)
async def test_activity_read(gql, role):
    query = "query($id: ID!) { activity(id: $id) { id %s } }" % " ".join(ACTIVITY_READ)
    result = await gql(role, query, {"id": DEMO_ACTIVITY})
    activity = result.data["activity"]
    if "R" in ACTIVITY_WORK[ROLES.index(role)]:
        assert result.errors == [] and activity["id"] == DEMO_ACTIVITY
    else:  # the portals reach no activity at all
        assert activity is None and result.errors == []


@pytest.mark.parametrize("role", ROLES)
async def test_activity_write(gql, factories, role):
    contact = await factories.contact(owner=SALES_USER)
    # given a note sales logged, so that the sales role's write rule covers it
    logged = (await gql.ok("sales", ACTIVITY_LOG, {"input": {
        "kind": "NOTE", "body": "Matrix", "contact": contact["id"]}}))["activityLog"]
    result = await gql(role, ACTIVITY_UPDATE, {"input": {
        "id": logged["activity"]["id"], "version": 1, "body": "Changed"}})
    codes = [e["code"] for e in result.data["activityUpdate"]["errors"]]
    assert codes == ([] if "W" in ACTIVITY_WORK[ROLES.index(role)] else ["FORBIDDEN"])
