"""Survey responses from files the tests write: the columns guessed from English, German and
Russian headers and the survey's own questions, the mapping a file needs, each row checked on
the survey's scale as surveyResponseRecord checks it, its comment classified, and the rights
an import of responses needs."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from auth.grants import access_for
from domain.access import ActorRef, Role
from domain.errors import DomainError
from domain.ids import to_global_id
from domain.import_jobs import ImportKind, require_import
from domain.imports.cells import CellError
from domain.imports.normalise import normalise_chunk
from domain.imports.rows import Options
from domain.imports.survey_responses import SurveyQuestions, SurveyResponseRow, responded_at
from domain.services.imports import choose_mapping, require_survey
from domain.surveys import DEFAULT_QUESTIONS, SurveyKind
from tests.unit.imports.files import read, write_csv, write_xlsx

NPS = SurveyQuestions("NPS", (dict(DEFAULT_QUESTIONS[SurveyKind.NPS]),))
CES = SurveyQuestions("CES", (dict(DEFAULT_QUESTIONS[SurveyKind.CES]),
                              {"key": "speed", "text": "How fast were we?", "min": 1, "max": 5}))
SERVQUAL = SurveyQuestions("SERVQUAL", (
    {"key": "rel_e", "text": "Promises kept?", "min": 1, "max": 7,
     "dimension": "RELIABILITY", "aspect": "EXPECTATION"},
    {"key": "rel_p", "text": "Promises kept by us?", "min": 1, "max": 7,
     "dimension": "RELIABILITY", "aspect": "PERCEPTION"},
    {"key": "emp_p", "text": "Did we care?", "min": 1, "max": 7,
     "dimension": "EMPATHY", "aspect": "PERCEPTION"}))
CUSTOM = SurveyQuestions("CUSTOM", ({"key": "taste", "text": "Taste", "min": 0, "max": 3},))


def rows_of(path, survey: SurveyQuestions, mapping: dict | None = None):
    """The file's mapping (guessed unless given) and each row as the pool makes it."""
    table, rows = read(path)
    chosen = choose_mapping(ImportKind.SURVEY_RESPONSES, table.headers, mapping, [], survey)
    return chosen, normalise_chunk(rows, chosen, Options(survey=survey))


def codes(result) -> list[tuple[str | None, str]]:
    assert isinstance(result, list), result
    return [(e.column, e.code) for e in result]


@pytest.mark.parametrize(("headers", "targets"), [
    (["E-mail", "Score", "Comment", "Responded at", "Order number", "Case number", "SKU"],
     ["email", "score", "comment", "respondedAt", "order", "case", "product"]),
    (["E-Mail-Adresse", "Bewertung", "Kommentar", "Datum", "Bestellnummer", "Kundennummer"],
     ["email", "score", "comment", "respondedAt", "order", "externalId"]),
    (["Эл. почта", "Оценка", "Комментарий", "Дата ответа", "Номер заказа", "Артикул"],
     ["email", "score", "comment", "respondedAt", "order", "product"]),
    (["Contact", "How likely are you to recommend us to a friend or colleague?", "Timestamp"],
     ["contact", "score", "respondedAt"]),
])
def test_guess_mapping_reads_survey_response_headers(tmp_path, headers, targets):
    path = write_csv(tmp_path / "responses.csv", [headers])
    chosen, _ = rows_of(path, NPS)
    assert list(chosen.columns.values()) == targets


def test_guess_mapping_finds_servqual_columns_by_key_or_dimension_and_aspect(tmp_path):
    path = write_csv(tmp_path / "servqual.csv", [
        ["Email", "Zuverlässigkeit Erwartung", "Reliability (perception)", "emp_p", "Date"]])
    chosen, _ = rows_of(path, SERVQUAL)
    assert list(chosen.columns.values()) == [
        "email", "answer:rel_e", "answer:rel_p", "answer:emp_p", "respondedAt"]


def test_choose_mapping_names_what_a_file_of_responses_lacks(tmp_path):
    path = write_csv(tmp_path / "bare.csv", [["Name", "Remarks"]])
    with pytest.raises(DomainError) as refused:
        rows_of(path, NPS)
    assert [p.message for p in refused.value.problems] == [
        "Map a column to email, externalId or contact: who answered.",
        "Map a column to respondedAt: when it was answered.",
        "Map a column to score: the answer to nps."]


def test_choose_mapping_refuses_a_score_for_a_survey_without_one(tmp_path):
    path = write_csv(tmp_path / "servqual.csv", [["Email", "Points", "Date"]])
    with pytest.raises(DomainError) as refused:
        rows_of(path, SERVQUAL, {"Email": "email", "Points": "score", "Date": "respondedAt"})
    assert refused.value.problems[0].field == "Points"
    assert "answer:rel_e" in refused.value.problems[0].message


def test_require_survey_for_responses_only():
    with pytest.raises(DomainError) as missing:
        require_survey(ImportKind.SURVEY_RESPONSES, None)
    assert [(p.field, p.code.value) for p in missing.value.problems] == [("survey", "REQUIRED")]
    with pytest.raises(DomainError) as stray:
        require_survey(ImportKind.CONTACTS, uuid.uuid4())
    assert [(p.field, p.code.value) for p in stray.value.problems] == [("survey", "INVALID")]


