"""A plain update is one statement (and the answer's read), with every guarantee of the
transactional path: the version, the write rule, the field policy, the audit entry of exactly
the fields that differ, and the same errors with the same messages."""

from __future__ import annotations

import asyncio
from collections import Counter

from tests.demo import CUSTOMER, SALES2_USER

UPDATE = """
mutation($input: ContactUpdateInput!) {
  contactUpdate(input: $input) { contact { id version } errors { field code message } }
}"""
ACCOUNT_UPDATE = """
mutation($input: AccountUpdateInput!) {
  accountUpdate(input: $input) { account { id version name } errors { field code message } }
}"""
CONTACT = """query($id: ID!) { contact(id: $id) { version firstName lastName leadScore } }"""
AUDIT = """
query($id: ID!) {
  auditTrail(recordId: $id, first: 10) { nodes { action actor changes { field before after } } }
}"""


async def _trail(gql, record_id: str) -> list[dict]:
    return (await gql.ok("admin", AUDIT, {"id": record_id}))["auditTrail"]["nodes"]


def _writes(statements) -> list[str]:
    return [s for s in statements.statements if not s.lstrip().upper().startswith("SELECT")]


async def test_an_update_is_one_statement_that_writes_the_record_and_its_audit_entry(
        gql, factories, statements):
    # given a contact at version 1
    created = await factories.contact(firstName="Ada", lastName="Byron")
    statements.reset()
    # when its first name changes and its last name is sent unchanged
    data = await gql.ok("admin", UPDATE, {"input": {
        "id": created["id"], "version": 1, "firstName": "Augusta", "lastName": "Byron"}})
    # then one statement wrote it and read the answer back
    assert data["contactUpdate"] == {"contact": {"id": created["id"], "version": 2}, "errors": []}
    assert len(_writes(statements)) == 1 and statements.count == 1, statements.statements
    assert _writes(statements)[0].startswith("WITH target AS")
    # and the audit entry holds exactly the field that differed
    latest = (await _trail(gql, created["id"]))[0]
    assert latest["action"] == "update" and latest["actor"]
    assert latest["changes"] == [{"field": "firstName", "before": "Ada", "after": "Augusta"}]


async def test_an_update_that_changes_nothing_keeps_the_version_and_audits_nothing(
        gql, factories, statements):
    created = await factories.contact(firstName="Same")
    statements.reset()
    data = await gql.ok("admin", UPDATE, {"input": {
        "id": created["id"], "version": 1, "firstName": "Same"}})
    assert data["contactUpdate"] == {"contact": {"id": created["id"], "version": 1}, "errors": []}
    assert len(_writes(statements)) == 1
    assert [e["action"] for e in await _trail(gql, created["id"])] == ["create"]


async def test_a_stale_version_is_refused_with_its_message_and_writes_nothing(gql, factories):
    created = await factories.contact(firstName="Old")
    await gql.ok("admin", UPDATE, {"input": {"id": created["id"], "version": 1,
                                             "firstName": "New"}})
    data = await gql.ok("admin", UPDATE, {"input": {"id": created["id"], "version": 1,
                                                    "firstName": "Lost"}})
    assert data["contactUpdate"] == {"contact": None, "errors": [{
        "field": "version", "code": "STALE_VERSION",
        "message": "The record is at version 2, not 1: reload and retry."}]}
    contact = (await gql.ok("admin", CONTACT, {"id": created["id"]}))["contact"]
    assert contact["firstName"] == "New" and contact["version"] == 2
    assert [e["action"] for e in await _trail(gql, created["id"])] == ["update", "create"]


async def test_a_record_the_caller_sees_but_may_not_write_is_forbidden(gql, factories):
    # given a contact of the Americas sales user, which the EMEA sales user sees in lists
    created = await factories.contact(owner=SALES2_USER, firstName="Kept")
    # when the EMEA sales user changes it, even at a stale version
    for version in (1, 7):
        data = await gql.ok("sales", UPDATE, {"input": {
            "id": created["id"], "version": version, "firstName": "Nope"}})
        # then it is FORBIDDEN, as before the version is looked at, and nothing is written
        assert data["contactUpdate"] == {"contact": None, "errors": [{
            "field": "id", "code": "FORBIDDEN", "message": "You may not change this Contact."}]}
    contact = (await gql.ok("admin", CONTACT, {"id": created["id"]}))["contact"]
    assert contact["firstName"] == "Kept" and contact["version"] == 1


