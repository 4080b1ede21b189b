"""Writes of account-contact links inside a unit of work."""

from __future__ import annotations

import uuid

from domain.access import Access
from persistence.db import Transaction
from persistence.sql import Builder


class LinkStore:
    """Implements domain.ports.LinkStore."""

    def __init__(self, tx: Transaction, access: Access) -> None:
        self.tx = tx
        self.actor = str(access.actor)

    async def get(self, account_id: uuid.UUID, contact_id: uuid.UUID) -> dict | None:
        b = Builder()
        rows = await self.tx.rows(
            f"SELECT id, account_id AS account, job_title AS \"jobTitle\", "
            f"is_decision_maker AS \"isDecisionMaker\" FROM account_contact "
            f"WHERE account_id = {b.bind(account_id)} AND contact_id = {b.bind(contact_id)} "
            f"AND archived_at IS NULL", b.params)
        return rows[0] if rows else None

    async def upsert(self, account_id: uuid.UUID, contact_id: uuid.UUID, values: dict) -> uuid.UUID:
        """Create the link, or revive and update an existing (possibly archived) one."""
        b = Builder()
        title, decides, actor = (b.bind(values["jobTitle"]), b.bind(values["isDecisionMaker"]),
                                 b.bind(self.actor))
        return await self.tx.value(
            f"INSERT INTO account_contact (id, account_id, contact_id, job_title, "
            f"is_decision_maker, created_by, updated_by) VALUES ({b.bind(uuid.uuid4())}, "
            f"{b.bind(account_id)}, {b.bind(contact_id)}, {title}, {decides}, {actor}, {actor}) "
            f"ON CONFLICT (account_id, contact_id) DO UPDATE SET job_title = {title}, "
            f"is_decision_maker = {decides}, archived_at = NULL, "
            f"version = account_contact.version + 1, updated_at = now(), updated_by = {actor} "
            f"RETURNING id", b.params)

    async def archive(self, link_id: uuid.UUID) -> None:
        b = Builder()
        await self.tx.value(
            f"UPDATE account_contact SET archived_at = now(), version = version + 1, "
            f"updated_at = now(), updated_by = {b.bind(self.actor)} WHERE id = {b.bind(link_id)}",
            b.params)
