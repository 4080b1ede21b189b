"""Admins manage users, territories and partners, and what each partner's portal reaches."""

from __future__ import annotations

import itertools

import pytest

from auth.principal import Principal
from tests.demo import TERRITORY_DACH, TERRITORY_EMEA, UNREGISTERED_ACCOUNT

_n = itertools.count(1)
USER_CREATE = """mutation($input: UserCreateInput!) { userCreate(input: $input) {
  user { id email name role active territory { name } version } errors { field code message } } }"""
USER_UPDATE = """mutation($input: UserUpdateInput!) { userUpdate(input: $input) {
  user { role active version } errors { field code } } }"""
TERRITORY = """mutation($input: TerritoryInput!) { territorySave(input: $input) {
  territory { id name version parent { name } } errors { field code } } }"""
PARTNER = """mutation($input: PartnerInput!) { partnerSave(input: $input) {
  partner { id name } errors { field code } } }"""
REGISTER = """mutation($input: PartnerRegistrationInput!) { partnerRegister(input: $input) {
  partner { id } errors { field code } } }"""
UNREGISTER = """mutation($input: PartnerRegistrationInput!) { partnerUnregister(input: $input) {
  partner { id } errors { field code } } }"""


async def test_admin_adds_a_user_and_emails_stay_unique(gql):
    email = f"New.Hire{next(_n)}@Example.com"
    created = await gql.ok("admin", USER_CREATE, {"input": {
        "email": email, "name": "New Hire", "role": "SERVICE", "territory": TERRITORY_DACH}})
    user = created["userCreate"]["user"]
    assert (user["email"], user["role"], user["active"]) == (
        email.split("@")[0] + "@example.com", "SERVICE", True)
    assert user["territory"]["name"] == "DACH"
    again = await gql.ok("admin", USER_CREATE, {"input": {
        "email": email.lower(), "name": "Twin", "role": "SALES"}})
    assert [(e["field"], e["code"]) for e in again["userCreate"]["errors"]] == [("email", "CONFLICT")]


@pytest.mark.parametrize("values, errors", [
    ({"name": "No Email", "role": "SALES"}, [("email", "REQUIRED")]),
    ({"email": "x@example.com", "name": "Portal", "role": "CUSTOMER"}, [("role", "INVALID")]),
    ({"email": "bad", "name": "", "role": "SALES"}, [("email", "INVALID"), ("name", "REQUIRED")]),
])
async def test_user_input_is_validated(gql, values, errors):
    data = await gql.ok("admin", USER_CREATE, {"input": values})
    assert sorted((e["field"], e["code"]) for e in data["userCreate"]["errors"]) == errors


async def test_only_admins_manage_users(gql):
    data = await gql.ok("sales", USER_CREATE, {"input": {
        "email": f"sneaky{next(_n)}@example.com", "name": "Sneaky", "role": "ADMIN"}})
    assert [e["code"] for e in data["userCreate"]["errors"]] == ["FORBIDDEN"]


async def test_admin_changes_role_and_deactivates(gql):
    created = (await gql.ok("admin", USER_CREATE, {"input": {
        "email": f"leaver{next(_n)}@example.com", "name": "Leaver", "role": "SALES"}}))
    user = created["userCreate"]["user"]
    data = await gql.ok("admin", USER_UPDATE, {"input": {
        "id": user["id"], "version": 1, "role": "ANALYST", "active": False}})
    assert data["userUpdate"]["user"] == {"role": "ANALYST", "active": False, "version": 2}


