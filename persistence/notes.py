"""Internal notes, attached to any record by its type and id."""

from __future__ import annotations

import uuid

from sqlalchemy import Index
from sqlmodel import Field

from domain.access import Access
from domain.services.notes import NOTED_TYPES
from persistence.base import Stamped
from persistence.db import Transaction
from persistence.declaration import RecordType, col
from persistence.spec import read_sql
from persistence.sql import Builder


class NoteRow(Stamped, table=True):
    __tablename__ = "note"
    __table_args__ = (Index("ix_note_record_id_created_at_id", "record_id", "created_at", "id"),)

    record_type: str = Field(max_length=40)
    record_id: uuid.UUID
    body: str


NOTES = NoteRow.__table__


class NoteStore:
    """Implements domain.ports.NoteStore."""

    def __init__(self, tx: Transaction, access: Access) -> None:
        self.tx = tx
        self.actor = str(access.actor)

    async def insert(self, record_type: str, record_id: uuid.UUID, body: str) -> uuid.UUID:
        b = Builder()
        actor = b.bind(self.actor)
        return await self.tx.value(
            f"INSERT INTO note (id, record_type, record_id, body, created_by, updated_by) "
            f"VALUES ({b.bind(uuid.uuid4())}, {b.bind(record_type)}, {b.bind(record_id)}, "
            f"{b.bind(body)}, {actor}, {actor}) RETURNING id", b.params)


def _visible_note(t: str, access: Access, b: Builder) -> str:
    """A note is visible with its parent record, to callers who may read that record's notes."""
    from persistence.uow import SPECS

    branches = []
    for parent_type in NOTED_TYPES:
        if access.can_read(parent_type, "notes"):
            parent = SPECS[parent_type]
            alias = b.alias("parent")
            branches.append(
                f"({t}.record_type = '{parent_type}' AND EXISTS (SELECT 1 FROM {parent.name} {alias}"
                f" WHERE {alias}.id = {t}.record_id AND {read_sql(parent, access, alias, b)}))")
    return " OR ".join(branches) or "FALSE"


NOTE = RecordType(
    name="Note",
    table=NOTES,
    groups={
        "all": (
            col("id"),
            col("body", doc="The text."),
            col("author", "created_by"),
            col("createdAt", doc="When it was written."),
            col("updatedAt", doc="When it last changed."),
            col("version", doc="Optimistic-concurrency version."),
        ),
    },
    visibility=_visible_note,
)
