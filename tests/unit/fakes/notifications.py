"""Fake follows and notifications: who follows what, who may read, and what was told."""

from __future__ import annotations

import uuid

from domain import ports
from domain.access import Access
from domain.comments import OWNERS
from tests.unit.fakes.records import FakeRecords


class FakeNotifications(ports.NotificationStore):
    """`users` are the active users and their access; those in `blind` may read nothing."""

    def __init__(self, records: FakeRecords) -> None:
        self.records = records
        self.follows: dict[tuple[uuid.UUID, uuid.UUID], bool] = {}
        self.users: dict[uuid.UUID, Access] = {}
        self.blind: set[uuid.UUID] = set()
        self.told: list[dict] = []
        self.read: set[int] = set()  # indexes into `told`

    async def followers(self, record_type, record_id):
        chosen = [user for (user, record), on in self.follows.items()
                  if record == record_id and on]
        owner = self.records.rows[record_type].get(record_id, {}).get(OWNERS[record_type])
        if owner is not None and (owner, record_id) not in self.follows:
            chosen.append(owner)
        return chosen

    async def follow(self, user_id, record_id, following, *, unless_unfollowed=False):
        if not (unless_unfollowed and (user_id, record_id) in self.follows):
            self.follows[(user_id, record_id)] = following

    async def readers(self, type_name, id, user_ids):
        return {u: self.users[u] for u in user_ids if u in self.users and u not in self.blind}

    async def notify(self, notifications, now):
        self.told.extend({**n, "at": now} for n in notifications)

    async def mark_read(self, ids, now):
        unread = [i for i in range(len(self.told)) if i not in self.read]
        self.read.update(unread)
        return len(unread)

    def kinds(self) -> dict[uuid.UUID, str]:
        """Who was told, and why."""
        return {n["user"]: n["kind"] for n in self.told}
