"""A customer or a partner asking for records that are not theirs gets exactly what it would
get for records that do not exist: by id, by node, nested, aliased, listed, or written."""

from __future__ import annotations

import pytest

from tests.demo import (
    CUSTOMER,
    DEMO_PARTNER_ACCOUNT,
    DEMO_PARTNER_CONTACT,
    OTHER_PARTNER_ACCOUNT,
    OTHER_PARTNER_CONTACT,
    SALES_USER,
    TERRITORY_DACH,
    UNREGISTERED_ACCOUNT,
    UNREGISTERED_CONTACT,
)

MISSING_CONTACT = "Q29udGFjdDowMDAwMDAwMC0wMDAwLTAwMDAtMDAwMC0wMDAwMDAwMDAwMDA"
MISSING_ACCOUNT = "QWNjb3VudDowMDAwMDAwMC0wMDAwLTAwMDAtMDAwMC0wMDAwMDAwMDAwMDA"

# For each caller: contacts and accounts that exist but are not theirs.
FOREIGN = {
    "customer": ([DEMO_PARTNER_CONTACT, OTHER_PARTNER_CONTACT, UNREGISTERED_CONTACT],
                 [OTHER_PARTNER_ACCOUNT, UNREGISTERED_ACCOUNT]),
    "partner": ([OTHER_PARTNER_CONTACT, UNREGISTERED_CONTACT],
                [OTHER_PARTNER_ACCOUNT, UNREGISTERED_ACCOUNT]),
}
CALLERS = list(FOREIGN)

BY_ID = """query($c: ID!, $a: ID!) {
  contact(id: $c) { id firstName } account(id: $a) { id name }
  n1: node(id: $c) { id } n2: node(id: $a) { id }
  many: nodes(ids: [$c, $a]) { id }
}"""


@pytest.mark.parametrize("caller", CALLERS)
async def test_foreign_ids_look_exactly_like_missing_ones(gql, caller):
    contacts, accounts = FOREIGN[caller]
    missing = await gql(caller, BY_ID, {"c": MISSING_CONTACT, "a": MISSING_ACCOUNT})
    assert missing.body == {"data": {"contact": None, "account": None, "n1": None, "n2": None,
                                     "many": [None, None]}}
    for contact_id in contacts:
        for account_id in accounts:
            result = await gql(caller, BY_ID, {"c": contact_id, "a": account_id})
            assert result.status == 200
            assert result.body == missing.body, (contact_id, account_id)


ALIASED = """query($a: ID!, $b: ID!, $c: ID!) {
  x: contact(id: $a) { id } y: contact(id: $b) { id } z: node(id: $c) { ... on Contact { id } }
}"""


@pytest.mark.parametrize("caller", CALLERS)
async def test_aliases_do_not_widen_access(gql, caller):
    own = CUSTOMER if caller == "customer" else DEMO_PARTNER_CONTACT
    foreign = FOREIGN[caller][0]
    result = await gql(caller, ALIASED, {"a": own, "b": foreign[0], "c": foreign[-1]})
    assert result.body == {"data": {"x": {"id": own}, "y": None, "z": None}}


# Pages of 20: three nested pages of 100 would be refused for their cost before any rule ran.
NESTED = """query($account: ID!) {
  account(id: $account) {
    contacts(first: 20) { totalCount nodes { id accounts(first: 20) { nodes { id
      contacts(first: 20) { nodes { id } } } } } }
  }
}"""


async def test_customer_reaches_only_itself_through_its_account(gql):
    # when the customer walks from its account to the account's people and back
    data = (await gql("customer", NESTED, {"account": DEMO_PARTNER_ACCOUNT})).data
    people = data["account"]["contacts"]
    # then the only person anywhere on the path is the customer
    assert people["totalCount"] == 1
    assert [p["id"] for p in people["nodes"]] == [CUSTOMER]
    for account in people["nodes"][0]["accounts"]["nodes"]:
        assert [c["id"] for c in account["contacts"]["nodes"]] == [CUSTOMER]


