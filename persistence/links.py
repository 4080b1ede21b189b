"""Writes of account-contact links inside a unit of work."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.access import Access
from persistence.contacts import AccountContactRow

LINKS = AccountContactRow.__table__


class LinkStore:
    """Implements domain.ports.LinkStore."""

    def __init__(self, conn: AsyncConnection, access: Access) -> None:
        self.conn = conn
        self.actor = str(access.actor)

    async def get(self, account_id: uuid.UUID, contact_id: uuid.UUID) -> dict | None:
        stmt = select(LINKS.c.id, LINKS.c.account_id.label("account"),
                      LINKS.c.job_title.label("jobTitle"),
                      LINKS.c.is_decision_maker.label("isDecisionMaker")).where(
            LINKS.c.account_id == account_id, LINKS.c.contact_id == contact_id,
            LINKS.c.archived_at.is_(None))
        row = (await self.conn.execute(stmt)).mappings().first()
        return dict(row) if row else None

    async def upsert(self, account_id: uuid.UUID, contact_id: uuid.UUID, values: dict) -> uuid.UUID:
        """Create the link, or revive and update an existing (possibly archived) one."""
        columns = {"job_title": values["jobTitle"], "is_decision_maker": values["isDecisionMaker"]}
        stmt = insert(LINKS).values(id=uuid.uuid4(), account_id=account_id, contact_id=contact_id,
                                    created_by=self.actor, updated_by=self.actor, **columns)
        stmt = stmt.on_conflict_do_update(
            index_elements=[LINKS.c.account_id, LINKS.c.contact_id],
            set_={**columns, "archived_at": None, "version": LINKS.c.version + 1,
                  "updated_at": func.now(), "updated_by": self.actor},
        ).returning(LINKS.c.id)
        return (await self.conn.execute(stmt)).scalar_one()

    async def archive(self, link_id: uuid.UUID) -> None:
        await self.conn.execute(
            LINKS.update().where(LINKS.c.id == link_id).values(
                archived_at=func.now(), version=LINKS.c.version + 1, updated_at=func.now(),
                updated_by=self.actor))