async def test_a_record_the_caller_does_not_see_is_not_found(gql, factories):
    created = await factories.contact(firstName="Hidden")
    data = await gql.ok("customer", UPDATE, {"input": {
        "id": created["id"], "version": 1, "firstName": "Found"}})
    assert [(e["field"], e["code"]) for e in data["contactUpdate"]["errors"]] == [
        ("id", "NOT_FOUND")]
    contact = (await gql.ok("admin", CONTACT, {"id": created["id"]}))["contact"]
    assert contact["firstName"] == "Hidden" and contact["version"] == 1


async def test_a_field_the_caller_may_not_write_is_refused_before_any_statement(
        gql, statements):
    version = (await gql.ok("admin", CONTACT, {"id": CUSTOMER}))["contact"]["version"]
    statements.reset()
    data = await gql.ok("customer", UPDATE, {"input": {
        "id": CUSTOMER, "version": version, "firstName": "Kim", "leadScore": 99}})
    assert [(e["field"], e["code"]) for e in data["contactUpdate"]["errors"]] == [
        ("leadScore", "FORBIDDEN")]
    assert _writes(statements) == []
    assert (await gql.ok("admin", CONTACT, {"id": CUSTOMER}))["contact"]["version"] == version


async def test_invalid_values_at_a_stale_version_report_the_version_first(gql, factories):
    # (the transactional path checks the record before the values: the order is kept)
    created = await factories.contact()
    await gql.ok("admin", UPDATE, {"input": {"id": created["id"], "version": 1, "leadScore": 5}})
    data = await gql.ok("admin", UPDATE, {"input": {
        "id": created["id"], "version": 1, "leadScore": 101}})
    assert [e["code"] for e in data["contactUpdate"]["errors"]] == ["STALE_VERSION"]
    data = await gql.ok("admin", UPDATE, {"input": {
        "id": created["id"], "version": 2, "leadScore": 101}})
    assert [(e["field"], e["code"]) for e in data["contactUpdate"]["errors"]] == [
        ("leadScore", "INVALID")]


async def test_concurrent_updates_at_one_version_let_exactly_one_win(gql, factories):
    created = await factories.contact(firstName="Race")
    answers = await asyncio.gather(*(gql.ok("admin", UPDATE, {"input": {
        "id": created["id"], "version": 1, "firstName": f"Writer{i}"}}) for i in range(6)))
    outcomes = Counter(tuple(e["code"] for e in a["contactUpdate"]["errors"]) for a in answers)
    assert outcomes == {(): 1, ("STALE_VERSION",): 5}
    contact = (await gql.ok("admin", CONTACT, {"id": created["id"]}))["contact"]
    assert contact["version"] == 2
    updates = [e for e in await _trail(gql, created["id"]) if e["action"] == "update"]
    assert len(updates) == 1
    assert updates[0]["changes"] == [{"field": "firstName", "before": "Race",
                                      "after": contact["firstName"]}]


async def test_phones_read_the_stored_country_so_they_take_the_transactional_path(
        gql, factories, statements):
    # given a contact in Great Britain
    created = await factories.contact(address={"country": "GB"})
    statements.reset()
    # when a national number is set, it is read in the stored country
    data = await gql.ok("admin", """
      mutation($input: ContactUpdateInput!) { contactUpdate(input: $input) {
        contact { version phones { number } } errors { code } } }""", {"input": {
        "id": created["id"], "version": 1, "phones": [{"number": "020 7946 0958"}]}})
    assert data["contactUpdate"]["contact"] == {"version": 2,
                                                "phones": [{"number": "+442079460958"}]}
    assert not any(s.startswith("WITH target AS") for s in statements.statements)


async def test_an_account_update_is_one_statement_too(gql, factories, statements):
    created = await factories.account(name="Old Name Ltd")
    statements.reset()
    data = await gql.ok("admin", ACCOUNT_UPDATE, {"input": {
        "id": created["id"], "version": 1, "name": "New Name Ltd"}})
    assert data["accountUpdate"]["account"] == {"id": created["id"], "version": 2,
                                                "name": "New Name Ltd"}
    assert len(_writes(statements)) == 1
    assert (await _trail(gql, created["id"]))[0]["changes"] == [
        {"field": "name", "before": "Old Name Ltd", "after": "New Name Ltd"}]
