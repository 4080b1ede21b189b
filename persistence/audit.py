"""The audit log: who changed what, when, with each field's before and after."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Index
from sqlmodel import Field

from domain.access import Access
from persistence.base import Stamped, json_text, jsonable, jsonb
from persistence.db import Transaction
from persistence.declaration import Filterable, RecordType, col
from persistence.spec import KeysOf
from persistence.sql import Builder


class AuditEntryRow(Stamped, table=True):
    __tablename__ = "audit_entry"
    __table_args__ = (
        Index("ix_audit_entry_record_id_created_at_id", "record_id", "created_at", "id"),
        Index("ix_audit_entry_parent_id_created_at_id", "parent_id", "created_at", "id"),
    )

    record_type: str = Field(max_length=40)
    record_id: uuid.UUID
    # The record this one belongs to (a note's contact), so its trail shows the change too.
    parent_id: uuid.UUID | None = None
    action: str = Field(max_length=40)
    # {field: {"before": ..., "after": ...}}
    changes: dict = Field(default_factory=dict, **jsonb())


AUDIT = AuditEntryRow.__table__


def audit_insert_sql(b: Builder, actor: str, record_type: str, action: str, source: str,
                     entry_id: Any = None) -> str:
    """The INSERT of the audit entry of the one row of `source`, a query with `id` (the
    record's) and `changes` (the entry's JSON body) columns, or of none when it has no row:
    a data-modifying CTE, so that a record and its entry are written by one statement.
    `entry_id` is the parameter of the entry's id, a new one when not given."""
    who = b.bind(actor)
    entry = b.bind(uuid.uuid4() if entry_id is None else entry_id)
    return (f"INSERT INTO audit_entry (id, record_type, record_id, parent_id, action, changes, "
            f"created_by, updated_by) SELECT {entry}, {b.bind(record_type)}, "
            f"s.id, NULL, {b.bind(action)}, s.changes, {who}, {who} FROM ({source}) s")


class AuditLog:
    """Implements domain.ports.AuditLog; entries commit with the change they describe."""

    def __init__(self, tx: Transaction, access: Access) -> None:
        self.tx = tx
        self.actor = str(access.actor)

    async def record(self, record_type: str, record_id: uuid.UUID, action: str,
                     changes: dict[str, tuple[Any, Any]],
                     parent_id: uuid.UUID | None = None) -> None:
        body = {f: {"before": jsonable(b), "after": jsonable(a)} for f, (b, a) in changes.items()}
        b = Builder()
        actor = b.bind(self.actor)
        await self.tx.value(
            f"INSERT INTO audit_entry (id, record_type, record_id, parent_id, action, changes, "
            f"created_by, updated_by) VALUES ({b.bind(uuid.uuid4())}, {b.bind(record_type)}, "
            f"{b.bind(record_id)}, {b.bind(parent_id)}, {b.bind(action)}, "
            f"{b.bind(json_text(body))}::jsonb, {actor}, {actor})", b.params)


AUDIT_ENTRY = RecordType(
    name="AuditEntry",
    table=AUDIT,
    groups={
        "all": (
            col("id"),
            col("at", "created_at", filterable=True, doc="When the change was committed."),
            col("actor", "created_by"),
            col("action", doc="create, update, archive, grant, withdraw, link, unlink."),
            col("recordType", doc="The type of the changed record."),
            col("recordId", filterable=True),
            col("changes", keys_of=KeysOf(type_column="record_type")),
        ),
    },
    also_filterable=(Filterable("parentId", "parent_id", guard="recordId",
                                description="The record or one of its parents.", kind="id"),),
)
