"""The one-statement update against PostgreSQL: its audit entry is the one the locked path
writes, value types and all; the store keeps the field policy; nothing is half written; the
record handed back is the caller's view of it; a dead idle connection is not written on."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC, date, datetime
from decimal import Decimal

import asyncpg
import orjson
import pytest

from domain.access import RecordRule
from domain.errors import DomainError, ErrorCode
from domain.services.records import update_audited
from persistence.db import Statement, make_engine
from persistence.seed.generator import stable_id
from persistence.spec import readable_fields
from persistence.uow import SPECS, UnitOfWork

# (type, field, column, a stored value, a new value): each type of column the statement renders
CASES = [
    ("Opportunity", "amount", "amount", Decimal("1234.50"), Decimal("99.9")),
    ("Opportunity", "amount", "amount", None, Decimal("10")),
    ("Opportunity", "closeDate", "close_date", date(2027, 3, 1), date(2027, 4, 30)),
    ("Opportunity", "closedAt", "closed_at", datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
     datetime(2026, 1, 2, 3, 4, 5, 120000, tzinfo=UTC)),
    ("Opportunity", "closedAt", "closed_at", datetime(2026, 1, 2, 3, 4, 5, 7, tzinfo=UTC), None),
    ("Opportunity", "closedAt", "closed_at", datetime(2026, 5, 6, 7, 8, 9, 120000, tzinfo=UTC),
     datetime(2026, 5, 6, 7, 8, 9, tzinfo=UTC)),
    ("Opportunity", "amount", "amount", Decimal("0.00"), Decimal("0.5")),
    ("Opportunity", "name", "name", "Before", "After"),
    ("Article", "tags", "tags", ["a", "b"], ["b"]),
    ("Contact", "address", "address", {"city": "Zürich", "country": "CH", "n": 1.5},
     {"city": "Basel"}),
    ("Contact", "leadScore", "lead_score", 3, 4),
    ("Contact", "owner", "owner_id", None, stable_id("user", "sales@example.com")),
    ("CaptureForm", "active", "active", True, False),
]
TABLES = {"Opportunity": "opportunity", "Article": "article", "Contact": "contact",
          "CaptureForm": "capture_form"}


@pytest.fixture(scope="module")
def access(principals):
    return principals["admin"].access()


async def _one(engine, sql: str, *params):
    connection = await engine.raw_connection()
    try:
        return await connection.driver_connection.fetchrow(sql, *params)
    finally:
        connection.close()


async def _set(engine, table: str, column: str, id, value) -> int:
    if isinstance(value, dict):
        value, column_value = orjson.dumps(value).decode(), "$2::text::jsonb"
    else:
        column_value = "$2"
    row = await _one(engine, f"UPDATE {table} SET {column} = {column_value} WHERE id = $1 "
                             f"RETURNING version", id, value)
    return row["version"]


async def _latest_changes(engine, id) -> str:
    """The latest entry's changes as PostgreSQL writes its JSON: equal text, equal entries."""
    row = await _one(engine, "SELECT changes::text AS changes FROM audit_entry "
                             "WHERE record_id = $1 ORDER BY created_at DESC, id DESC LIMIT 1", id)
    return row["changes"]


@pytest.mark.parametrize("type_name, field, column, stored, new", CASES)
async def test_the_audit_entry_is_the_one_the_locked_path_writes(
        engine, access, type_name, field, column, stored, new):
    table = TABLES[type_name]
    id = (await _one(engine, f"SELECT id FROM {table} ORDER BY id LIMIT 1"))["id"]
    # given the record holding the stored value, changed by the locked path
    version = await _set(engine, table, column, id, stored)
    uow = UnitOfWork(engine, access)
    async with uow:
        locked = await uow.records.lock(type_name, id, [field])
        await update_audited(uow, type_name, id, locked.values, {field: new}, "update")
        await uow.commit()
    by_transaction = await _latest_changes(engine, id)
    # when the same value is stored again and the change is made in one statement
    version = await _set(engine, table, column, id, stored)
    written = await UnitOfWork(engine, access).writes.update_at_version(
        type_name, id, version, {field: new}, "update")
    # then it wrote the next version, with the same entry, to the character
    assert written == version + 1
    assert await _latest_changes(engine, id) == by_transaction
    assert set(orjson.loads(by_transaction)) == {field}


