"""Duplicates through GraphQL: the check on creation, a record's candidates per role, and
dismissing a pair."""

from __future__ import annotations

import asyncio
import itertools

from api.schema.ids import from_global_id

_n = itertools.count(1)

CREATE_CONTACT = """mutation($input: ContactCreateInput!) { contactCreate(input: $input) {
  contact { id } errors { field code message } } }"""
CREATE_ACCOUNT = """mutation($input: AccountCreateInput!) { accountCreate(input: $input) {
  account { id } errors { field code message } } }"""
DUPLICATES = """query($id: ID!) { duplicates(recordId: $id) { score reasons
  record { id ... on Contact { lastName } } } }"""
DISMISS = """mutation($a: ID!, $b: ID!) { duplicateDismiss(input: {a: $a, b: $b}) {
  dismissed errors { field code } } }"""
AUDIT = """query($id: ID!) { auditTrail(recordId: $id, first: 10) { nodes { action } } }"""


def _person(n: int, **extra) -> dict:
    return {"firstName": "Dmitri", "lastName": f"Kuznetsov{'abcdefgh'[n % 8]}",
            "emails": [{"address": f"dmitri.k{n}@duplicates.example.com"}],
            "phones": [{"number": f"+49 151 2345 {n:04d}"}], **extra}


async def _made(gql, role: str, values: dict) -> dict:
    data = await gql.ok(role, CREATE_CONTACT, {"input": values})
    return data["contactCreate"]


async def _pair(gql) -> tuple[str, str]:
    """An original and its second card: a typo in the name, the email in capitals, the
    phone written in the national form."""
    n = next(_n)
    first = await _made(gql, "admin", _person(n))
    second = await _made(gql, "admin", _person(n, lastName=f"Kusnetsov{'abcdefgh'[n % 8]}",
                                               emails=[{"address": f"DMITRI.K{n}@duplicates."
                                                                   f"example.com"}],
                                               phones=[{"number": f"0151 2345 {n:04d}"}],
                                               address={"country": "DE"},
                                               allowDuplicate=True))
    return first["contact"]["id"], second["contact"]["id"]


async def test_contact_create_likely_duplicate_is_refused_naming_the_candidate(gql):
    # given a contact
    n = next(_n)
    original = (await _made(gql, "admin", _person(n)))["contact"]["id"]
    # when a second card of the same person is created, its email in another case
    payload = await _made(gql, "sales", _person(n, emails=[
        {"address": f"Dmitri.K{n}@Duplicates.Example.com"}]))
    # then it is refused as a duplicate, naming the contact it duplicates
    assert payload["contact"] is None
    assert [e["code"] for e in payload["errors"]] == ["DUPLICATE"]
    assert original in payload["errors"][0]["message"]


async def test_contact_create_allow_duplicate_creates_it(gql):
    n = next(_n)
    await _made(gql, "admin", _person(n))
    payload = await _made(gql, "admin", _person(n, allowDuplicate=True))
    assert payload["errors"] == [] and payload["contact"]["id"]


async def test_contact_create_namesake_is_no_duplicate(gql):
    # given a contact; when someone of the same name, but with other channels, is created
    n = next(_n)
    await _made(gql, "admin", _person(n))
    other = _person(n, emails=[{"address": f"other{n}@elsewhere.example.org"}],
                    phones=[{"number": "+33 6 12 34 56 78"}])
    # then it is created
    assert (await _made(gql, "admin", other))["errors"] == []


async def test_account_create_same_domain_and_name_is_a_duplicate(gql):
    n = next(_n)
    await gql.ok("admin", CREATE_ACCOUNT, {"input": {
        "name": f"Duplicate Widgets {n} GmbH", "website": f"https://www.widgets{n}-test.de"}})
    data = await gql.ok("admin", CREATE_ACCOUNT, {"input": {
        "name": f"duplicate widgets {n}", "website": f"widgets{n}-test.de/about"}})
    assert [e["code"] for e in data["accountCreate"]["errors"]] == ["DUPLICATE"]


