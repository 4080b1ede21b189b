"""The SQL of webhooks: the endpoints' secrets, the dispatcher's cursor and messages, each
delivery attempt and what follows from it, and replays.

Every message gets a delivery job in the transaction that writes it (persistence/jobs.py),
and every failed attempt its next job in the transaction that records the attempt, so a
message is never left without a job to send it, whatever process dies when.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import orjson

from domain.access import Access
from domain.paging import PageRequest
from domain.webhooks import MessageStatus
from persistence.audit import AuditLog
from persistence.db import Reader, Statement, Transaction
from persistence.jobs import enqueue, enqueue_many
from persistence.notifications import NotificationStore
from persistence.paging import Page, assemble, column_key, order_sql, seek_sql
from persistence.record_types import SPECS
from persistence.spec import projection
from persistence.sql import Builder
from persistence.webhooks import WebhookMessageRow

DELIVER = "crm.webhooks.deliver"


class WebhookStore:
    """The unit of work's store for what endpoints keep beside their fields."""

    def __init__(self, tx: Transaction, access: Access) -> None:
        self.tx, self.access = tx, access

    async def set_secret(self, endpoint_id: uuid.UUID, sealed: bytes,
                         previous_until: datetime | None) -> None:
        # With a grace period the secret before keeps signing until then; without, it goes.
        await self.tx.value(
            "UPDATE webhook_endpoint SET previous_secret_sealed = CASE WHEN $3::timestamptz "
            "IS NULL THEN NULL ELSE secret_sealed END, previous_secret_until = $3, "
            "secret_sealed = $2 WHERE id = $1", (endpoint_id, sealed, previous_until))

    async def client_usable(self, client_id: str) -> bool:
        return bool(await self.tx.value(
            "SELECT EXISTS (SELECT 1 FROM partner_client c JOIN partner p ON p.id = c.partner_id "
            "WHERE c.client_id = $1 AND c.revoked_at IS NULL AND c.archived_at IS NULL "
            "AND p.archived_at IS NULL)", (client_id,)))

    async def replay(self, endpoint_id: uuid.UUID, message_id: str | None,
                     since: datetime | None) -> int:
        rows = await self.tx.rows(
            "UPDATE webhook_message SET status = 'PENDING', next_attempt_at = now(), "
            "claimed_job = NULL, updated_at = now(), version = version + 1 "
            "WHERE endpoint_id = $1 AND ($2::text IS NULL OR message_id = $2) "
            "AND ($3::timestamptz IS NULL OR created_at >= $3) RETURNING id, attempts",
            (endpoint_id, message_id, since))
        await enqueue_many(self.tx, DELIVER, [
            ({"message": row["id"], "attempt": row["attempts"]}, f"{row['id']}:{row['attempts']}")
            for row in rows])
        return len(rows)


# --- the dispatcher -----------------------------------------------------------------------

async def listening_endpoints(reader: Reader | Transaction) -> list[dict]:
    """The active endpoints with who they act as: a user's role while it is active, a
    client's partner and scopes while neither is revoked or archived (None otherwise)."""
    return await reader.rows(
        "SELECT e.id, e.events, e.acting_user_id, e.partner_client, e.created_at, "
        "CASE WHEN u.active AND u.archived_at IS NULL THEN u.role END AS user_role, "
        "CASE WHEN c.revoked_at IS NULL AND c.archived_at IS NULL AND p.archived_at IS NULL "
        "THEN c.partner_id END AS partner_id, c.scopes "
        "FROM webhook_endpoint e LEFT JOIN app_user u ON u.id = e.acting_user_id "
        "LEFT JOIN partner_client c ON c.client_id = e.partner_client "
        "LEFT JOIN partner p ON p.id = c.partner_id "
        "WHERE e.active AND e.archived_at IS NULL ORDER BY e.id", ())


