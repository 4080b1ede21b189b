"""Blocking keys: what two cards of one person or company share, and what they do not."""

from __future__ import annotations

import pytest

from domain.match_keys import (
    AccountKeys,
    ContactKeys,
    account_keys,
    contact_keys,
    email_key,
    latin,
    name_key,
    registrable_domain,
)


def test_email_key_ignores_case_and_spaces():
    assert email_key("  Anna.Berg@Example.COM ") == "anna.berg@example.com"


@pytest.mark.parametrize(("first", "last", "key"), [
    ("John", "Smith", "SM0|J"),
    ("john", "SMYTH", "SM0|J"),
    ("Иван", "Иванов", "IFNF|I"),
    ("Ivan", "Ivanov", "IFNF|I"),
    (None, "Müller", "MLR|"),
    ("Jörg", "Mueller", "MLR|J"),
])
def test_name_key_agrees_across_spellings_and_scripts(first, last, key):
    assert name_key(first, last) == key


def test_name_key_differs_for_another_initial_or_family():
    assert name_key("Mary", "Smith") != name_key("John", "Smith")
    assert name_key("John", "Snyder") != name_key("John", "Smith")


def test_name_key_is_none_without_a_family_name():
    assert name_key("Anna", "") is None and name_key("Anna", None) is None
    assert name_key("Anna", " - ") is None


def test_latin_transliterates_cyrillic_and_drops_accents():
    assert latin("Щукина Ёлка") == "shchukina elka"
    assert latin("Łódź Straße") == "łodz strasse"  # ł has no decomposition; ß becomes ss


def test_contact_keys_from_stored_lists():
    keys = contact_keys(
        "Anna", "Berg",
        [{"address": "Anna@X.com", "primary": True}, {"address": "anna@x.com"}],
        [{"number": "+4915123456789", "primary": True, "extension": "12"}, {"number": ""}],
    )
    assert keys == ContactKeys(emails=("anna@x.com",), phones=("4915123456789",),
                               name="BRK|A")


def test_contact_keys_of_an_empty_card():
    assert contact_keys(None, None, [], None) == ContactKeys((), (), None)


@pytest.mark.parametrize(("name", "website", "keys"), [
    ("Acme, Inc.", "https://www.acme.com/about", AccountKeys("acme.com", "acme")),
    ("ACME GmbH & Co. KG", "acme.de", AccountKeys("acme.de", "acme")),
    ("ООО «Ромашка»", "http://shop.romashka.ru", AccountKeys("romashka.ru", "romashka")),
    ("Widgets Ltd", "www.widgets.co.uk", AccountKeys("widgets.co.uk", "widgets")),
    ("Blue Yonder Airlines", None, AccountKeys(None, "blue yonder airlines")),
    ("Inc.", "not a url", AccountKeys(None, None)),
])
def test_account_keys_drop_legal_forms_and_www(name, website, keys):
    assert account_keys(name, website) == keys


def test_account_domain_comes_from_a_work_email_not_a_personal_one():
    assert account_keys("Nimbus", None, ["x@gmail.com", "y@nimbus.io"]).domain == "nimbus.io"
    assert account_keys("Nimbus", None, ["x@yandex.ru"]).domain is None


def test_registrable_domain_of_shared_hosts_keeps_the_customer():
    assert registrable_domain("acme.github.io") == "acme.github.io"
    assert registrable_domain("www.a.example.com") == "a.example.com"
    assert registrable_domain("10.0.0.1") is None and registrable_domain("localhost") is None
