"""The analytics refresh's reads: each customer's purchases summarised into a temporary table of
the refreshing transaction, from the primary itself or from a read replica.

Summarising reads every order; scoring and writing what it found is the primary's work. With a
replica the summaries are computed there, in one snapshot for all of them (REPEATABLE READ, so
that RFM and lifetime value score the same orders), and streamed to the primary in PostgreSQL's
binary COPY format, which neither side parses row by row.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg

from persistence.db import libpq_url

# A refresh reads every order: it is no request, to be cut short by their timeout, and its
# statements run once, not worth compiling.
UNBOUNDED = "SET LOCAL statement_timeout = 0; SET LOCAL jit = off"
# How many COPY chunks may wait between the replica and the primary.
CHUNKS_IN_FLIGHT = 16


@asynccontextmanager
async def replica_snapshot(url: str | None) -> AsyncIterator[asyncpg.Connection | None]:
    """A connection to the replica at `url` in one read-only snapshot; None without a replica."""
    if url is None:
        yield None
        return
    source = await asyncpg.connect(libpq_url(url))
    try:
        async with source.transaction(isolation="repeatable_read", readonly=True):
            await source.execute(UNBOUNDED)
            yield source
    finally:
        await source.close()


async def summarise(db: asyncpg.Connection, source: asyncpg.Connection | None, table: str,
                    columns: str, query: str, *args) -> None:
    """The temporary table `table` (`columns`, exactly the types `query` gives) holding what
    `query` finds: on `db` itself, or on `source` and copied over."""
    await db.execute(f"DROP TABLE IF EXISTS {table}")
    if source is None:
        await db.execute(f"CREATE TEMP TABLE {table} ON COMMIT DROP AS {query}", *args)
        return
    await db.execute(f"CREATE TEMP TABLE {table} ({columns}) ON COMMIT DROP")
    chunks: asyncio.Queue[bytes | None] = asyncio.Queue(maxsize=CHUNKS_IN_FLIGHT)

    async def produce() -> None:
        try:
            await source.copy_from_query(query, *args, output=chunks.put, format="binary")
        finally:
            await chunks.put(None)

    async def consume() -> AsyncIterator[bytes]:
        while (chunk := await chunks.get()) is not None:
            yield chunk

    producer = asyncio.create_task(produce())
    try:
        await db.copy_to_table(table, source=consume(), format="binary")
    except BaseException:
        if producer.done() and not producer.cancelled() and producer.exception():
            raise producer.exception() from None
        producer.cancel()
        raise
    await producer
    await db.execute(f"ANALYZE {table}")
