"""Where each consumer of the change feed that must act once per event has read to.

A consumer that writes something for each event (a notification, a webhook message) claims
its cursor in the transaction that writes: the row lock keeps a second process from reading
the same events at the same time, and the cursor moves on in the same commit as what was
written, so each event is acted on exactly once, whatever crashes in between.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column
from sqlmodel import Field, SQLModel

from persistence.db import Transaction
from persistence.declaration import InternalTable


class FeedCursorRow(SQLModel, table=True):
    """One consumer's place in the change feed: the last event it acted on."""

    __tablename__ = "feed_cursor"

    name: str = Field(primary_key=True, max_length=60)
    seq: int = Field(sa_column=Column(BigInteger, nullable=False))


FEED_CURSORS = InternalTable(
    FeedCursorRow.__table__,
    "each once-only consumer's place in the change feed; only its consumer reads it")


async def claim(tx: Transaction, name: str) -> int | None:
    """The consumer's cursor, locked until `tx` ends; None while another process holds it.
    A new consumer starts at the newest event: it acts on what comes, not on the past."""
    await tx.value("INSERT INTO feed_cursor (name, seq) SELECT $1, coalesce(max(seq), 0) "
                   "FROM change_event ON CONFLICT (name) DO NOTHING", (name,))
    return await tx.value("SELECT seq FROM feed_cursor WHERE name = $1 FOR UPDATE SKIP LOCKED",
                          (name,))


async def advance(tx: Transaction, name: str, seq: int) -> None:
    await tx.value("UPDATE feed_cursor SET seq = $2 WHERE name = $1", (name, seq))
