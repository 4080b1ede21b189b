"""Surveys, their invitations and responses: the GraphQL types and the queries that read them.
The mutations are in api/schema/analytical/survey_mutations.py."""

from __future__ import annotations

from enum import Enum

import strawberry

from api.resolvers.common import get_record
from api.resolvers.plain import record_list
from api.schema import forms
from api.schema.declared_fields import declared
from api.schema.fields import column, node_id, record_type
from api.schema.filters import order_input
from api.schema.record_inputs import record_filter, record_order_field
from api.schema.relay import Connection, NodeId, Record
from domain.survey_comments import ClassifiedBy, CommentClass
from domain.surveys import (
    Aspect,
    Dimension,
    InvitationStatus,
    ResponseChannel,
    SurveyKind,
    SurveyTrigger,
)
from persistence.surveys import SURVEY, SURVEY_INVITATION, SURVEY_RESPONSE


def described(enum: type[Enum], name: str, description: str,
              values: dict[str, str]) -> type[Enum]:
    """A GraphQL enum of a domain enum, with a description of each value."""
    strawberry.enum(enum, name=name, description=description)
    for value in enum.__strawberry_definition__.values:
        value.description = values[value.name]
    return enum


described(SurveyKind, "SurveyKind", "What a survey measures, and so the shape of its questions.", {
    "NPS": "Net Promoter Score: one question, 0 to 10, how likely one is to recommend us.",
    "CSAT": "Customer satisfaction: one question, 1 to 5 by default.",
    "CES": "Customer effort score: one question, 1 to 7 by default, how easy it was.",
    "SERVQUAL": "Service quality: questions of five dimensions, each asked as an expectation "
                "and as a perception.",
    "CUSTOM": "Questions of one's own."})
described(SurveyTrigger, "SurveyTrigger", "When the worker invites contacts to answer a survey.", {
    "CASE_RESOLVED": "When a case of the contact is resolved: about that case.",
    "ORDER_FULFILLED": "When an order of the contact is fulfilled (delivered): about that "
                       "order.",
    "EVERY_N_DAYS": "Every `everyDays` days since the contact's last invitation to it.",
    "MANUAL": "Never by itself: staff invite with surveyInvite."})
described(Dimension, "ServqualDimension", "The SERVQUAL dimension a question measures.", {
    "TANGIBLES": "Facilities, equipment and the look of staff and material.",
    "RELIABILITY": "Doing what was promised, dependably and accurately.",
    "RESPONSIVENESS": "Willingness to help, and prompt service.",
    "ASSURANCE": "Knowledge and courtesy of staff, and the trust they inspire.",
    "EMPATHY": "Caring, individual attention to the customer."})
described(Aspect, "ServqualAspect",
          "What a SERVQUAL question asks: the gap between the two is the measure.", {
    "EXPECTATION": "What the customer expects of such a service.",
    "PERCEPTION": "What the customer found ours to be."})
described(InvitationStatus, "SurveyInvitationStatus", "Where an invitation to answer a survey stands.", {
    "PENDING": "Not answered yet, and not expired.",
    "RESPONDED": "Answered; it cannot be answered again.",
    "EXPIRED": "Not answered before expiresAt; it can no longer be."})
described(ResponseChannel, "SurveyResponseChannel", "How a survey response came in.", {
    "PORTAL": "The customer answered, logged in.",
    "LINK": "Answered through the invitation's signed link, without a login.",
    "STAFF": "Collected elsewhere and recorded by staff.",
    "IMPORT": "Imported from another system."})
described(CommentClass, "SurveyCommentClass", "What a survey comment is.", {
    "ERROR": "A complaint: something is wrong.",
    "WISH": "A feature request: something is wanted.",
    "QUESTION": "A question to answer."})
described(ClassifiedBy, "SurveyClassifiedBy", "Who gave a comment its class.", {
    "AUTO": "The rule-based classifier, when the response came in.",
    "STAFF": "Staff, correcting or confirming it."})


@strawberry.type(description="One question of a survey, answered by a whole number on its "
                             "scale.")
class SurveyQuestion:
    key: str = strawberry.field(description="Names the question in answers, e.g. `nps`.")
    text: str = strawberry.field(description="The question as people read it.")
    min: int = strawberry.field(description="The lowest answer.")
    max: int = strawberry.field(description="The highest answer.")
    dimension: Dimension | None = strawberry.field(
        default=None, description="For SERVQUAL: the dimension it measures.")
    aspect: Aspect | None = strawberry.field(
        default=None, description="For SERVQUAL: an expectation or a perception.")


@strawberry.type(description="One answer of a response.")
class SurveyAnswer:
    key: str = strawberry.field(description="The question's key.")
    value: int = strawberry.field(description="The answer, on the question's scale.")
    dimension: Dimension | None = strawberry.field(
        default=None, description="For SERVQUAL: the question's dimension.")
    aspect: Aspect | None = strawberry.field(
        default=None, description="For SERVQUAL: the question's aspect.")


