"""A row of an import file as a survey response, checked as surveyResponseRecord checks one
(domain.surveys.answered), or every error of the row at once.

A file answers one survey. Who answered is named by an email, an external id or a contact id;
the database finds the contact, and the case, order or product it is about, later. An NPS,
CSAT or CES file answers the main question in `score`; any other question (and every question
of a SERVQUAL or CUSTOM survey) in `answer:<key>`, a column guessed from the question's key,
its text or, for SERVQUAL, its dimension and aspect.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from domain.errors import DomainError, ErrorCode, Problems
from domain.ids import uuid_of
from domain.import_jobs import ANSWER
from domain.imports.cells import CellError
from domain.imports.mapping import Mapping
from domain.imports.rows import Options, RowError, RowReader, plan_of
from domain.imports.synonyms import ASPECT_WORDS, DIMENSION_WORDS, SCORE_WORDS
from domain.moments import check_time
from domain.surveys import SCORED, answered, check_responded_at, one_about
from domain.values import normalize_email

RESPONDENT = ("contact", "externalId", "email")  # the order the database looks them up in
ABOUT_TARGETS = ("case", "order", "product")
_DOTTED = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?")
_ANSWER_AT = re.compile(r"^answers\[(\d+)\]")


@dataclass(frozen=True, slots=True)
class SurveyQuestions:
    """The survey a file's responses answer: its kind and its questions, as stored."""

    kind: str
    questions: tuple[dict, ...]

    @property
    def main_key(self) -> str | None:
        """The key of the main question of an NPS, CSAT or CES survey, which `score` answers."""
        return self.questions[0]["key"] if self.kind in SCORED and self.questions else None


@dataclass(slots=True)
class SurveyResponseRow:
    """One valid response row, checked, ready to stage."""

    line: int
    contact_id: uuid.UUID | None
    external_id: str | None
    email: str | None  # in lower case, as a contact's email keys hold it
    answers: list[dict]  # as check_answers gives them
    score: int | None
    comment: str | None
    comment_class: str | None
    responded_at: datetime
    case_number: str | None
    order_number: str | None
    product_sku: str | None


def answer_targets(survey: SurveyQuestions) -> dict[str, str]:
    """Header words -> the target of each of the survey's questions: `score` for the main
    question of NPS, CSAT and CES, `answer:<key>` for the others."""
    words: dict[str, str] = {}
    by_aspect: dict[tuple[str, str], list[str]] = {}
    for question in survey.questions:
        key = question["key"]
        target = "score" if key == survey.main_key else ANSWER + key
        words[key] = words[question["text"]] = target
        if question.get("dimension"):
            by_aspect.setdefault((question["dimension"], question["aspect"]), []).append(target)
    if survey.main_key:
        words.update(dict.fromkeys(SCORE_WORDS, "score"))
    for (dimension, aspect), targets in by_aspect.items():
        if len(targets) == 1:  # two questions of one dimension and aspect need their keys
            for d in DIMENSION_WORDS[dimension]:
                for a in ASPECT_WORDS[aspect]:
                    words[f"{d} {a}"] = words[f"{a} {d}"] = targets[0]
    return words


def check_survey_mapping(mapping: Mapping, survey: SurveyQuestions) -> None:
    """A file of responses says who answered, when, and answers a question at least."""
    targets = set(mapping.columns.values())
    problems = Problems()
    if not targets & set(RESPONDENT):
        problems.add("mapping", ErrorCode.REQUIRED,
                     "Map a column to email, externalId or contact: who answered.")
    if "respondedAt" not in targets:
        problems.add("mapping", ErrorCode.REQUIRED,
                     "Map a column to respondedAt: when it was answered.")
    if survey.main_key and "score" not in targets:
        problems.add("mapping", ErrorCode.REQUIRED,
                     f"Map a column to score: the answer to {survey.main_key}.")
    elif not survey.main_key and not any(t.startswith(ANSWER) for t in targets):
        keys = ", ".join(ANSWER + q["key"] for q in survey.questions)
        problems.add("mapping", ErrorCode.REQUIRED,
                     f"Map a column to each question answered: {keys}.")
    problems.raise_if_any()


