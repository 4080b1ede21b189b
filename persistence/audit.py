"""The audit log: who changed what, when, with each field's before and after."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Index, insert
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import Field

from domain.access import Access
from persistence.base import Stamped, jsonable, jsonb
from persistence.spec import Spec


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



class AuditLog:
    """Implements domain.ports.AuditLog; entries commit with the change they describe."""

    def __init__(self, conn: AsyncConnection, access: Access) -> None:
        self.conn = conn
        self.actor = str(access.actor)

    async def record(self, record_type: str, record_id: uuid.UUID, action: str,
                     changes: dict[str, tuple[Any, Any]],
                     parent_id: uuid.UUID | None = None) -> None:
        body = {f: {"before": jsonable(b), "after": jsonable(a)} for f, (b, a) in changes.items()}
        await self.conn.execute(insert(AUDIT).values(
            id=uuid.uuid4(), record_type=record_type, record_id=record_id, parent_id=parent_id,
            action=action, changes=body, created_by=self.actor, updated_by=self.actor))


AUDIT_ENTRY = Spec(
    type_name="AuditEntry",
    table=AUDIT,
    columns={"id": "id", "at": "created_at", "actor": "created_by", "action": "action",
             "recordType": "record_type", "recordId": "record_id", "changes": "changes"},
    searchable={"at": ("created_at", "at"), "recordId": ("record_id", "recordId"),
                "parentId": ("parent_id", "recordId")},
)
