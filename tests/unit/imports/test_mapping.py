"""Mapping an import file's columns to fields: guessed from headers, or given as JSON."""

from __future__ import annotations

import pytest

from domain.errors import DomainError, ErrorCode
from domain.imports.mapping import Mapping, guess_mapping, mapping_from_json
from domain.imports.synonyms import ACCOUNT_WORDS, CONTACT_WORDS


@pytest.mark.parametrize(("headers", "targets"), [
    (["First Name", "Last Name", "Email", "Phone", "Mobile Phone", "Company", "Job Title",
      "Country", "ZIP code", "Lifecycle Stage", "Tags"],
     ["firstName", "lastName", "email", "phone", "mobile", "company", "jobTitle", "country",
      "postalCode", "lifecycleStage", "tags"]),
    (["Vorname", "Nachname", "E-Mail", "Telefon", "Handy", "Firma", "Position", "Land", "PLZ",
      "Straße", "Ort"],
     ["firstName", "lastName", "email", "phone", "mobile", "company", "jobTitle", "country",
      "postalCode", "street", "city"]),
    (["Имя", "Фамилия", "Эл. почта", "Телефон", "Мобильный телефон", "Компания", "Должность",
      "Страна", "Почтовый индекс", "Город", "Теги"],
     ["firstName", "lastName", "email", "phone", "mobile", "company", "jobTitle", "country",
      "postalCode", "city", "tags"]),
    (["ФИО", "Сайт", "ЛПР"], ["fullName", "companyWebsite", "isDecisionMaker"]),
])
def test_guess_mapping_reads_english_german_and_russian_headers(headers, targets):
    assert list(guess_mapping(headers).columns.values()) == targets


@pytest.mark.parametrize(("export", "headers"), [
    ("Outlook", ["First Name", "Last Name", "E-mail Address", "E-mail 2 Address",
                 "Business Phone", "Mobile Phone", "Home Phone", "Company", "Job Title",
                 "Business Street", "Business City", "Business Postal Code",
                 "Business Country/Region"]),
    ("Google", ["Given Name", "Family Name", "E-mail 1 - Value", "E-mail 2 - Value",
                "Phone 1 - Value", "Phone 2 - Value", "Organization 1 - Name",
                "Organization 1 - Title"]),
    ("HubSpot", ["First Name", "Last Name", "Email", "Phone Number", "Mobile Phone Number",
                 "Company Name", "Job Title", "Lifecycle Stage", "Street Address", "City",
                 "State/Region", "Postal Code", "Country/Region", "Website URL"]),
    ("Salesforce", ["First Name", "Last Name", "Email", "Phone", "Mobile", "Title",
                    "Account Name", "Mailing Street", "Mailing City",
                    "Mailing State/Province", "Mailing Zip/Postal Code", "Mailing Country"]),
    ("Bitrix24", ["Имя", "Фамилия", "Рабочий e-mail", "Частный e-mail", "Рабочий телефон",
                  "Мобильный телефон", "Компания", "Должность", "Веб-сайт"]),
])
def test_guess_mapping_maps_every_column_of_common_exports(export, headers):
    mapping = guess_mapping(headers)

    assert "ignore" not in mapping.columns.values(), (export, mapping.columns)
    assert len(set(mapping.columns.values())) == len(headers)


def test_guess_mapping_ignores_case_spaces_and_punctuation():
    mapping = guess_mapping(["E_MAIL", "first-name", "  LAST  NAME ", "phone #", "Ф.И.О."])

    assert list(mapping.columns.values()) == ["email", "firstName", "lastName", "phone",
                                              "fullName"]


def test_guess_mapping_spills_a_second_email_and_phone_over_and_ignores_a_third():
    mapping = guess_mapping(["Email", "Work Email", "Personal Email", "Telefon", "Telefon 2",
                             "Tel", "Name", "Full name"])

    assert mapping.columns == {"Email": "email", "Work Email": "email2",
                               "Personal Email": "ignore", "Telefon": "phone",
                               "Telefon 2": "phone2", "Tel": "ignore", "Name": "fullName",
                               "Full name": "ignore"}