def test_normalise_nps_rows_checks_the_scale_and_classifies_the_comment(tmp_path):
    contact = uuid.uuid4()
    path = write_csv(tmp_path / "nps.csv", [
        ["E-Mail", "NPS", "Kommentar", "Datum", "Contact", "Bestellnummer", "Fallnummer"],
        [" Anna@Example.DE ", "9", "Es wäre schön, einen Export zu haben", "05.01.2026 09:30",
         "", "so-000001", ""],
        ["", "10", "", "2026-01-06T10:00:00+02:00", to_global_id("Contact", contact), "", ""],
        ["anna@example.de", "11", "", "2026-01-07", "", "", ""],
        ["anna@example.de", "8.5", "", "yesterday", "", "SO-1", "CS-1"],
        ["", "", "", "", "", "", ""],
    ])
    _, (anna, by_id, off_scale, broken) = rows_of(path, NPS)
    assert isinstance(anna, SurveyResponseRow)
    assert (anna.email, anna.score, anna.answers) == ("anna@example.de", 9,
                                                      [{"key": "nps", "value": 9}])
    assert (anna.comment_class, anna.order_number) == ("WISH", "SO-000001")
    assert anna.responded_at == datetime(2026, 1, 5, 9, 30, tzinfo=UTC)
    assert (by_id.contact_id, by_id.responded_at) == (contact,
                                                      datetime(2026, 1, 6, 8, tzinfo=UTC))
    assert codes(off_scale) == [("NPS", "INVALID")]
    assert off_scale[0].message == "nps is answered from 0 to 10."
    assert codes(broken) == [("NPS", "INVALID"), ("Datum", "INVALID"),
                             ("Fallnummer", "INVALID")]


def test_normalise_names_a_row_without_respondent_answer_or_date(tmp_path):
    path = write_csv(tmp_path / "gaps.csv", [["Email", "Score", "Date", "Comment"],
                                             ["", "", "", "Hello"]])
    _, (row,) = rows_of(path, NPS)
    assert codes(row) == [("Email", "REQUIRED"), ("Score", "REQUIRED"), ("Date", "REQUIRED")]


def test_normalise_ces_answers_every_mapped_question_on_its_own_scale(tmp_path):
    path = write_csv(tmp_path / "ces.csv", [["Email", "Score", "Speed", "Date"],
                                            ["a@b.de", "7", "5", "2026-01-05"],
                                            ["a@b.de", "7", "6", "2026-01-05"]])
    _, (good, bad) = rows_of(path, CES, {"Email": "email", "Score": "score",
                                         "Speed": "answer:speed", "Date": "respondedAt"})
    assert (good.score, good.answers) == (7, [{"key": "ces", "value": 7},
                                              {"key": "speed", "value": 5}])
    assert codes(bad) == [("Speed", "INVALID")]


def test_normalise_servqual_rows_carry_dimension_and_aspect(tmp_path):
    path = write_xlsx(tmp_path / "servqual.xlsx", [
        ["Customer ID", "rel_e", "rel_p", "emp_p", "Date"],
        ["K-1", 6, 4, None, datetime(2026, 2, 1, 12, 0)],
        ["K-2", None, None, None, datetime(2026, 2, 1, 12, 0)]])
    _, (answered, unanswered) = rows_of(path, SERVQUAL)
    assert answered.external_id == "K-1" and answered.score is None
    assert answered.answers == [
        {"key": "rel_e", "value": 6, "dimension": "RELIABILITY", "aspect": "EXPECTATION"},
        {"key": "rel_p", "value": 4, "dimension": "RELIABILITY", "aspect": "PERCEPTION"}]
    assert answered.responded_at == datetime(2026, 2, 1, 12, tzinfo=UTC)
    assert codes(unanswered) == [("rel_e", "REQUIRED")]


def test_normalise_custom_survey_answers_by_question_key(tmp_path):
    path = write_csv(tmp_path / "custom.csv", [["email", "answer:taste", "date"],
                                               ["a@b.de", "3", "2026-01-05"]])
    _, (row,) = rows_of(path, CUSTOM)
    assert row.answers == [{"key": "taste", "value": 3}]


@pytest.mark.parametrize("text", ["2999-01-01", "1899-12-31", "31.02.2026", "5/1/2026"])
def test_responded_at_refuses_the_future_the_impossible_and_the_ambiguous(text):
    try:
        responded_at(text)
    except CellError as exc:
        code = exc.code
    except DomainError as exc:
        code = exc.problems[0].code.value
    else:
        code = None
    assert code == "INVALID"


def test_require_import_of_responses_by_role():
    targets = ["email", "score", "comment", "respondedAt", "case"]
    for role in (Role.ADMIN, Role.SERVICE):
        require_import(access_for(role, ActorRef("User")), ImportKind.SURVEY_RESPONSES,
                       targets, [])
    with pytest.raises(DomainError) as marketing:
        require_import(access_for(Role.MARKETING, ActorRef("User")),
                       ImportKind.SURVEY_RESPONSES, targets, [])
    assert [p.field for p in marketing.value.problems] == ["Case.number"]
    with pytest.raises(DomainError) as sales:
        require_import(access_for(Role.SALES, ActorRef("User")), ImportKind.SURVEY_RESPONSES,
                       targets, [])
    assert {p.field for p in sales.value.problems} == {
        None, "SurveyResponse.answers", "SurveyResponse.comment", "SurveyResponse.contact",
        "SurveyResponse.respondedAt", "SurveyResponse.survey", "SurveyResponse.case"}
