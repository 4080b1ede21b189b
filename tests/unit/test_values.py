"""Emails, phones, addresses and websites: normalised, or refused with the field named."""

from __future__ import annotations

import pytest

from domain.accounts import validate_account
from domain.contacts import validate_contact
from domain.errors import DomainError, ErrorCode
from domain.values import emails_from_input, normalize_phone, phone_with_extension, phones_from_input


def problems(fn, *args, **kwargs) -> list[tuple[str, ErrorCode]]:
    with pytest.raises(DomainError) as caught:
        fn(*args, **kwargs)
    return [(p.field, p.code) for p in caught.value.problems]


def test_emails_are_normalised_and_the_primary_comes_first():
    emails = emails_from_input([("A@Example.COM", False, "work"), ("b@example.org", True, None)])
    assert [(e.address, e.primary) for e in emails] == [("b@example.org", True),
                                                         ("A@example.com", False)]


def test_first_email_is_primary_when_none_is_marked():
    assert [e.primary for e in emails_from_input([("a@x.example", False, None),
                                                  ("b@x.example", False, None)])] == [True, False]


def test_two_primaries_and_duplicates_are_refused():
    assert problems(emails_from_input, [("a@x.example", True, None), ("b@x.example", True, None)]) == [
        ("emails", ErrorCode.INVALID)]
    assert problems(emails_from_input, [("a@x.example", False, None), ("A@x.example", False, None)]) == [
        ("emails", ErrorCode.INVALID)]


@pytest.mark.parametrize("raw, region, expected", [
    ("+1 (415) 555-2671", None, "+14155552671"),
    ("020 7946 0958", "GB", "+442079460958"),
    ("030 901820", "DE", "+4930901820"),
])
def test_phones_become_e164(raw, region, expected):
    assert normalize_phone(raw, "phone", region) == expected


@pytest.mark.parametrize("raw, region", [("12", None), ("+44 12", None), ("555-0100", None),
                                         ("call me", "US")])
def test_bad_phones_are_invalid(raw, region):
    assert problems(normalize_phone, raw, "phones[0].number", region) == [
        ("phones[0].number", ErrorCode.INVALID)]


def test_phone_list_reports_every_bad_entry():
    assert problems(phones_from_input, [("+1 415 555 2671", False, None), ("x", False, None),
                                        ("y", False, None)], None) == [
        ("phones[1].number", ErrorCode.INVALID), ("phones[2].number", ErrorCode.INVALID)]


def test_contact_validation_collects_all_problems():
    assert problems(validate_contact, {"lastName": "", "leadScore": -1,
                                       "emails": [("nope", False, None)]}, creating=True) == [
        ("lastName", ErrorCode.REQUIRED), ("emails[0].address", ErrorCode.INVALID),
        ("leadScore", ErrorCode.INVALID)]


def test_phones_use_the_stored_country_when_the_update_has_none():
    clean = validate_contact({"phones": [("020 7946 0958", False, None)]}, creating=False,
                             stored_country="GB")
    assert clean["phones"][0]["number"] == "+442079460958"


def test_account_website_gets_a_scheme():
    assert validate_account({"website": "example.com"}, creating=False)["website"] == (
        "https://example.com")
    assert problems(validate_account, {"website": "ftp://example.com"}, creating=False) == [
        ("website", ErrorCode.INVALID)]


@pytest.mark.parametrize(("raw", "extension", "expected"), [
    ("+1 650 253 0000 ext. 123", None, ("+16502530000", "123")),
    ("+1 650 253 0000 x123", "123", ("+16502530000", "123")),
    ("+16502530000;ext=9", None, ("+16502530000", "9")),
    ("+1 650 253 0000", " 45 ", ("+16502530000", "45")),
    ("+1 650 253 0000", "", ("+16502530000", None)),
])
def test_phone_with_extension_keeps_the_extension_apart(raw, extension, expected):
    assert phone_with_extension(raw, "number", None, extension) == expected


@pytest.mark.parametrize("extension", ["12a", "1" * 21, "-1", "１２"])
def test_an_extension_that_is_not_digits_is_invalid(extension):
    assert problems(phone_with_extension, "+16502530000", "phones[0].number", None, extension,
                    "phones[0].extension") == [("phones[0].extension", ErrorCode.INVALID)]


def test_an_extension_that_contradicts_the_number_is_invalid():
    assert problems(phone_with_extension, "+1 650 253 0000 x1", "n", None, "2", "ext") == [
        ("ext", ErrorCode.INVALID)]


def test_a_phone_without_room_for_an_extension_refuses_one_rather_than_cut_it():
    assert problems(normalize_phone, "+1 650 253 0000 ext. 123", "phone") == [
        ("phone", ErrorCode.INVALID)]


def test_phone_list_keeps_extensions_and_tells_one_number_with_two_apart():
    phones = phones_from_input([("+1 650 253 0000 x1", True, None, None),
                                ("+1 650 253 0000", False, "desk", "2")], None)
    assert [(p.number, p.extension, p.primary) for p in phones] == [
        ("+16502530000", "1", True), ("+16502530000", "2", False)]
    assert phones[0].as_json() == {"number": "+16502530000", "primary": True, "label": None,
                                   "extension": "1"}
