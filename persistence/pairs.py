"""Link tables that pair two records: a partner and an account its portal reaches, a tag and
a record carrying it, an article and a case it helped solve. Undoing a pair archives its row,
so that who paired what stays on record; pairing again revives it, from then."""

from __future__ import annotations

import uuid

from domain.access import Access
from persistence.db import Transaction
from persistence.record_types import INTERNAL_TABLES, RECORD_TYPES
from persistence.sql import Builder

# link table -> its two columns, as declared with the table
PAIRINGS = {t.table.name: t.pairs for t in (*INTERNAL_TABLES, *RECORD_TYPES) if t.pairs}


class PairStore:
    """Implements domain.ports.PairStore."""

    def __init__(self, tx: Transaction, access: Access) -> None:
        self.tx = tx
        self.actor = str(access.actor)

    async def set(self, link: str, first_id: uuid.UUID, second_id: uuid.UUID,
                  paired: bool) -> bool:
        """Pair or unpair two records; False when they already were in that state."""
        first, second = PAIRINGS[link]
        b = Builder()
        one, other, actor = b.bind(first_id), b.bind(second_id), b.bind(self.actor)
        if paired:
            sql = (f"INSERT INTO {link} (id, {first}, {second}, created_by, updated_by) "
                   f"VALUES ({b.bind(uuid.uuid4())}, {one}, {other}, {actor}, {actor}) "
                   f"ON CONFLICT ({first}, {second}) DO UPDATE SET archived_at = NULL, "
                   f"version = {link}.version + 1, created_at = now(), updated_at = now(), "
                   f"updated_by = {actor} "
                   f"WHERE {link}.archived_at IS NOT NULL RETURNING id")
        else:
            sql = (f"UPDATE {link} SET archived_at = now(), version = version + 1, "
                   f"updated_at = now(), updated_by = {actor} WHERE {first} = {one} "
                   f"AND {second} = {other} AND archived_at IS NULL RETURNING id")
        return await self.tx.value(sql, b.params) is not None
