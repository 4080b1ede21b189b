"""Activities and their attendees, call scripts, and per-user calendar feeds."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, Index, UniqueConstraint
from sqlmodel import Field

from domain.access import Access, RecordRule
from domain.activities import ActivityKind, CallOutcome, Direction, TaskPriority, TaskStatus
from domain.cases import Visibility
from domain.comments import CommentableKind
from persistence.base import Stamped, jsonb, one_of, utc_column, within_range
from persistence.comments import on_a_readable_record
from persistence.db import Transaction
from persistence.declaration import (
    PROVENANCE,
    Children,
    RecordType,
    col,
    input_only,
    meta,
    ref,
    rel,
)
from persistence.spec import read_sql, through_parent, write_sql
from persistence.sql import Builder
from persistence.territories import owned_or_in_territory


class ActivityRow(Stamped, table=True):
    __tablename__ = "activity"
    __table_args__ = (
        Index("ix_activity_contact_id_at_id", "contact_id", "at", "id"),
        Index("ix_activity_account_id_at_id", "account_id", "at", "id"),
        Index("ix_activity_lead_id_at_id", "lead_id", "at", "id"),
        Index("ix_activity_opportunity_id_at_id", "opportunity_id", "at", "id"),
        Index("ix_activity_case_id_at_id", "case_id", "at", "id"),
        Index("ix_activity_record_id_at_id", "record_id", "at", "id"),
        Index("ix_activity_assignee_id_status_due_at", "assignee_id", "status", "due_at"),
        Index("ix_activity_owner_id_starts_at", "owner_id", "starts_at"),
        one_of("kind", ActivityKind), one_of("direction", Direction),
        one_of("outcome", CallOutcome), one_of("priority", TaskPriority),
        one_of("status", TaskStatus), one_of("visibility", Visibility),
        one_of("record_type", CommentableKind),
        CheckConstraint("(kind = 'COMMENT') = (record_id IS NOT NULL AND record_type IS NOT "
                        "NULL)", name="comment_record"),
        CheckConstraint("num_nonnulls(contact_id, account_id, lead_id, opportunity_id) > 0",
                        name="subject"),
        *(within_range(c) for c in ("at", "starts_at", "ends_at", "due_at", "reminder_at")),
    )

    kind: str = Field(max_length=10)
    # Where it sits on a timeline: when it happened, starts, or is due.
    at: datetime = Field(**utc_column())
    subject: str | None = Field(default=None, max_length=300)
    body: str | None = None
    contact_id: uuid.UUID | None = Field(default=None, foreign_key="contact.id")
    account_id: uuid.UUID | None = Field(default=None, foreign_key="account.id")
    lead_id: uuid.UUID | None = Field(default=None, foreign_key="lead.id")
    opportunity_id: uuid.UUID | None = Field(default=None, foreign_key="opportunity.id")
    owner_id: uuid.UUID | None = Field(default=None, foreign_key="app_user.id")
    territory_id: uuid.UUID | None = Field(default=None, foreign_key="territory.id")
    direction: str | None = Field(default=None, max_length=10)
    duration_seconds: int | None = None
    outcome: str | None = Field(default=None, max_length=20)
    call_script_id: uuid.UUID | None = Field(default=None, foreign_key="call_script.id")
    message_id: str | None = Field(default=None, max_length=300)
    starts_at: datetime | None = Field(default=None, **utc_column(nullable=True, server_default=None))
    ends_at: datetime | None = Field(default=None, **utc_column(nullable=True, server_default=None))
    location: str | None = Field(default=None, max_length=300)
    due_at: datetime | None = Field(default=None, **utc_column(nullable=True, server_default=None))
    reminder_at: datetime | None = Field(default=None,
                                         **utc_column(nullable=True, server_default=None))
    priority: str | None = Field(default=None, max_length=10)
    status: str | None = Field(default=None, max_length=10)
    assignee_id: uuid.UUID | None = Field(default=None, foreign_key="app_user.id")
    # A comment on a case, and who may read it: staff only, or the customer too.
    case_id: uuid.UUID | None = Field(default=None, foreign_key="service_case.id")
    visibility: str | None = Field(default=None, max_length=10)
    # A comment: the one record it is on, of any kind that takes comments.
    record_type: str | None = Field(default=None, max_length=20)
    record_id: uuid.UUID | None = None


class AttendeeRow(Stamped, table=True):
    """A user or a contact invited to a meeting."""

    __tablename__ = "activity_attendee"
    __table_args__ = (
        UniqueConstraint("activity_id", "user_id", "contact_id"),
        Index("ix_activity_attendee_user_id", "user_id"),
        Index("ix_activity_attendee_contact_id", "contact_id"),  # read when contacts merge
        CheckConstraint("num_nonnulls(user_id, contact_id) = 1", name="who"),
    )

    activity_id: uuid.UUID = Field(foreign_key="activity.id")
    user_id: uuid.UUID | None = Field(default=None, foreign_key="app_user.id")
    contact_id: uuid.UUID | None = Field(default=None, foreign_key="contact.id")


class CallScriptRow(Stamped, table=True):
    """Standard questions and answers for telesales."""

    __tablename__ = "call_script"

    name: str = Field(max_length=200, unique=True)
    # [{"question": "...", "answers": ["...", ...]}]
    questions: list = Field(default_factory=list, **jsonb())


class CalendarFeedRow(Stamped, table=True):
    """A user's secret calendar address; only a hash of the secret is kept."""

    __tablename__ = "calendar_feed"

    user_id: uuid.UUID = Field(foreign_key="app_user.id", unique=True)
    secret_hash: str = Field(max_length=64, unique=True)