async def test_the_store_refuses_a_field_the_caller_may_not_write(engine, principals):
    # given a caller that may write a contact's names but not its lead score
    access = principals["customer"].access()
    contact_id = access.contact_id
    version = (await _one(engine, "SELECT version FROM contact WHERE id = $1",
                          contact_id))["version"]
    # when the store is asked directly, past the use case's check
    with pytest.raises(DomainError) as refused:
        await UnitOfWork(engine, access).writes.update_at_version(
            "Contact", contact_id, version, {"leadScore": 1}, "update")
    # then it is FORBIDDEN on that field, and the record is unchanged
    assert [(p.field, p.code) for p in refused.value.problems] == [
        ("leadScore", ErrorCode.FORBIDDEN)]
    assert (await _one(engine, "SELECT version FROM contact WHERE id = $1",
                       contact_id))["version"] == version


async def test_a_failed_audit_entry_leaves_the_record_unchanged(engine, access):
    # given an audit entry that cannot be written (its action is longer than the column)
    id = (await _one(engine, "SELECT id FROM account ORDER BY id LIMIT 1"))["id"]
    before = await _one(engine, "SELECT name, version FROM account WHERE id = $1", id)
    # when the update is made in one statement
    with pytest.raises(Exception, match="value too long"):
        await UnitOfWork(engine, access).writes.update_at_version(
            "Account", id, before["version"], {"name": "Half written"}, "x" * 41)
    # then the record was not changed either
    after = await _one(engine, "SELECT name, version FROM account WHERE id = $1", id)
    assert dict(after) == dict(before)


async def test_a_field_the_caller_may_write_but_not_read_takes_the_locked_path(engine, access):
    # (the locked path audits such a field's before as null, since it reads only what the
    # caller may; the statement leaves that to it)
    blind = dataclasses.replace(access, readable={**access.readable, "Account": frozenset()})
    id = (await _one(engine, "SELECT id FROM account ORDER BY id LIMIT 1"))["id"]
    version = (await _one(engine, "SELECT version FROM account WHERE id = $1", id))["version"]
    assert await UnitOfWork(engine, blind).writes.update_at_version(
        "Account", id, version, {"name": "Unseen"}, "update") is None


async def test_the_record_handed_back_holds_only_what_the_caller_reads(engine, principals):
    # given the customer, who may not read its own lead score or owner
    access = principals["customer"].access()
    contact_id = access.contact_id
    version = (await _one(engine, "SELECT version FROM contact WHERE id = $1",
                          contact_id))["version"]
    seen = []
    # when it changes its first name in one statement
    written = await UnitOfWork(engine, access, seen=lambda *args: seen.append(args)).writes \
        .update_at_version("Contact", contact_id, version, {"firstName": "Handed"}, "update")
    # then the row handed back is the new one, with the fields the customer reads and no other
    assert written == version + 1
    [(type_name, id, row)] = seen
    assert (type_name, id) == ("Contact", contact_id)
    assert set(row) == set(readable_fields(SPECS["Contact"], access))
    assert not {"leadScore", "owner"} & set(row)
    assert row["firstName"] == "Handed" and row["version"] == version + 1


async def test_a_record_written_out_of_the_callers_sight_is_handed_back_as_none(
        engine, principals):
    # given a sales user who reads, as it writes, only contacts it owns or in its territory
    sales = principals["sales"].access()
    narrow = dataclasses.replace(sales, read_rules={**sales.read_rules,
                                                    "Contact": RecordRule.OWNED_OR_TERRITORY})
    contact_id = (await _one(
        engine, "INSERT INTO contact (id, last_name, owner_id, created_by, updated_by) "
                "VALUES (gen_random_uuid(), 'Mine', $1, 'test', 'test') RETURNING id",
        sales.user_id))["id"]
    seen = []
    # when it hands the contact to another owner (the store alone, past the use case)
    written = await UnitOfWork(engine, narrow, seen=lambda *args: seen.append(args)).writes \
        .update_at_version("Contact", contact_id, 1,
                           {"owner": stable_id("user", "sales2@example.com")}, "update")
    # then the write is done, and the record handed back is none: the caller no longer sees it
    assert written == 2 and seen == [("Contact", contact_id, None)]


async def test_a_connection_the_server_closed_while_idle_is_swapped_before_the_write(
        database_url):
    # given a pool of one connection, whose server process then goes away while it is idle
    engine = make_engine(database_url, pool_size=1)
    try:
        statement = Statement(engine)
        first = await statement.value("SELECT pg_backend_pid()", ())
        other = await asyncpg.connect(database_url)
        try:
            await other.execute("SELECT pg_terminate_backend($1)", first)
        finally:
            await other.close()
        await asyncio.sleep(0.5)  # the driver reads the server's goodbye
        # when a statement is sent, it goes on a new connection instead of failing
        assert await statement.value("SELECT pg_backend_pid()", ()) != first
    finally:
        await engine.dispose()
