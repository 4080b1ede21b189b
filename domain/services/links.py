"""Linking contacts to accounts, with a job title and a decision-maker flag."""

from __future__ import annotations

import uuid

from domain.access import Access
from domain.errors import DomainError, ErrorCode, not_found
from domain.ports import UnitOfWork
from domain.services.records import lock_writable, require_writable_fields
from domain.values import clean_text


async def link_contact(account_id: uuid.UUID, contact_id: uuid.UUID, job_title: str | None,
                       is_decision_maker: bool, uow: UnitOfWork, access: Access) -> uuid.UUID:
    """Put a contact in an account, or change the title and flag of an existing link."""
    require_writable_fields(access, "Contact", ["accounts"])
    title = clean_text(job_title, "jobTitle")
    async with uow:
        await lock_writable(uow, "Contact", contact_id, field_name="contactId")
        if not await uow.records.visible("Account", [account_id]):
            raise not_found("accountId", "Account")
        before = await uow.links.get(account_id, contact_id)
        link_id = await uow.links.upsert(account_id, contact_id,
                                         {"jobTitle": title, "isDecisionMaker": is_decision_maker})
        changes = {
            "account": ((before or {}).get("account"), account_id),
            "jobTitle": ((before or {}).get("jobTitle"), title),
            "isDecisionMaker": ((before or {}).get("isDecisionMaker"), is_decision_maker),
        }
        await uow.audit.record("AccountContact", link_id, "link" if before is None else "update",
                               changes, parent_id=contact_id)
        await uow.commit()
    return link_id


async def unlink_contact(account_id: uuid.UUID, contact_id: uuid.UUID, uow: UnitOfWork,
                         access: Access) -> None:
    """Take a contact out of an account; the link is archived, since history refers to it."""
    require_writable_fields(access, "Contact", ["accounts"])
    async with uow:
        await lock_writable(uow, "Contact", contact_id, field_name="contactId")
        before = await uow.links.get(account_id, contact_id)
        if before is None or not await uow.records.visible("Account", [account_id]):
            raise DomainError.one("accountId", ErrorCode.NOT_FOUND,
                                  "The contact is not linked to this account.")
        await uow.links.archive(before["id"])
        await uow.audit.record("AccountContact", before["id"], "unlink",
                               {"account": (account_id, None)}, parent_id=contact_id)
        await uow.commit()
