"""Normalising the other fields of a row: names and their case, a full name split, stages,
scores, flags, tags, consents, custom fields, the company; and accounts."""

from __future__ import annotations

import pytest

from domain.imports.mapping import Mapping
from domain.imports.names import clean_name, split_full_name
from domain.imports.normalise import (
    AccountRow,
    ContactRow,
    Options,
    normalise_account_row,
    normalise_chunk,
    normalise_row,
)


def contact(**cells: str):
    """normalise_row of a row whose headers are the targets themselves."""
    mapping = Mapping({target: target for target in cells})
    return normalise_row(2, list(cells.values()), mapping, Options(default_region="DE"))


@pytest.mark.parametrize(("raw", "clean"), [
    ("JOHN", "John"), ("john smith", "John Smith"), ("  JOHN   PAUL ", "John Paul"),
    ("mcDonald", "mcDonald"), ("DiCaprio", "DiCaprio"), ("O'BRIEN", "O'Brien"),
    ("anne-marie", "Anne-Marie"), ("ИВАНОВ", "Иванов"), ("ludwig van beethoven",
                                                          "Ludwig van Beethoven"),
    ("MÜLLER-LÜDENSCHEIDT", "Müller-Lüdenscheidt"), ("J.", "J."),
])
def test_clean_name_fixes_the_case_only_of_a_name_in_one_case(raw, clean):
    assert clean_name(raw) == clean


@pytest.mark.parametrize(("raw", "first", "last"), [
    ("John Smith", "John", "Smith"), ("JOHN SMITH", "John", "Smith"),
    ("Smith, John", "John", "Smith"), ("Mary Ann van der Berg", "Mary Ann", "van der Berg"),
    ("Jean de la Fontaine", "Jean", "de la Fontaine"), ("Madonna", None, "Madonna"),
    ("Иванов Иван Иванович", "Иван Иванович", "Иванов"), ("Анна Петрова", "Анна", "Петрова"),
])
def test_split_full_name_gives_first_and_last(raw, first, last):
    assert split_full_name(raw) == (first, last)


def test_normalise_row_splits_a_full_name_only_to_fill_what_is_missing():
    result = contact(fullName="MARIA GARCIA LOPEZ", lastName="García López")

    assert (result.first_name, result.last_name) == ("Maria Garcia", "García López")


def test_normalise_row_requires_a_last_name_where_the_row_has_none():
    result = contact(firstName="John", lastName="  ", fullName="")

    assert [(e.column, e.code) for e in result] == [("lastName", "REQUIRED")]


@pytest.mark.parametrize(("raw", "stage"), [("customer", "CUSTOMER"), ("Kunde", "CUSTOMER"),
                                            ("клиент", "CUSTOMER"), ("LEAD", "LEAD"),
                                            (" Prospect ", "PROSPECT")])
def test_normalise_row_reads_a_lifecycle_stage(raw, stage):
    assert contact(lastName="X", lifecycleStage=raw).lifecycle_stage == stage


@pytest.mark.parametrize(("raw", "score"), [("85", 85), ("85.0", 85), ("0", 0), ("100", 100)])
def test_normalise_row_reads_a_lead_score(raw, score):
    assert contact(lastName="X", leadScore=raw).lead_score == score


@pytest.mark.parametrize(("raw", "flag"), [("yes", True), ("Ja", True), ("да", True), ("x", True),
                                           ("TRUE", True), ("no", False), ("нет", False),
                                           ("0", False)])
def test_normalise_row_reads_a_decision_maker_flag(raw, flag):
    assert contact(lastName="X", isDecisionMaker=raw).is_decision_maker is flag


def test_normalise_row_refuses_bad_stage_score_flag_and_website_together():
    result = contact(lastName="X", lifecycleStage="ALIEN", leadScore="101",
                     isDecisionMaker="maybe", companyWebsite="not a site")

    assert [(e.column, e.value, e.code) for e in result] == [
        ("lifecycleStage", "ALIEN", "INVALID"), ("leadScore", "101", "INVALID"),
        ("isDecisionMaker", "maybe", "INVALID"), ("companyWebsite", "not a site", "INVALID")]


def test_normalise_row_reads_company_job_title_and_custom_fields():
    result = contact(lastName="X", company=" ACME GmbH ", companyWebsite="acme.example",
                     companyExternalId="C-1", jobTitle="CTO", **{"custom:shoeSize": " 44 ",
                                                                 "custom:empty": ""})

    assert result.company == {"name": "ACME GmbH", "website": "https://acme.example",
                              "external_id": "C-1"}
    assert (result.job_title, result.custom) == ("CTO", {"shoeSize": "44"})


def test_normalise_row_collects_tags_from_every_tag_column():
    mapping = Mapping({"Last": "lastName", "Tags": "tags", "Labels": "tags"})

    result = normalise_row(2, ["X", "vip; b2b, partner", "VIP,  new  lead"], mapping, Options())

    assert result.tags == ["vip", "b2b, partner", "new lead"]


def test_normalise_row_reads_consents_as_granted_or_not():
    mapping = Mapping({"Last": "lastName", "News": "consent:EMAIL:newsletter",
                       "Calls": "consent:PHONE:sales", "Sms": "consent:SMS:offers",
                       "Post": "consent:POST:catalogue"})

    result = normalise_row(2, ["X", "yes", "withdrawn", "", "maybe"], mapping, Options())

    assert [(e.column, e.code) for e in result] == [("Post", "INVALID")]
    result = normalise_row(2, ["X", "yes", "withdrawn", "", ""], mapping, Options())
    assert result.consents == [("EMAIL", "newsletter", True), ("PHONE", "sales", False)]


def test_normalise_row_builds_an_address_only_from_given_parts():
    assert contact(lastName="X", city="").address is None
    assert contact(lastName="X", city=" Berlin ", country="deu", postalCode="01067").address == {
        "street": None, "city": "Berlin", "region": None, "postalCode": "01067", "country": "DE"}


def test_normalise_chunk_normalises_accounts_by_the_mappings_record():
    mapping = Mapping({"Firma": "name", "Web": "website", "Größe": "size", "Land": "country",
                       "Tags": "tags"}, "account")

    results = normalise_chunk([(2, ["ACME GmbH", "www.acme.example", "medium", "Germany", "a;b"]),
                               (3, ["", "nope", "huge", "Mars", ""])], mapping, Options())

    assert isinstance(results[0], AccountRow)
    assert (results[0].name, results[0].website, results[0].size, results[0].address,
            results[0].tags) == ("ACME GmbH", "https://www.acme.example", "MEDIUM",
                                 {"street": None, "city": None, "region": None,
                                  "postalCode": None, "country": "DE"}, ["a", "b"])
    assert [(e.line, e.column, e.code) for e in results[1]] == [
        (3, "Firma", "REQUIRED"), (3, "Web", "INVALID"), (3, "Größe", "INVALID"),
        (3, "Land", "UNKNOWN_COUNTRY")]


def test_normalise_account_row_is_the_same_as_through_the_chunk():
    mapping = Mapping({"Name": "name"}, "account")

    assert normalise_account_row(4, ["Initech"], mapping, Options()).name == "Initech"


def test_normalise_row_reads_each_mapping_by_its_own_columns():
    first = Mapping({"A": "lastName", "B": "email"})
    second = Mapping({"A": "email", "B": "lastName"})

    assert isinstance(normalise_row(2, ["Smith", "a@example.com"], first, Options()), ContactRow)
    assert normalise_row(2, ["a@example.com", "Smith"], second, Options()).last_name == "Smith"