def _questions(items: list[dict]) -> list[SurveyQuestion]:
    return [SurveyQuestion(key=q["key"], text=q["text"], min=q["min"], max=q["max"],
                           dimension=q.get("dimension"), aspect=q.get("aspect"))
            for q in items]


def _answers(items: list[dict]) -> list[SurveyAnswer]:
    return [SurveyAnswer(key=a["key"], value=a["value"], dimension=a.get("dimension"),
                         aspect=a.get("aspect")) for a in items]


@record_type("Survey")
@strawberry.type(description="A survey: what it asks, and when the worker invites contacts "
                             "to answer it.")
@declared(SURVEY)
class Survey(Record):
    id: strawberry.ID = node_id("Survey")
    questions: list[SurveyQuestion] | None = column(
        "Its questions in order; for NPS, CSAT and CES the main one first.", _questions,
        form=forms.Json(many=True))


@record_type("SurveyInvitation")
@strawberry.type(description="An invitation to a contact to answer a survey, maybe about a "
                             "case, an order or a product; answered once.")
@declared(SURVEY_INVITATION)
class SurveyInvitation(Record):
    id: strawberry.ID = node_id("SurveyInvitation")


@record_type("SurveyResponse")
@strawberry.type(description="A contact's answers to a survey, with its comment and the "
                             "comment's class.")
@declared(SURVEY_RESPONSE)
class SurveyResponse(Record):
    id: strawberry.ID = node_id("SurveyResponse")
    answers: list[SurveyAnswer] | None = column(
        "The answers, in the order of the survey's questions.", _answers,
        form=forms.Json(many=True))


def _sort_keys(record) -> type[Enum]:
    """The sort keys of a record type, each described by the field it sorts by."""
    keys = record_order_field(record)
    for value in keys.__strawberry_definition__.values:
        value.description = f"By `{value.value}`."
    return keys


SurveyFilter = record_filter(SURVEY, Survey)
SurveyOrder = order_input(_sort_keys(SURVEY), "SurveyOrder")
SurveyInvitationFilter = record_filter(SURVEY_INVITATION, SurveyInvitation)
SurveyInvitationOrder = order_input(_sort_keys(SURVEY_INVITATION), "SurveyInvitationOrder")
SurveyResponseFilter = record_filter(SURVEY_RESPONSE, SurveyResponse)
SurveyResponseOrder = order_input(_sort_keys(SURVEY_RESPONSE), "SurveyResponseOrder")
LIST = "first/last run from 1 to 100 (default 20)."


@strawberry.type
class SurveyQueries:
    @strawberry.field(description="A survey by id; null when there is none you may see "
                                  "(staff; a customer those it is invited to).",
                      metadata=forms.compiled(forms.ById("Survey")))
    async def survey(self, info: strawberry.Info, id: NodeId) -> Survey | None:
        return await get_record(info, "Survey", id)

    surveys: Connection[Survey] = record_list(
        "Survey", node=Survey, filter_input=SurveyFilter, order_input=SurveyOrder,
        plural="surveys", description=f"The surveys you may see; {LIST}")

    @strawberry.field(description="A survey invitation by id; null when there is none you may "
                                  "see (staff; a customer its own).",
                      metadata=forms.compiled(forms.ById("SurveyInvitation")))
    async def survey_invitation(self, info: strawberry.Info,
                                id: NodeId) -> SurveyInvitation | None:
        return await get_record(info, "SurveyInvitation", id)

    survey_invitations: Connection[SurveyInvitation] = record_list(
        "SurveyInvitation", node=SurveyInvitation, filter_input=SurveyInvitationFilter,
        order_input=SurveyInvitationOrder, plural="survey invitations",
        references={"survey": "Survey", "contact": "Contact", "case": "Case",
                    "order": "Order", "product": "Product"},
        description=f"Survey invitations you may see: staff all, a customer its own (e.g. "
                    f"`filter: {{status: {{eq: PENDING}}}}` in the portal); {LIST}")

    @strawberry.field(description="A survey response by id; null when there is none you may "
                                  "see (staff but partners; a customer its own).",
                      metadata=forms.compiled(forms.ById("SurveyResponse")))
    async def survey_response(self, info: strawberry.Info, id: NodeId) -> SurveyResponse | None:
        return await get_record(info, "SurveyResponse", id)

    survey_responses: Connection[SurveyResponse] = record_list(
        "SurveyResponse", node=SurveyResponse, filter_input=SurveyResponseFilter,
        order_input=SurveyResponseOrder, plural="survey responses",
        references={"survey": "Survey", "contact": "Contact", "case": "Case",
                    "order": "Order", "product": "Product"},
        description=f"Survey responses you may see, e.g. of one survey; {LIST}")
