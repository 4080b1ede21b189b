"""Lead conversion uses duplicate matching: a lead of someone already on file is refused as
DUPLICATE, naming the contact (or account), unless the caller links it or allows it."""

from __future__ import annotations

import itertools

_n = itertools.count(1)

CREATE_LEAD = """mutation($input: LeadCreateInput!) { leadCreate(input: $input) {
  lead { id } errors { code } } }"""
CREATE_CONTACT = """mutation($input: ContactCreateInput!) { contactCreate(input: $input) {
  contact { id } errors { code } } }"""
CREATE_ACCOUNT = """mutation($input: AccountCreateInput!) { accountCreate(input: $input) {
  account { id } errors { code } } }"""
CONVERT = """mutation($input: LeadConvertInput!) { leadConvert(input: $input) {
  lead { status convertedContact { id } convertedAccount { id } }
  errors { field code message } } }"""


async def _lead(gql, **values) -> str:
    data = await gql.ok("sales", CREATE_LEAD, {"input": values})
    return data["leadCreate"]["lead"]["id"]


async def _known_person(gql, n: int) -> tuple[str, dict]:
    """A contact on file, and a lead of the same person (a typo, the email in capitals)."""
    data = await gql.ok("admin", CREATE_CONTACT, {"input": {
        "firstName": "Nadia", "lastName": "Petrovska", "emails": [
            {"address": f"nadia.p{n}@leads.example.com"}]}})
    lead = {"firstName": "Nadia", "lastName": "Petrowska",
            "email": f"NADIA.P{n}@leads.example.com", "company": f"Petrov Lead {n} Ltd"}
    return data["contactCreate"]["contact"]["id"], lead


async def test_lead_convert_of_a_known_person_is_a_duplicate_naming_the_contact(gql):
    n = next(_n)
    contact, values = await _known_person(gql, n)
    lead = await _lead(gql, **values)
    data = await gql.ok("sales", CONVERT, {"input": {"id": lead, "version": 1}})
    errors = data["leadConvert"]["errors"]
    assert [e["code"] for e in errors] == ["DUPLICATE"] and contact in errors[0]["message"]
    assert data["leadConvert"]["lead"] is None


async def test_lead_convert_into_the_known_contact(gql):
    n = next(_n)
    contact, values = await _known_person(gql, n)
    lead = await _lead(gql, **values)
    data = await gql.ok("admin", CONVERT, {"input": {"id": lead, "version": 1,
                                                     "contactId": contact}})
    assert data["leadConvert"]["errors"] == []
    assert data["leadConvert"]["lead"]["convertedContact"]["id"] == contact


async def test_lead_convert_allow_duplicate_makes_a_new_contact(gql):
    n = next(_n)
    contact, values = await _known_person(gql, n)
    lead = await _lead(gql, **values)
    data = await gql.ok("sales", CONVERT, {"input": {"id": lead, "version": 1,
                                                     "allowDuplicate": True}})
    assert data["leadConvert"]["errors"] == []
    assert data["leadConvert"]["lead"]["convertedContact"]["id"] != contact


async def test_lead_convert_of_a_known_company_is_a_duplicate_naming_the_account(gql):
    n = next(_n)
    data = await gql.ok("admin", CREATE_ACCOUNT, {"input": {
        "name": f"Lead Widgets {n} GmbH", "website": f"https://leadwidgets{n}-test.de"}})
    assert data["accountCreate"]["errors"] == [], data
    account = data["accountCreate"]["account"]["id"]
    lead = await _lead(gql, lastName="Newcomer", email=f"new{n}@leadwidgets{n}-test.de",
                       company=f"Lead Widgets {n}", website=f"leadwidgets{n}-test.de")
    data = await gql.ok("sales", CONVERT, {"input": {"id": lead, "version": 1}})
    errors = data["leadConvert"]["errors"]
    assert [e["code"] for e in errors] == ["DUPLICATE"] and account in errors[0]["message"]
