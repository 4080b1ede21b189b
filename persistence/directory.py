"""Look-ups by name, email or id for the command line: users, territories, partners,
contacts, capture forms."""

from __future__ import annotations

import uuid

from sqlalchemy import func, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from persistence.contacts import ContactRow
from persistence.leads import CaptureFormRow
from persistence.partners import PartnerClientRow, PartnerRow
from persistence.portal import PortalIdentityRow
from persistence.territories import TerritoryRow
from persistence.users import UserRow

MAX_CANDIDATES = 10


class NotFoundError(LookupError):
    """Nothing matches the reference given on the command line."""


def _as_uuid(ref: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(ref)
    except ValueError:
        return None


async def find_user(conn: AsyncConnection, role: str, ref: str | None) -> dict:
    """An active user of `role`, by email or id. Without a reference: the only active user of
    the role, or else `<role>@example.com` (the demo's); it never guesses among several."""
    t = UserRow.__table__
    stmt = select(t.c.id, t.c.email, t.c.role).where(t.c.active, t.c.archived_at.is_(None))
    if not ref:
        return _the_one(role, (await conn.execute(
            stmt.where(t.c.role == role).order_by(t.c.email))).mappings().all())
    ref_id = _as_uuid(ref)
    stmt = stmt.where(t.c.id == ref_id if ref_id else func.lower(t.c.email) == ref.lower())
    row = (await conn.execute(stmt.limit(1))).mappings().first()
    if row is None:
        raise NotFoundError(f"no active user {ref}")
    if row["role"] != role:
        raise NotFoundError(f"{row['email']} has role {row['role']}, not {role}")
    return dict(row)


def _the_one(role: str, rows) -> dict:
    if len(rows) == 1:
        return dict(rows[0])
    demo = [r for r in rows if r["email"].lower() == f"{role}@example.com"]
    if demo:
        return dict(demo[0])
    if not rows:
        raise NotFoundError(f"no active user with role {role}; add one with `crm user create`")
    shown = ", ".join(r["email"] for r in rows[:MAX_CANDIDATES])
    more = f" and {len(rows) - MAX_CANDIDATES} more" if len(rows) > MAX_CANDIDATES else ""
    raise NotFoundError(f"{len(rows)} active users have role {role}: {shown}{more}; "
                        f"choose one with --user")


async def user_by_email(conn: AsyncConnection, email: str) -> dict:
    """A user by email, active or not, with its version."""
    t = UserRow.__table__
    row = (await conn.execute(select(t.c.id, t.c.email, t.c.active, t.c.version).where(
        func.lower(t.c.email) == email.lower(), t.c.archived_at.is_(None)))).mappings().first()
    if row is None:
        raise NotFoundError(f"no user {email}")
    return dict(row)


async def _by_name_or_id(conn: AsyncConnection, table, ref: str, what: str) -> dict:
    ref_id = _as_uuid(ref)
    stmt = select(table.c.id, table.c.name).where(
        table.c.id == ref_id if ref_id else table.c.name == ref)
    row = (await conn.execute(stmt)).mappings().first()
    if row is None:
        raise NotFoundError(f"no {what} {ref!r}")
    return dict(row)


async def find_partner(conn: AsyncConnection, ref: str) -> dict:
    return await _by_name_or_id(conn, PartnerRow.__table__, ref, "partner")


async def find_territory(conn: AsyncConnection, ref: str) -> dict:
    return await _by_name_or_id(conn, TerritoryRow.__table__, ref, "territory")


async def find_capture_form(conn: AsyncConnection, ref: str) -> dict:
    return await _by_name_or_id(conn, CaptureFormRow.__table__, ref, "capture form")


async def find_contact(conn: AsyncConnection, ref: str) -> dict:
    """A contact by id, primary email, or a portal identity's email."""
    t, portal = ContactRow.__table__, PortalIdentityRow.__table__
    ref_id = _as_uuid(ref)
    if ref_id:
        match = t.c.id == ref_id
    else:
        by_portal = select(portal.c.contact_id).where(func.lower(portal.c.email) == ref.lower())
        match = or_(t.c.primary_email == ref.lower(), t.c.id.in_(by_portal))
    stmt = select(t.c.id, t.c.primary_email).where(match, t.c.archived_at.is_(None)).limit(1)
    row = (await conn.execute(stmt)).mappings().first()
    if row is None:
        raise NotFoundError(f"no contact {ref!r}")
    return dict(row)


async def create_partner_client(conn: AsyncConnection, partner_id: uuid.UUID, client_id: str,
                                secret_hash: str, scopes: list[str]) -> None:
    await conn.execute(insert(PartnerClientRow.__table__).values(
        id=uuid.uuid4(), partner_id=partner_id, client_id=client_id, secret_hash=secret_hash,
        scopes=scopes, created_by="System", updated_by="System"))


async def is_empty(conn: AsyncConnection) -> bool:
    """True when the database holds no users and no contacts yet."""
    users = (await conn.execute(select(func.count()).select_from(UserRow.__table__))).scalar()
    contacts = (await conn.execute(select(func.count()).select_from(ContactRow.__table__))).scalar()
    return users == 0 and contacts == 0
