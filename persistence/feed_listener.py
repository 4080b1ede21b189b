"""Each process's ear on the change feed: one connection that LISTENs, numbers what was
written, and hands the numbered events, in order, to the readers of this process.

Every API process and worker runs one. Two or more processes share the feed through
PostgreSQL alone: a write's commit notifies `crm_written`, any listener then numbers the new
events (the sequencer runs one at a time), and the numbering notifies `crm_feed`, on which
every listener reads the events it has not yet handed out. A notification carries no ids
and no values: it only wakes the listeners, which read the events from the table. A timer
wakes them too, so that a notification lost while a connection was down delays events by
at most `sweep_seconds`, and never loses one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

import asyncpg

from persistence import changes
from persistence.changes import ChangeEvent

log = logging.getLogger("crm.feed")

Reader = Callable[[list[ChangeEvent]], Awaitable[None]]
RETRY_SECONDS = (0.5, 1, 2, 5)


class FeedListener:
    """Hands each event numbered after start-up to every registered reader, in order."""

    def __init__(self, url: str, *, sweep_seconds: float = 1.0,
                 batch_seconds: float = 0.01) -> None:
        self.url = url
        self.sweep_seconds = sweep_seconds
        self.batch_seconds = batch_seconds
        self.readers: list[Reader] = []
        # Other channels heard on the same connection, each with what hears its payloads.
        self.channels: dict[str, Callable[[str], None]] = {}
        # The last number handed out; None until the connection first reads the feed.
        self.position: int | None = None
        self._wake = asyncio.Event()
        self._task: asyncio.Task | None = None
        self.connected = asyncio.Event()

    def add_reader(self, reader: Reader) -> Callable[[], None]:
        """Registers `reader`; the function that removes it."""
        self.readers.append(reader)
        return lambda: self.readers.remove(reader) if reader in self.readers else None

    def add_channel(self, channel: str, hear: Callable[[str], None]) -> None:
        """Hands each payload notified on `channel` to `hear`, from the next connection on
        (call it before start). A payload notified while the connection was down is lost."""
        self.channels[channel] = hear

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="change feed listener")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def _notified(self, *_args) -> None:
        self._wake.set()

    async def _run(self) -> None:
        failures = 0
        while True:
            connection = None
            try:
                connection = await asyncpg.connect(self.url, server_settings={
                    "application_name": "crm feed"})
                for channel in (changes.WRITTEN_CHANNEL, changes.FEED_CHANNEL):
                    await connection.add_listener(channel, self._notified)
                for channel, hear in self.channels.items():
                    await connection.add_listener(
                        channel, lambda _c, _p, _ch, payload, hear=hear: hear(payload))
                if self.position is None:
                    self.position = await changes.newest(connection)
                self.connected.set()
                failures = 0
                await self._serve(connection)
            except asyncio.CancelledError:
                raise
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
                self.connected.clear()
                delay = RETRY_SECONDS[min(failures, len(RETRY_SECONDS) - 1)]
                failures += 1
                log.warning("change feed connection lost (%s); again in %s s", error, delay)
                await asyncio.sleep(delay)
            finally:
                if connection is not None:
                    with contextlib.suppress(Exception):
                        await asyncio.shield(connection.close(timeout=2))

    async def _serve(self, connection: asyncpg.Connection) -> None:
        while True:
            # Cleared before the work, so that a notification arriving during it wakes the
            # next round at once.
            self._wake.clear()
            await changes.sequence(connection)
            await self._hand_out(connection)
            # Under a stream of writes, a round per write would cost each write a sequencer
            # transaction in every process: a short pause lets one round take them all. A
            # write after a quiet spell is still numbered at once.
            await asyncio.sleep(self.batch_seconds)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.sweep_seconds)

    async def _hand_out(self, connection: asyncpg.Connection) -> None:
        while True:
            events = await changes.read_after(connection, self.position)
            if not events:
                return
            self.position = events[-1].seq
            for reader in list(self.readers):
                try:
                    await reader(events)
                except Exception:  # one reader's bug must not starve the others
                    log.exception("a change feed reader failed")