async def test_partner_reaches_only_registered_people_through_accounts(gql):
    # given the full list of an account's people as staff see it
    everyone = (await gql("admin", NESTED, {"account": DEMO_PARTNER_ACCOUNT})).data
    registered = {c["id"] for c in (await gql.ok(
        "partner", "{ contacts(first: 100) { nodes { id } } }"))["contacts"]["nodes"]}
    # when the partner walks the same path
    data = (await gql("partner", NESTED, {"account": DEMO_PARTNER_ACCOUNT})).data
    # then every person it meets is registered to it, and so is every account
    seen = {c["id"] for c in data["account"]["contacts"]["nodes"]}
    assert seen and seen <= registered
    assert {c["id"] for c in everyone["account"]["contacts"]["nodes"]} >= seen
    for person in data["account"]["contacts"]["nodes"]:
        for account in person["accounts"]["nodes"]:
            assert account["id"] != OTHER_PARTNER_ACCOUNT
            assert {c["id"] for c in account["contacts"]["nodes"]} <= registered


LIST = "{ contacts(first: 100) { totalCount nodes { id } } accounts(first: 100) { totalCount nodes { id } } }"


async def test_lists_hold_only_the_callers_records(gql):
    customer = await gql.ok("customer", LIST)
    assert [n["id"] for n in customer["contacts"]["nodes"]] == [CUSTOMER]
    assert customer["contacts"]["totalCount"] == 1
    assert [n["id"] for n in customer["accounts"]["nodes"]] == [DEMO_PARTNER_ACCOUNT]
    partner = await gql.ok("partner", LIST)
    other = await gql.ok("other_partner", LIST)
    assert partner["accounts"]["totalCount"] == 10 and other["accounts"]["totalCount"] == 5
    assert not {n["id"] for n in partner["contacts"]["nodes"]} & {
        n["id"] for n in other["contacts"]["nodes"]}


CHILDREN = """query($id: ID!) { contact(id: $id) { notes(first: 5) { nodes { id } }
  consents { id } } }"""


@pytest.mark.parametrize("caller", CALLERS)
async def test_notes_and_consents_of_others_are_unreachable_by_node(gql, factories, caller):
    # given a note and a consent on a contact that is not the caller's
    foreign = FOREIGN[caller][0][-1]
    note = await factories.note(foreign, "secret")
    consents = (await gql.ok("admin", CHILDREN, {"id": foreign}))["contact"]["consents"]
    # when the caller asks for them by node id
    ids = [note["id"], *(c["id"] for c in consents)]
    result = await gql(caller, "query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": ids})
    # then they do not exist for it
    assert result.body == {"data": {"nodes": [None] * len(ids)}}


async def test_partner_without_contact_scope_reaches_no_contacts(app, gql, principals):
    from auth.principal import Principal

    narrow = Principal.partner(principals["partner"].partner_id, ["accounts:read"])
    token = app.state.tokens.issue(narrow)
    result = await gql("partner", "query($id: ID!) { contact(id: $id) { id } "
                       "contacts(first: 5) { totalCount } }", {"id": DEMO_PARTNER_CONTACT},
                       token=token)
    assert result.body == {"data": {"contact": None, "contacts": {"totalCount": 0}}}


UPDATE = """mutation($input: ContactUpdateInput!) {
  contactUpdate(input: $input) { contact { id } errors { field code message } } }"""
GRANT = """mutation($input: ConsentInput!) {
  consentGrant(input: $input) { consent { id } errors { field code message } } }"""


async def test_customer_writing_another_contact_gets_not_found_like_a_missing_one(gql):
    # when the customer updates, and grants consent for, another contact and a missing one
    results = []
    for target in (DEMO_PARTNER_CONTACT, MISSING_CONTACT):
        update = await gql("customer", UPDATE, {"input": {
            "id": target, "version": 1, "firstName": "Mallory"}})
        grant = await gql("customer", GRANT, {"input": {
            "contactId": target, "channel": "EMAIL", "purpose": "newsletter", "source": "x"}})
        results.append((update.body, grant.body))
    # then both answers are identical NOT_FOUNDs: nothing confirms that the first exists
    assert results[0] == results[1]
    assert results[0][0]["data"]["contactUpdate"]["errors"][0]["code"] == "NOT_FOUND"
    assert results[0][1]["data"]["consentGrant"]["errors"][0]["code"] == "NOT_FOUND"


async def test_partner_cannot_see_staff_users_or_territory_structure(gql):
    result = await gql("partner", "query($u: ID!, $t: ID!) { u: node(id: $u) { id } "
                       "t: node(id: $t) { ... on Territory { name parent { id } } } }",
                       {"u": SALES_USER, "t": TERRITORY_DACH})
    assert result.data == {"u": None, "t": {"name": "DACH", "parent": None}}
    assert [tuple(e["path"]) for e in result.errors] == [("t", "parent")]
    assert result.error_codes() == ["FORBIDDEN"]