async def add_messages(tx: Transaction, messages: list[dict]) -> int:
    """Write the messages (endpoint, seq, message id, event type, payload) and a delivery job
    for each; one already made for its endpoint and event is left as it is. How many."""
    if not messages:
        return 0
    rows = await tx.rows(
        "INSERT INTO webhook_message (id, endpoint_id, seq, message_id, event_type, payload, "
        "next_attempt_at, status, attempts, created_by, updated_by) SELECT gen_random_uuid(), "
        "m.endpoint_id, m.seq, m.message_id, m.event_type, m.payload, now(), 'PENDING', 0, "
        "'System', 'System' FROM jsonb_to_recordset($1::jsonb) AS m(endpoint_id "
        "uuid, seq bigint, message_id text, event_type text, payload jsonb) "
        "ON CONFLICT (endpoint_id, seq) DO NOTHING RETURNING id",
        (orjson.dumps(messages, default=str).decode(),))
    await enqueue_many(tx, DELIVER, [({"message": row["id"], "attempt": 0}, f"{row['id']}:0")
                                     for row in rows])
    return len(rows)


# --- the delivery job ---------------------------------------------------------------------

_CLAIM = """
UPDATE webhook_message m SET
    attempts = CASE WHEN m.claimed_job = $3 THEN m.attempts ELSE m.attempts + 1 END,
    claimed_job = $3, updated_at = now()
FROM webhook_endpoint e
LEFT JOIN app_user u ON u.id = e.acting_user_id
LEFT JOIN partner_client c ON c.client_id = e.partner_client
LEFT JOIN partner p ON p.id = c.partner_id
WHERE m.id = $1 AND e.id = m.endpoint_id AND m.status = 'PENDING'
  AND (m.attempts = $2 OR m.claimed_job = $3)
RETURNING m.id, m.endpoint_id, m.message_id, m.payload::text AS body, m.attempts,
    e.url, e.secret_sealed, e.previous_secret_sealed,
    CASE WHEN e.previous_secret_until > now() THEN true ELSE false END AS previous_signs,
    e.active AND e.archived_at IS NULL AND (
        (u.active AND u.archived_at IS NULL) OR
        (c.revoked_at IS NULL AND c.archived_at IS NULL AND p.archived_at IS NULL)) AS sendable
"""


async def claim(statement: Statement, message: uuid.UUID, attempt: int, job_id: int
                ) -> dict | None:
    """Take the message's next attempt for this job: None when another job made it already,
    or the message is no longer pending. The job that claimed it may claim it again after a
    restart, without counting a second attempt."""
    rows = await statement.rows(_CLAIM, (message, attempt, job_id))
    return rows[0] if rows else None


async def record_attempt(tx: Transaction, message: dict, *, status: int | None,
                         duration_ms: int, body: str | None, error: str | None) -> None:
    await tx.value(
        "INSERT INTO webhook_attempt (id, message_id, number, response_status, duration_ms, "
        "response_body, error, created_by, updated_by) VALUES (gen_random_uuid(), $1, $2, $3, $4, "
        "$5, $6, 'System', 'System')",
        (message["id"], message["attempts"], status, duration_ms, body, error))


_DELIVERED = """
WITH attempt AS (
    INSERT INTO webhook_attempt (id, message_id, number, response_status, duration_ms,
        response_body, created_by, updated_by)
    VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, 'System', 'System')
), endpoint AS (
    UPDATE webhook_endpoint SET failing_since = NULL WHERE id = $6 AND failing_since IS NOT NULL
)
UPDATE webhook_message SET status = 'DELIVERED', claimed_job = NULL, updated_at = now(),
    version = version + 1, next_attempt_at = NULL, delivered_at = now()
WHERE id = $1
"""


async def delivered(statement: Statement, message: dict, *, status: int, duration_ms: int,
                    body: str | None) -> None:
    """A 2xx answer: the attempt recorded, the message delivered and its endpoint no longer
    failing, in one statement (so one round trip, and all or nothing), the common case."""
    await statement.value(_DELIVERED, (message["id"], message["attempts"], status, duration_ms,
                                       body, message["endpoint_id"]))


