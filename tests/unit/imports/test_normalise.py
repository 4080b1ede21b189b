"""Normalising one row: phones to E.164, emails, countries to ISO codes, and every error at
once, each with its line, column, value, code and message."""

from __future__ import annotations

import importlib

import pytest

from domain.errors import DomainError, ErrorCode
from domain.imports.cells import country_code
from domain.imports.mapping import Mapping
from domain.imports.normalise import ContactRow, Options, RowError, normalise_row

COLUMNS = ["Last", "Phone", "Mobile", "Country", "Email", "Email 2"]
MAPPING = Mapping(dict(zip(COLUMNS, ["lastName", "phone", "mobile", "country", "email",
                                     "email2"], strict=True)))


def row(last="Smith", phone="", mobile="", country="", email="", email2="",
        region: str | None = None) -> ContactRow | list[RowError]:
    return normalise_row(7, [last, phone, mobile, country, email, email2], MAPPING,
                         Options(default_region=region))


def phones(result) -> list[tuple[str, str | None]]:
    assert isinstance(result, ContactRow), result
    return [(p["number"], p["extension"]) for p in result.phones]


@pytest.mark.parametrize(("raw", "region", "e164"), [
    ("+7 (999) 123-45-67", None, "+79991234567"),
    ("8 999 123 45 67", "RU", "+79991234567"),
    ("00 49 30 1234567", "DE", "+49301234567"),
    ("030 1234567", "DE", "+49301234567"),
    ("+44 20 7946 0958", "DE", "+442079460958"),
    ("(201) 555-0123", "US", "+12015550123"),
])
def test_normalise_row_writes_phones_in_e164(raw, region, e164):
    assert phones(row(phone=raw, region=region)) == [(e164, None)]


def test_normalise_row_reads_an_international_number_whose_plus_a_spreadsheet_dropped():
    assert phones(row(phone="4915123456789", region="DE")) == [("+4915123456789", None)]
    assert phones(row(phone="79991234567", region="DE")) == [("+79991234567", None)]
    assert phones(row(phone="301234567", region="DE")) == [("+49301234567", None)]
    assert phones(row(phone="15123456789", region="DE")) == [("+4915123456789", None)]


@pytest.mark.parametrize("raw", ["030 1234567 ext. 12", "030 1234567 x12", "030 1234567 #12",
                                 "+49 30 1234567;ext=12", "030 1234567 доб. 12",
                                 "030 1234567 вн. 12", "030 1234567 Durchwahl 12",
                                 "030 1234567 DW 12", "030 1234567 App. 12"])
def test_normalise_row_keeps_an_extension(raw):
    assert phones(row(phone=raw, region="DE")) == [("+49301234567", "12")]


def test_normalise_row_reads_local_phones_in_the_rows_country_before_the_default():
    result = row(phone="8 999 123 45 67", mobile="030 1234567", country="Russia", region="DE")

    assert isinstance(result, list)
    assert [(e.column, e.code) for e in result] == [("Mobile", "INVALID")]
    assert phones(row(phone="8 999 123 45 67", country="RU", region="DE")) == [
        ("+79991234567", None)]


def test_normalise_row_makes_the_first_phone_primary_and_drops_a_repeat():
    result = row(phone="030 1234567", mobile="+49 30 1234567", region="DE")

    assert isinstance(result, ContactRow)
    assert result.phones == [{"number": "+49301234567", "primary": True, "label": None,
                              "extension": None}]


def test_normalise_row_refuses_a_local_phone_without_any_country():
    result = row(phone="030 1234567")

    assert isinstance(result, list)
    assert (result[0].line, result[0].column, result[0].value, result[0].code) == (
        7, "Phone", "030 1234567", "INVALID")
    assert "no country" in result[0].message


def test_normalise_row_normalises_emails_without_asking_dns():
    result = row(email="Jane.Doe@NoSuchDomain-Anywhere.Example", email2=" jd@example.ORG ")

    assert isinstance(result, ContactRow)
    assert result.emails == [{"address": "Jane.Doe@nosuchdomain-anywhere.example",
                              "primary": True, "label": None},
                             {"address": "jd@example.org", "primary": False, "label": None}]


