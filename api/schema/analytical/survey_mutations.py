"""The mutations of surveys: manage them (admin, marketing, service), invite, make a signed
link, answer (the customer, or anyone holding a link), record and classify responses."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from api.context import unit_of_work
from api.resolvers.common import mutate, save_record
from api.schema.analytical.surveys import Survey, SurveyInvitation, SurveyResponse
from api.schema.errors import UserError, user_errors
from api.schema.ids import parse_id
from api.schema.operational.inputs import ArchiveInput, field_values, payload_errors_field, unset
from api.schema.relay import arg
from auth import survey_links
from auth.principal import Principal
from domain.errors import DomainError
from domain.services import surveys as use
from domain.services.records import archive_record
from domain.survey_comments import CommentClass
from domain.surveys import Aspect, Dimension, ResponseChannel, SurveyKind, SurveyTrigger

REFERENCES = {"survey": "Survey", "contact": "Contact", "invitation": "SurveyInvitation",
              "case": "Case", "order": "Order", "product": "Product"}


@strawberry.input(description="A question: a key, its text and its scale; for SERVQUAL also "
                              "its dimension and aspect.")
class SurveyQuestionInput:
    key: str = strawberry.field(description="1 to 40 lower-case letters, digits or _, from a "
                                            "letter; unique in the survey.")
    text: str = strawberry.field(description="The question, at most 500 characters.")
    min: int = strawberry.field(description="The lowest answer, 0 to 100.")
    max: int = strawberry.field(description="The highest answer, above min, at most 100.")
    dimension: Dimension | None = strawberry.field(
        default=None, description="SERVQUAL only, and required there.")
    aspect: Aspect | None = strawberry.field(default=None,
                                             description="SERVQUAL only, and required there.")


@strawberry.input(description="A new survey.")
class SurveyCreateInput:
    name: str = strawberry.field(description="Name, at most 200 characters.")
    kind: SurveyKind = strawberry.field(description="What it measures; it never changes.")
    questions: list[SurveyQuestionInput] | None = unset(
        "Its questions; NPS, CSAT and CES get their main question when none are given.")
    trigger: SurveyTrigger | None = unset("When contacts are invited; MANUAL unless given.")
    every_days: int | None = unset("For EVERY_N_DAYS: the period, 1 to 3650 days.")
    active: bool | None = unset("Whether the worker invites to it; true unless given.")


@strawberry.input(description="Changes to a survey, at the version read.")
class SurveyUpdateInput:
    id: strawberry.ID = strawberry.field(description="The survey.")
    version: int = strawberry.field(description="The version you last read.")
    name: str | None = unset("A new name.")
    questions: list[SurveyQuestionInput] | None = unset("Its questions from now on.")
    trigger: SurveyTrigger | None = unset("A new trigger.")
    every_days: int | None = unset("For EVERY_N_DAYS: the period, 1 to 3650 days.")
    active: bool | None = unset("false stops the worker inviting to it.")


@strawberry.input(description="A contact to invite to a survey, about at most one of a case, "
                              "an order or a product.")
class SurveyInviteInput:
    survey: strawberry.ID = strawberry.field(description="The survey.")
    contact: strawberry.ID = strawberry.field(description="Who is invited.")
    case: strawberry.ID | None = unset("The case it asks about.")
    order: strawberry.ID | None = unset("The order it asks about.")
    product: strawberry.ID | None = unset("The product it asks about.")


@strawberry.input(description="One answer: a question's key and a value on its scale.")
class SurveyAnswerInput:
    key: str = strawberry.field(description="The question's key.")
    value: int = strawberry.field(description="A whole number from the question's min to max.")


@strawberry.input(description="The answers to an invitation, and a comment.")
class SurveyAnswersInput:
    answers: list[SurveyAnswerInput] = strawberry.field(
        description="One per question answered; NPS, CSAT and CES need their main question.")
    comment: str | None = strawberry.field(default=None,
                                           description="Free text, at most 4,000 characters.")


@strawberry.input(description="A customer's answers to an invitation addressed to it.")
class SurveyRespondInput(SurveyAnswersInput):
    invitation: strawberry.ID = strawberry.field(description="The invitation.")


@strawberry.input(description="A response collected elsewhere (a call, a paper form).")
class SurveyResponseRecordInput(SurveyAnswersInput):
    survey: strawberry.ID = strawberry.field(description="The survey answered.")
    contact: strawberry.ID = strawberry.field(description="Who answered.")
    invitation: strawberry.ID | None = unset("The invitation it answers, which it closes.")
    case: strawberry.ID | None = unset("The case it is about; else the invitation's.")
    order: strawberry.ID | None = unset("The order it is about; else the invitation's.")
    product: strawberry.ID | None = unset("The product it is about; else the invitation's.")
    responded_at: datetime | None = unset("When it was answered; now unless given.")


@strawberry.input(description="The class of a response's comment, at the version read.")
class SurveyResponseClassifyInput:
    id: strawberry.ID = strawberry.field(description="The response.")
    version: int = strawberry.field(description="The version you last read.")
    comment_class: CommentClass | None = strawberry.field(
        description="ERROR, WISH or QUESTION; null: none of them.")


@strawberry.type(description="The result of a survey mutation.")
class SurveyPayload:
    survey: Survey | None = strawberry.field(default=None, description="The survey as it is now.")
    errors: list[UserError] = payload_errors_field()


@strawberry.type(description="The result of surveyInvite.")
class SurveyInvitationPayload:
    survey_invitation: SurveyInvitation | None = strawberry.field(
        default=None, description="The invitation.")
    errors: list[UserError] = payload_errors_field()


@strawberry.type(description="The result of a mutation that writes a survey response.")
class SurveyResponsePayload:
    survey_response: SurveyResponse | None = strawberry.field(
        default=None, description="The response, as you may read it.")
    errors: list[UserError] = payload_errors_field()


@strawberry.type(description="A signed link's token, for an email to carry.")
class SurveyLinkPayload:
    token: str | None = strawberry.field(
        default=None, description="Answers the invitation once, without a login, through "
                                  "surveyRespondByLink; put it in the URL of the page that "
                                  "calls it.")
    expires_at: datetime | None = strawberry.field(
        default=None, description="When the link (and the invitation) expires.")
    errors: list[UserError] = payload_errors_field()


@strawberry.type(description="The result of surveyRespondByLink.")
class SurveyLinkAnswerPayload:
    answered: bool = strawberry.field(default=False,
                                      description="Whether the answers were recorded.")
    errors: list[UserError] = payload_errors_field()


def _survey_values(values: dict) -> dict:
    if values.get("questions") is not None:
        values["questions"] = [
            {"key": q.key, "text": q.text, "min": q.min, "max": q.max,
             **({"dimension": q.dimension.value} if q.dimension else {}),
             **({"aspect": q.aspect.value} if q.aspect else {})}
            for q in values["questions"]]
    return values


def _answers(input: SurveyAnswersInput) -> list[dict]:
    return [{"key": a.key, "value": a.value} for a in input.answers]


@strawberry.type
class SurveyMutations:
    @strawberry.mutation(description="Add a survey. Admin, marketing and service.")
    async def survey_create(self, info: strawberry.Info,
                            input: Annotated[SurveyCreateInput, arg("The new survey.")]
                            ) -> SurveyPayload:
        return await save_record(info, use.SURVEY, input, SurveyPayload, "survey",
                                 _survey_values)

    @strawberry.mutation(description="Change a survey; its kind stays. Admin, marketing and "
                                     "service.")
    async def survey_update(self, info: strawberry.Info,
                            input: Annotated[SurveyUpdateInput, arg("The survey and changes.")]
                            ) -> SurveyPayload:
        return await save_record(info, use.SURVEY, input, SurveyPayload, "survey",
                                 _survey_values)

    @strawberry.mutation(description="Archive a survey: no more invitations; its responses "
                                     "stay. Admin, marketing and service.")
    async def survey_archive(self, info: strawberry.Info,
                             input: Annotated[ArchiveInput, arg("The survey.")]
                             ) -> SurveyPayload:
        ctx = info.context
        return await mutate(info, SurveyPayload, "survey", "Survey", lambda: archive_record(
            use.SURVEY, parse_id(input.id, "Survey"), input.version, ctx.uow(), ctx.access))

    @strawberry.mutation(description="Invite a contact to answer a survey; one invitation per "
                                     "survey, contact and what it is about (CONFLICT on "
                                     "`contact` else). Admin, marketing and service.")
    async def survey_invite(self, info: strawberry.Info,
                            input: Annotated[SurveyInviteInput, arg("Whom, to what.")]
                            ) -> SurveyInvitationPayload:
        ctx = info.context
        return await mutate(info, SurveyInvitationPayload, "survey_invitation",
                            "SurveyInvitation", lambda: use.invite(
                                field_values(input, REFERENCES), ctx.clock(), ctx.uow(),
                                ctx.access))

    @strawberry.mutation(description="A signed, single-use link's token for an open "
                                     "invitation, to send by email. Admin, marketing and "
                                     "service.")
    async def survey_link(
            self, info: strawberry.Info,
            invitation_id: Annotated[strawberry.ID, arg("The invitation.")]) -> SurveyLinkPayload:
        ctx = info.context
        try:
            invitation = parse_id(invitation_id, "SurveyInvitation", "invitationId")
            contact, expires = await use.link_target(invitation, ctx.clock(), ctx.uow(),
                                                     ctx.access)
        except DomainError as exc:
            return SurveyLinkPayload(errors=user_errors(exc))
        return SurveyLinkPayload(token=survey_links.sign(ctx.tokens.ring.root, invitation,
                                                         contact, expires),
                                 expires_at=expires)

    @strawberry.mutation(description="Answer an invitation addressed to you (customers), once "
                                     "and before it expires; ALREADY_ANSWERED or EXPIRED "
                                     "else, NOT_FOUND for another's.")
    async def survey_respond(self, info: strawberry.Info,
                             input: Annotated[SurveyRespondInput, arg("The answers.")]
                             ) -> SurveyResponsePayload:
        ctx = info.context
        return await mutate(info, SurveyResponsePayload, "survey_response", "SurveyResponse",
                            lambda: use.respond(
                                parse_id(input.invitation, "SurveyInvitation", "invitation"),
                                _answers(input), input.comment, ResponseChannel.PORTAL,
                                ctx.clock(), ctx.uow(), ctx.access))

    @strawberry.mutation(description="Answer an invitation through its signed link; needs no "
                                     "token. Once: a used link is ALREADY_ANSWERED, an expired "
                                     "one EXPIRED, a forged one INVALID (on `token`).")
    async def survey_respond_by_link(
            self, info: strawberry.Info,
            token: Annotated[str, arg("The link's token, from surveyLink.")],
            input: Annotated[SurveyAnswersInput, arg("The answers.")]) -> SurveyLinkAnswerPayload:
        ctx = info.context
        try:
            link = survey_links.verify(ctx.tokens.ring.root, token, ctx.clock())
            # The link stands for its invitation's contact, and for this one use case.
            contact = Principal.customer(link.contact_id).access()
            await use.respond(link.invitation_id, _answers(input), input.comment,
                              ResponseChannel.LINK, ctx.clock(),
                              unit_of_work(ctx.engine, contact), contact)
        except DomainError as exc:
            return SurveyLinkAnswerPayload(errors=user_errors(exc))
        return SurveyLinkAnswerPayload(answered=True)

    @strawberry.mutation(description="Record a response collected elsewhere (channel STAFF). "
                                     "Admin, marketing and service.")
    async def survey_response_record(
            self, info: strawberry.Info,
            input: Annotated[SurveyResponseRecordInput, arg("The response.")]
    ) -> SurveyResponsePayload:
        ctx = info.context

        async def action():
            values = field_values(input, REFERENCES)
            values["answers"] = _answers(input)
            return await use.record_response(values, ctx.clock(), ctx.uow(), ctx.access)
        return await mutate(info, SurveyResponsePayload, "survey_response", "SurveyResponse",
                            action)

    @strawberry.mutation(description="Correct the class of a response's comment; audited. "
                                     "Admin, marketing and service.")
    async def survey_response_classify(
            self, info: strawberry.Info,
            input: Annotated[SurveyResponseClassifyInput, arg("The response and its class.")]
    ) -> SurveyResponsePayload:
        ctx = info.context
        return await mutate(info, SurveyResponsePayload, "survey_response", "SurveyResponse",
                            lambda: use.classify_response(
                                parse_id(input.id, "SurveyResponse"), input.version,
                                input.comment_class, ctx.uow(), ctx.access))
