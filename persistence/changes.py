"""The change feed: one event per audit entry, numbered in the order it became visible.

Webhooks, subscriptions and automations read this feed, never the audit log: an event says
which record changed, how, which fields and who, but never a value, so each reader reads the
record itself through its own access.

**Written by the database.** A trigger on `audit_entry` appends the event in the statement
that writes the entry, so no write path can audit a change and forget to announce it, and
the event commits or rolls back with the write.

**Numbered after commit.** A sequence drawn while the writing transaction runs is not the
order in which writes become visible: a transaction that drew 5 may commit after one that
drew 6, and a reader that had caught up to 6 would never see 5. So an event is inserted
without a number (`seq` NULL), and the sequencer numbers committed events under an advisory
lock, one transaction at a time, each batch after the last: readers asking for `seq > n`
never miss one, and the numbers have no gaps. Every process that listens to the feed runs
the sequencer when a write is notified, and on a timer in case a notification was lost.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import asyncpg
from sqlalchemy import BigInteger, Column, Identity, Index, Text, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import Field, SQLModel

from persistence.base import utc_column
from persistence.db import Reader, Statement, driver_connection
from persistence.declaration import InternalTable

# Notified by the trigger (migration 0017) at the commit of each write, and by the sequencer
# with the first and last numbers it gave.
WRITTEN_CHANNEL = "crm_written"
FEED_CHANNEL = "crm_feed"
# pg_advisory_xact_lock's key for the sequencer: "crm_feed" as eight bytes.
SEQUENCER_LOCK = int.from_bytes(b"crm_feed", "big") & 0x7FFF_FFFF_FFFF_FFFF
BATCH = 5000


class ChangeEventRow(SQLModel, table=True):
    """One audited write: the record, the action, the fields it changed, the actor and when."""

    __tablename__ = "change_event"
    __table_args__ = (
        Index("ix_change_event_unsequenced", "id", postgresql_where=text("seq IS NULL")),
        Index("ix_change_event_at", "at"),
    )

    # The order of insertion, which is not the order of commit; readers use `seq`.
    id: int | None = Field(default=None, sa_column=Column(
        BigInteger, Identity(always=True), primary_key=True))
    seq: int | None = Field(default=None, sa_column=Column(BigInteger, unique=True))
    record_type: str = Field(max_length=40)
    record_id: uuid.UUID
    parent_id: uuid.UUID | None = None
    action: str = Field(max_length=40)
    fields: list[str] = Field(default_factory=list, sa_column=Column(
        ARRAY(Text), nullable=False, server_default="{}"))
    actor: str
    at: datetime = Field(**utc_column())


CHANGE_FEED = InternalTable(
    ChangeEventRow.__table__,
    "the change feed: ids and field names only, read by webhooks and subscriptions, each "
    "of which reads the changed record through its own access")

_NUMBER = f"""
WITH pending AS (
    SELECT id, row_number() OVER (ORDER BY id) AS n FROM change_event
    WHERE seq IS NULL ORDER BY id LIMIT {BATCH}),
top AS (SELECT coalesce(max(seq), 0) AS seq FROM change_event)
UPDATE change_event c SET seq = top.seq + p.n FROM pending p, top WHERE c.id = p.id
RETURNING c.seq
"""


@dataclass(frozen=True)
class ChangeEvent:
    """One event of the feed, as its readers see it."""

    seq: int
    record_type: str
    record_id: uuid.UUID
    parent_id: uuid.UUID | None
    action: str
    fields: tuple[str, ...]
    actor: str
    at: datetime


async def sequence(connection: asyncpg.Connection) -> tuple[int, int] | None:
    """Numbers the committed events that have no number yet, after the last numbered one;
    the first and last numbers given, or None. Runs alone: a concurrent call waits for this
    one to commit, and then sees what it could not."""
    numbered: list[int] = []
    while True:
        async with connection.transaction():
            await connection.execute("SELECT pg_advisory_xact_lock($1)", SEQUENCER_LOCK)
            batch = [row[0] for row in await connection.fetch(_NUMBER)]
            if batch:
                await connection.execute("SELECT pg_notify($1, $2)", FEED_CHANNEL,
                                         f"{min(batch)} {max(batch)}")
        numbered += batch
        if len(batch) < BATCH:
            return (min(numbered), max(numbered)) if numbered else None


_AFTER = ("SELECT seq, record_type, record_id, parent_id, action, fields, actor, at "
          "FROM change_event WHERE seq > $1 ORDER BY seq LIMIT $2")


def _event(row) -> ChangeEvent:
    return ChangeEvent(row["seq"], row["record_type"], row["record_id"], row["parent_id"],
                       row["action"], tuple(row["fields"]), row["actor"], row["at"])


async def sequence_pending(engine: AsyncEngine) -> tuple[int, int] | None:
    """sequence() on a connection of the engine's pool: the worker's consumers number what
    is pending first, as they may run where no API process listens."""
    async with driver_connection(engine) as connection:
        return await sequence(connection)


async def read_after(connection: asyncpg.Connection, after: int, limit: int = 1000
                     ) -> list[ChangeEvent]:
    """The events numbered after `after`, in order, at most `limit` of them."""
    return [_event(row) for row in await connection.fetch(_AFTER, after, limit)]


async def events_after(reader: Reader, after: int, limit: int = 1000) -> list[ChangeEvent]:
    """read_after through a Reader: what a reconnecting subscriber missed."""
    return [_event(row) for row in await reader.rows(_AFTER, (after, limit))]


async def newest(connection: asyncpg.Connection) -> int:
    """The newest number given, 0 for an empty feed: where a new listener starts."""
    return await connection.fetchval("SELECT coalesce(max(seq), 0) FROM change_event")


async def oldest(reader: Reader) -> int | None:
    """The oldest number still kept, None for an empty feed: a reader whose last number is
    below it minus one has missed events that retention removed."""
    return await reader.value("SELECT min(seq) FROM change_event WHERE seq IS NOT NULL", ())


async def prune(engine: AsyncEngine, kept: timedelta) -> int:
    """Removes the numbered events older than `kept`; how many."""
    return await Statement(engine).value(
        "WITH pruned AS (DELETE FROM change_event WHERE at < now() - $1::interval "
        "AND seq IS NOT NULL RETURNING 1) SELECT count(*) FROM pruned", (kept,))
