"""The access policy, cell by cell, through the API: each role both allowed and denied.

EXPECTED is written out by hand from the policy table in the README, so that a change
to auth/policy.py that is not also a deliberate change here fails.
"""

from __future__ import annotations

import pytest

from tests.demo import CUSTOMER, DEMO_PARTNER_ACCOUNT, DEMO_PARTNER_CONTACT, SALES_USER

ROLES = ("admin", "sales", "marketing", "service", "analyst", "partner", "customer")
# group -> cells in ROLES order; "R+names": reads, and writes only first and last name.
EXPECTED = {
    "identity": ("RW", "RW", "R", "RW", "R", "R", "R+names"),
    "channels": ("RW", "RW", "R", "RW", "-", "R", "RW"),
    "sales": ("RW", "RW", "R", "R", "R", "-", "-"),
    "consents": ("RW", "R", "RW", "R", "R", "-", "RW"),
    "notes": ("RW", "RW", "-", "RW", "-", "-", "-"),
    "auditTrail": ("R", "-", "-", "-", "-", "-", "-"),
}
CONTACT_FIELDS = {
    "identity": ["firstName", "lastName", "accounts { totalCount }", "territory { id }"],
    "channels": ["emails { address }", "phones { number }", "address { city }"],
    "sales": ["owner { id }", "lifecycleStage", "leadScore"],
    "consents": ["consents { id }"],
    "notes": ["notes { totalCount }"],
}
ACCOUNT_FIELDS = {
    "identity": ["name", "legalName", "industry", "size", "website", "parent { id }",
                 "territory { id }", "contacts { totalCount }"],
    "sales": ["owner { id }"],
    "notes": ["notes { totalCount }"],
}
READABLE_RECORD = {"partner": (DEMO_PARTNER_CONTACT, DEMO_PARTNER_ACCOUNT),
                   "customer": (CUSTOMER, DEMO_PARTNER_ACCOUNT)}


def cell(group: str, role: str) -> str:
    return EXPECTED[group][ROLES.index(role)]


def _reads(fields: dict[str, list[str]]):
    return [(g, r) for g in fields for r in ROLES]


def _field_name(selection: str) -> str:
    return selection.split()[0]


@pytest.mark.parametrize("group, role", _reads(CONTACT_FIELDS))
async def test_contact_field_group_read(gql, group, role):
    # given a contact the role can reach
    contact_id = READABLE_RECORD.get(role, (CUSTOMER,))[0]
    # when the role selects every field of the group
    query = "query($id: ID!) { contact(id: $id) { id %s } }" % " ".join(CONTACT_FIELDS[group])
    result = await gql(role, query, {"id": contact_id})
    # then readable fields come back without error; others are null with FORBIDDEN at their path
    contact = result.data["contact"]
    assert contact["id"] == contact_id
    for selection in CONTACT_FIELDS[group]:
        name = _field_name(selection)
        errors = result.errors_at("contact", name)
        if "R" in cell(group, role):
            assert errors == [], (name, errors)
        else:
            assert contact[name] is None
            assert [e["extensions"]["code"] for e in errors] == ["FORBIDDEN"], name


@pytest.mark.parametrize("group, role", _reads(ACCOUNT_FIELDS))
async def test_account_field_group_read(gql, group, role):
    account_id = READABLE_RECORD.get(role, (None, DEMO_PARTNER_ACCOUNT))[1]
    query = "query($id: ID!) { account(id: $id) { id %s } }" % " ".join(ACCOUNT_FIELDS[group])
    result = await gql(role, query, {"id": account_id})
    account = result.data["account"]
    assert account["id"] == account_id
    for selection in ACCOUNT_FIELDS[group]:
        name = _field_name(selection)
        errors = result.errors_at("account", name)
        if "R" in cell(group, role):
            assert errors == [], (name, errors)
        else:
            assert account[name] is None
            assert [e["extensions"]["code"] for e in errors] == ["FORBIDDEN"], name


@pytest.mark.parametrize("role", ROLES)
async def test_audit_trail_read(gql, role):
    result = await gql(role, "query($id: ID!) { auditTrail(recordId: $id) { totalCount } }",
                       {"id": CUSTOMER})
    if "R" in cell("auditTrail", role):
        assert result.errors == [] and result.data["auditTrail"]["totalCount"] >= 0
    else:
        assert result.data["auditTrail"] is None
        assert result.error_codes() == ["FORBIDDEN"]


