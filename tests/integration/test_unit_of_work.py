"""The unit of work against PostgreSQL: a change and its audit entry commit together or not
at all, and concurrent writers at one version cannot both win."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest
from sqlalchemy import func, select

from auth.principal import Principal
from domain.errors import DomainError, ErrorCode
from domain.services.contacts import CONTACT
from domain.services.records import create_record, update_record
from persistence.audit import AUDIT
from persistence.contacts import ContactRow
from persistence.uow import UnitOfWork


@pytest.fixture(scope="module")
def access(principals):
    return principals["admin"].access()


async def count_contacts(engine, last_name: str) -> int:
    table = ContactRow.__table__
    async with engine.connect() as conn:
        stmt = select(func.count()).select_from(table).where(table.c.last_name == last_name)
        return (await conn.execute(stmt)).scalar_one()


async def test_failed_audit_write_leaves_no_record(engine, access, monkeypatch):
    # given an audit log that fails to write
    async def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("persistence.audit.AuditLog.record", broken)
    # when a contact is created
    with pytest.raises(RuntimeError):
        await create_record(CONTACT, {"lastName": "Atomic"}, UnitOfWork(engine, access), access)
    # then the contact was rolled back with it
    assert await count_contacts(engine, "Atomic") == 0


async def test_change_and_audit_entry_commit_together(engine, access):
    contact_id = await create_record(CONTACT, {"lastName": "Together"},
                                     UnitOfWork(engine, access), access)
    async with engine.connect() as conn:
        entries = (await conn.execute(select(AUDIT.c.action).where(
            AUDIT.c.record_id == contact_id))).scalars().all()
    assert entries == ["create"] and await count_contacts(engine, "Together") == 1


async def test_concurrent_updates_at_one_version_let_exactly_one_win(engine, access):
    # given a contact at version 1
    contact_id = await create_record(CONTACT, {"lastName": "Race"}, UnitOfWork(engine, access),
                                     access)

    async def rename(name: str):
        try:
            await update_record(CONTACT, contact_id, 1, {"firstName": name},
                                UnitOfWork(engine, access), access)
            return "ok"
        except DomainError as exc:
            return exc.problems[0].code

    # when five writers update it at version 1 at once
    outcomes = await asyncio.gather(*(rename(f"Writer{i}") for i in range(5)))
    # then one wins and the others see a stale version
    assert Counter(outcomes) == {"ok": 1, ErrorCode.STALE_VERSION: 4}


async def test_partner_write_rule_is_applied_in_sql(engine, principals):
    partner = Principal.partner(principals["partner"].partner_id, ["contacts:read"])
    access = partner.access()
    with pytest.raises(DomainError) as refused:
        await create_record(CONTACT, {"lastName": "Partnered"}, UnitOfWork(engine, access), access)
    assert refused.value.problems[0].code is ErrorCode.FORBIDDEN
