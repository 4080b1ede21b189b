"""Consent use cases: grant and withdraw."""

from __future__ import annotations

import uuid

from domain.access import Access
from domain.consents import ConsentChannel, ConsentStatus, validate_consent
from domain.errors import forbidden
from domain.ports import UnitOfWork
from domain.services.records import lock_writable


async def record_consent(contact_id: uuid.UUID, channel: ConsentChannel, purpose: str,
                         source: str, status: ConsentStatus, uow: UnitOfWork,
                         access: Access) -> uuid.UUID:
    """Record the contact's latest decision for a channel and purpose."""
    if not access.can_write("Contact", "consents"):
        raise forbidden("contactId", "You may not record consents.")
    purpose, source = validate_consent(purpose, source)
    async with uow:
        await lock_writable(uow, "Contact", contact_id, field_name="contactId")
        before = await uow.consents.get(contact_id, channel.value, purpose)
        consent_id = await uow.consents.upsert(
            contact_id, channel.value, purpose, {"status": status.value, "source": source})
        changes = {
            "status": (before and before["status"], status.value),
            "source": (before and before["source"], source),
        }
        action = "grant" if status is ConsentStatus.GRANTED else "withdraw"
        await uow.audit.record("Consent", consent_id, action, changes, parent_id=contact_id)
        await uow.commit()
    return consent_id
