"""A use case that changes, links or moves a record needs write access to that record, and
every such change has its audit entry. Merely naming a record the caller can see (an order's
account, a deal's account, an activity's contact, a contact's role in a deal) changes nothing
of it, and needs no write access to it.

The caller is sales2, in the Americas; the "foreign" records belong to the EMEA sales user
in DACH, where sales2 may read but not write.
"""

from __future__ import annotations

import itertools

import pytest

from tests.demo import SALES2_USER, SALES_USER, TERRITORY_DACH

_n = itertools.count(1)

LEAD = """mutation($input: LeadCreateInput!) { leadCreate(input: $input) {
  lead { id version } errors { field code } } }"""
CONVERT = """mutation($input: LeadConvertInput!) { leadConvert(input: $input) {
  lead { status convertedContact { id } convertedAccount { id } }
  errors { field code message } } }"""
LEAD_STATE = """query($id: ID!) { lead(id: $id) { status version } }"""
LINK = """mutation($input: AccountContactLinkInput!) { accountContactLink(input: $input) {
  contact { accounts { totalCount } } errors { field code } } }"""
UNLINK = """mutation($input: AccountContactUnlinkInput!) { accountContactUnlink(input: $input) {
  contact { accounts { totalCount } } errors { field code } } }"""
ACCOUNTS_OF = """query($id: ID!) { contact(id: $id) { version accounts { nodes { id } } } }"""
VERSIONS = """query($c: ID!, $a: ID!) { contact(id: $c) { version } account(id: $a) { version } }"""
TRAIL = """query($id: ID!) { auditTrail(recordId: $id, first: 50) { nodes { action recordType
  recordId changes { field before after } } } }"""
LOG = """mutation($input: ActivityLogInput!) { activityLog(input: $input) {
  activity { id } errors { field code } } }"""
ACTIVITY = """query($id: ID!) { activity(id: $id) { contact { id } account { id } } }"""
ORDER = """mutation($input: OrderCreateInput!) { orderCreate(input: $input) {
  order { id } errors { field code } } }"""
PRODUCT = """mutation($input: ProductInput!) { productSave(input: $input) {
  product { id } errors { code } } }"""
DEAL = """mutation($input: OpportunityCreateInput!) { opportunityCreate(input: $input) {
  opportunity { id } errors { field code } } }"""
ROLE = """mutation($input: OpportunityContactRoleInput!) { opportunityContactRoleSet(input: $input) {
  errors { field code } } }"""
REGISTER = """mutation($input: PartnerRegistrationInput!) { partnerRegister(input: $input) {
  errors { field code } } }"""
PARTNER = """mutation($input: PartnerInput!) { partnerSave(input: $input) {
  partner { id } errors { code } } }"""


async def _foreign(factories) -> tuple[dict, dict]:
    """A contact and an account of the EMEA sales user in DACH: sales2 reads, never writes."""
    contact = await factories.contact(owner=SALES_USER, territory=TERRITORY_DACH)
    account = await factories.account(owner=SALES_USER, territory=TERRITORY_DACH)
    return contact, account


async def _own_lead(gql) -> dict:
    n = next(_n)
    data = await gql.ok("sales2", LEAD, {"input": {
        "lastName": f"Reach{n}", "email": f"reach{n}@example.com", "company": f"Reach {n}"}})
    assert data["leadCreate"]["errors"] == []
    return data["leadCreate"]["lead"]


def _errors(payload: dict) -> list[tuple[str, str]]:
    return [(e["field"], e["code"]) for e in payload["errors"]]


async def _unchanged(gql, contact: dict, account: dict) -> None:
    """The records are still at the versions they were created with, in no account."""
    now = await gql.ok("admin", VERSIONS, {"c": contact["id"], "a": account["id"]})
    assert (now["contact"]["version"], now["account"]["version"]) == (
        contact["version"], account["version"])
    linked = await gql.ok("admin", ACCOUNTS_OF, {"id": contact["id"]})
    assert linked["contact"]["accounts"]["nodes"] == []


