"""Webhooks: endpoints, the messages each event makes for them, and every delivery attempt.

An endpoint's signing secrets are sealed (auth/webhook_secrets.py) in columns that no field
declares, so no read of the API can select them. Messages and attempts are written by the
dispatcher and the delivery job (persistence/webhook_store.py), never by a client, and are
read through their endpoint only.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, Column, Index, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field

from domain.webhooks import MessageStatus
from persistence.base import Stamped, jsonb, one_of, utc_column
from persistence.declaration import (
    PROVENANCE,
    Children,
    RecordType,
    col,
    meta,
    ref,
    rel,
)
from persistence.spec import through_parent


class WebhookEndpointRow(Stamped, table=True):
    """Where events go, which ones, and as whom they are read."""

    __tablename__ = "webhook_endpoint"

    url: str = Field(max_length=2000)
    events: list = Field(default_factory=list, **jsonb())
    active: bool = Field(default=True, sa_column_kwargs={"server_default": "true"})
    # Exactly one of the two: a staff user whose role and reach read the records, or a
    # partner client whose partner and scopes do.
    acting_user_id: uuid.UUID | None = Field(default=None, foreign_key="app_user.id")
    partner_client: str | None = Field(default=None, max_length=64,
                                       foreign_key="partner_client.client_id")
    disabled_reason: str | None = Field(default=None, max_length=500)
    # When the current run of failed deliveries began; None while deliveries succeed.
    failing_since: datetime | None = Field(default=None, **utc_column(nullable=True,
                                                                       server_default=None))
    secret_sealed: bytes = Field(sa_type=LargeBinary)
    previous_secret_sealed: bytes | None = Field(default=None, sa_type=LargeBinary)
    previous_secret_until: datetime | None = Field(
        default=None, **utc_column(nullable=True, server_default=None))


class WebhookMessageRow(Stamped, table=True):
    """One event for one endpoint: its payload, and where its delivery stands."""

    __tablename__ = "webhook_message"
    __table_args__ = (
        UniqueConstraint("endpoint_id", "seq"),  # each event makes each message once
        Index("ix_webhook_message_endpoint_created", "endpoint_id", "created_at", "id"),
        one_of("status", MessageStatus),
    )

    endpoint_id: uuid.UUID = Field(foreign_key="webhook_endpoint.id")
    message_id: str = Field(max_length=40, unique=True)
    seq: int | None = Field(default=None, sa_column=Column(BigInteger))
    event_type: str = Field(max_length=80)
    payload: dict = Field(default_factory=dict, **jsonb())
    status: str = Field(default=MessageStatus.PENDING.value, max_length=10)
    attempts: int = 0
    # The job that made the attempt in flight: that job alone may finish it after a restart.
    claimed_job: int | None = Field(default=None, sa_column=Column(BigInteger))
    next_attempt_at: datetime | None = Field(default=None, **utc_column(nullable=True,
                                                                         server_default=None))
    delivered_at: datetime | None = Field(default=None, **utc_column(nullable=True,
                                                                      server_default=None))


class WebhookAttemptRow(Stamped, table=True):
    """One POST of a message: its answer, or why there was none."""

    __tablename__ = "webhook_attempt"
    __table_args__ = (Index("ix_webhook_attempt_message_created", "message_id", "created_at",
                            "id"),)

    message_id: uuid.UUID = Field(foreign_key="webhook_message.id")
    number: int
    response_status: int | None = None
    duration_ms: int
    response_body: str | None = Field(default=None, sa_column=Column(Text))
    error: str | None = Field(default=None, sa_column=Column(Text))


WEBHOOK_ENDPOINT = RecordType(
    name="WebhookEndpoint",
    table=WebhookEndpointRow.__table__,
    groups={
        "all": (
            *meta(sortable=("createdAt",)),
            col("url", sortable=True, doc="Where deliveries are POSTed."),
            col("events"),
            col("active", doc="Whether it receives events; false after a "
                                               "410 Gone or five days of failures."),
            ref("actingUser", target="User", doc="The staff user whose role and reach read "
                                                 "its records, when it acts as a user."),
            col("partnerClient", doc="The partner client whose partner and scopes read its "
                                     "records, when it acts as a partner client."),
            col("disabledReason", derived=True, doc="Why it was disabled, if it was."),
            col("failingSince", derived=True, doc="Since when its deliveries have failed "
                                                  "without a success; null when they succeed."),
            col("previousSecretUntil", derived=True,
                doc="After a rotation: until when the previous secret still signs too."),
            rel("messages", resolver_only="a connection filtered by status, newest first, "
                                          "read by its resolver"),
            *PROVENANCE,
        ),
    },
    # Written by the use cases alone, and read by no field: the sealed signing secrets.
    stored=(col("secretSealed"), col("previousSecretSealed")),
)
WEBHOOK_MESSAGE = RecordType(
    name="WebhookMessage",
    table=WebhookMessageRow.__table__,
    groups={
        "all": (
            col("id"),
            col("createdAt", doc="When the event made it."),
            col("messageId", doc="Its `webhook-id`, the same on every attempt: receivers "
                                 "drop a message they have already seen by it."),
            col("seq", doc="The change feed's number of its event."),
            col("eventType", doc="`<Type>.<action>`, e.g. `Contact.update`."),
            col("payload"),
            col("status", enum=MessageStatus, doc="Where it stands."),
            col("attemptCount", "attempts", doc="How many attempts were made."),
            col("nextAttemptAt", doc="When it is tried next, while PENDING."),
            col("deliveredAt", doc="When a 2xx answered it."),
            rel("attempts", Children("WebhookAttempt", "message_id", ("created_at", "id"))),
        ),
    },
    node=False,
    visibility=through_parent,
)
WEBHOOK_ATTEMPT = RecordType(
    name="WebhookAttempt",
    table=WebhookAttemptRow.__table__,
    groups={
        "all": (
            col("id"),
            col("at", "created_at", doc="When it was made."),
            col("number", doc="1 for the first attempt."),
            col("responseStatus", doc="The HTTP status answered; null when none was."),
            col("durationMs", doc="Milliseconds from connecting to the answer or the error."),
            col("responseBody", doc="The first kilobyte of the answer."),
            col("error", doc="Why it failed without an answer, or was refused."),
        ),
    },
    node=False,
    visibility=through_parent,
)
