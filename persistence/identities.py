"""Look-ups that turn an external identity into a user, partner or contact."""

from __future__ import annotations

import uuid

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from persistence.contacts import ContactRow
from persistence.partners import PartnerClientRow, PartnerRow
from persistence.portal import PortalIdentityRow
from persistence.users import UserRow

USERS = UserRow.__table__
PORTAL = PortalIdentityRow.__table__
CONTACTS = ContactRow.__table__
CLIENTS = PartnerClientRow.__table__
PARTNERS = PartnerRow.__table__


async def active_user_by_email(conn: AsyncConnection, email: str) -> dict | None:
    stmt = select(USERS.c.id, USERS.c.role, USERS.c.territory_id).where(
        func.lower(USERS.c.email) == email.lower(), USERS.c.active,
        USERS.c.archived_at.is_(None))
    row = (await conn.execute(stmt)).mappings().first()
    return dict(row) if row else None


async def contact_for_identity(conn: AsyncConnection, issuer: str, subject: str,
                               email: str | None) -> uuid.UUID | None:
    """The contact linked to (issuer, subject), or else to a verified email."""
    match = (PORTAL.c.issuer == issuer) & (PORTAL.c.subject == subject)
    if email:
        match = or_(match, func.lower(PORTAL.c.email) == email.lower())
    stmt = (select(PORTAL.c.contact_id)
            .join(CONTACTS, CONTACTS.c.id == PORTAL.c.contact_id)
            .where(match, PORTAL.c.archived_at.is_(None), CONTACTS.c.archived_at.is_(None))
            .order_by(PORTAL.c.subject.is_(None)))  # an exact subject match wins over email
    return (await conn.execute(stmt)).scalars().first()


async def partner_client(conn: AsyncConnection, client_id: str) -> dict | None:
    stmt = (select(CLIENTS.c.client_id, CLIENTS.c.secret_hash, CLIENTS.c.scopes,
                   CLIENTS.c.partner_id)
            .join(PARTNERS, PARTNERS.c.id == CLIENTS.c.partner_id)
            .where(CLIENTS.c.client_id == client_id, CLIENTS.c.archived_at.is_(None),
                   PARTNERS.c.archived_at.is_(None)))
    row = (await conn.execute(stmt)).mappings().first()
    return dict(row) if row else None
