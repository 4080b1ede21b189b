"""Use cases of surveys: invite a contact, answer an invitation (the customer, in the portal
or through a signed link), record a response collected elsewhere (staff), and correct the
class of its comment."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime

from domain.access import Access, Action
from domain.errors import DomainError, ErrorCode, not_found
from domain.ports import Locked, UnitOfWork
from domain.services.records import (
    RecordKind,
    check_references,
    insert_audited,
    lock_at_version,
    require_action,
    require_create,
    require_writable_fields,
    update_audited,
)
from domain.survey_comments import ClassifiedBy, CommentClass
from domain.surveys import (
    ABOUT,
    INVITATION_TTL,
    InvitationStatus,
    ResponseChannel,
    answered,
    check_responded_at,
    one_about,
    validate_survey,
)

SURVEY = RecordKind("Survey", validate_survey, {},
                    context_fields=("kind", "trigger", "everyDays"))
INVITATION, RESPONSE = "SurveyInvitation", "SurveyResponse"
ABOUT_TYPES = {"case": "Case", "order": "Order", "product": "Product"}
INVITED = RecordKind(INVITATION, lambda values, **_: values,
                     {"survey": "Survey", "contact": "Contact", **ABOUT_TYPES})
RECORDED = RecordKind(RESPONSE, lambda values, **_: values,
                      {"survey": "Survey", "contact": "Contact",
                       "invitation": "SurveyInvitation", **ABOUT_TYPES})
INVITATION_FIELDS = ("survey", "contact", *ABOUT, "status", "expiresAt")
# What a response copies from its invitation, and what the use case works out itself.
FROM_INVITATION = ("survey", "contact", "invitation", *ABOUT)
WORKED_OUT = ("answers", "comment", "commentClass", *FROM_INVITATION)


def _required(values: Mapping, *fields: str) -> None:
    missing = [f for f in fields if values.get(f) is None]
    if missing:
        raise DomainError.one(missing[0], ErrorCode.REQUIRED, f"{missing[0]} is required.")


async def invite(values: dict, now: datetime, uow: UnitOfWork, access: Access) -> uuid.UUID:
    """Invite a contact to answer a survey, about at most one case, order or product; one
    invitation per survey, contact and what it is about."""
    require_create(access, INVITATION, values)
    _required(values, "survey", "contact")
    clean = {"survey": values["survey"], "contact": values["contact"], **one_about(values),
             "status": InvitationStatus.PENDING.value, "expiresAt": now + INVITATION_TTL}
    async with uow:
        await check_references(INVITED, clean, uow)
        new_id = await insert_audited(uow, INVITATION, clean)
        await uow.commit()
    return new_id


def refuse_closed(invitation: Mapping, now: datetime) -> None:
    """An invitation is answered once, and not after it expired."""
    if invitation["status"] == InvitationStatus.RESPONDED:
        raise DomainError.one("invitation", ErrorCode.ALREADY_ANSWERED,
                              "This invitation has been answered already.")
    if invitation["status"] == InvitationStatus.EXPIRED or invitation["expiresAt"] <= now:
        raise DomainError.one("invitation", ErrorCode.EXPIRED,
                              "This invitation has expired.")


async def _open_invitation(uow: UnitOfWork, id: uuid.UUID, now: datetime) -> Locked:
    invitation = await uow.records.lock(INVITATION, id, INVITATION_FIELDS)
    if invitation is None or invitation.archived:
        raise not_found("invitation", "survey invitation")
    refuse_closed(invitation.values, now)
    return invitation


async def link_target(id: uuid.UUID, now: datetime, uow: UnitOfWork, access: Access
                      ) -> tuple[uuid.UUID, datetime]:
    """The contact and the expiry a signed link to an open invitation carries; staff who may
    invite make links."""
    require_action(access, INVITATION, Action.CREATE)
    async with uow:
        invitation = await _open_invitation(uow, id, now)
    return invitation.values["contact"], invitation.values["expiresAt"]


async def _answered(uow: UnitOfWork, survey_id: uuid.UUID, answers: list[Mapping],
                    comment: str | None) -> dict:
    """The answers, score and classified comment (domain.surveys.answered) of the survey."""
    survey = await uow.records.lock("Survey", survey_id, ("kind", "questions"))
    if survey is None:
        raise not_found("survey", "survey")
    return answered(survey.values["kind"], survey.values["questions"], answers, comment)


async def _mark_responded(uow: UnitOfWork, invitation: Locked, id: uuid.UUID,
                          now: datetime) -> None:
    await update_audited(uow, INVITATION, id, invitation.values,
                         {"status": InvitationStatus.RESPONDED.value, "respondedAt": now},
                         "respond")


async def respond(invitation_id: uuid.UUID, answers: list[Mapping], comment: str | None,
                  channel: ResponseChannel, now: datetime, uow: UnitOfWork,
                  access: Access) -> uuid.UUID:
    """A customer answers an invitation addressed to it, once and before it expires; another's
    invitation is NOT_FOUND, as if it did not exist."""
    require_action(access, RESPONSE, Action.RESPOND)
    async with uow:
        invitation = await _open_invitation(uow, invitation_id, now)
        values = {f: invitation.values.get(f) for f in FROM_INVITATION if f != "invitation"}
        response = {**values, "invitation": invitation_id,
                    **await _answered(uow, values["survey"], answers, comment),
                    "channel": channel.value, "respondedAt": now}
        new_id = await insert_audited(uow, RESPONSE, response, granted=WORKED_OUT)
        await _mark_responded(uow, invitation, invitation_id, now)
        await uow.commit()
    return new_id


async def record_response(values: dict, now: datetime, uow: UnitOfWork,
                          access: Access) -> uuid.UUID:
    """Staff record a response collected elsewhere (a call, a paper form), for a contact and
    optionally the invitation it answers, which it then closes."""
    require_create(access, RESPONSE, [f for f in values if f != "respondedAt"])
    _required(values, "survey", "contact")
    responded_at = check_responded_at(values.get("respondedAt") or now, now)
    refs = {f: values.get(f) for f in ("survey", "contact", "invitation")}
    async with uow:
        await check_references(RECORDED, {**refs, **one_about(values)}, uow)
        invitation = None
        if refs["invitation"] is not None:
            invitation = await _open_invitation(uow, refs["invitation"], now)
            if (invitation.values["survey"], invitation.values["contact"]) != (
                    refs["survey"], refs["contact"]):
                raise DomainError.one("invitation", ErrorCode.INVALID,
                                      "The invitation is to another survey or contact.")
        about = one_about(values) or {f: invitation.values.get(f) for f in ABOUT
                                      if invitation and invitation.values.get(f)}
        response = {**{k: v for k, v in refs.items() if v is not None}, **about,
                    **await _answered(uow, refs["survey"], values.get("answers") or [],
                                      values.get("comment")),
                    "channel": ResponseChannel.STAFF.value, "respondedAt": responded_at}
        new_id = await insert_audited(uow, RESPONSE, response, granted=("commentClass",))
        if invitation is not None:
            await _mark_responded(uow, invitation, refs["invitation"], now)
        await uow.commit()
    return new_id


async def classify_response(id: uuid.UUID, version: int, comment_class: CommentClass | None,
                            uow: UnitOfWork, access: Access) -> uuid.UUID:
    """Staff correct the class of a response's comment; it is then STAFF's, not the rules'."""
    require_writable_fields(access, RESPONSE, ["commentClass"])
    async with uow:
        locked = await lock_at_version(uow, RESPONSE, id, version,
                                       ("commentClass", "classifiedBy"))
        await update_audited(uow, RESPONSE, id, locked.values, {
            "commentClass": comment_class.value if comment_class else None,
            "classifiedBy": ClassifiedBy.STAFF.value}, "classify")
        await uow.commit()
    return id
