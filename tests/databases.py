"""Databases of the tests' own on the test server: made fresh, dropped afterwards."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Iterator
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


async def _seed_demo(url: str) -> None:
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
            asyncio.run(_seed_demo(url))
        yield url
    finally:
        asyncio.run(execute(server_url, (f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',)))
