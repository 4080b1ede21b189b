"""Order and case numbers: zero-padded to six digits, and every digit kept beyond."""

from __future__ import annotations

import asyncpg
import pytest

from tests.databases import own_database


@pytest.fixture(scope="module")
def migrated(server_url: str):
    with own_database(server_url, "crm_numbering", migrated=True) as url:
        yield url


@pytest.mark.parametrize("table, sequence, prefix", [("sales_order", "order_number", "SO-"),
                                                     ("service_case", "case_number", "CS-")])
async def test_number_keeps_its_digits_past_a_million(migrated, table, sequence, prefix):
    conn = await asyncpg.connect(migrated)
    try:
        default = await conn.fetchval(
            "SELECT pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d JOIN pg_attribute a "
            "ON a.attrelid = d.adrelid AND a.attnum = d.adnum "
            "WHERE d.adrelid = $1::regclass AND a.attname = 'number'", table)
        # given the sequence just below a million
        await conn.execute(f"SELECT setval('{sequence}', 999998)")
        # when the column's default numbers three rows
        numbers = [await conn.fetchval(f"SELECT {default}") for _ in range(3)]
        # then they run on past six digits without repeating one
        assert numbers == [f"{prefix}999999", f"{prefix}1000000", f"{prefix}1000001"]
        await conn.execute(f"SELECT setval('{sequence}', 41)")
        assert await conn.fetchval(f"SELECT {default}") == f"{prefix}000042"
    finally:
        await conn.close()
