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

    async def add_time_entry(self, case_id: uuid.UUID, at: datetime, minutes: int,
                             note: str | None, user_id: uuid.UUID | None) -> None:
        b = Builder()
        actor = b.bind(self.actor)
        await self.tx.value(
            f"INSERT INTO case_time_entry (id, case_id, at, minutes, note, user_id, created_by, "
            f"updated_by) VALUES ({b.bind(uuid.uuid4())}, {b.bind(case_id)}, {b.bind(at)}, "
            f"{b.bind(minutes)}, {b.bind(note)}, {b.bind(user_id)}, {actor}, {actor})",
            b.params)
