"""The demo's surveys: a CSAT after each resolved case, a CES after each fulfilled order, a
quarterly NPS and a SERVQUAL study; invitations and responses with comments in English,
German and Russian, classified as the API classifies them; and for the demo customer one
invitation answered in the portal and one to answer."""

from __future__ import annotations

from datetime import datetime, timedelta

from domain.survey_comments import ClassifiedBy, classify
from domain.surveys import (
    DEFAULT_QUESTIONS,
    INVITATION_TTL,
    Aspect,
    Dimension,
    check_answers,
    score_of,
)
from persistence.cases import CaseRow
from persistence.seed.generator import stable_id, stamped
from persistence.surveys import SurveyInvitationRow, SurveyResponseRow, SurveyRow

SERVQUAL = [{"key": f"{d.value.lower()}_{a.value.lower()[0]}", "min": 1, "max": 7,
             "dimension": d.value, "aspect": a.value,
             "text": f"{d.value.title()}: what you {'expect' if a is Aspect.EXPECTATION else 'found'}."}
            for d in Dimension for a in Aspect]
# name -> (kind, questions, trigger, every days)
SURVEYS = {
    "CSAT after a case": ("CSAT", [DEFAULT_QUESTIONS["CSAT"]], "CASE_RESOLVED", None),
    "CES after delivery": ("CES", [DEFAULT_QUESTIONS["CES"]], "ORDER_FULFILLED", None),
    "Quarterly NPS": ("NPS", [DEFAULT_QUESTIONS["NPS"],
                              {"key": "reason", "text": "How much did support count in it?",
                               "min": 1, "max": 5}], "EVERY_N_DAYS", 90),
    "Service quality 2026": ("SERVQUAL", SERVQUAL, "MANUAL", None),
}
COMMENTS = (
    None, "Great service, thanks!", "The export is broken again and support was slow.",
    "It would be nice to have a dark mode.", "How do I change my invoice address?",
    None, "Die Rechnung war falsch, bitte korrigieren.", "Ich wünsche mir eine App für iOS.",
    "Почему отчёт не показывает итоги?", "Сотрудник помог быстро, спасибо.",
    "Хотелось бы больше интеграций.", None,
)


def _survey_id(name: str):
    return stable_id("survey", name)


def _response(data, key: str, survey: str, contact, at: datetime, values: dict, comment,
              channel: str, **refs) -> None:
    kind, questions = SURVEYS[survey][0], SURVEYS[survey][1]
    answers = check_answers(kind, questions, [{"key": k, "value": v} for k, v in values.items()])
    found = classify(comment)
    data.add(SurveyResponseRow, {
        **stamped("survey-response", key, at), "survey_id": _survey_id(survey),
        "contact_id": contact, "answers": answers, "score": score_of(kind, answers),
        "comment": comment, "comment_class": found.value if found else None,
        "classified_by": ClassifiedBy.AUTO.value if comment else None, "channel": channel,
        "responded_at": at, "invitation_id": None, "case_id": None, "order_id": None,
        "product_id": None, **refs})


def _invitation(data, key: str, survey: str, contact, at: datetime, responded: datetime | None,
                expires: datetime | None = None, **about) -> object:
    row = data.add(SurveyInvitationRow, {
        **stamped("survey-invitation", key, at), "survey_id": _survey_id(survey),
        "contact_id": contact, "status": "RESPONDED" if responded else "PENDING",
        "expires_at": expires or at + INVITATION_TTL, "responded_at": responded,
        "case_id": None, "order_id": None, "product_id": None, **about})
    return row["id"]


def add_surveys(data, base_time: datetime) -> None:
    """The surveys, and their invitations and responses over the demo's year."""
    rng = data.gen.rng
    for name, (kind, questions, trigger, every) in SURVEYS.items():
        data.add(SurveyRow, {**stamped("survey", name, base_time), "name": name, "kind": kind,
                             "questions": questions, "trigger": trigger, "every_days": every,
                             "active": True})
    resolved = [c for c in data.rows[CaseRow] if c.get("resolved_at") and c["contact_id"]]
    for n, case in enumerate(resolved[:12]):
        at = case["resolved_at"] + timedelta(hours=rng.randrange(1, 48))
        invitation = _invitation(data, f"case-{n}", "CSAT after a case", case["contact_id"],
                                 case["resolved_at"], at, case_id=case["id"])
        _response(data, f"case-{n}", "CSAT after a case", case["contact_id"], at,
                  {"csat": rng.choice((1, 2, 3, 4, 4, 5, 5, 5))}, COMMENTS[n % len(COMMENTS)],
                  rng.choice(("PORTAL", "LINK")), invitation_id=invitation,
                  case_id=case["id"])
    for n in range(8):
        contact = stable_id("contact", n * 11)
        at = base_time + timedelta(days=30 + n * 29, hours=10)
        _response(data, f"nps-{n}", "Quarterly NPS", contact, at,
                  {"nps": rng.choice((3, 6, 7, 8, 9, 9, 10, 10)), "reason": rng.randrange(1, 6)},
                  COMMENTS[(n * 5) % len(COMMENTS)], "STAFF")
    for n in range(3):
        contact = stable_id("contact", 100 + n)
        _response(data, f"servqual-{n}", "Service quality 2026", contact,
                  base_time + timedelta(days=200 + n, hours=14),
                  {q["key"]: rng.randrange(4 if q["aspect"] == "EXPECTATION" else 2, 8)
                   for q in SERVQUAL}, None, "STAFF")
    customer = stable_id("contact", "customer")
    answered_at = base_time + timedelta(days=120, hours=9)
    invitation = _invitation(data, "customer-nps", "Quarterly NPS", customer,
                             answered_at - timedelta(days=2), answered_at)
    _response(data, "customer-nps", "Quarterly NPS", customer, answered_at,
              {"nps": 9, "reason": 4}, "Could you add an export to Excel?", "PORTAL",
              invitation_id=invitation)
    # Open to the customer for a long while, so that the demo's portal can answer it.
    _invitation(data, "customer-servqual", "Service quality 2026", customer,
                base_time + timedelta(days=290), None, base_time + timedelta(days=1000))