async def test_territories_nest_without_loops_and_keep_unique_names(gql):
    name = f"Alps {next(_n)}"
    alps = (await gql.ok("admin", TERRITORY, {"input": {"name": name, "parent": TERRITORY_DACH}})
            )["territorySave"]["territory"]
    assert alps["parent"]["name"] == "DACH"
    tyrol = (await gql.ok("admin", TERRITORY, {"input": {"name": f"Tyrol {next(_n)}",
                                                         "parent": alps["id"]}}))["territorySave"]
    loop = await gql.ok("admin", TERRITORY, {"input": {
        "id": alps["id"], "version": 1, "parent": tyrol["territory"]["id"]}})
    assert [(e["field"], e["code"]) for e in loop["territorySave"]["errors"]] == [("parent", "INVALID")]
    twin = await gql.ok("admin", TERRITORY, {"input": {"name": name}})
    assert [(e["field"], e["code"]) for e in twin["territorySave"]["errors"]] == [("name", "CONFLICT")]
    missing_version = await gql.ok("admin", TERRITORY, {"input": {"id": alps["id"], "name": "X"}})
    assert [e["code"] for e in missing_version["territorySave"]["errors"]] == ["REQUIRED"]


async def test_sales_below_a_new_territory_may_write_its_records(gql, factories):
    # a territory created under EMEA belongs to the EMEA sales user's subtree
    region = (await gql.ok("admin", TERRITORY, {"input": {"name": f"Baltics {next(_n)}",
                                                          "parent": TERRITORY_EMEA}}))
    territory_id = region["territorySave"]["territory"]["id"]
    contact = await factories.contact(territory=territory_id)
    data = await gql.ok("sales", """mutation($input: ContactUpdateInput!) { contactUpdate(input: $input)
      { errors { code } } }""", {"input": {"id": contact["id"], "version": 1, "firstName": "Mine"}})
    assert data["contactUpdate"]["errors"] == []


async def test_registering_a_record_opens_it_to_the_partners_portal(app, gql):
    # given a new partner and its token
    partner = (await gql.ok("admin", PARTNER, {"input": {"name": f"Reseller {next(_n)}"}})
               )["partnerSave"]["partner"]
    from api.schema.ids import from_global_id

    principal = Principal.partner(from_global_id(partner["id"])[1], ["accounts:read"])
    token = app.state.tokens.issue(principal)
    lookup = 'query($id: ID!) { account(id: $id) { id } }'
    assert (await gql("partner", lookup, {"id": UNREGISTERED_ACCOUNT}, token=token)).data == {
        "account": None}
    # when an admin registers an account to it
    registration = {"partnerId": partner["id"], "recordId": UNREGISTERED_ACCOUNT}
    assert (await gql.ok("admin", REGISTER, {"input": registration}))["partnerRegister"][
        "errors"] == []
    # then the portal reaches it; twice is a conflict; unregistering closes it again
    assert (await gql("partner", lookup, {"id": UNREGISTERED_ACCOUNT}, token=token)).data == {
        "account": {"id": UNREGISTERED_ACCOUNT}}
    twice = await gql.ok("admin", REGISTER, {"input": registration})
    assert [e["code"] for e in twice["partnerRegister"]["errors"]] == ["CONFLICT"]
    assert (await gql.ok("admin", UNREGISTER, {"input": registration}))["partnerUnregister"][
        "errors"] == []
    assert (await gql("partner", lookup, {"id": UNREGISTERED_ACCOUNT}, token=token)).data == {
        "account": None}


async def test_only_admins_register_records(gql):
    from tests.demo import DEMO_PARTNER

    data = await gql.ok("sales", REGISTER, {"input": {"partnerId": DEMO_PARTNER,
                                                      "recordId": UNREGISTERED_ACCOUNT}})
    assert [(e["field"], e["code"]) for e in data["partnerRegister"]["errors"]] == [
        ("registrations", "FORBIDDEN")]


async def test_lists_of_users_territories_and_partners(gql):
    data = await gql.ok("admin", "{ users(first: 100) { nodes { email } } "
                        "territories(first: 3) { totalCount nodes { name } } "
                        "partners(first: 10) { nodes { name } } }")
    assert "sales2@example.com" in [u["email"] for u in data["users"]["nodes"]]
    names = [t["name"] for t in data["territories"]["nodes"]]
    assert names == sorted(names) and data["territories"]["totalCount"] >= 13
    partner = await gql.ok("partner", "{ partners(first: 10) { nodes { name } } users { totalCount } }")
    assert partner["partners"]["nodes"] == [{"name": "Demo Partner"}]
    assert partner["users"]["totalCount"] == 0
