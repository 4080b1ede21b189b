"""The case store: a case's whole state for the use cases that keep its SLA clock, its
articles and its time entries."""

from __future__ import annotations

import uuid
from datetime import datetime

from domain.access import Access
from persistence.cases import CASE
from persistence.db import Transaction
from persistence.sql import Builder, quote


class CaseStore:
    """Implements domain.ports.CaseStore: a case's whole state, for the use cases that keep
    its SLA clock (after the caller's access to the case was checked), and time entries."""

    def __init__(self, tx: Transaction, access: Access) -> None:
        self.tx = tx
        self.actor = str(access.actor)

    async def state(self, case_id: uuid.UUID) -> dict:
        columns = ", ".join(f"{c} AS {quote(f)}" for f, c in CASE.spec.columns.items())
        rows = await self.tx.rows(f"SELECT {columns} FROM service_case WHERE id = $1",
                                  (case_id,))
        return rows[0]

    async def link_article(self, case_id: uuid.UUID, article_id: uuid.UUID,
                           linked: bool) -> bool:
        """Link an article to a case, or unlink it; whether anything changed."""
        b = Builder()
        case, article, actor = b.bind(case_id), b.bind(article_id), b.bind(self.actor)
        if linked:
            sql = (f"INSERT INTO case_article (id, case_id, article_id, created_by, updated_by) "
                   f"VALUES ({b.bind(uuid.uuid4())}, {case}, {article}, {actor}, {actor}) "
                   f"ON CONFLICT (case_id, article_id) DO UPDATE SET archived_at = NULL, "
                   f"created_at = now(), version = case_article.version + 1, updated_by = "
                   f"{actor} WHERE case_article.archived_at IS NOT NULL RETURNING id")
        else:
            sql = (f"UPDATE case_article SET archived_at = now(), version = version + 1, "
                   f"updated_by = {actor} WHERE case_id = {case} AND article_id = {article} "
                   f"AND archived_at IS NULL RETURNING id")
        return await self.tx.value(sql, b.params) is not None

    async def add_time_entry(self, case_id: uuid.UUID, at: datetime, minutes: int,
                             note: str | None, user_id: uuid.UUID | None) -> None:
        b = Builder()
        actor = b.bind(self.actor)
        await self.tx.value(
            f"INSERT INTO case_time_entry (id, case_id, at, minutes, note, user_id, created_by, "
            f"updated_by) VALUES ({b.bind(uuid.uuid4())}, {b.bind(case_id)}, {b.bind(at)}, "
            f"{b.bind(minutes)}, {b.bind(note)}, {b.bind(user_id)}, {actor}, {actor})",
            b.params)
