"""Note use cases."""

from __future__ import annotations

import uuid

from domain.access import Access
from domain.errors import forbidden
from domain.ports import UnitOfWork
from domain.services.records import lock_writable
from domain.values import MAX_LONG_TEXT, clean_text

NOTED_TYPES = ("Contact", "Account")


async def create_note(record_type: str, record_id: uuid.UUID, body: str, uow: UnitOfWork,
                      access: Access) -> uuid.UUID:
    """Attach an internal note to a record whose notes the caller may write."""
    if not access.can_write(record_type, "notes"):
        raise forbidden("recordId", f"You may not add notes to a {record_type}.")
    text = clean_text(body, "body", required=True, limit=MAX_LONG_TEXT)
    async with uow:
        await lock_writable(uow, record_type, record_id, field_name="recordId")
        note_id = await uow.notes.insert(record_type, record_id, text)
        await uow.audit.record("Note", note_id, "create", {"body": (None, text)},
                               parent_id=record_id)
        await uow.commit()
    return note_id