@pytest.mark.parametrize("target", ["contactId", "accountId"])
async def test_convert_into_a_record_sales_may_not_write_is_forbidden(gql, factories, target):
    # given sales2's own lead, and a contact and an account sales2 may not write
    contact, account = await _foreign(factories)
    lead = await _own_lead(gql)
    chosen = {"contactId": contact["id"]} if target == "contactId" else {
        "accountId": account["id"]}
    # when sales2 converts the lead into one of them
    data = await gql.ok("sales2", CONVERT, {"input": {
        "id": lead["id"], "version": lead["version"], "accountName": "Planted Co", **chosen}})
    # then it is FORBIDDEN on that input, and nothing was written
    assert _errors(data["leadConvert"]) == [(target, "FORBIDDEN")]
    state = await gql.ok("admin", LEAD_STATE, {"id": lead["id"]})
    assert state["lead"] == {"status": "NEW", "version": lead["version"]}
    await _unchanged(gql, contact, account)


async def test_convert_into_records_sales_may_write_links_them_with_an_audit_entry(
        gql, factories):
    # given sales2's own lead, contact and account
    contact = await factories.contact(owner=SALES2_USER)
    account = await factories.account(owner=SALES2_USER)
    lead = await _own_lead(gql)
    # when sales2 converts the lead into them
    data = await gql.ok("sales2", CONVERT, {"input": {
        "id": lead["id"], "version": lead["version"], "contactId": contact["id"],
        "accountId": account["id"]}})
    # then the lead is converted, the contact is in the account, and the link is audited
    assert data["leadConvert"]["errors"] == []
    assert data["leadConvert"]["lead"]["convertedAccount"]["id"] == account["id"]
    linked = await gql.ok("admin", ACCOUNTS_OF, {"id": contact["id"]})
    assert [a["id"] for a in linked["contact"]["accounts"]["nodes"]] == [account["id"]]
    trail = (await gql.ok("admin", TRAIL, {"id": contact["id"]}))["auditTrail"]["nodes"]
    links = [e for e in trail if e["recordType"] == "AccountContact"]
    assert [e["action"] for e in links] == ["link"]
    assert {c["field"]: c["after"] for c in links[0]["changes"]}["account"] == account["id"]


async def test_convert_moves_the_lead_activities_with_an_audit_entry_each(gql, factories):
    # given sales2's lead with a call sales2 logged on it
    lead = await _own_lead(gql)
    call = (await gql.ok("sales2", LOG, {"input": {
        "kind": "CALL", "lead": lead["id"], "subject": "First call"}}))["activityLog"]
    # when sales2 converts it
    data = await gql.ok("sales2", CONVERT, {"input": {"id": lead["id"], "version": 1}})
    converted = data["leadConvert"]["lead"]
    # then the call concerns the new contact and account, and its trail says so
    moved = (await gql.ok("admin", ACTIVITY, {"id": call["activity"]["id"]}))["activity"]
    assert moved == {"contact": {"id": converted["convertedContact"]["id"]},
                     "account": {"id": converted["convertedAccount"]["id"]}}
    trail = (await gql.ok("admin", TRAIL, {"id": call["activity"]["id"]}))["auditTrail"]["nodes"]
    move = [e for e in trail if e["action"] == "move"]
    assert len(move) == 1
    assert {c["field"]: (c["before"], c["after"]) for c in move[0]["changes"]} == {
        "contact": (None, converted["convertedContact"]["id"]),
        "account": (None, converted["convertedAccount"]["id"])}


async def test_convert_is_forbidden_while_the_lead_has_activities_sales_may_not_change(gql):
    # given sales2's lead, on which the EMEA sales user logged a call (the call is theirs)
    lead = await _own_lead(gql)
    call = (await gql.ok("sales", LOG, {"input": {
        "kind": "CALL", "lead": lead["id"], "subject": "Not yours"}}))["activityLog"]
    assert call["errors"] == []
    # when sales2 converts the lead, which would move the call
    data = await gql.ok("sales2", CONVERT, {"input": {"id": lead["id"], "version": 1}})
    # then it is FORBIDDEN, and the lead and the call stay as they were
    assert _errors(data["leadConvert"]) == [("id", "FORBIDDEN")]
    assert (await gql.ok("admin", LEAD_STATE, {"id": lead["id"]}))["lead"]["status"] == "NEW"
    assert (await gql.ok("admin", ACTIVITY, {"id": call["activity"]["id"]}))["activity"] == {
        "contact": None, "account": None}


@pytest.mark.parametrize("mutation, name", [(LINK, "accountContactLink"),
                                            (UNLINK, "accountContactUnlink")])
