"""Linking contacts to accounts, with a job title and a decision-maker flag."""

from __future__ import annotations

import uuid

from domain.access import Access
from domain.errors import DomainError, ErrorCode
from domain.ports import UnitOfWork
from domain.services.records import lock_writable, require_writable_fields
from domain.values import clean_text


def require_linking(access: Access) -> None:
    """A link changes both its ends: the contact's accounts and the account's contacts."""
    require_writable_fields(access, "Contact", ["accounts"])
    require_writable_fields(access, "Account", ["contacts"])


async def lock_ends(uow: UnitOfWork, account_id: uuid.UUID, contact_id: uuid.UUID, *,
                    account_field: str = "accountId", contact_field: str = "contactId") -> None:
    """Lock both ends of a link, account first: each must be one the caller may write."""
    await lock_writable(uow, "Account", account_id, field_name=account_field)
    await lock_writable(uow, "Contact", contact_id, field_name=contact_field)


async def upsert_link(uow: UnitOfWork, account_id: uuid.UUID, contact_id: uuid.UUID,
                      title: str | None, is_decision_maker: bool) -> uuid.UUID:
    """Create or change a link with its audit entry, in the open transaction and on ends
    already locked."""
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
    return link_id


async def link_contact(account_id: uuid.UUID, contact_id: uuid.UUID, job_title: str | None,
                       is_decision_maker: bool, uow: UnitOfWork, access: Access) -> uuid.UUID:
    """Put a contact in an account, or change the title and flag of an existing link."""
    require_linking(access)
    title = clean_text(job_title, "jobTitle")
    async with uow:
        await lock_ends(uow, account_id, contact_id)
        link_id = await upsert_link(uow, account_id, contact_id, title, is_decision_maker)
        await uow.commit()
    return link_id


async def unlink_contact(account_id: uuid.UUID, contact_id: uuid.UUID, uow: UnitOfWork,
                         access: Access) -> None:
    """Take a contact out of an account; the link is archived, since history refers to it."""
    require_linking(access)
    async with uow:
        await lock_ends(uow, account_id, contact_id)
        before = await uow.links.get(account_id, contact_id)
        if before is None:
            raise DomainError.one("accountId", ErrorCode.NOT_FOUND,
                                  "The contact is not linked to this account.")
        await uow.links.archive(before["id"])
        await uow.audit.record("AccountContact", before["id"], "unlink",
                               {"account": (account_id, None)}, parent_id=contact_id)
        await uow.commit()
