"""The case field groups, cell by cell, through the API: each role both allowed and denied.

EXPECTED is written out by hand from the policy table in the README. The partner reads
with a token that holds `cases:read`; marketing reaches no case at all.
"""

from __future__ import annotations

import pytest

from tests.api.cases_setup import ok_payload
from tests.demo import CUSTOMER, DEMO_PARTNER_ACCOUNT

ROLES = ("admin", "sales", "service", "analyst", "partner", "customer")
EXPECTED = {
    "meta": ("R", "R", "R", "R", "R", "R"),
    "provenance": ("R", "R", "R", "R", "-", "-"),
    "request": ("RW", "R", "RW", "R", "R", "RW"),
    "state": ("RW", "R", "RW", "R", "R", "R"),
    "conversation": ("RW", "R", "RW", "R", "-", "RW"),
    "handling": ("RW", "R", "RW", "R", "-", "-"),
    "sla": ("R", "R", "R", "R", "-", "-"),
}
FIELDS = {
    "meta": ["version", "createdAt"],
    "provenance": ["createdBy"],
    "request": ["subject", "type", "channel", "product { id }"],
    "state": ["number", "status", "priority", "contact { id }", "openedAt"],
    "conversation": ["comments { id }", "articles { linkedAt }"],
    "handling": ["assignee { id }", "queue { id }", "timeEntries { minutes }",
                 "timeSpentMinutes"],
    "sla": ["firstResponseDueAt", "atRisk", "escalations { level }", "slaPolicy { id }"],
}
CREATE = """mutation($input: CaseCreateInput!) { caseCreate(input: $input) {
  case { id version } errors { field code } } }"""
UPDATE = """mutation($input: CaseUpdateInput!) { caseUpdate(input: $input) {
  case { id } errors { field code } } }"""
STATUS = """mutation($input: CaseStatusInput!) { caseStatusSet(input: $input) {
  case { id } errors { field code } } }"""


def cell(group: str, role: str) -> str:
    return EXPECTED[group][ROLES.index(role)]


@pytest.fixture(scope="module")
def partner_token(app, principals) -> str:
    from auth.principal import Principal

    partner = principals["partner"]
    return app.state.tokens.issue(Principal.partner(partner.partner_id,
                                                    [*partner.scopes, "cases:read"]))


async def new_case(gql) -> dict:
    return (await ok_payload(gql, "service", CREATE, {"input": {
        "subject": "Matrix", "contact": CUSTOMER, "account": DEMO_PARTNER_ACCOUNT}},
        "caseCreate"))["case"]


@pytest.mark.parametrize("group", EXPECTED)
@pytest.mark.parametrize("role", ROLES)
async def test_case_field_group_read(gql, partner_token, group, role):
    case = await new_case(gql)
    query = f"query($id: ID!) {{ case(id: $id) {{ id {' '.join(FIELDS[group])} }} }}"
    token = partner_token if role == "partner" else None
    result = await gql(role, query, {"id": case["id"]}, token=token)
    assert result.data["case"]["id"] == case["id"], (role, result.body)
    if "R" in cell(group, role):
        assert result.errors == [], (group, role, result.body)
    else:
        assert result.error_codes() and set(result.error_codes()) == {"FORBIDDEN"}, (
            group, role, result.body)


async def test_marketing_reaches_no_case(gql):
    case = await new_case(gql)
    result = await gql("marketing", "query($id: ID!) { case(id: $id) { id } }",
                       {"id": case["id"]})
    assert result.data["case"] is None


@pytest.mark.parametrize("group, mutation, field, value", [
    ("request", UPDATE, "caseUpdate", {"subject": "Changed"}),
    ("state", STATUS, "caseStatusSet", {"status": "OPEN"}),
])
@pytest.mark.parametrize("role", ROLES)
async def test_case_field_group_write(gql, partner_token, group, mutation, field, value,
                                      role):
    case = await new_case(gql)
    token = partner_token if role == "partner" else None
    result = await gql(role, mutation, {"input": {"id": case["id"],
                                                  "version": case["version"], **value}},
                       token=token)
    errors = result.data[field]["errors"]
    if "W" in cell(group, role):
        assert errors == [], (group, role, errors)
    else:
        assert [e["code"] for e in errors] == ["FORBIDDEN"], (group, role, errors)
