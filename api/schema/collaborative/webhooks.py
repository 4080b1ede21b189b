"""Webhook endpoints, their messages and delivery attempts; the queries and mutations that
manage them (admins only)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Annotated

import strawberry
from strawberry.scalars import JSON

from api.resolvers.common import get_record, mutate
from api.resolvers.plain import record_list
from api.schema import forms
from api.schema.declared_fields import declared
from api.schema.errors import UserError, user_errors
from api.schema.fields import check_readable, child_list, column, node_id, record_type, wrap
from api.schema.filters import order_input
from api.schema.ids import parse_id
from api.schema.operational.inputs import ArchiveInput, payload_errors_field, unset
from api.schema.record_inputs import record_filter, record_order_field
from api.schema.relay import (
    After,
    Before,
    Connection,
    First,
    Last,
    NodeId,
    Record,
    arg,
    connection,
    page_args,
)
from auth import webhook_secrets
from domain.errors import DomainError
from domain.services import webhooks as use
from domain.services.records import archive_record
from domain.webhooks import DEFAULT_GRACE, MessageStatus
from persistence.record_types import RECORD_TYPES
from persistence.webhook_store import messages_page
from persistence.webhooks import WEBHOOK_ATTEMPT, WEBHOOK_ENDPOINT, WEBHOOK_MESSAGE

Status = strawberry.enum(MessageStatus, description="Where a webhook message stands.")
NODE_TYPE_NAMES = tuple(r.name for r in RECORD_TYPES if r.node)


@record_type("WebhookAttempt")
@strawberry.type(description="One POST of a webhook message, and its answer or error.")
@declared(WEBHOOK_ATTEMPT)
class WebhookAttempt:
    data: strawberry.Private[dict]


@record_type("WebhookMessage")
@strawberry.type(description="One event for one endpoint: the body sent, and its delivery.")
@declared(WEBHOOK_MESSAGE)
class WebhookMessage:
    data: strawberry.Private[dict]

    payload: JSON | None = column("The body POSTed, as JSON.")
    attempts: list[WebhookAttempt] | None = child_list(
        "attempts", "WebhookAttempt", "Every attempt to deliver it, oldest first.")


@record_type("WebhookEndpoint")
@strawberry.type(description="A URL that receives signed events (Standard Webhooks), read as "
                             "its acting user or partner client may read them.")
@declared(WEBHOOK_ENDPOINT)
class WebhookEndpoint(Record):
    id: strawberry.ID = node_id("WebhookEndpoint")
    events: JSON | None = column("The events it hears: a list of {type, action, fields}; a "
                                 "null action hears every action, an empty fields list every "
                                 "change.")

    @strawberry.field(description="Its messages, newest first.")
    async def messages(
        self, info: strawberry.Info, first: First = None, after: After = None,
        last: Last = None, before: Before = None,
        status: Annotated[Status | None, arg("Only messages in this state.")] = None,
    ) -> Connection[WebhookMessage] | None:
        check_readable(info)
        request = page_args(info, first, after, last, before)
        ctx = info.context
        page = await messages_page(ctx.reader, ctx.access, self.data["id"],
                                   status.value if status else None, request)
        return connection(page, lambda row: wrap("WebhookMessage", row))


WebhookEndpointFilter = record_filter(WEBHOOK_ENDPOINT, WebhookEndpoint)
WebhookEndpointOrder = order_input(record_order_field(WEBHOOK_ENDPOINT), "WebhookEndpointOrder")


@strawberry.input(description="Which events an endpoint hears.")
class WebhookEventInput:
    type: str = strawberry.field(description="A record type, e.g. Contact.")
    action: str | None = strawberry.field(
        default=None, description="An action as in the audit trail (create, update, archive, "
                                  "…); null: every action.")
    fields: list[str] | None = strawberry.field(
        default=None, description="Only changes to one of these fields; null: every change.")


@strawberry.input(description="A new webhook endpoint: it acts as exactly one of a staff user "
                              "or a partner client.")
class WebhookEndpointCreateInput:
    url: str = strawberry.field(description="http(s) URL to POST to (https only in production).")
    events: list[WebhookEventInput] = strawberry.field(description="The events it hears.")
    acting_user: strawberry.ID | None = unset(
        "The staff user (an integration user) whose role and reach read the records.")
    partner_client: str | None = unset(
        "The partner client (pc_…) whose partner and scopes read the records.")
    active: bool | None = unset("Whether it receives events (default true).")


@strawberry.input(description="Changes to a webhook endpoint, at the version read.")
class WebhookEndpointUpdateInput:
    id: strawberry.ID = strawberry.field(description="The endpoint.")
    version: int = strawberry.field(description="The version you last read.")
    url: str | None = unset("A new URL.")
    events: list[WebhookEventInput] | None = unset("The events it hears now.")
    acting_user: strawberry.ID | None = unset("Act as this staff user instead.")
    partner_client: str | None = unset("Act as this partner client instead.")
    active: bool | None = unset("false stops deliveries; true resumes them and clears why "
                                "it was disabled.")


@strawberry.input(description="The endpoint that gets a new signing secret.")
class WebhookSecretRotateInput:
    id: strawberry.ID = strawberry.field(description="The endpoint.")
    version: int = strawberry.field(description="The version you last read.")
    grace_seconds: int = strawberry.field(
        default=int(DEFAULT_GRACE.total_seconds()),
        description="How long the previous secret still signs beside the new one (both "
                    "signatures in `webhook-signature`): default 86,400, at most 604,800.")


@strawberry.type(description="The result of a webhook endpoint mutation.")
class WebhookEndpointPayload:
    webhook_endpoint: WebhookEndpoint | None = strawberry.field(
        default=None, description="The endpoint as it is now.")
    secret: str | None = strawberry.field(
        default=None, description="On creation and rotation: the `whsec_` signing secret, "
                                  "shown this once.")
    errors: list[UserError] = payload_errors_field()


@strawberry.type(description="The result of a replay.")
class WebhookReplayPayload:
    queued: int = strawberry.field(default=0, description="How many messages were queued again.")
    errors: list[UserError] = payload_errors_field()


def _events(given) -> list[dict] | None:
    if given is strawberry.UNSET or given is None:
        return given
    return [{"type": e.type, "action": e.action, "fields": e.fields or []} for e in given]


def _values(input) -> dict:
    values = {}
    for name in ("url", "active", "partner_client"):
        if (value := getattr(input, name)) is not strawberry.UNSET:
            values["partnerClient" if name == "partner_client" else name] = value
    if input.events is not strawberry.UNSET:
        values["events"] = _events(input.events)
    if input.acting_user is not strawberry.UNSET:
        values["actingUser"] = (None if input.acting_user is None
                                else parse_id(input.acting_user, "User", "actingUser"))
    return values


class _Sealer:
    """Secrets sealed under the server's configured signing key."""

    def __init__(self, root) -> None:
        self.root = root

    def new_secret(self) -> str:
        return webhook_secrets.new_secret()

    def seal(self, endpoint_id: uuid.UUID, secret: str) -> bytes:
        return webhook_secrets.seal(self.root, endpoint_id, secret)


