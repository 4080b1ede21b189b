"""externalId through the create and update mutations: set, read, cleared, unique among live
records, and written only by those who write the record's identity."""

from __future__ import annotations

import itertools
import uuid

import pytest

_n = itertools.count(1)

CREATE = """mutation($input: ContactCreateInput!) { contactCreate(input: $input) {
  contact { id version externalId } errors { field code } } }"""
UPDATE = """mutation($input: ContactUpdateInput!) { contactUpdate(input: $input) {
  contact { id version externalId } errors { field code } } }"""
ACCOUNT_CREATE = """mutation($input: AccountCreateInput!) { accountCreate(input: $input) {
  account { id externalId } errors { field code } } }"""
ACCOUNT_UPDATE = """mutation($input: AccountUpdateInput!) { accountUpdate(input: $input) {
  account { externalId } errors { field code } } }"""
BY_EXTERNAL_ID = """query($id: String!) { contacts(first: 2, filter: {externalId: {eq: $id}}) {
  nodes { id } } }"""


def external() -> str:
    return f"ERP-{uuid.uuid4().hex[:10]}"


def person(**more) -> dict:
    n = next(_n)
    return {"input": {"lastName": f"External{n}", "allowDuplicate": True, **more}}


async def test_contact_create_sets_the_external_id_and_lists_find_it(gql):
    given = external()
    created = (await gql.ok("admin", CREATE, person(externalId=f"  {given} ")))["contactCreate"]
    assert created["errors"] == [] and created["contact"]["externalId"] == given
    found = (await gql.ok("admin", BY_EXTERNAL_ID, {"id": given}))["contacts"]["nodes"]
    assert found == [{"id": created["contact"]["id"]}]


async def test_contact_create_with_a_taken_external_id_is_conflict(gql):
    given = external()
    await gql.ok("admin", CREATE, person(externalId=given))
    again = (await gql.ok("admin", CREATE, person(externalId=given)))["contactCreate"]
    assert again["contact"] is None
    assert again["errors"] == [{"field": "externalId", "code": "CONFLICT"}]


async def test_contact_update_sets_and_clears_the_external_id_on_the_compiled_path(gql):
    await _sets_and_clears(gql)


async def test_contact_update_sets_and_clears_the_external_id_on_the_resolvers(resolver_gql):
    await _sets_and_clears(resolver_gql)


async def _sets_and_clears(gql) -> None:
    contact = (await gql.ok("admin", CREATE, person()))["contactCreate"]["contact"]
    given = external()
    set_ = (await gql.ok("admin", UPDATE, {"input": {
        "id": contact["id"], "version": contact["version"], "externalId": given}}))["contactUpdate"]
    assert set_["errors"] == [] and set_["contact"]["externalId"] == given
    cleared = (await gql.ok("admin", UPDATE, {"input": {
        "id": contact["id"], "version": set_["contact"]["version"], "externalId": None}}))
    assert cleared["contactUpdate"]["contact"]["externalId"] is None


async def test_contact_update_to_a_taken_external_id_is_conflict(gql):
    given = external()
    await gql.ok("admin", CREATE, person(externalId=given))
    other = (await gql.ok("admin", CREATE, person()))["contactCreate"]["contact"]
    result = (await gql.ok("admin", UPDATE, {"input": {
        "id": other["id"], "version": other["version"], "externalId": given}}))["contactUpdate"]
    assert result["errors"] == [{"field": "externalId", "code": "CONFLICT"}]


async def test_external_id_longer_than_200_is_invalid(gql):
    result = (await gql.ok("admin", CREATE, person(externalId="x" * 201)))["contactCreate"]
    assert result["errors"] == [{"field": "externalId", "code": "INVALID"}]


@pytest.mark.parametrize("role, allowed", [("admin", True), ("sales", True), ("service", True),
                                           ("marketing", False), ("analyst", False)])
async def test_contact_external_id_is_written_by_who_writes_identity(gql, role, allowed):
    # given a contact of sales's own; who writes identity follows the policy table
    contact = (await gql.ok("sales", CREATE, person()))["contactCreate"]["contact"]
    result = await gql(role, UPDATE, {"input": {
        "id": contact["id"], "version": contact["version"], "externalId": external()}})
    payload = (result.data or {}).get("contactUpdate") or {}
    if allowed:
        assert payload.get("errors") == [], result.errors
        return
    codes = [e["code"] for e in payload.get("errors", [])]
    codes += [e["extensions"]["code"] for e in result.errors or []]
    assert payload.get("contact") is None and "FORBIDDEN" in codes


async def test_account_external_id_is_set_updated_and_unique(gql):
    given = external()
    account = (await gql.ok("admin", ACCOUNT_CREATE, {"input": {
        "name": f"External Account {next(_n)}", "externalId": given, "allowDuplicate": True}}
    ))["accountCreate"]
    assert account["errors"] == [] and account["account"]["externalId"] == given
    again = (await gql.ok("admin", ACCOUNT_CREATE, {"input": {
        "name": f"External Account {next(_n)}", "externalId": given, "allowDuplicate": True}}
    ))["accountCreate"]
    assert again["errors"] == [{"field": "externalId", "code": "CONFLICT"}]