UPDATE = """
mutation($input: ContactUpdateInput!) {
  contactUpdate(input: $input) { contact { id } errors { field code } }
}"""
VERSION = "query($id: ID!) { contact(id: $id) { version lastName phones { number } } }"
GRANT = """
mutation($input: ConsentInput!) { consentGrant(input: $input) { consent { id } errors { code } } }
"""
NOTE = """
mutation($input: NoteCreateInput!) { noteCreate(input: $input) { note { id } errors { code } } }
"""


async def _target(gql, factories, role: str) -> str:
    """A contact the role may see: the customer's own, a registered one, or a fresh one owned
    by the EMEA sales user (so that the sales role's write rule covers it)."""
    if role in READABLE_RECORD:
        return READABLE_RECORD[role][0]
    return (await factories.contact(owner=SALES_USER))["id"]


async def _write(gql, role: str, group: str, contact_id: str) -> list[str]:
    current = (await gql.ok("admin", VERSION, {"id": contact_id}))["contact"]
    update = {"id": contact_id, "version": current["version"]}
    if group == "identity":
        result = await gql(role, UPDATE, {"input": {**update, "lastName": current["lastName"]}})
        return [e["code"] for e in result.data["contactUpdate"]["errors"]]
    if group == "channels":
        phones = [{"number": p["number"]} for p in current["phones"]]
        result = await gql(role, UPDATE, {"input": {**update, "phones": phones}})
        return [e["code"] for e in result.data["contactUpdate"]["errors"]]
    if group == "sales":
        result = await gql(role, UPDATE, {"input": {**update, "leadScore": 42}})
        return [e["code"] for e in result.data["contactUpdate"]["errors"]]
    if group == "consents":
        result = await gql(role, GRANT, {"input": {
            "contactId": contact_id, "channel": "EMAIL", "purpose": "newsletter",
            "source": "matrix-test"}})
        return [e["code"] for e in result.data["consentGrant"]["errors"]]
    result = await gql(role, NOTE, {"input": {"recordId": contact_id, "body": "matrix"}})
    return [e["code"] for e in result.data["noteCreate"]["errors"]]


@pytest.mark.parametrize("group, role", [(g, r) for g in CONTACT_FIELDS for r in ROLES])
async def test_contact_field_group_write(gql, factories, group, role):
    # given a contact the role can see
    contact_id = await _target(gql, factories, role)
    # when the role writes a field of the group
    codes = await _write(gql, role, group, contact_id)
    # then it is accepted where the table says W, and FORBIDDEN elsewhere
    allowed = "W" in cell(group, role) or (group == "identity" and cell(group, role) == "R+names")
    assert codes == ([] if allowed else ["FORBIDDEN"])


async def test_customer_may_not_write_identity_beyond_names(gql):
    current = (await gql.ok("admin", VERSION, {"id": CUSTOMER}))["contact"]
    result = await gql("customer", UPDATE, {"input": {
        "id": CUSTOMER, "version": current["version"],
        "territory": "VGVycml0b3J5OjAwMDAwMDAwLTAwMDAtMDAwMC0wMDAwLTAwMDAwMDAwMDAwMA"}})
    assert [(e["field"], e["code"]) for e in result.data["contactUpdate"]["errors"]] == [
        ("territory", "FORBIDDEN")]


ME = "{ me { role permissions { type readable writable canCreate canArchive } } }"


@pytest.mark.parametrize("role", ROLES)
async def test_me_permissions_follow_the_table(gql, role):
    # when a role asks what it may do
    data = await gql.ok(role, ME)
    contact = {p["type"]: p for p in data["me"]["permissions"]}["Contact"]
    # then each group's fields are listed as readable / writable exactly as the table says
    for group, selections in CONTACT_FIELDS.items():
        for name in map(_field_name, selections):
            assert (name in contact["readable"]) == ("R" in cell(group, role)), (group, name)
            writable = "W" in cell(group, role) or (
                cell(group, role) == "R+names" and name in ("firstName", "lastName"))
            assert (name in contact["writable"]) == writable, (group, name)
    assert contact["canCreate"] == (role in ("admin", "sales", "service"))
