"""A capture form's key: issued with the form, replaced by an admin, kept only as a hash."""

from __future__ import annotations

import uuid

from domain.access import Access, Action
from domain.errors import DomainError, ErrorCode
from domain.ports import UnitOfWork
from domain.services.leads import CAPTURE_FORM
from domain.services.records import (
    insert_audited,
    lock_at_version,
    lock_writable,
    require_action,
    require_writable_fields,
)

TYPE = "CaptureForm"


async def create_form(values: dict, key_hash: str, uow: UnitOfWork, access: Access) -> uuid.UUID:
    """Create a capture form that holds the key of this hash."""
    require_action(access, TYPE, Action.CREATE)
    require_writable_fields(access, TYPE, values)
    clean = CAPTURE_FORM.validate(values, creating=True)
    async with uow:
        form_id = await insert_audited(uow, TYPE, clean)
        await uow.leads.set_form_key(form_id, key_hash, new_form=True)
        await lock_writable(uow, TYPE, form_id)
        await uow.commit()
    return form_id


async def replace_key(form_id: uuid.UUID, version: int, key_hash: str, uow: UnitOfWork,
                      access: Access) -> uuid.UUID:
    """Give a form a new key; the key before it stops working."""
    # Whoever may switch a form off (and so revoke its key) may give it a new one.
    require_writable_fields(access, TYPE, ["active"])
    async with uow:
        locked = await lock_at_version(uow, TYPE, form_id, version)
        if locked.archived:
            raise DomainError.one("id", ErrorCode.CONFLICT, "This CaptureForm is archived.")
        await uow.leads.set_form_key(form_id, key_hash, new_form=False)
        await uow.audit.record(TYPE, form_id, "replace_key", {})
        await uow.commit()
    return form_id