def _customer_visible_on_own_case(t: str, access: Access, b: Builder) -> str:
    return (f"{t}.visibility = 'CUSTOMER' AND EXISTS (SELECT 1 FROM service_case own WHERE "
            f"own.id = {t}.case_id AND own.contact_id = {b.bind(access.contact_id)})")


ACTIVITY = RecordType(
    name="Activity",
    table=ActivityRow.__table__,
    groups={
        "meta": meta(),
        "provenance": PROVENANCE,
        "message": (
            col(
                "kind", filterable=True, enum=ActivityKind,
                doc="CALL, EMAIL, MEETING, TASK, NOTE or COMMENT (on any record: commentCreate).",
            ),
            col("at", filterable=True, doc="Its place on a timeline: when it happened, starts or is due."),
            col("subject", filterable=True, doc="Subject or title."),
            col("body", doc="Text: notes of a call, an email's excerpt, a note, a comment's Markdown."),
            ref("case", filterable=True, target="Case", doc="Comments: the case it is on."),
            col(
                "visibility", filterable=True, enum=Visibility,
                doc="Comments: INTERNAL (staff only) or CUSTOMER (the customer reads it too).",
            ),
        ),
        "work": (
            input_only("occurredAt", "when a logged call or email took place, stored as `at`"),
            ref("contact", filterable=True, target="Contact", doc="The contact it concerns."),
            ref("account", filterable=True, target="Account", doc="The account it concerns."),
            ref("lead", filterable=True, target="Lead", doc="The lead it concerns."),
            ref("opportunity", filterable=True, target="Opportunity", doc="The deal it concerns."),
            ref("owner", filterable=True, target="User", doc="Who logged or organised it."),
            col("direction", enum=Direction, doc="Calls and emails: inbound or outbound."),
            col("durationSeconds", doc="Calls: how long, in seconds."),
            col("outcome", enum=CallOutcome, doc="Calls: how it went."),
            ref("callScript", target="CallScript", doc="Calls: the script followed."),
            col("messageId", doc="Emails: the Message-ID header."),
            col("startsAt", filterable=True, doc="Meetings (and tasks that have one): the start."),
            col("endsAt", doc="Meetings: the end."),
            col("location", doc="Meetings: where."),
            rel("attendees", Children("Attendee", "activity_id", ("created_at", "id"))),
            col("dueAt", filterable=True, doc="Tasks: when it is due."),
            col("reminderAt", doc="Tasks: when to remind the assignee."),
            col("priority", filterable=True, enum=TaskPriority, doc="Tasks: LOW, NORMAL or HIGH."),
            col("status", filterable=True, enum=TaskStatus, doc="Tasks: OPEN, DONE or CANCELLED."),
            ref("assignee", filterable=True, target="User", doc="Tasks: who does it."),
        ),
    },
    stored=(ref("territory"), col("recordType"), col("recordId")),
    rules={RecordRule.OWNED_OR_TERRITORY: owned_or_in_territory,
           RecordRule.SELF: _customer_visible_on_own_case},
    requires=on_a_readable_record,
)
ATTENDEE = RecordType(
    name="Attendee",
    table=AttendeeRow.__table__,
    groups={
        "all": (
            col("id"),
            ref("user", target="User", doc="The member of staff, if it is one."),
            ref("contact", target="Contact", doc="The contact, if it is one."),
        ),
    },
    node=False,
    visibility=through_parent,
)
CALL_SCRIPT = RecordType(
    name="CallScript",
    table=CallScriptRow.__table__,
    groups={
        "all": (
            *meta(),
            col("name", filterable=True, doc="Name, unique."),
            col("questions"),
            *PROVENANCE,
        ),
    },
    unique={"uq_call_script_name": "name"},
)


