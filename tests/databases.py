"""Databases of the tests' own on the test server: made fresh, dropped afterwards."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Iterator, Sequence
from datetime import datetime
from decimal import Decimal
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from persistence.db import make_engine
from persistence.migrate import upgrade
from persistence.seed.demo import seed_demo


def with_database(url: str, name: str) -> str:
    """The same server's URL, naming another database."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, ""))


async def execute(url: str, *statements: tuple) -> None:
    """Run (sql, *args) statements on one connection to `url`."""
    conn = await asyncpg.connect(url)
    try:
        for sql, *args in statements:
            await conn.execute(sql, *args)
    finally:
        await conn.close()


async def insert_order(conn: asyncpg.Connection, contact_id, at: datetime, total: Decimal, *,
                       status: str = "FULFILLED", currency: str = "EUR",
                       discount: Decimal = Decimal(0), archived_at: datetime | None = None,
                       lines: Sequence[tuple[uuid.UUID, Decimal]] = ()) -> uuid.UUID:
    """An order of the contact in the standard price book, at `at`, owing `total` after
    `discount`, with `lines` as (product, line total) of one unit each (none if not given):
    what the analytics count of it, written as it stands. Its id."""
    order_id = uuid.uuid4()
    await conn.execute(
        "INSERT INTO sales_order (id, created_by, updated_by, contact_id, price_book_id, "
        "currency, status, ordered_at, subtotal, discount_total, total, archived_at) "
        "SELECT $1, 'test', 'test', $2, id, $3, $4, $5, $6::numeric + $7::numeric, $7, $6, $8 "
        "FROM price_book WHERE is_standard",
        order_id, contact_id, currency, status, at, total, discount, archived_at)
    for position, (product_id, line_total) in enumerate(lines, start=1):
        await conn.execute(
            "INSERT INTO sales_order_line (id, created_by, updated_by, order_id, position, "
            "product_id, quantity, unit_price, discount_percent, total) VALUES "
            "($1, 'test', 'test', $2, $3, $4, 1, $5, 0, $5)",
            uuid.uuid4(), order_id, position, product_id, line_total)
    return order_id


async def load_demo(url: str) -> None:
    """The demo data, loaded into the database at `url`."""
    engine = make_engine(url, pool_size=1)
    async with engine.begin() as conn:
        await seed_demo(conn)
    await engine.dispose()


@contextlib.contextmanager
def own_database(server_url: str, prefix: str, *, migrated: bool = False,
                 demo: bool = False) -> Iterator[str]:
    """A new database `<prefix>_<random>` on the server, migrated and holding the demo data
    if asked; dropped when the block ends, however it ends."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    asyncio.run(execute(server_url, (f'CREATE DATABASE "{name}"',)))
    url = with_database(server_url, name)
    try:
        if migrated or demo:
            upgrade(url)
        if demo:
            asyncio.run(load_demo(url))
        yield url
    finally:
        asyncio.run(execute(server_url, (f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',)))