def test_normalise_row_drops_the_same_email_given_twice():
    result = row(email="a@example.com", email2=" a@EXAMPLE.com ")

    assert [e["address"] for e in result.emails] == ["a@example.com"]


def test_normalise_row_reads_several_addresses_in_one_cell():
    result = row(email="a@example.com; B@Example.com, c@example.com", email2="b@example.com")

    assert [(e["address"], e["primary"]) for e in result.emails] == [
        ("a@example.com", True), ("B@example.com", False), ("c@example.com", False)]
    wrong = row(email="a@example.com; b@")
    assert [(e.column, e.value, e.code) for e in wrong] == [
        ("Email", "a@example.com; b@", "INVALID")]


def test_normalise_row_checks_an_email_domain_once():
    checks = importlib.import_module("email_validator.validate_email").validate_email_domain_name
    before = checks.cache_info().hits

    row(email="one@once-only.example.org")
    row(email="two@once-only.example.org")

    assert checks.cache_info().hits == before + 1


@pytest.mark.parametrize("raw", ["plainaddress", "a@b", "a@@example.com", "a@pаypal.com"])
def test_normalise_row_refuses_a_bad_email(raw):
    result = row(email=raw)

    assert isinstance(result, list)
    assert [(e.column, e.value, e.code) for e in result] == [("Email", raw, "INVALID")]


@pytest.mark.parametrize(("raw", "code"), [
    ("de", "DE"), ("DEU", "DE"), ("276", "DE"), ("Germany", "DE"), ("germany ", "DE"),
    ("Deutschland", "DE"), ("Германия", "DE"), ("United Kingdom", "GB"), ("UK", "GB"),
    ("Russian Federation", "RU"), ("Russia", "RU"), ("Россия", "RU"), ("Russland", "RU"),
    ("United States", "US"), ("USA", "US"), ("Bolivia", "BO"), ("Vietnam", "VN"),
    ("Iran", "IR"), ("South Korea", "KR"), ("Czechia", "CZ"), ("Côte d'Ivoire", "CI"),
])
def test_country_code_reads_codes_and_names(raw, code):
    assert country_code(raw) == code


def test_normalise_row_refuses_an_unknown_country():
    result = row(country="Atlantis")

    assert [(e.column, e.value, e.code) for e in result] == [
        ("Country", "Atlantis", "UNKNOWN_COUNTRY")]


def test_normalise_row_gives_all_errors_of_a_row_at_once_in_column_order():
    result = row(last="", phone="12", mobile="abc", country="Narnia", email="x@", region="DE")

    assert [(e.line, e.column, e.value, e.code) for e in result] == [
        (7, "Last", None, "REQUIRED"), (7, "Phone", "12", "INVALID"),
        (7, "Mobile", "abc", "INVALID"), (7, "Country", "Narnia", "UNKNOWN_COUNTRY"),
        (7, "Email", "x@", "INVALID")]
    assert all(e.message for e in result)


def test_normalise_row_reports_cells_beyond_the_header_and_undecodable_bytes():
    result = normalise_row(3, ["M\ufffdller", "", "", "", "", "", "Berlin"], MAPPING, Options())

    assert [(e.column, e.value, e.code) for e in result] == [
        (None, "Berlin", "EXTRA_CELLS"), ("Last", "M\ufffdller", "ENCODING")]


def test_normalise_row_refuses_text_longer_than_a_field_takes():
    result = row(last="x" * 201)

    assert [(e.column, e.code) for e in result] == [("Last", "TOO_LONG")]


def test_options_read_the_default_region_as_any_country_is_written():
    assert Options(default_region="de").default_region == "DE"
    assert Options(default_region="Russia").default_region == "RU"
    with pytest.raises(DomainError) as caught:
        Options(default_region="Narnia")
    assert [(p.field, p.code) for p in caught.value.problems] == [("defaultRegion",
                                                                   ErrorCode.INVALID)]