async def _with_secret(info: strawberry.Info, action) -> WebhookEndpointPayload:
    try:
        endpoint_id, secret = await action(_Sealer(info.context.tokens.ring.root))
    except DomainError as exc:
        return WebhookEndpointPayload(errors=user_errors(exc))
    payload = await mutate(info, WebhookEndpointPayload, "webhook_endpoint", "WebhookEndpoint",
                           _returning(endpoint_id))
    payload.secret = secret
    return payload


def _returning(value):
    async def done():
        return value
    return done


@strawberry.type
class WebhookQueries:
    @strawberry.field(description="A webhook endpoint by id; null when there is none you may "
                                  "see. Admins only.",
                      metadata=forms.compiled(forms.ById("WebhookEndpoint")))
    async def webhook_endpoint(self, info: strawberry.Info,
                               id: NodeId) -> WebhookEndpoint | None:
        return await get_record(info, "WebhookEndpoint", id)

    webhook_endpoints: Connection[WebhookEndpoint] = record_list(
        "WebhookEndpoint", node=WebhookEndpoint, filter_input=WebhookEndpointFilter,
        order_input=WebhookEndpointOrder, plural="webhook endpoints",
        description="The webhook endpoints; first/last run from 1 to 100 (default 20). "
                    "Admins only.")