def normalise_survey_response_row(line: int, cells: list[str], mapping: Mapping,
                                  options: Options) -> SurveyResponseRow | list[RowError]:
    """The row as a response to `options.survey`, or all of its errors."""
    survey = options.survey
    row = RowReader(line, cells, plan_of(mapping))
    contact_id = row.parsed("contact", contact_of)
    external_id = row.text("externalId")
    email = row.parsed("email", lambda raw: normalize_email(raw, "email").lower())
    if contact_id is None and external_id is None and email is None:
        _require(row, RESPONDENT, "Say who answered: an email, an external id or a contact id.")
    responded = row.parsed("respondedAt", responded_at)
    if responded is None:
        _require(row, ("respondedAt",), "Say when it was answered.")
    checked = _answered(row, survey)
    about = {t: row.text(t, 64) for t in ABOUT_TARGETS}
    try:
        one_about(about)
    except DomainError as exc:
        given = sorted((t for t in ABOUT_TARGETS if about[t]), key=lambda t: row.plan.single[t])
        value, header = row.raw(given[1])  # the second in the file's order is one too many
        row.error(header, value, exc.problems[0].code.value, exc.problems[0].message)
    errors = row.sorted_errors()
    if errors:
        return errors
    return SurveyResponseRow(
        line=line, contact_id=contact_id, external_id=external_id, email=email,
        answers=checked["answers"], score=checked["score"], comment=checked["comment"],
        comment_class=checked["commentClass"], responded_at=responded,
        case_number=about["case"] and about["case"].upper(),
        order_number=about["order"] and about["order"].upper(), product_sku=about["product"])


def _require(row: RowReader, targets: tuple[str, ...], message: str) -> None:
    """REQUIRED on the first of `targets` mapped, unless one of them is wrong already."""
    headers = [row.plan.single[t][1] for t in targets if t in row.plan.single]
    if not any(e.column in headers for e in row.errors):
        row.error(headers[0] if headers else None, None, "REQUIRED", message)


def _answered(row: RowReader, survey: SurveyQuestions) -> dict:
    """The answer columns through domain.surveys.answered, its problems as the row's errors
    on their columns; a column wrong already is not blamed twice."""
    columns: list[tuple[str, str, str]] = []  # (target, header, text) of each answer given
    answers = []
    for target, (_, header) in row.plan.single.items():
        if target != "score" and not target.startswith(ANSWER):
            continue
        value = row.parsed(target, whole_number)
        if value is not None:
            key = survey.main_key if target == "score" else target.removeprefix(ANSWER)
            answers.append({"key": key, "value": value})
            columns.append((target, header, row.raw(target)[0]))
    comment, comment_header = row.raw("comment")
    try:
        return answered(survey.kind, list(survey.questions), answers, comment)
    except DomainError as exc:
        blamed = {e.column for e in row.errors}
        for problem in exc.problems:
            header, value = _column_of(row, problem.field, columns, comment_header, comment)
            if header is None or header not in blamed:
                row.error(header, value, problem.code.value, problem.message)
    return {"answers": [], "score": None, "comment": None, "commentClass": None}


def _column_of(row: RowReader, field: str | None, columns: list[tuple[str, str, str]],
               comment_header: str | None, comment: str | None) -> tuple[str | None, str | None]:
    """(header, cell) of the column a problem of answered() is about."""
    if field == "comment":
        return comment_header, comment
    at = _ANSWER_AT.match(field or "")
    if at:
        _, header, value = columns[int(at.group(1))]
        return header, value
    # "answers": the main question unanswered, or no question at all
    target = "score" if "score" in row.plan.single else next(
        (t for t in row.plan.single if t.startswith(ANSWER)), None)
    return (row.plan.single[target][1] if target else None), None


def whole_number(raw: str) -> int:
    """An answer on a question's scale: a whole number ("7", "7.0", "7,0")."""
    try:
        number = float(raw.strip().replace(",", "."))
    except ValueError:
        raise CellError("INVALID", f"{raw!r} is not a number.") from None
    if not number.is_integer():
        raise CellError("INVALID", f"{raw!r}: an answer is a whole number.")
    return int(number)


def contact_of(raw: str) -> uuid.UUID:
    """A contact's id as the API gives it, or the bare UUID inside."""
    try:
        return uuid_of(raw, "Contact")
    except ValueError:
        raise CellError("INVALID", f"{raw!r} is not a contact's id.") from None


def responded_at(raw: str) -> datetime:
    """When a response was answered: ISO 8601 (2026-01-05, 2026-01-05 09:30, with or without
    an offset) or as German and Russian write it (05.01.2026 09:30); a time without an offset
    is UTC. Not in the future."""
    text = raw.strip()
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        dotted = _DOTTED.fullmatch(text)
        if dotted is None:
            raise CellError("INVALID", f"{raw!r} is no date: write 2026-01-05, "
                            "2026-01-05 09:30 or 05.01.2026 09:30.") from None
        day, month, year, hour, minute, second = (int(g or 0) for g in dotted.groups())
        try:
            value = datetime(year, month, day, hour, minute, second)
        except ValueError:
            raise CellError("INVALID", f"{raw!r} is not a day of the calendar.") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return check_responded_at(check_time(value, "respondedAt").astimezone(UTC),
                              datetime.now(UTC))