def test_guess_mapping_finds_custom_fields_consents_and_skips_the_error_column():
    mapping = guess_mapping(["Last name", "Shoe size", "custom:loyaltyTier",
                             "consent:email:newsletter", "Consent SMS offers", "error",
                             "custom:unknown", "Favourite colour"],
                            custom_fields=["shoeSize", "loyaltyTier"])

    assert list(mapping.columns.values()) == [
        "lastName", "custom:shoeSize", "custom:loyaltyTier", "consent:EMAIL:newsletter",
        "consent:SMS:offers", "ignore", "ignore", "ignore"]


def test_guess_mapping_keeps_every_header_in_the_files_order():
    headers = ["Notes", "Email", "Whatever", "Nachname"]

    assert list(guess_mapping(headers).columns) == headers


def test_guess_mapping_reads_account_headers():
    mapping = guess_mapping(["Firmenname", "Website", "Branche", "Mitarbeiter", "Land", "ID"],
                            record="account")

    assert mapping == Mapping({"Firmenname": "name", "Website": "website",
                               "Branche": "industry", "Mitarbeiter": "size",
                               "Land": "country", "ID": "externalId"}, "account")


@pytest.mark.parametrize("words", [CONTACT_WORDS, ACCOUNT_WORDS])
def test_synonyms_name_each_header_for_one_target_only(words):
    from domain.imports.mapping import header_key

    seen: dict[str, str] = {}
    for target, spellings in words.items():
        for spelling in spellings:
            key = header_key(spelling)
            assert seen.setdefault(key, target) == target, f"{spelling!r} names two targets"


def test_mapping_from_json_maps_the_named_headers_and_ignores_the_rest():
    headers = ["Mail", "Surname", "Notes", "Segment"]

    mapping = mapping_from_json({"Mail": "email", "Surname": "lastName",
                                 "Segment": "custom:segment"}, headers, ["segment"])

    assert mapping.columns == {"Mail": "email", "Surname": "lastName", "Notes": "ignore",
                               "Segment": "custom:segment"}


def test_mapping_from_json_names_a_header_regardless_of_case_and_punctuation():
    mapping = mapping_from_json({"e mail": "email", "NAME": "lastName"}, ["E-Mail", "Name"])

    assert mapping.columns == {"E-Mail": "email", "Name": "lastName"}


def test_mapping_from_json_accepts_a_columns_object_and_consents():
    mapping = mapping_from_json({"columns": {"N": "fullName", "Opt-in": "consent:EMAIL:news"}},
                                ["N", "Opt-in"])

    assert mapping.columns == {"N": "fullName", "Opt-in": "consent:EMAIL:news"}


def test_mapping_from_json_names_every_bad_header_and_target():
    headers = ["A", "B", "C", "D", "E", "F"]

    with pytest.raises(DomainError) as caught:
        mapping_from_json({"A": "lastName", "B": "emial", "C": "custom:nope", "D": "lastName",
                           "E": "consent:FAX:news", "F": "consent:EMAIL:X", "Z": "email"},
                          headers)

    found = {(p.field, p.code) for p in caught.value.problems}
    assert found == {("B", ErrorCode.INVALID), ("C", ErrorCode.INVALID),
                     ("D", ErrorCode.INVALID), ("E", ErrorCode.INVALID),
                     ("F", ErrorCode.INVALID), ("Z", ErrorCode.NOT_FOUND)}
    assert any("emial" in p.message for p in caught.value.problems)


def test_mapping_from_json_requires_a_last_name_or_full_name_column():
    with pytest.raises(DomainError) as caught:
        mapping_from_json({"Mail": "email"}, ["Mail"])

    assert [(p.field, p.code) for p in caught.value.problems] == [("mapping", ErrorCode.REQUIRED)]


def test_mapping_from_json_checks_account_targets():
    with pytest.raises(DomainError) as caught:
        mapping_from_json({"Name": "name", "Mail": "email"}, ["Name", "Mail"], record="account")

    assert [p.field for p in caught.value.problems] == ["Mail"]
