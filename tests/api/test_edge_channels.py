"""Phones with extensions and look-alike domains, through the API.

A contact's phone keeps its extension in a part of its own; a lead's single phone refuses one.
An email or website whose domain has a label mixing scripts, or a label in another script that
reads as a Latin one (xn--80ak6aa92e.com is "аррӏе.com" in Cyrillic), is INVALID.
"""

from __future__ import annotations

import pytest

CONTACT_CREATE = """mutation($input: ContactCreateInput!) { contactCreate(input: $input) {
  contact { id phones { number extension primary label } emails { address } }
  errors { field code message } } }"""
CONTACT_PHONES = """query($id: ID!) { contact(id: $id) { phones { number extension primary } } }"""
ACCOUNT_CREATE = """mutation($input: AccountCreateInput!) { accountCreate(input: $input) {
  account { id website } errors { field code message } } }"""
LEAD_CREATE = """mutation($input: LeadCreateInput!) { leadCreate(input: $input) {
  lead { id phone email website } errors { field code message } } }"""


async def create_contact(gql, **values):
    # The cases share a name and numbers: each is a card of its own, not a duplicate.
    data = await gql.ok("sales", CONTACT_CREATE, {"input": {"lastName": "Edge",
                                                            "allowDuplicate": True, **values}})
    return data["contactCreate"]


def problems(payload) -> list[tuple[str, str]]:
    return [(e["field"], e["code"]) for e in payload["errors"]]


@pytest.mark.parametrize("written", ["+1 650 253 0000 ext. 123", "+1 (650) 253-0000 x123",
                                     "+16502530000;ext=123", "+1 650 253 0000 #123"])
async def test_a_phone_with_an_extension_keeps_it_in_its_own_part(gql, resolver_gql, written):
    # when a contact is created with a number followed by its extension
    payload = await create_contact(gql, phones=[{"number": written, "label": "office"}])
    # then the number is E.164 and the extension is kept beside it, on both read paths
    assert payload["errors"] == []
    expected = {"number": "+16502530000", "extension": "123", "primary": True}
    assert payload["contact"]["phones"] == [{**expected, "label": "office"}]
    contact_id = payload["contact"]["id"]
    for client in (gql, resolver_gql):
        assert (await client.ok("sales", CONTACT_PHONES, {"id": contact_id}))["contact"][
            "phones"] == [expected]


async def test_an_extension_given_in_its_own_field_is_kept(gql):
    payload = await create_contact(gql, phones=[{"number": "+1 650 253 0000", "extension": "45"}])
    assert [(p["number"], p["extension"]) for p in payload["contact"]["phones"]] == [
        ("+16502530000", "45")]


async def test_a_phone_without_an_extension_has_none(gql):
    payload = await create_contact(gql, phones=[{"number": "+44 20 7946 0958"}])
    assert payload["contact"]["phones"][0]["extension"] is None


async def test_one_number_with_two_extensions_is_two_phones(gql):
    payload = await create_contact(gql, phones=[{"number": "+16502530000", "extension": "1"},
                                                {"number": "+16502530000", "extension": "2"}])
    assert [p["extension"] for p in payload["contact"]["phones"]] == ["1", "2"]


@pytest.mark.parametrize(("phone", "field"), [
    ({"number": "+1 650 253 0000 ext. 123", "extension": "45"}, "phones[0].extension"),
    ({"number": "+16502530000", "extension": "12a"}, "phones[0].extension"),
    ({"number": "+16502530000", "extension": "1" * 21}, "phones[0].extension"),
])
async def test_an_extension_that_contradicts_the_number_or_is_not_digits_is_invalid(gql, phone,
                                                                                    field):
    payload = await create_contact(gql, phones=[phone])
    assert problems(payload) == [(field, "INVALID")] and payload["contact"] is None


async def test_the_same_number_and_extension_twice_is_invalid(gql):
    payload = await create_contact(gql, phones=[{"number": "+1 650 253 0000 x7"},
                                                {"number": "+16502530000", "extension": "7"}])
    assert problems(payload) == [("phones", "INVALID")]


async def test_a_lead_phone_with_an_extension_is_refused_not_cut(gql):
    # when a lead is entered with a phone and its extension
    data = await gql.ok("sales", LEAD_CREATE, {"input": {
        "lastName": "Edge", "email": "edge.lead@example.com", "phone": "+1 650 253 0000 ext. 123"}})
    # then the phone is INVALID, saying why, instead of being stored without its extension
    payload = data["leadCreate"]
    assert problems(payload) == [("phone", "INVALID")] and payload["lead"] is None
    assert "extension" in payload["errors"][0]["message"]


LOOKALIKES = ["xn--80ak6aa92e.com",  # аррӏе.com: Cyrillic letters that read as "apple"
              "аррӏе.com", "pаypal.com",  # a Cyrillic а among Latin letters
              "xn--pypal-4ve.com",  # the same, as punycode
              "shop.αρρ.com",  # Greek letters that read as "app"
              "xn--zz.com"]  # no valid punycode at all


@pytest.mark.parametrize("domain", LOOKALIKES)
async def test_an_email_at_a_lookalike_domain_is_invalid(gql, domain):
    payload = await create_contact(gql, emails=[{"address": f"user@{domain}"}])
    assert problems(payload) == [("emails[0].address", "INVALID")], payload


@pytest.mark.parametrize("domain", LOOKALIKES)
async def test_a_website_at_a_lookalike_domain_is_invalid(gql, domain):
    data = await gql.ok("sales", ACCOUNT_CREATE, {"input": {
        "name": f"Lookalike {domain}", "website": f"https://{domain}/"}})
    assert problems(data["accountCreate"]) == [("website", "INVALID")]


async def test_a_lead_at_a_lookalike_domain_is_invalid(gql):
    data = await gql.ok("sales", LEAD_CREATE, {"input": {
        "lastName": "Edge", "email": "user@xn--80ak6aa92e.com", "website": "аррӏе.com"}})
    assert sorted(problems(data["leadCreate"])) == [("email", "INVALID"), ("website", "INVALID")]


@pytest.mark.parametrize("domain", ["пример.рф", "xn--e1afmkfd.xn--p1ai", "яндекс.com",
                                    "münchen.de", "例え.jp", "東京タワー.jp", "ελληνικά.gr",
                                    "рус.рф"])
async def test_an_email_at_a_domain_in_one_script_is_accepted(gql, domain):
    payload = await create_contact(gql, emails=[{"address": f"user@{domain}"}])
    assert payload["errors"] == [], payload["errors"]
