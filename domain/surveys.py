"""Surveys: what is asked (NPS, CSAT, CES, SERVQUAL or questions of one's own), when people
are invited to answer, and what an answer must hold.

A survey's questions are a list of {key, text, min, max} and, for SERVQUAL, the dimension a
question measures and whether it asks for the customer's EXPECTATION or PERCEPTION of it.
NPS, CSAT and CES surveys lead with their one main question (0–10, 1–5 and 1–7 by default),
which they get when none is given; its answer is the response's `score`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from domain.errors import DomainError, ErrorCode, Problems
from domain.survey_comments import ClassifiedBy, classify
from domain.values import clean_text


class SurveyKind(StrEnum):
    NPS = "NPS"
    CSAT = "CSAT"
    CES = "CES"
    SERVQUAL = "SERVQUAL"
    CUSTOM = "CUSTOM"


class SurveyTrigger(StrEnum):
    """When the worker invites people: a case resolved, an order fulfilled (the CRM's
    delivered), every N days, or only when staff invite by hand."""

    CASE_RESOLVED = "CASE_RESOLVED"
    ORDER_FULFILLED = "ORDER_FULFILLED"
    EVERY_N_DAYS = "EVERY_N_DAYS"
    MANUAL = "MANUAL"


class Dimension(StrEnum):
    """The five dimensions of service quality SERVQUAL measures."""

    TANGIBLES = "TANGIBLES"
    RELIABILITY = "RELIABILITY"
    RESPONSIVENESS = "RESPONSIVENESS"
    ASSURANCE = "ASSURANCE"
    EMPATHY = "EMPATHY"


class Aspect(StrEnum):
    """A SERVQUAL question asks what the customer expects, or what it perceived: the gap
    between the two is the measure."""

    EXPECTATION = "EXPECTATION"
    PERCEPTION = "PERCEPTION"


class InvitationStatus(StrEnum):
    PENDING = "PENDING"
    RESPONDED = "RESPONDED"
    EXPIRED = "EXPIRED"


class ResponseChannel(StrEnum):
    PORTAL = "PORTAL"
    LINK = "LINK"
    STAFF = "STAFF"
    IMPORT = "IMPORT"


# kind -> its main question when none is given
DEFAULT_QUESTIONS: Mapping[SurveyKind, dict] = {
    SurveyKind.NPS: {"key": "nps", "min": 0, "max": 10,
                     "text": "How likely are you to recommend us to a friend or colleague?"},
    SurveyKind.CSAT: {"key": "csat", "min": 1, "max": 5,
                      "text": "How satisfied were you with our service?"},
    SurveyKind.CES: {"key": "ces", "min": 1, "max": 7,
                     "text": "How easy was it to get what you needed?"},
}
SCORED = tuple(DEFAULT_QUESTIONS)
INVITATION_TTL = timedelta(days=30)
MAX_QUESTIONS = 50
SCALE_LIMIT = 100
COMMENT_LIMIT = 4000
MAX_EVERY_DAYS = 3650
KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
ABOUT = ("case", "order", "product")


def _question(raw: Mapping, at: str, kind: SurveyKind) -> dict:
    problems = Problems()
    key, text = raw.get("key"), None
    if not isinstance(key, str) or not KEY.match(key):
        problems.add(f"{at}.key", ErrorCode.INVALID,
                     "A key is 1 to 40 lower-case letters, digits or _, from a letter.")
    try:
        text = clean_text(raw.get("text"), f"{at}.text", required=True, limit=500)
    except DomainError as exc:
        problems.absorb(exc)
    low, high = raw.get("min"), raw.get("max")
    if not all(isinstance(v, int) and 0 <= v <= SCALE_LIMIT for v in (low, high)) or low >= high:
        problems.add(f"{at}.min", ErrorCode.INVALID,
                     f"A scale runs from min to a greater max, both 0 to {SCALE_LIMIT}.")
    question = {"key": key, "text": text, "min": low, "max": high}
    if kind is SurveyKind.SERVQUAL:
        for name, enum in (("dimension", Dimension), ("aspect", Aspect)):
            if raw.get(name) not in {e.value for e in enum}:
                problems.add(f"{at}.{name}", ErrorCode.REQUIRED,
                             f"A SERVQUAL question needs its {name}.")
            question[name] = raw.get(name)
    elif raw.get("dimension") is not None or raw.get("aspect") is not None:
        problems.add(f"{at}.dimension", ErrorCode.INVALID,
                     "Only SERVQUAL questions have a dimension and an aspect.")
    problems.raise_if_any()
    return question


def check_questions(given: list[Mapping] | None, kind: SurveyKind) -> list[dict]:
    """The questions of a survey of this kind; an NPS, CSAT or CES survey without any gets
    its main question, and keeps it first."""
    if not given:
        if kind in DEFAULT_QUESTIONS:
            return [dict(DEFAULT_QUESTIONS[kind])]
        raise DomainError.one("questions", ErrorCode.REQUIRED,
                              f"A {kind} survey needs at least one question.")
    if len(given) > MAX_QUESTIONS:
        raise DomainError.one("questions", ErrorCode.INVALID,
                              f"At most {MAX_QUESTIONS} questions.")
    problems, questions = Problems(), []
    for n, raw in enumerate(given):
        try:
            questions.append(_question(raw, f"questions[{n}]", kind))
        except DomainError as exc:
            problems.absorb(exc)
    keys = [q["key"] for q in questions]
    if len(set(keys)) != len(keys):
        problems.add("questions", ErrorCode.INVALID, "Each question needs a key of its own.")
    problems.raise_if_any()
    return questions


def _trigger(clean: dict, stored: Mapping, problems: Problems) -> None:
    trigger = clean.get("trigger", stored.get("trigger"))
    every = clean.get("everyDays", stored.get("everyDays"))
    if trigger == SurveyTrigger.EVERY_N_DAYS:
        if not isinstance(every, int) or not 1 <= every <= MAX_EVERY_DAYS:
            problems.add("everyDays", ErrorCode.REQUIRED,
                         f"EVERY_N_DAYS needs everyDays, 1 to {MAX_EVERY_DAYS}.")
    elif every is not None:
        if "everyDays" in clean:
            problems.add("everyDays", ErrorCode.INVALID, "Only EVERY_N_DAYS takes everyDays.")
        else:  # a trigger that no longer repeats forgets its period
            clean["everyDays"] = None


def _given(value, field: str, enum: type[StrEnum] | None = None):
    """A value that may be left out but not set to null."""
    if value is None:
        raise DomainError.one(field, ErrorCode.REQUIRED, f"{field} cannot be null.")
    return enum(value).value if enum else value


def validate_survey(values: dict, *, creating: bool, stored: dict | None = None) -> dict:
    """A name and a kind to create; the kind never changes, as responses keep its shape."""
    problems, clean, stored = Problems(), {}, stored or {}
    problems.check(values, clean, "name",
                   lambda v: clean_text(v, "name", required=True, limit=200))
    if creating:
        problems.check(values, clean, "kind", lambda v: SurveyKind(v).value if v else None)
        problems.require(clean, "name", "kind")
        clean.setdefault("trigger", SurveyTrigger.MANUAL.value)
        clean.setdefault("active", True)
    elif "kind" in values:
        problems.add("kind", ErrorCode.INVALID, "A survey's kind cannot change.")
    kind = clean.get("kind", stored.get("kind"))
    if kind is not None and (creating or "questions" in values):
        problems.check({"questions": values.get("questions")}, clean, "questions",
                       lambda v: check_questions(v, SurveyKind(kind)))
    problems.check(values, clean, "trigger", lambda v: _given(v, "trigger", SurveyTrigger))
    problems.check(values, clean, "active", lambda v: _given(v, "active"))
    if "everyDays" in values:
        clean["everyDays"] = values["everyDays"]
    _trigger(clean, stored, problems)
    problems.raise_if_any()
    return clean


def check_answers(kind: str, questions: list[Mapping], answers: list[Mapping]) -> list[dict]:
    """Answers in the questions' order, each within its scale; a SERVQUAL answer carries its
    question's dimension and aspect, so that SQL averages the gap per dimension. The main
    question of an NPS, CSAT or CES survey must be answered, any question of the others."""
    by_key = {q["key"]: q for q in questions}
    problems, given, seen = Problems(), {}, set()
    for n, answer in enumerate(answers):
        key, value = answer.get("key"), answer.get("value")
        question = by_key.get(key)
        if question is None:
            problems.add(f"answers[{n}].key", ErrorCode.INVALID, "No question has this key.")
        elif key in seen:
            problems.add(f"answers[{n}].key", ErrorCode.INVALID, "One answer per question.")
        elif not isinstance(value, int) or not question["min"] <= value <= question["max"]:
            problems.add(f"answers[{n}].value", ErrorCode.INVALID,
                         f"{key} is answered from {question['min']} to {question['max']}.")
        else:
            given[key] = value
        seen.add(key)
    if kind in SCORED and questions and questions[0]["key"] not in given and not problems.items:
        problems.add("answers", ErrorCode.REQUIRED, f"Answer {questions[0]['key']}.")
    elif not answers:
        problems.add("answers", ErrorCode.REQUIRED, "Answer at least one question.")
    problems.raise_if_any()
    return [{"key": q["key"], "value": given[q["key"]],
             **{k: q[k] for k in ("dimension", "aspect") if q.get(k)}}
            for q in questions if q["key"] in given]


def score_of(kind: str, answers: list[Mapping]) -> int | None:
    """The main question's value of an NPS, CSAT or CES response (the first answer, as
    check_answers orders them after the questions); None for the other kinds."""
    return answers[0]["value"] if kind in SCORED and answers else None


def answered(kind: str, questions: list[Mapping], answers: list[Mapping],
             comment: str | None) -> dict:
    """A response's answers checked against its survey's questions, its score, and its comment
    with the class the rules give it; every problem of answers and comment at once."""
    problems, checked, text = Problems(), [], None
    try:
        checked = check_answers(kind, questions, answers)
    except DomainError as exc:
        problems.absorb(exc)
    try:
        text = clean_text(comment, "comment", limit=COMMENT_LIMIT)
    except DomainError as exc:
        problems.absorb(exc)
    problems.raise_if_any()
    found = classify(text)
    return {"answers": checked, "score": score_of(kind, checked), "comment": text,
            "commentClass": found.value if found else None,
            "classifiedBy": ClassifiedBy.AUTO.value if text else None}


def check_responded_at(value: datetime, now: datetime) -> datetime:
    """A response collected elsewhere was answered by now."""
    if value > now:
        raise DomainError.one("respondedAt", ErrorCode.INVALID, "respondedAt is in the future.")
    return value


def one_about(values: Mapping[str, Any]) -> dict:
    """What a response or invitation is about: at most one of a case, an order, a product."""
    about = {k: values[k] for k in ABOUT if values.get(k) is not None}
    if len(about) > 1:
        raise DomainError.one("case", ErrorCode.INVALID,
                              "It is about at most one of a case, an order or a product.")
    return about
