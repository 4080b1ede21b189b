"""A survey's questions and answers, and signed survey links, without a database."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from auth import survey_links
from auth.keys import load_or_create_key
from domain.errors import DomainError
from domain.surveys import check_answers, score_of, validate_survey

NOW = datetime(2026, 12, 21, 9, tzinfo=UTC)
SERVQUAL = [{"key": "empathy_e", "text": "Expect care?", "min": 1, "max": 7,
             "dimension": "EMPATHY", "aspect": "EXPECTATION"},
            {"key": "empathy_p", "text": "Found care?", "min": 1, "max": 7,
             "dimension": "EMPATHY", "aspect": "PERCEPTION"}]


def _problems(error: DomainError) -> list[tuple]:
    return [(p.field, p.code.value) for p in error.problems]


@pytest.mark.parametrize(("kind", "key", "scale"), [
    ("NPS", "nps", (0, 10)), ("CSAT", "csat", (1, 5)), ("CES", "ces", (1, 7))])
def test_validate_survey_gives_the_default_question(kind, key, scale):
    clean = validate_survey({"name": "S", "kind": kind}, creating=True)
    [question] = clean["questions"]
    assert (question["key"], (question["min"], question["max"])) == (key, scale)
    assert (clean["trigger"], clean["active"]) == ("MANUAL", True)


def test_validate_survey_custom_needs_questions():
    with pytest.raises(DomainError) as caught:
        validate_survey({"name": "S", "kind": "CUSTOM"}, creating=True)
    assert _problems(caught.value) == [("questions", "REQUIRED")]


def test_validate_survey_refuses_bad_questions():
    bad = [{"key": "Bad Key", "text": "", "min": 5, "max": 1},
           {"key": "ok", "text": "Fine?", "min": 1, "max": 5, "dimension": "EMPATHY"}]
    with pytest.raises(DomainError) as caught:
        validate_survey({"name": "S", "kind": "CUSTOM", "questions": bad}, creating=True)
    assert _problems(caught.value) == [
        ("questions[0].key", "INVALID"), ("questions[0].text", "REQUIRED"),
        ("questions[0].min", "INVALID"), ("questions[1].dimension", "INVALID")]


def test_validate_survey_every_n_days_needs_its_period():
    with pytest.raises(DomainError) as caught:
        validate_survey({"name": "S", "kind": "NPS", "trigger": "EVERY_N_DAYS"}, creating=True)
    assert _problems(caught.value) == [("everyDays", "REQUIRED")]
    # a survey that stops repeating forgets its period
    clean = validate_survey({"trigger": "MANUAL"}, creating=False,
                            stored={"kind": "NPS", "trigger": "EVERY_N_DAYS", "everyDays": 90})
    assert clean == {"trigger": "MANUAL", "everyDays": None}


def test_validate_survey_kind_never_changes():
    with pytest.raises(DomainError) as caught:
        validate_survey({"kind": "CSAT"}, creating=False, stored={"kind": "NPS"})
    assert _problems(caught.value) == [("kind", "INVALID")]


def test_check_answers_orders_and_tags_servqual_answers():
    answers = check_answers("SERVQUAL", SERVQUAL, [{"key": "empathy_p", "value": 3},
                                                   {"key": "empathy_e", "value": 6}])
    assert answers == [
        {"key": "empathy_e", "value": 6, "dimension": "EMPATHY", "aspect": "EXPECTATION"},
        {"key": "empathy_p", "value": 3, "dimension": "EMPATHY", "aspect": "PERCEPTION"}]
    assert score_of("SERVQUAL", answers) is None


def test_check_answers_scored_kind_needs_its_main_question():
    questions = [{"key": "nps", "text": "?", "min": 0, "max": 10},
                 {"key": "why", "text": "?", "min": 1, "max": 5}]
    with pytest.raises(DomainError) as caught:
        check_answers("NPS", questions, [{"key": "why", "value": 2}])
    assert _problems(caught.value) == [("answers", "REQUIRED")]
    answers = check_answers("NPS", questions, [{"key": "why", "value": 2},
                                               {"key": "nps", "value": 9}])
    assert score_of("NPS", answers) == 9


def test_check_answers_refuses_out_of_scale_and_repeats():
    questions = [{"key": "csat", "text": "?", "min": 1, "max": 5}]
    with pytest.raises(DomainError) as caught:
        check_answers("CSAT", questions, [{"key": "csat", "value": 0},
                                          {"key": "csat", "value": 3}])
    assert _problems(caught.value) == [("answers[0].value", "INVALID"),
                                       ("answers[1].key", "INVALID")]


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    return load_or_create_key(tmp_path_factory.mktemp("survey-links"))


def test_survey_link_round_trip(root):
    invitation, contact = uuid.uuid4(), uuid.uuid4()
    token = survey_links.sign(root, invitation, contact, NOW + timedelta(days=3))
    link = survey_links.verify(root, token, NOW)
    assert (link.invitation_id, link.contact_id) == (invitation, contact)
    assert link.expires_at == NOW + timedelta(days=3)


def test_survey_link_refused_when_forged_expired_or_of_another_key(root, tmp_path):
    token = survey_links.sign(root, uuid.uuid4(), uuid.uuid4(), NOW + timedelta(days=1))
    prefix, payload, mac = token.split(".")
    other = survey_links.sign(root, uuid.uuid4(), uuid.uuid4(), NOW + timedelta(days=1))
    cases = {f"{prefix}.{other.split('.')[1]}.{mac}": "INVALID", "sv1..": "INVALID",
             "sv1.%%%.###": "INVALID", "x": "INVALID"}
    for forged, code in cases.items():
        with pytest.raises(DomainError) as caught:
            survey_links.verify(root, forged, NOW)
        assert _problems(caught.value) == [("token", code)], forged
    with pytest.raises(DomainError) as caught:
        survey_links.verify(root, token, NOW + timedelta(days=2))
    assert _problems(caught.value) == [("token", "EXPIRED")]
    with pytest.raises(DomainError) as caught:
        survey_links.verify(load_or_create_key(tmp_path), token, NOW)
    assert _problems(caught.value) == [("token", "INVALID")]