@strawberry.type
class WebhookMutations:
    @strawberry.mutation(description="Add a webhook endpoint; its signing secret is returned "
                                      "this once. Admins only.")
    async def webhook_endpoint_create(
            self, info: strawberry.Info,
            input: Annotated[WebhookEndpointCreateInput, arg("The new endpoint.")]
    ) -> WebhookEndpointPayload:
        ctx = info.context
        return await _with_secret(info, lambda sealer: use.create_endpoint(
            _values(input), ctx.uow(), ctx.access, sealer, ctx.webhook_rules, NODE_TYPE_NAMES))

    @strawberry.mutation(description="Change a webhook endpoint. Admins only.")
    async def webhook_endpoint_update(
            self, info: strawberry.Info,
            input: Annotated[WebhookEndpointUpdateInput, arg("The endpoint and its changes.")]
    ) -> WebhookEndpointPayload:
        ctx = info.context
        return await mutate(info, WebhookEndpointPayload, "webhook_endpoint", "WebhookEndpoint",
                            lambda: use.update_endpoint(
                                parse_id(input.id, "WebhookEndpoint"), input.version,
                                _values(input), ctx.uow(), ctx.access, ctx.webhook_rules,
                                NODE_TYPE_NAMES))

    @strawberry.mutation(description="Archive a webhook endpoint: it receives nothing more, "
                                      "and its messages are kept. Admins only.")
    async def webhook_endpoint_archive(
            self, info: strawberry.Info, input: Annotated[ArchiveInput, arg("The endpoint.")]
    ) -> WebhookEndpointPayload:
        ctx = info.context
        return await mutate(info, WebhookEndpointPayload, "webhook_endpoint", "WebhookEndpoint",
                            lambda: archive_record(use.KIND, parse_id(input.id, "WebhookEndpoint"),
                                                   input.version, ctx.uow(), ctx.access))

    @strawberry.mutation(description="A new signing secret, returned this once; the previous "
                                      "one keeps signing for the grace period. Admins only.")
    async def webhook_secret_rotate(
            self, info: strawberry.Info,
            input: Annotated[WebhookSecretRotateInput, arg("The endpoint.")]
    ) -> WebhookEndpointPayload:
        ctx = info.context
        return await _with_secret(info, lambda sealer: use.rotate_secret(
            parse_id(input.id, "WebhookEndpoint"), input.version,
            timedelta(seconds=input.grace_seconds), ctx.clock(), ctx.uow(), ctx.access, sealer))

    @strawberry.mutation(description="Send one message again, with the same `webhook-id`. "
                                      "Admins only.")
    async def webhook_replay(
            self, info: strawberry.Info,
            endpoint_id: Annotated[strawberry.ID, arg("The endpoint.")],
            message_id: Annotated[str, arg("The message's `webhook-id` (msg_…).")],
    ) -> WebhookReplayPayload:
        return await _replay(info, endpoint_id, message_id, None)

    @strawberry.mutation(description="Send again every message of an endpoint made since a "
                                      "time, each with its own `webhook-id`. Admins only.")
    async def webhook_replay_since(
            self, info: strawberry.Info,
            endpoint_id: Annotated[strawberry.ID, arg("The endpoint.")],
            since: Annotated[datetime, arg("Messages made at or after this time.")],
    ) -> WebhookReplayPayload:
        return await _replay(info, endpoint_id, None, since)


async def _replay(info, endpoint_id, message_id, since) -> WebhookReplayPayload:
    ctx = info.context
    try:
        queued = await use.replay(parse_id(endpoint_id, "WebhookEndpoint", "endpointId"),
                                  message_id, since, ctx.uow(), ctx.access)
    except DomainError as exc:
        return WebhookReplayPayload(errors=user_errors(exc))
    return WebhookReplayPayload(queued=queued)

