"""The database keeps dates and times that users give within the accepted range too, so that no
infinity is stored even by a write that bypasses the API."""

from __future__ import annotations

import asyncpg
import pytest

# (table, column, a value outside the range)
OUTSIDE = [
    ("opportunity", "close_date", "'infinity'::date"),
    ("opportunity", "close_date", "'3000-01-01'::date"),
    ("service_case", "opened_at", "'-infinity'::timestamptz"),
    ("service_case", "opened_at", "'1899-12-31 23:59:59+00'::timestamptz"),
    ("activity", "due_at", "'-infinity'::timestamptz"),
    ("activity", "at", "'infinity'::timestamptz"),
    ("activity", "starts_at", "'0001-01-01 00:00:00+00'::timestamptz"),
    ("activity", "ends_at", "'9999-12-31 00:00:00+00'::timestamptz"),
    ("activity", "reminder_at", "'3000-01-01 00:00:00+00'::timestamptz"),
]


@pytest.fixture
async def database(database_url):
    conn = await asyncpg.connect(database_url)
    yield conn
    await conn.close()


@pytest.mark.parametrize(("table", "column", "value"), OUTSIDE,
                         ids=[f"{t}.{c}={v}" for t, c, v in OUTSIDE])
async def test_a_value_outside_the_range_is_refused_by_the_database(database, table, column, value):
    # when any row is given a value outside the range, straight in SQL
    with pytest.raises(asyncpg.CheckViolationError):
        async with database.transaction():
            await database.execute(
                f"UPDATE {table} SET {column} = {value} WHERE id = (SELECT id FROM {table} LIMIT 1)")


async def test_the_edges_of_the_range_are_stored(database):
    transaction = database.transaction()
    await transaction.start()
    try:
        for table, column, value in [("opportunity", "close_date", "'2999-12-31'"),
                                     ("service_case", "opened_at", "'1900-01-01 00:00:00+00'"),
                                     ("activity", "due_at", "'2999-12-31 23:59:59.999999+00'")]:
            await database.execute(f"UPDATE {table} SET {column} = {value} "
                                   f"WHERE id = (SELECT id FROM {table} LIMIT 1)")
    finally:
        await transaction.rollback()  # leave the demo as it was
