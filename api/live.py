"""Which open subscription waits for which events of the change feed.

The process's feed listener hands every numbered event to the hub; the hub offers it to each
watch, whose predicate looks only at the event (type, id, action): ids, never values. What the
subscriber may see of the record is decided afterwards, when its subscription reads the record
through the subscriber's own access.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Iterator

from persistence.changes import ChangeEvent

# Events a subscription may fall behind by before it is ended with an error: a client that
# does not read its socket must not make the server hold an ever longer queue for it.
BACKLOG = 1000


class FellBehind(Exception):
    """The subscriber did not keep up with its events."""


class Watch:
    """One subscription's queue of the events it wants."""

    def __init__(self, wants: Callable[[ChangeEvent], bool]) -> None:
        self.wants = wants
        self.queue: asyncio.Queue[ChangeEvent] = asyncio.Queue(BACKLOG)
        self.overflowed = False

    def offer(self, event: ChangeEvent) -> None:
        if self.overflowed or not self.wants(event):
            return
        try:
            self.queue.put_nowait(event)
        except asyncio.QueueFull:
            self.overflowed = True

    async def next(self) -> ChangeEvent:
        if self.overflowed:
            raise FellBehind(f"More than {BACKLOG} events waited for this subscription; "
                             "subscribe again with `after` set to the last `seq` received.")
        return await self.queue.get()

    def waiting(self) -> list[ChangeEvent]:
        """The events already queued, taken without waiting."""
        taken = []
        while not self.queue.empty():
            taken.append(self.queue.get_nowait())
        return taken


class LiveHub:
    """The open watches of this process."""

    def __init__(self) -> None:
        self.watches: set[Watch] = set()

    async def hand_out(self, events: list[ChangeEvent]) -> None:
        """The feed listener's reader: each event, in order, to every watch."""
        for event in events:
            for watch in tuple(self.watches):
                watch.offer(event)

    @contextlib.contextmanager
    def watching(self, wants: Callable[[ChangeEvent], bool]) -> Iterator[Watch]:
        watch = Watch(wants)
        self.watches.add(watch)
        try:
            yield watch
        finally:
            self.watches.discard(watch)
