"""Use cases of the organisation: users, territories, partners and what partners may reach."""

from __future__ import annotations

import uuid

from domain.access import Access
from domain.directory import (
    TERRITORY_REFERENCES,
    USER_REFERENCES,
    validate_named,
    validate_user,
)
from domain.errors import DomainError, ErrorCode
from domain.ports import UnitOfWork
from domain.services.records import RecordKind, lock_writable, require_writable_fields

USER = RecordKind(type_name="User", validate=validate_user, references=USER_REFERENCES)
TERRITORY = RecordKind(type_name="Territory", validate=validate_named,
                       references=TERRITORY_REFERENCES, acyclic=("parent",))
PARTNER = RecordKind(type_name="Partner", validate=validate_named, references={})

REGISTRABLE = ("Account", "Contact")


async def register(partner_id: uuid.UUID, record_type: str, record_id: uuid.UUID,
                   registered: bool, uow: UnitOfWork, access: Access) -> uuid.UUID:
    """Register a record to a partner, so that its portal reaches it, or take it back; this
    opens or closes the record itself, so the caller must be able to write it too."""
    require_writable_fields(access, "Partner", ["registrations"])
    async with uow:
        await lock_writable(uow, "Partner", partner_id, field_name="partnerId")
        await lock_writable(uow, record_type, record_id, field_name="recordId")
        link = f"partner_{record_type.lower()}"
        changed = await uow.pairs.set(link, partner_id, record_id, registered)
        if not changed:
            state = "already" if registered else "not"
            raise DomainError.one("recordId", ErrorCode.CONFLICT,
                                  f"This {record_type} is {state} registered to the partner.")
        await uow.audit.record("Partner", partner_id, "register" if registered else "unregister",
                               {record_type.lower(): (None if registered else record_id,
                                                      record_id if registered else None)},
                               parent_id=record_id)
        await uow.commit()
    return partner_id