async def test_linking_into_an_account_sales_may_not_write_is_forbidden(gql, factories,
                                                                         mutation, name):
    # given sales2's own contact, linked by an admin to an account sales2 may not write
    contact = await factories.contact(owner=SALES2_USER)
    _, account = await _foreign(factories)
    await factories.link(account["id"], contact["id"])
    # when sales2 links or unlinks them
    data = await gql.ok("sales2", mutation, {"input": {
        "accountId": account["id"], "contactId": contact["id"]}})
    # then it is FORBIDDEN on the account, and the link stays
    assert _errors(data[name]) == [("accountId", "FORBIDDEN")]
    linked = await gql.ok("admin", ACCOUNTS_OF, {"id": contact["id"]})
    assert [a["id"] for a in linked["contact"]["accounts"]["nodes"]] == [account["id"]]


async def test_linking_own_contact_and_account_is_allowed(gql, factories):
    contact = await factories.contact(owner=SALES2_USER)
    account = await factories.account(owner=SALES2_USER)
    data = await gql.ok("sales2", LINK, {"input": {
        "accountId": account["id"], "contactId": contact["id"]}})
    assert data["accountContactLink"]["errors"] == []
    data = await gql.ok("sales2", UNLINK, {"input": {
        "accountId": account["id"], "contactId": contact["id"]}})
    assert data["accountContactUnlink"]["errors"] == []


async def test_records_a_use_case_only_names_need_no_write_access(gql, factories):
    # given a contact and an account sales2 may read but not write
    contact, account = await _foreign(factories)
    product = (await gql.ok("admin", PRODUCT, {"input": {
        "sku": f"REACH-{next(_n)}", "name": "Reach", "active": True}}))["productSave"]["product"]
    # when sales2 logs a call on the contact, orders for the account, opens a deal on it,
    # and gives the contact a role in that deal
    call = await gql.ok("sales2", LOG, {"input": {"kind": "CALL", "contact": contact["id"]}})
    order = await gql.ok("sales2", ORDER, {"input": {
        "account": account["id"], "lines": [{"product": product["id"], "quantity": "1",
                                             "unitPrice": "10"}]}})
    deal = await gql.ok("sales2", DEAL, {"input": {"account": account["id"], "name": "Named"}})
    role = await gql.ok("sales2", ROLE, {"input": {
        "opportunityId": deal["opportunityCreate"]["opportunity"]["id"],
        "contactId": contact["id"], "role": "INFLUENCER"}})
    # then each is allowed: the new records name them, and they themselves do not change
    assert [_errors(p) for p in (call["activityLog"], order["orderCreate"],
                                 deal["opportunityCreate"],
                                 role["opportunityContactRoleSet"])] == [[], [], [], []]
    await _unchanged(gql, contact, account)


async def test_a_role_in_a_deal_sales_may_not_write_is_forbidden(gql, factories):
    # given a deal of the EMEA sales user, and sales2's own contact
    _, account = await _foreign(factories)
    deal = (await gql.ok("admin", DEAL, {"input": {
        "account": account["id"], "name": "Theirs", "owner": SALES_USER}}))["opportunityCreate"]
    contact = await factories.contact(owner=SALES2_USER)
    # when sales2 gives its contact a role in that deal, it is FORBIDDEN
    data = await gql.ok("sales2", ROLE, {"input": {
        "opportunityId": deal["opportunity"]["id"], "contactId": contact["id"], "role": "USER"}})
    assert _errors(data["opportunityContactRoleSet"]) == [("opportunityId", "FORBIDDEN")]


async def test_registering_a_record_to_a_partner_shows_in_the_record_trail(gql, factories):
    # given a new partner and an account
    partner = (await gql.ok("admin", PARTNER, {"input": {"name": f"Reach {next(_n)}"}}))[
        "partnerSave"]["partner"]
    account = await factories.account()
    # when an admin opens the account to the partner's portal
    data = await gql.ok("admin", REGISTER, {"input": {"partnerId": partner["id"],
                                                      "recordId": account["id"]}})
    assert data["partnerRegister"]["errors"] == []
    # then the account's own trail shows it
    trail = (await gql.ok("admin", TRAIL, {"id": account["id"]}))["auditTrail"]["nodes"]
    assert [(e["recordType"], e["action"]) for e in trail if e["action"] == "register"] == [
        ("Partner", "register")]
