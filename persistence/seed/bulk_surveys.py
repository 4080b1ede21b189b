"""Surveys and their responses for `crm seed --contacts N`: one NPS, CSAT, CES and SERVQUAL
survey, answered by about one contact in five within a year of the contact's creation, so
that the customer KPIs (persistence/customer_kpis.py) have scores over the whole history.

Responses are drawn beside each contact from a random stream of their own (see bulk_leads,
whose SeededContact they read). Scores lean positive, as answers to such surveys do; the
SERVQUAL gap (perception less expectation) is widest for reliability and responsiveness.
Most answers came through an invitation's link, the rest were recorded by staff or imported.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from functools import cache

import orjson

from domain.survey_comments import ClassifiedBy, classify
from domain.surveys import DEFAULT_QUESTIONS, INVITATION_TTL, Dimension, SurveyKind, check_answers, score_of
from persistence.seed import demo
from persistence.seed.bulk_history import Rows
from persistence.seed.bulk_leads import SeededContact
from persistence.seed.bulk_pools import stable_hex, stamp
from persistence.seed.demo_surveys import SERVQUAL
from persistence.surveys import SurveyInvitationRow, SurveyResponseRow, SurveyRow

RESPONDING_SHARE = 0.2
ANSWERED_WITHIN = timedelta(days=365)  # of the contact's creation
# name -> (kind, questions, share of the responses)
SURVEYS = {
    "Customer NPS": (SurveyKind.NPS, [DEFAULT_QUESTIONS[SurveyKind.NPS]], 0.4),
    "CSAT after service": (SurveyKind.CSAT, [DEFAULT_QUESTIONS[SurveyKind.CSAT]], 0.3),
    "CES after purchase": (SurveyKind.CES, [DEFAULT_QUESTIONS[SurveyKind.CES]], 0.2),
    "Service quality study": (SurveyKind.SERVQUAL, SERVQUAL, 0.1),
}
# Weights of each value of the main question, from its scale's minimum up: with these the
# NPS comes out near +35, CSAT near 78% satisfied, CES near 5.4 of 7.
SCORE_WEIGHTS = {
    SurveyKind.NPS: (2, 1, 2, 2, 3, 5, 7, 10, 18, 22, 28),
    SurveyKind.CSAT: (4, 6, 12, 38, 40),
    SurveyKind.CES: (2, 3, 6, 12, 22, 30, 25),
}
# SERVQUAL: expectations run high; perception falls short of them by this much on average.
EXPECTATIONS, EXPECTATION_WEIGHTS = (5, 6, 7), (3, 4, 3)
GAPS = {Dimension.TANGIBLES: -0.2, Dimension.RELIABILITY: -0.9,
        Dimension.RESPONSIVENESS: -1.1, Dimension.ASSURANCE: -0.4, Dimension.EMPATHY: -0.6}
# channel -> share; LINK answers came through an invitation, the others without one.
CHANNELS = {"LINK": 0.6, "STAFF": 0.25, "IMPORT": 0.15}
COMMENT_SHARE = 0.3
# Comments of unhappy respondents, and of happy ones, in the demo's languages.
UNHAPPY = ("The export is broken again and support was slow.",
           "Die Rechnung war falsch, bitte korrigieren.", "How do I change my invoice address?",
           "Почему отчёт не показывает итоги?", "Delivery took three weeks, far too long.")
HAPPY = ("Great service, thanks!", "It would be nice to have a dark mode.",
         "Ich wünsche mir eine App für iOS.", "Сотрудник помог быстро, спасибо.",
         "Хотелось бы больше интеграций.")
SURVEY, INVITATION, RESPONSE = (SurveyRow.__tablename__, SurveyInvitationRow.__tablename__,
                                SurveyResponseRow.__tablename__)


@cache
def _comment_class(comment: str) -> str | None:
    found = classify(comment)
    return found.value if found else None


class BulkSurveys:
    """The surveys, then the responses drawn beside each contact, in contact order."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed * 7919 + 5)
        self.ids = {name: stable_hex("survey", name) for name in SURVEYS}
        self.names = tuple(SURVEYS)
        self.shares = [share for _, _, share in SURVEYS.values()]
        self.channels, self.channel_shares = tuple(CHANNELS), tuple(CHANNELS.values())
        self.made = 0

    def fixed_rows(self, at: datetime) -> Rows:
        """The surveys, asked when staff choose: no trigger of theirs invites anyone."""
        return {SURVEY: [stamp(self.ids[name], at) + (
            name, kind.value, orjson.dumps(questions).decode(), "MANUAL", None, True)
            for name, (kind, questions, _) in SURVEYS.items()]}

    def for_contact(self, rows: Rows, contact: SeededContact) -> None:
        rng = self.rng
        if rng.random() >= RESPONDING_SHARE:
            return
        n = self.made
        self.made += 1
        name = rng.choices(self.names, self.shares)[0]
        kind, questions, _ = SURVEYS[name]
        window = min(ANSWERED_WITHIN, demo.BASE_TIME - contact.created)
        responded = contact.created + window * rng.random()
        values, mood = self._values(kind, questions)
        comment = None
        if rng.random() < COMMENT_SHARE:
            comment = rng.choice(HAPPY if mood >= 0.5 else UNHAPPY)
        channel = rng.choices(self.channels, self.channel_shares)[0]
        invitation = None
        if channel == "LINK":
            invitation = stable_hex("survey-invitation", n)
            invited = max(contact.created, responded - timedelta(hours=rng.uniform(1, 120)))
            rows[INVITATION].append(stamp(invitation, invited, updated=responded) + (
                self.ids[name], contact.id, None, None, None, "RESPONDED",
                invited + INVITATION_TTL, responded))
        answers = check_answers(kind, questions,
                                [{"key": key, "value": value} for key, value in values.items()])
        rows[RESPONSE].append(stamp(stable_hex("survey-response", n), responded) + (
            self.ids[name], contact.id, invitation, None, None, None,
            orjson.dumps(answers).decode(), score_of(kind, answers), comment,
            comment and _comment_class(comment), ClassifiedBy.AUTO.value if comment else None,
            channel, responded))

    def _values(self, kind: SurveyKind, questions: list[dict]) -> tuple[dict[str, int], float]:
        """The answers by question key, and how happy they are, from 0 to 1."""
        rng = self.rng
        if kind in SCORE_WEIGHTS:
            main = questions[0]
            value = rng.choices(range(main["min"], main["max"] + 1), SCORE_WEIGHTS[kind])[0]
            return {main["key"]: value}, (value - main["min"]) / (main["max"] - main["min"])
        values, gap = {}, 0.0
        for expectation, perception in zip(questions[::2], questions[1::2], strict=True):
            expected = rng.choices(EXPECTATIONS, EXPECTATION_WEIGHTS)[0]
            found = round(rng.gauss(expected + GAPS[Dimension(expectation["dimension"])], 1.0))
            values[expectation["key"]] = expected
            values[perception["key"]] = max(1, min(7, found))
            gap += values[perception["key"]] - expected
        # No gap on average is a happy respondent; a point short in every dimension is not.
        return values, 1 + gap / len(GAPS) if gap < 0 else 1.0


# Columns after the stamp, in the order the rows above hold them.
COLUMNS = {
    SURVEY: ("name", "kind", "questions", "trigger", "every_days", "active"),
    INVITATION: ("survey_id", "contact_id", "case_id", "order_id", "product_id", "status",
                 "expires_at", "responded_at"),
    RESPONSE: ("survey_id", "contact_id", "invitation_id", "case_id", "order_id", "product_id",
               "answers", "score", "comment", "comment_class", "classified_by", "channel",
               "responded_at"),
}
