"""Surveys, the invitations to answer them, and the responses.

Answers are kept as JSONB on the response, [{key, value, dimension?, aspect?}], beside the
main question's value in `score` (NPS, CSAT, CES) for fast SQL. A child table of answers
(survey_answer) was weighed and not taken: a response is written once, as one record with
one audit entry, read whole, and changed never (only its comment's class changes); a second
table would be a second declaration, policy rows and loaders for no reader of its own. SQL
still aggregates per answer: each SERVQUAL answer carries its question's dimension and
aspect, so the gap per dimension is one `jsonb_array_elements` away:

    SELECT a->>'dimension', avg((a->>'value')::int) FILTER (WHERE a->>'aspect' = 'PERCEPTION')
         - avg((a->>'value')::int) FILTER (WHERE a->>'aspect' = 'EXPECTATION')
    FROM survey_response r, jsonb_array_elements(r.answers) a
    WHERE r.survey_id = $1 AND r.archived_at IS NULL GROUP BY 1

What a response or invitation is about is at most one of a case, an order or a product: three
references rather than one of several types, so that each is read under its own rule (a
customer reads its own case and order). One invitation per survey, contact and what it is
about (a unique index), so that the worker may invite twice and write once.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, Index, Text, text
from sqlmodel import Field

from domain.access import Access, RecordRule
from domain.survey_comments import ClassifiedBy, CommentClass
from domain.surveys import (
    InvitationStatus,
    ResponseChannel,
    SurveyKind,
    SurveyTrigger,
)
from persistence.base import Stamped, jsonb, one_of, utc_column
from persistence.declaration import PROVENANCE, RecordType, col, meta, ref
from persistence.sql import Builder

ABOUT_COLUMNS = "case_id, order_id, product_id"


class SurveyRow(Stamped, table=True):
    __tablename__ = "survey"
    __table_args__ = (
        Index("ix_survey_name_id", "name", "id"),
        one_of("kind", SurveyKind),
        one_of("trigger", SurveyTrigger),
        CheckConstraint("(trigger = 'EVERY_N_DAYS') = (every_days IS NOT NULL)",
                        name="every_days"),
    )

    name: str = Field(max_length=200)
    kind: str = Field(max_length=12)
    questions: list = Field(default_factory=list, **jsonb())
    trigger: str = Field(default=SurveyTrigger.MANUAL.value, max_length=20)
    every_days: int | None = None
    active: bool = Field(default=True, sa_column_kwargs={"server_default": "true"})


class SurveyInvitationRow(Stamped, table=True):
    __tablename__ = "survey_invitation"
    __table_args__ = (
        Index("uq_survey_invitation_about", "survey_id", "contact_id",
              text(f"coalesce({ABOUT_COLUMNS})"), unique=True,
              postgresql_where=text(f"num_nonnulls({ABOUT_COLUMNS}) > 0")),
        Index("ix_survey_invitation_contact_created", "contact_id", "created_at", "id"),
        Index("ix_survey_invitation_survey_contact_created", "survey_id", "contact_id",
              "created_at"),
        Index("ix_survey_invitation_pending_expires", "expires_at",
              postgresql_where=text("status = 'PENDING'")),
        Index("ix_survey_invitation_created_id", "created_at", "id"),
        one_of("status", InvitationStatus),
        CheckConstraint(f"num_nonnulls({ABOUT_COLUMNS}) <= 1", name="about"),
    )

    survey_id: uuid.UUID = Field(foreign_key="survey.id")
    contact_id: uuid.UUID = Field(foreign_key="contact.id")
    case_id: uuid.UUID | None = Field(default=None, foreign_key="service_case.id")
    order_id: uuid.UUID | None = Field(default=None, foreign_key="sales_order.id")
    product_id: uuid.UUID | None = Field(default=None, foreign_key="product.id")
    status: str = Field(default=InvitationStatus.PENDING.value, max_length=10)
    expires_at: datetime = Field(**utc_column(server_default=None))
    responded_at: datetime | None = Field(default=None, **utc_column(nullable=True,
                                                                      server_default=None))


class SurveyResponseRow(Stamped, table=True):
    __tablename__ = "survey_response"
    __table_args__ = (
        Index("ix_survey_response_survey_responded", "survey_id", "responded_at", "id"),
        Index("ix_survey_response_contact_responded", "contact_id", "responded_at", "id"),
        Index("ix_survey_response_created_id", "created_at", "id"),
        # customerKpis reads the live responses of a window, whatever the survey.
        Index("ix_survey_response_responded", "responded_at",
              postgresql_where=text("archived_at IS NULL")),
        one_of("channel", ResponseChannel),
        one_of("comment_class", CommentClass),
        one_of("classified_by", ClassifiedBy),
        CheckConstraint(f"num_nonnulls({ABOUT_COLUMNS}) <= 1", name="about"),
    )

    survey_id: uuid.UUID = Field(foreign_key="survey.id")
    contact_id: uuid.UUID = Field(foreign_key="contact.id")
    # One response per invitation: the invitation's link and portal answer it once.
    invitation_id: uuid.UUID | None = Field(default=None, foreign_key="survey_invitation.id",
                                            unique=True)
    case_id: uuid.UUID | None = Field(default=None, foreign_key="service_case.id")
    order_id: uuid.UUID | None = Field(default=None, foreign_key="sales_order.id")
    product_id: uuid.UUID | None = Field(default=None, foreign_key="product.id")
    answers: list = Field(default_factory=list, **jsonb())
    score: int | None = None
    comment: str | None = Field(default=None, sa_type=Text)
    comment_class: str | None = Field(default=None, max_length=10)
    classified_by: str | None = Field(default=None, max_length=10)
    channel: str = Field(max_length=10)
    responded_at: datetime = Field(**utc_column())


def _own(t: str, access: Access, b: Builder) -> str:
    """A customer's own invitations and responses."""
    return f"{t}.contact_id = {b.bind(access.contact_id)}"