async def settle(tx: Transaction, message: dict, status: MessageStatus,
                 retry_after: timedelta | None = None) -> None:
    """The message's state after a failed attempt (PENDING for a retry, whose job comes in
    this transaction, or FAILED); a delivered one is settled by `delivered`."""
    await tx.value(
        "UPDATE webhook_message SET status = $2, claimed_job = NULL, updated_at = now(), "
        "version = version + 1, next_attempt_at = now() + $3::interval WHERE id = $1",
        (message["id"], status.value, retry_after))
    if status is MessageStatus.PENDING:
        await enqueue(tx, DELIVER, {"message": message["id"], "attempt": message["attempts"]},
                      execute_after=retry_after,
                      dedupe_key=f"{message['id']}:{message['attempts']}")


async def failed(tx: Transaction, endpoint_id: uuid.UUID) -> datetime:
    """Since when the endpoint has failed without a success."""
    return await tx.value(
        "UPDATE webhook_endpoint SET failing_since = coalesce(failing_since, now()) "
        "WHERE id = $1 RETURNING failing_since", (endpoint_id,))


async def disable(tx: Transaction, access: Access, endpoint_id: uuid.UUID, reason: str
                  ) -> str | None:
    """Stop deliveries to the endpoint, with the reason in its row and in the audit trail;
    the reference of who created it (its owner), or None when it was already disabled."""
    owner = await tx.value(
        "UPDATE webhook_endpoint SET active = false, disabled_reason = $2, "
        "version = version + 1, updated_at = now(), updated_by = 'System' "
        "WHERE id = $1 AND active RETURNING created_by", (endpoint_id, reason))
    if owner is not None:
        await AuditLog(tx, access).record(
            "WebhookEndpoint", endpoint_id, "disable",
            {"active": (True, False), "disabledReason": (None, reason),
             "notified": (None, owner)})
        kind, _, user_id = owner.partition(":")
        if kind == "User":  # in the owner's inbox, with the fields that changed
            await NotificationStore(tx, access, SPECS, None).notify([{
                "user": uuid.UUID(user_id), "kind": "CHANGE", "recordType": "WebhookEndpoint",
                "recordId": endpoint_id, "actor": "System",
                "fields": ["active", "disabledReason"]}], datetime.now(UTC))
    return owner


async def skip_pending(statement: Statement, message: uuid.UUID) -> None:
    await statement.value("UPDATE webhook_message SET status = 'SKIPPED', claimed_job = NULL, "
                          "updated_at = now(), version = version + 1 WHERE id = $1", (message,))


# --- reads --------------------------------------------------------------------------------

_NEWEST_FIRST = [column_key("createdAt", "m", WebhookMessageRow.__table__.c.created_at, True),
                 column_key("id", "m", WebhookMessageRow.__table__.c.id, True)]


async def messages_page(reader: Reader, access: Access, endpoint_id: uuid.UUID,
                        status: str | None, request: PageRequest) -> Page:
    """A page of an endpoint's messages, newest first, as the caller may read them (the
    endpoint itself already read under the caller's rules)."""
    spec, b = SPECS["WebhookMessage"], Builder()
    keys = [f"{k.sql} AS _k{i}" for i, k in enumerate(_NEWEST_FIRST)]
    wanted = b.bind(status)
    condition = (f"m.endpoint_id = {b.bind(endpoint_id)} AND "
                 f"({wanted}::text IS NULL OR m.status = {wanted})")
    seek = seek_sql(_NEWEST_FIRST, request, b)
    rows = await reader.rows(
        f"SELECT {projection(spec, access, 'm')}, {', '.join(keys)} FROM webhook_message m "
        f"WHERE {condition} AND {seek} ORDER BY {order_sql(_NEWEST_FIRST, request)} "
        f"LIMIT {request.size + 1}", b.params)
    total = None
    if request.with_total:
        total = await reader.value(f"SELECT count(*) FROM webhook_message m WHERE {condition}",
                                   b.params[:2])
    return assemble(rows, _NEWEST_FIRST, request, total)