async def test_duplicates_finds_the_second_card_with_its_reasons(gql):
    first, second = await _pair(gql)
    found = (await gql.ok("admin", DUPLICATES, {"id": second}))["duplicates"]
    assert found[0]["record"]["id"] == first and found[0]["score"] >= 0.95
    assert found[0]["reasons"] == ["SAME_EMAIL", "SAME_PHONE", "SIMILAR_NAME"]


async def test_duplicates_never_tells_a_role_what_it_may_not_read(gql):
    # given two cards sharing email and phone; the analyst may not read channels
    first, second = await _pair(gql)
    # when the analyst asks for the candidates
    found = (await gql.ok("analyst", DUPLICATES, {"id": second}))["duplicates"]
    # then no reason, nor a candidate found by them, comes from an email or a phone
    assert all(not {"SAME_EMAIL", "SAME_PHONE"} & set(c["reasons"]) for c in found)
    assert [c["reasons"] for c in found if c["record"]["id"] == first] in ([], [["SIMILAR_NAME"]])


async def test_duplicates_of_a_record_one_may_not_read_is_null(gql):
    first, _ = await _pair(gql)
    assert (await gql.ok("customer", DUPLICATES, {"id": first}))["duplicates"] is None
    assert (await gql.ok("admin", DUPLICATES, {"id": "bm90OmFuaWQ="}))["duplicates"] is None


async def test_duplicate_dismiss_hides_the_pair_for_good_and_is_audited(gql):
    # given a likely pair
    first, second = await _pair(gql)
    # when an admin dismisses it
    data = await gql.ok("admin", DISMISS, {"a": second, "b": first})
    assert data["duplicateDismiss"] == {"dismissed": True, "errors": []}
    # then neither lists the other any more, and both carry an audit entry
    for one, other in ((first, second), (second, first)):
        found = (await gql.ok("admin", DUPLICATES, {"id": one}))["duplicates"]
        assert other not in [c["record"]["id"] for c in found]
        entries = (await gql.ok("admin", AUDIT, {"id": one}))["auditTrail"]["nodes"]
        assert "dismiss_duplicate" in [e["action"] for e in entries]


async def test_duplicate_dismiss_denied_without_the_dedupe_permission(gql):
    first, second = await _pair(gql)
    data = await gql.ok("marketing", DISMISS, {"a": first, "b": second})
    assert data["duplicateDismiss"]["dismissed"] is None
    assert [e["code"] for e in data["duplicateDismiss"]["errors"]] == ["FORBIDDEN"]


async def test_duplicate_dismiss_denied_for_records_one_may_not_change(gql):
    # given a pair sales does not own (admin made them; sales writes its own territory)
    first, second = await _pair(gql)
    data = await gql.ok("sales", DISMISS, {"a": first, "b": second})
    assert [e["code"] for e in data["duplicateDismiss"]["errors"]] == ["FORBIDDEN"]


async def test_duplicate_dismiss_refuses_records_of_two_types(gql):
    first, _ = await _pair(gql)
    account = (await gql.ok("admin", CREATE_ACCOUNT, {"input": {
        "name": f"Mixed {next(_n)}"}}))["accountCreate"]["account"]["id"]
    assert from_global_id(account)[0] == "Account"
    data = await gql.ok("admin", DISMISS, {"a": first, "b": account})
    assert [e["field"] for e in data["duplicateDismiss"]["errors"]] == ["b"]


async def test_duplicate_dismiss_allowed_to_sales_on_records_it_owns(gql):
    # given a pair sales created, and so owns
    n = next(_n)
    first = (await _made(gql, "sales", _person(n)))["contact"]["id"]
    second = (await _made(gql, "sales", _person(n, allowDuplicate=True)))["contact"]["id"]
    # when sales dismisses it, then it is dismissed
    data = await gql.ok("sales", DISMISS, {"a": first, "b": second})
    assert data["duplicateDismiss"] == {"dismissed": True, "errors": []}


async def test_contact_create_twice_at_once_makes_one_contact(gql):
    # given the same new person sent twice at the same moment
    n = next(_n)
    payloads = await asyncio.gather(*(_made(gql, "admin", _person(n)) for _ in range(2)))
    # then one is created and the other, having waited for it, is refused as its duplicate
    codes = sorted(tuple(e["code"] for e in p["errors"]) for p in payloads)
    assert codes == [(), ("DUPLICATE",)]
