"""Partner clients as an operator manages them: list, revoke, rotate the secret.

Each change is written with its audit entry (on the partner) in the caller's transaction.
Secrets never leave as text: only their hashes are stored.
"""

from __future__ import annotations

import uuid

from domain.access import Access
from persistence.audit import AuditLog
from persistence.db import Reader, Transaction


class ClientStateError(LookupError):
    """The client does not exist, or is in a state that forbids the change."""


async def listing(reader: Reader | Transaction) -> list[dict]:
    """Every client with its partner, scopes, dates, and until when a previous secret works."""
    return await reader.rows(
        "SELECT c.client_id, p.name AS partner, c.scopes, c.created_at, c.revoked_at, "
        "CASE WHEN c.previous_secret_expires_at > now() THEN c.previous_secret_expires_at END "
        "AS previous_secret_until FROM partner_client c JOIN partner p ON p.id = c.partner_id "
        "WHERE c.archived_at IS NULL ORDER BY p.name, c.created_at, c.client_id", ())


async def _usable(tx: Transaction, client_id: str) -> uuid.UUID:
    """The client's partner, locked; refuses a client that is unknown or revoked."""
    rows = await tx.rows("SELECT partner_id, revoked_at FROM partner_client WHERE client_id = $1 "
                         "AND archived_at IS NULL FOR UPDATE", (client_id,))
    if not rows:
        raise ClientStateError(f"no partner client {client_id!r}")
    if rows[0]["revoked_at"] is not None:
        raise ClientStateError(f"partner client {client_id} is revoked "
                               f"(since {rows[0]['revoked_at']:%Y-%m-%d %H:%M:%S %Z})")
    return rows[0]["partner_id"]


async def revoke(tx: Transaction, access: Access, client_id: str) -> None:
    """No token for this client from now on; its tokens fail as their subject is next read."""
    partner_id = await _usable(tx, client_id)
    await tx.value("UPDATE partner_client SET revoked_at = now(), previous_secret_hash = NULL, "
                   "previous_secret_expires_at = NULL, version = version + 1, "
                   "updated_at = now(), updated_by = $2 WHERE client_id = $1",
                   (client_id, str(access.actor)))
    await AuditLog(tx, access).record("Partner", partner_id, "revoke_client",
                                      {"client": (client_id, None)})


async def rotate(tx: Transaction, access: Access, client_id: str, secret_hash: str,
                 grace_seconds: int) -> None:
    """Replace the secret; the one before keeps working for `grace_seconds` (0: not at all)."""
    partner_id = await _usable(tx, client_id)
    await tx.value(
        "UPDATE partner_client SET "
        "previous_secret_hash = CASE WHEN $3::int > 0 THEN secret_hash END, "
        "previous_secret_expires_at = CASE WHEN $3::int > 0 THEN now() + make_interval(secs => $3::int) END, "
        "secret_hash = $2, version = version + 1, updated_at = now(), updated_by = $4 "
        "WHERE client_id = $1", (client_id, secret_hash, grace_seconds, str(access.actor)))
    await AuditLog(tx, access).record("Partner", partner_id, "rotate_client",
                                      {"client": (client_id, client_id)})
