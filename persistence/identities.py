"""Who a verified token's subject is now: a user's role and activity, whether a partner, its
client, a contact or a capture form may still act; and external identities mapped to them."""

from __future__ import annotations

import uuid

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from persistence.db import Reader
from persistence.partners import PartnerClientRow, PartnerRow

CLIENTS = PartnerClientRow.__table__
PARTNERS = PartnerRow.__table__


async def active_user(reader: Reader, user_id: uuid.UUID) -> dict | None:
    """The user's id and role, if it exists, is active and is not archived."""
    rows = await reader.rows("SELECT id, role FROM app_user WHERE id = $1 AND active "
                             "AND archived_at IS NULL", (user_id,))
    return rows[0] if rows else None


async def active_user_by_email(reader: Reader, email: str) -> dict | None:
    rows = await reader.rows("SELECT id, role FROM app_user WHERE lower(email) = lower($1) "
                             "AND active AND archived_at IS NULL", (email,))
    return rows[0] if rows else None


async def partner_may_act(reader: Reader, partner_id: uuid.UUID, client_id: str | None) -> bool:
    """The partner is not archived and, for a token from a client, the client is neither
    revoked nor archived."""
    return bool(await reader.value(
        "SELECT EXISTS (SELECT 1 FROM partner p WHERE p.id = $1 AND p.archived_at IS NULL "
        "AND ($2::text IS NULL OR EXISTS (SELECT 1 FROM partner_client c WHERE c.client_id = $2 "
        "AND c.partner_id = p.id AND c.revoked_at IS NULL AND c.archived_at IS NULL)))",
        (partner_id, client_id)))


async def contact_acting_as(reader: Reader, contact_id: uuid.UUID) -> uuid.UUID | None:
    """The live contact a customer's token acts as: its own, or, once it was merged, the
    contact it was merged into (along a chain of merges); None when that is archived."""
    return await reader.value(
        "WITH RECURSIVE chain(id, merged_into_id, archived_at, depth) AS ("
        "SELECT id, merged_into_id, archived_at, 0 FROM contact WHERE id = $1 UNION ALL "
        "SELECT c.id, c.merged_into_id, c.archived_at, chain.depth + 1 FROM contact c "
        "JOIN chain ON c.id = chain.merged_into_id WHERE chain.depth < 50) "
        "SELECT id FROM chain WHERE merged_into_id IS NULL AND archived_at IS NULL",
        (contact_id,))


async def capture_form_may_act(reader: Reader, form_id: uuid.UUID) -> bool:
    return bool(await reader.value(
        "SELECT EXISTS (SELECT 1 FROM capture_form WHERE id = $1 AND active "
        "AND archived_at IS NULL)", (form_id,)))


async def capture_form_by_key(reader: Reader, key_hash: str) -> uuid.UUID | None:
    """The active form whose key has this hash."""
    return await reader.value("SELECT id FROM capture_form WHERE key_hash = $1 AND active "
                              "AND archived_at IS NULL", (key_hash,))


async def contact_for_identity(reader: Reader, issuer: str, subject: str,
                               email: str | None) -> uuid.UUID | None:
    """The contact linked to (issuer, subject), or else to a verified email."""
    return await reader.value(
        "SELECT p.contact_id FROM portal_identity p JOIN contact c ON c.id = p.contact_id "
        "WHERE ((p.issuer = $1 AND p.subject = $2) OR lower(p.email) = lower($3)) "
        "AND p.archived_at IS NULL AND c.archived_at IS NULL "
        "ORDER BY p.subject IS NULL LIMIT 1",  # an exact subject match wins over email
        (issuer, subject, email))


async def partner_client(conn: AsyncConnection, client_id: str) -> dict | None:
    """A client that may ask for tokens, with its secrets: the current one, and the one
    before a rotation while its grace period lasts."""
    previous = case((CLIENTS.c.previous_secret_expires_at > func.now(),
                     CLIENTS.c.previous_secret_hash), else_=None)
    stmt = (select(CLIENTS.c.client_id, CLIENTS.c.secret_hash, CLIENTS.c.scopes,
                   CLIENTS.c.partner_id, previous.label("previous_secret_hash"))
            .join(PARTNERS, PARTNERS.c.id == CLIENTS.c.partner_id)
            .where(CLIENTS.c.client_id == client_id, CLIENTS.c.archived_at.is_(None),
                   CLIENTS.c.revoked_at.is_(None), PARTNERS.c.archived_at.is_(None)))
    row = (await conn.execute(stmt)).mappings().first()
    return dict(row) if row else None
