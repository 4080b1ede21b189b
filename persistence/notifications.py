"""Notifications, one per recipient user, and who follows which record.

A notification says only what happened to which record (its type and id), by whom, and which
comment it was: never a value of the record, so that it shows nothing its recipient could not
read there. Follows and notifications are each user's own bookkeeping, not changes to the
records: they are not audited, so that the change feed never reports a notification.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ARRAY, Index, String, UniqueConstraint, text
from sqlmodel import Field

from domain.access import Access, RecordRule, Role
from domain.comments import OWNERS, CommentableKind, NotificationKind
from persistence.base import Stamped, one_of, utc_column
from persistence.db import Reader, Transaction
from persistence.declaration import InternalTable, RecordType, col, ref
from persistence.spec import Spec, read_sql, write_sql
from persistence.sql import Builder

# Builds the access a user's role and record rules give it (auth builds it for the caller).
AccessOf = Callable[[Role, uuid.UUID], Access]


# Notified with "<recipient id> <notification id>" at each new notification's commit, by a
# trigger (migration 0020): the notificationAdded subscription hears it.
NOTICE_CHANNEL = "crm_notification"


# What a notification may be about: what takes comments, and a webhook endpoint, whose owner
# is told when deliveries to it stop.
NotifiedType = StrEnum("NotifiedType", {name: name for name in (
    *(k.value for k in CommentableKind), "WebhookEndpoint")})


class NotificationRow(Stamped, table=True):
    __tablename__ = "notification"
    __table_args__ = (
        Index("ix_notification_user_id_created_at_id", "user_id", "created_at", "id"),
        Index("ix_notification_user_id_unread", "user_id",
              postgresql_where=text("read_at IS NULL AND archived_at IS NULL")),
        Index("ix_notification_record_id", "record_id"),  # read when records merge
        one_of("kind", NotificationKind), one_of("record_type", NotifiedType),
    )

    user_id: uuid.UUID = Field(foreign_key="app_user.id")  # the recipient
    kind: str = Field(max_length=10)
    record_type: str = Field(max_length=20)
    record_id: uuid.UUID
    comment_id: uuid.UUID | None = Field(default=None, foreign_key="activity.id")
    actor: str = Field(max_length=80)  # who commented or changed: `Type:uuid`
    # A change: the names of the changed fields the recipient may read.
    fields: list[str] = Field(default_factory=list, sa_type=ARRAY(String(100)),
                              sa_column_kwargs={"server_default": text("'{}'")})
    read_at: datetime | None = Field(default=None,
                                     **utc_column(nullable=True, server_default=None))


class FollowRow(Stamped, table=True):
    """A user following a record; unfollowing archives the row, which also keeps a record's
    owner from following it again by default."""

    __tablename__ = "follow"
    __table_args__ = (UniqueConstraint("user_id", "record_id"),)

    user_id: uuid.UUID = Field(foreign_key="app_user.id")
    record_id: uuid.UUID = Field(index=True)  # of any kind that takes comments


def _own(t: str, access: Access, b: Builder) -> str:
    return f"{t}.user_id = {b.bind(access.user_id)}"


NOTIFICATION = RecordType(
    name="Notification",
    table=NotificationRow.__table__,
    groups={
        "all": (
            col("id"),
            col("version"),
            col("createdAt", sortable=True, doc="When it happened."),
            col("kind", filterable=True, enum=NotificationKind,
                doc="MENTION (you were mentioned in a comment), COMMENT (a comment on a "
                    "record you follow) or CHANGE (a change to a record you follow)."),
            col("recordType", doc="The type of the record it is about, e.g. Opportunity."),
            col("recordId"),
            ref("comment", target="Activity",
                doc="The comment it is about (MENTION and COMMENT); null once it is archived."),
            col("actor"),
            col("fields"),
            col("readAt", filterable=True, doc="When you marked it read; null while unread."),
        ),
    },
    rules={RecordRule.SELF: _own},
)
FOLLOWS = InternalTable(FollowRow.__table__,
                        "who follows which record: read when a comment or a change is told")


class NotificationStore:
    """Implements domain.ports.NotificationStore."""

    def __init__(self, tx: Transaction, access: Access, specs: Mapping[str, Spec],
                 access_of: AccessOf | None) -> None:
        self.tx = tx
        self.access = access
        self.specs = specs
        self.access_of = access_of
        self.actor = str(access.actor)

    async def followers(self, record_type: str, record_id: uuid.UUID) -> list[uuid.UUID]:
        """Who follows a record: those who chose to, and its owner unless it unfollowed."""
        spec, b = self.specs[record_type], Builder()
        record = b.bind(record_id)
        owner = spec.columns[OWNERS[record_type]]
        rows = await self.tx.rows(
            f"SELECT f.user_id AS id FROM follow f WHERE f.record_id = {record} "
            f"AND f.archived_at IS NULL UNION SELECT r.{owner} FROM {spec.name} r "
            f"WHERE r.id = {record} AND r.{owner} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "
            f"follow f WHERE f.record_id = r.id AND f.user_id = r.{owner})", b.params)
        return [row["id"] for row in rows]

    async def follow(self, user_id: uuid.UUID, record_id: uuid.UUID, following: bool, *,
                     unless_unfollowed: bool = False) -> None:
        """Follow a record or unfollow it; `unless_unfollowed` leaves a user who unfollowed it
        as it chose (a comment makes its author follow, but not against its will)."""
        b = Builder()
        actor = b.bind(self.actor)
        archived = "NULL" if following else "now()"
        change = ("DO NOTHING" if unless_unfollowed else
                  f"DO UPDATE SET archived_at = {archived}, version = follow.version + 1, "
                  f"updated_at = now(), updated_by = {actor} WHERE (follow.archived_at IS "
                  f"NULL) = {'false' if following else 'true'}")
        await self.tx.value(
            f"INSERT INTO follow (id, user_id, record_id, archived_at, created_by, updated_by) "
            f"VALUES ({b.bind(uuid.uuid4())}, {b.bind(user_id)}, {b.bind(record_id)}, "
            f"{archived}, {actor}, {actor}) ON CONFLICT (user_id, record_id) {change}", b.params)

    async def readers(self, type_name: str, id: uuid.UUID, user_ids: Iterable[uuid.UUID]
                      ) -> dict[uuid.UUID, Access]:
        """The active users among `user_ids` who may read the record under their own role
        and record rules, each with its access: as if each of them asked for it."""
        wanted = list(dict.fromkeys(user_ids))
        if not wanted:
            return {}
        if self.access_of is None:
            raise RuntimeError("this unit of work was built without access_of")
        users = await self.tx.rows("SELECT id, role FROM app_user WHERE id = ANY($1) AND "
                                   "active AND archived_at IS NULL", (wanted,))
        accesses = {u["id"]: self.access_of(Role(u["role"]), u["id"]) for u in users}
        if not accesses:
            return {}
        spec, b = self.specs[type_name], Builder()
        record = b.bind(id)
        checks = " UNION ALL ".join(
            f"SELECT {b.bind(user)}::uuid AS id WHERE EXISTS (SELECT 1 FROM {spec.name} t "
            f"WHERE t.id = {record} AND {read_sql(spec, access, 't', b)})"
            for user, access in accesses.items())
        return {row["id"]: accesses[row["id"]] for row in await self.tx.rows(checks, b.params)}

    async def notify(self, notifications: list[dict], now: datetime) -> None:
        """Write notifications: each names its user, kind, record, comment and fields."""
        if not notifications:
            return
        b = Builder()
        actor, at = b.bind(self.actor), b.bind(now)
        rows = ", ".join(
            f"({b.bind(uuid.uuid4())}, {b.bind(n['user'])}, {b.bind(n['kind'])}, "
            f"{b.bind(n['recordType'])}, {b.bind(n['recordId'])}, {b.bind(n.get('comment'))}, "
            f"{b.bind(n['actor'])}, {b.bind(list(n.get('fields', ())))}::text[], {at}, {at}, "
            f"{actor}, {actor})" for n in notifications)
        await self.tx.value(
            f"INSERT INTO notification (id, user_id, kind, record_type, record_id, comment_id, "
            f"actor, fields, created_at, updated_at, created_by, updated_by) VALUES {rows}",
            b.params)

    async def mark_read(self, ids: list[uuid.UUID] | None, now: datetime) -> int:
        """Mark the caller's unread notifications read: those of `ids`, or all of them."""
        spec, b = self.specs["Notification"], Builder()
        chosen = "" if ids is None else f" AND t.id = ANY({b.bind(ids)})"
        rows = await self.tx.rows(
            f"UPDATE notification t SET read_at = {b.bind(now)}, version = t.version + 1, "
            f"updated_at = now(), updated_by = {b.bind(self.actor)} WHERE t.read_at IS NULL "
            f"AND t.archived_at IS NULL AND {write_sql(spec, self.access, 't', b)}{chosen} "
            f"RETURNING t.id", b.params)
        return len(rows)


async def unread_count(reader: Reader, access: Access) -> int:
    """How many of the caller's notifications are unread."""
    b = Builder()
    spec = NOTIFICATION.spec
    return await reader.value(
        f"SELECT count(*) FROM notification t WHERE t.read_at IS NULL AND t.archived_at IS NULL "
        f"AND {read_sql(spec, access, 't', b)}", b.params)