class ActivityStore:
    """Implements domain.ports.ActivityStore: attendees, the timeline's subject, feeds."""

    def __init__(self, tx: Transaction, access: Access) -> None:
        self.tx = tx
        self.access = access
        self.actor = str(access.actor)

    async def set_attendees(self, activity_id: uuid.UUID, people: list[tuple[str, uuid.UUID]]
                            ) -> None:
        """Replace a meeting's attendees with (type, id) pairs of users and contacts."""
        b = Builder()
        await self.tx.value(f"DELETE FROM activity_attendee WHERE activity_id = "
                            f"{b.bind(activity_id)}", b.params)
        for kind, person in people:
            b = Builder()
            column = "user_id" if kind == "User" else "contact_id"
            actor = b.bind(self.actor)
            await self.tx.value(
                f"INSERT INTO activity_attendee (id, activity_id, {column}, created_by, "
                f"updated_by) VALUES ({b.bind(uuid.uuid4())}, {b.bind(activity_id)}, "
                f"{b.bind(person)}, {actor}, {actor})", b.params)

    async def lead_activities(self, lead_id: uuid.UUID) -> list[dict]:
        """Every activity on a lead, archived ones too, locked: its id, contact and account,
        and whether the caller may change it."""
        b = Builder()
        writable = write_sql(ACTIVITY.spec, self.access, "t", b)
        return await self.tx.rows(
            f"SELECT t.id, t.contact_id AS contact, t.account_id AS account, "
            f"{writable} AS writable FROM activity t WHERE t.lead_id = {b.bind(lead_id)} "
            f"ORDER BY t.id FOR UPDATE OF t", b.params)

    async def move_lead_activities(self, lead_id: uuid.UUID, contact_id: uuid.UUID,
                                   account_id: uuid.UUID) -> int:
        """A converted lead's activities now concern its contact and account too."""
        b = Builder()
        rows = await self.tx.rows(
            f"UPDATE activity SET contact_id = {b.bind(contact_id)}, account_id = "
            f"{b.bind(account_id)}, version = version + 1, updated_at = now(), "
            f"updated_by = {b.bind(self.actor)} WHERE lead_id = {b.bind(lead_id)} RETURNING id",
            b.params)
        return len(rows)

    async def set_feed(self, user_id: uuid.UUID, secret_hash: str) -> None:
        b = Builder()
        actor = b.bind(self.actor)
        await self.tx.value(
            f"INSERT INTO calendar_feed (id, user_id, secret_hash, created_by, updated_by) "
            f"VALUES ({b.bind(uuid.uuid4())}, {b.bind(user_id)}, {b.bind(secret_hash)}, "
            f"{actor}, {actor}) ON CONFLICT (user_id) DO UPDATE SET secret_hash = "
            f"excluded.secret_hash, version = calendar_feed.version + 1, updated_at = now()",
            b.params)

    async def comment(self, comment_id: uuid.UUID) -> dict | None:
        """A comment the caller may see, locked: its record, body, author, version and
        whether it is archived."""
        b = Builder()
        rows = await self.tx.rows(
            f"SELECT t.record_type AS \"recordType\", t.record_id AS \"recordId\", t.body, "
            f"t.created_by AS author, t.version, t.archived_at IS NOT NULL AS archived "
            f"FROM activity t WHERE t.id = {b.bind(comment_id)} AND t.kind = 'COMMENT' AND "
            f"{read_sql(ACTIVITY.spec, self.access, 't', b)} FOR UPDATE OF t", b.params)
        return rows[0] if rows else None
