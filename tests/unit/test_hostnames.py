"""The domain rule: a label may not mix scripts, nor be written in another script's letters
that all look like Latin ones; a whole label in one script is fine."""

from __future__ import annotations

import pytest

from domain.errors import DomainError, ErrorCode
from domain.hostnames import check_hostname
from domain.values import normalize_email, normalize_website


@pytest.mark.parametrize("hostname", [
    "example.com", "münchen.de", "пример.рф", "xn--e1afmkfd.xn--p1ai", "яндекс.com",
    "ВКонтакте.ru", "例え.jp", "東京タワー.jp", "한국.kr", "abc中文.com", "ελληνικά.gr",
    "рус.рф",  # Latin-looking Cyrillic under a Cyrillic top-level domain
    "xn--mnchen-3ya.de", "a-1.b-2.com", "example.com.",
])
def test_check_hostname_accepts_labels_in_one_script(hostname):
    check_hostname(hostname, "website")


@pytest.mark.parametrize(("hostname", "why"), [
    ("xn--80ak6aa92e.com", "Cyrillic letters that all look like Latin ones"),
    ("аррӏе.com", "Cyrillic letters that all look like Latin ones"),
    ("рус.com", "Cyrillic letters that all look like Latin ones"),
    ("αρρ.com", "Greek letters that all look like Latin ones"),
    ("pаypal.com", "mixes scripts (Cyrillic and Latin)"),
    ("xn--pypal-4ve.com", "mixes scripts (Cyrillic and Latin)"),
    ("mail.pаypal.com", "mixes scripts"),
    ("gοοgle.com", "mixes scripts (Greek and Latin)"),
    ("xn--zz.com", "not valid punycode"),
])
def test_check_hostname_refuses_lookalikes(hostname, why):
    with pytest.raises(DomainError) as caught:
        check_hostname(hostname, "website")
    (problem,) = caught.value.problems
    assert (problem.field, problem.code) == ("website", ErrorCode.INVALID)
    assert why in problem.message


def test_normalize_email_refuses_a_lookalike_domain_in_punycode():
    with pytest.raises(DomainError) as caught:
        normalize_email("user@xn--80ak6aa92e.com", "emails[0].address")
    assert caught.value.problems[0].field == "emails[0].address"


def test_normalize_email_keeps_a_real_international_domain_in_unicode():
    assert normalize_email("user@xn--e1afmkfd.xn--p1ai", "email") == "user@пример.рф"


def test_normalize_website_refuses_a_lookalike_host_and_keeps_a_real_one():
    with pytest.raises(DomainError):
        normalize_website("https://xn--80ak6aa92e.com/login", "website")
    assert normalize_website("пример.рф/о-нас", "website") == "https://пример.рф/о-нас"
