"""Webhooks in the worker: the dispatcher turns change-feed events into messages, and the
delivery job POSTs each message, signed as the Standard Webhooks spec says.

**Dispatch.** One dispatcher at a time (a row lock on the one-row cursor table, taken with
SKIP LOCKED) reads the events after its cursor; for each active endpoint that wants an event,
it reads the record as the endpoint's acting user or partner client may read it, and when it
may, writes the message and its delivery job in the transaction that moves the cursor on: each
event makes each message exactly once. The worker's feed listener wakes it, and a schedule
sweeps in case a wake-up was missed.

**Delivery.** At least once: a message's attempt is claimed before the POST and recorded
after it, with the next attempt's job in the same transaction. A worker killed in between
leaves the job to pgqueuer, which gives it to another worker once the heartbeat stops; that
job may claim the same attempt again, and sends the same `webhook-id`.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import time
import uuid
from datetime import UTC, datetime

import httpx
import orjson
from standardwebhooks import Webhook

from api.schema.ids import to_global_id
from api.webhook_targets import Refused, pinned_request
from api.worker import JobContext, JobRun
from auth.grants import access_for
from auth.principal import Principal
from auth.webhook_secrets import unseal
from domain.access import SYSTEM, Role
from domain.webhooks import (
    DISABLE_AFTER,
    RESPONSE_KEPT,
    MessageStatus,
    WebhookRules,
    new_message_id,
    retry_delay,
    wants,
)
from persistence import changes, feed_cursors, webhook_store
from persistence.db import Reader, Statement, Transaction
from persistence.loaders import Loaders

log = logging.getLogger("crm.webhooks")
SYSTEM_ACCESS = access_for(Role.ADMIN, SYSTEM)
BATCH = 500
# The dispatcher's place in the change feed (persistence/feed_cursors.py).
CURSOR = "webhooks"


@dataclasses.dataclass(frozen=True)
class WebhookConfig:
    """What the delivery job needs beyond the database: the key that seals the secrets."""

    root_key: object
    rules: WebhookRules
    timeout: float
    http: httpx.AsyncClient  # delivery_client(timeout), closed when the worker stops


def delivery_client(timeout: float) -> httpx.AsyncClient:
    """The client a worker's deliveries share: making one costs about 30 ms of CPU (its TLS
    context), more than a delivery itself. No connection is kept between deliveries: one
    kept for a pinned address could carry another host name's request over a TLS session
    verified for the first name, and httpcore's pool, checking every kept connection for
    every request, cost more CPU than new local connections in the bench."""
    return httpx.AsyncClient(timeout=timeout, follow_redirects=False,
                             limits=httpx.Limits(max_keepalive_connections=0))


def _principal(endpoint: dict) -> Principal | None:
    if endpoint["acting_user_id"] is not None:
        if endpoint["user_role"] is None:
            return None
        return Principal.staff(Role(endpoint["user_role"]), endpoint["acting_user_id"])
    if endpoint["partner_id"] is None:
        return None
    return Principal.partner(endpoint["partner_id"], endpoint["scopes"] or ())


def _jsonable(value):
    if isinstance(value, uuid.UUID):
        return str(value)
    return str(value)


def _message(endpoint: dict, event: changes.ChangeEvent, record: dict, access) -> dict:
    fields = [f for f in event.fields if access.can_read(event.record_type, f)]
    body = {"type": f"{event.record_type}.{event.action}",
            "timestamp": event.at.astimezone(UTC).isoformat(),
            "data": {"seq": event.seq, "recordType": event.record_type,
                     "recordId": to_global_id(event.record_type, event.record_id),
                     "action": event.action, "fields": fields,
                     "record": {**record, "id": to_global_id(event.record_type, event.record_id)}}}
    return {"endpoint_id": endpoint["id"], "seq": event.seq, "message_id": new_message_id(),
            "event_type": body["type"],
            "payload": orjson.loads(orjson.dumps(body, default=_jsonable))}


async def dispatch(engine) -> int:
    """Turn the events after the cursor into messages, a batch per transaction, until caught
    up or another dispatcher holds the cursor; how many messages were written."""
    reader, written = Reader(engine, announced=False), 0
    while True:
        async with Transaction(engine) as tx:
            cursor = await feed_cursors.claim(tx, CURSOR)
            if cursor is None:
                return written
            events = await changes.events_after(reader, cursor, BATCH)
            if not events:
                return written
            endpoints = await webhook_store.listening_endpoints(tx)
            messages = []
            for endpoint in endpoints:
                principal = _principal(endpoint)
                if principal is None:
                    continue
                access = principal.access()
                loaders = Loaders(reader, access)
                # An endpoint hears what happens from its creation on, however far behind
                # the dispatcher is.
                heard = [e for e in events if e.at >= endpoint["created_at"]
                         and wants(endpoint["events"], e.record_type, e.action, e.fields)]
                # Loaded together, the records of a type come in one query per batch.
                records = await asyncio.gather(*(
                    loaders.by_id(e.record_type).load(e.record_id) for e in heard))
                messages.extend(_message(endpoint, event, record, access)
                                for event, record in zip(heard, records, strict=True)
                                if record is not None)
            written += await webhook_store.add_messages(tx, messages)
            await feed_cursors.advance(tx, CURSOR, events[-1].seq)
            await tx.commit()


def _headers(config: WebhookConfig, message: dict) -> dict[str, str]:
    now = datetime.now(UTC)
    secrets = [message["secret_sealed"]]
    if message["previous_signs"] and message["previous_secret_sealed"]:
        secrets.append(message["previous_secret_sealed"])
    signatures = [Webhook(unseal(config.root_key, message["endpoint_id"], bytes(s))).sign(
        message["message_id"], now, message["body"]) for s in secrets]
    return {"webhook-id": message["message_id"], "webhook-timestamp": str(int(now.timestamp())),
            "webhook-signature": " ".join(signatures), "content-type": "application/json",
            "user-agent": "headless-crm-webhooks"}


async def deliver(context: JobContext, run: JobRun) -> None:
    """The delivery job: one attempt of one message."""
    config: WebhookConfig = context.webhooks
    message = await webhook_store.claim(Statement(context.engine),
                                        uuid.UUID(run.payload["message"]),
                                        run.payload["attempt"], run.id)
    if message is None:
        return  # another job made this attempt, or the message is settled
    if not message["sendable"]:
        await webhook_store.skip_pending(Statement(context.engine), message["id"])
        return
    status = body = error = None
    started = time.monotonic()
    try:
        # The client's timeout bounds each read and write; this one the whole exchange, so
        # that a receiver sending a byte at a time cannot hold the delivery longer.
        async with asyncio.timeout(config.timeout):
            response = await pinned_request(config.http, message["url"],
                                            message["body"].encode(),
                                            _headers(config, message), config.rules)
        status, body = response.status_code, response.text[:RESPONSE_KEPT]
    except Refused as refused:
        error = f"refused: {refused}"
    except (httpx.TimeoutException, TimeoutError):
        error = f"no answer within {config.timeout:g} s"
    except httpx.HTTPError as failure:
        error = f"{type(failure).__name__}: {failure}"[:RESPONSE_KEPT]
    duration_ms = int((time.monotonic() - started) * 1000)
    await _settle(context, message, status, body, error, duration_ms)


async def _settle(context: JobContext, message: dict, status: int | None, body: str | None,
                  error: str | None, duration_ms: int) -> None:
    if status is not None and 200 <= status < 300:
        await webhook_store.delivered(Statement(context.engine), message, status=status,
                                      duration_ms=duration_ms, body=body)
        return
    async with Transaction(context.engine) as tx:
        await webhook_store.record_attempt(tx, message, status=status, duration_ms=duration_ms,
                                           body=body, error=error)
        if status == 410:
            await webhook_store.settle(tx, message, MessageStatus.FAILED)
            await _disable(tx, message, "the receiver answered 410 Gone")
        else:
            delay = retry_delay(message["attempts"])
            await webhook_store.settle(tx, message, MessageStatus.PENDING if delay is not None
                                       else MessageStatus.FAILED, delay)
            since = await webhook_store.failed(tx, message["endpoint_id"])
            if since <= datetime.now(UTC) - DISABLE_AFTER:
                await _disable(tx, message, f"every delivery failed since {since:%Y-%m-%d %H:%M} "
                                            "UTC")
        await tx.commit()


async def _disable(tx: Transaction, message: dict, reason: str) -> None:
    owner = await webhook_store.disable(tx, SYSTEM_ACCESS, message["endpoint_id"], reason)
    if owner is not None:
        # The owner finds it in their notifications and on the endpoint's audit trail.
        log.warning("webhook endpoint %s disabled (%s); its owner %s is notified",
                    message["endpoint_id"], reason, owner)


async def sweep(context: JobContext) -> None:
    """The schedule: dispatch what a missed wake-up left behind."""
    await dispatch(context.engine)


async def listen_and_dispatch(context: JobContext, feed, stop: asyncio.Event) -> None:
    """Dispatch whenever the worker's feed listener hands out events, until `stop`."""
    wake = asyncio.Event()

    async def heard(_events) -> None:
        wake.set()

    remove = feed.add_reader(heard)
    try:
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), 1.0)
            wake.clear()
            try:
                await dispatch(context.engine)
            except Exception:
                log.exception("webhook dispatch failed; the next event or sweep tries again")
    finally:
        remove()