def _invited(t: str, access: Access, b: Builder) -> str:
    """A customer reads the surveys it is invited to, to answer them."""
    return (f"EXISTS (SELECT 1 FROM survey_invitation i WHERE i.survey_id = {t}.id "
            f"AND i.contact_id = {b.bind(access.contact_id)} AND i.archived_at IS NULL)")


def _about(doc: str) -> tuple:
    return (ref("case", target="Case", filterable=True, doc=f"The case {doc}, if any."),
            ref("order", target="Order", filterable=True, doc=f"The order {doc}, if any."),
            ref("product", target="Product", filterable=True,
                doc=f"The product {doc}, if any."))


SURVEY = RecordType(
    name="Survey",
    table=SurveyRow.__table__,
    groups={
        "meta": meta(sortable=("createdAt",)),
        "provenance": PROVENANCE,
        "content": (
            col("name", sortable=True, doc="Name, e.g. `CSAT after a case`."),
            col("kind", filterable=True, enum=SurveyKind,
                doc="NPS, CSAT, CES, SERVQUAL or CUSTOM; it never changes."),
            col("questions"),
        ),
        "trigger": (
            col("trigger", filterable=True, enum=SurveyTrigger,
                doc="When the worker invites people to answer."),
            col("everyDays", doc="For EVERY_N_DAYS: a contact is invited again this many "
                                 "days after its last invitation."),
            col("active",
                doc="Whether the worker invites to it; an inactive survey still takes "
                    "answers to invitations already sent."),
        ),
    },
    rules={RecordRule.SELF: _invited},
)
SURVEY_INVITATION = RecordType(
    name="SurveyInvitation",
    table=SurveyInvitationRow.__table__,
    groups={
        "meta": meta(filterable=True, sortable=("createdAt",)),
        "provenance": PROVENANCE,
        "all": (
            ref("survey", target="Survey", filterable=True, doc="The survey to answer."),
            ref("contact", target="Contact", filterable=True, doc="Who is invited."),
            *_about("it asks about"),
            col("status", filterable=True, enum=InvitationStatus, derived=True,
                doc="PENDING until answered (RESPONDED) or past expiresAt (EXPIRED)."),
            col("expiresAt", derived=True, sortable=True,
                doc="After this it can no longer be answered."),
            col("respondedAt", derived=True, doc="When it was answered."),
        ),
    },
    rules={RecordRule.SELF: _own},
    unique={"uq_survey_invitation_about": "contact"},
)
SURVEY_RESPONSE = RecordType(
    name="SurveyResponse",
    table=SurveyResponseRow.__table__,
    groups={
        "meta": meta(filterable=True, sortable=("createdAt",)),
        "provenance": PROVENANCE,
        "answers": (
            ref("survey", target="Survey", filterable=True, doc="The survey answered."),
            ref("contact", target="Contact", filterable=True, doc="Who answered."),
            ref("invitation", target="SurveyInvitation",
                doc="The invitation it answers; null when staff recorded it without one."),
            *_about("it is about"),
            col("answers"),
            col("score", derived=True, sortable=True,
                doc="The main question's value for NPS, CSAT and CES; null for the others."),
            col("comment", doc="What the person wrote, as written."),
            col("channel", filterable=True, enum=ResponseChannel, derived=True,
                doc="How it came: the portal, a signed link, staff, or an import."),
            col("respondedAt", derived=True, sortable=True, doc="When it was answered."),
        ),
        "classification": (
            col("commentClass", filterable=True, enum=CommentClass,
                doc="ERROR (a complaint), WISH (a feature request) or QUESTION; null when "
                    "the comment is none of them, or there is none."),
            col("classifiedBy", enum=ClassifiedBy, derived=True,
                doc="AUTO: by the rules; STAFF: corrected by staff."),
        ),
    },
    rules={RecordRule.SELF: _own},
    unique={"uq_survey_response_invitation_id": "invitation"},
)
