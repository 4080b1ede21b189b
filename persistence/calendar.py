"""Timelines and calendars: which activities concern a record, and which fill a user's days."""

from __future__ import annotations

import uuid
from datetime import datetime

from domain.access import Access
from persistence.activities import ACTIVITY
from persistence.db import Reader
from persistence.spec import projection, read_sql
from persistence.sql import Builder, read_rows

CALENDAR_LIMIT = 1000  # a calendar window shows at most this many items

# record type -> the activities on its timeline, as a condition on alias t for record x.
_TIMELINES = {
    "Contact": "{t}.contact_id = {x}",
    "Lead": "{t}.lead_id = {x}",
    "Opportunity": "{t}.opportunity_id = {x}",
    "Case": "{t}.case_id = {x}",
    # An account's history includes its contacts' and its deals'. The ids are gathered along
    # three indexes first: an OR over the three conditions would scan every activity.
    "Account": ("{t}.id = ANY(ARRAY(SELECT h.id FROM activity h WHERE h.account_id = {x} "
                "UNION ALL SELECT h.id FROM account_contact l JOIN activity h ON h.contact_id = "
                "l.contact_id WHERE l.account_id = {x} AND l.archived_at IS NULL "
                "UNION ALL SELECT h.id FROM opportunity o JOIN activity h ON h.opportunity_id = "
                "o.id WHERE o.account_id = {x}))"),
}
TIMELINE_TYPES = tuple(_TIMELINES)


def timeline_sql(type_name: str, t: str, record: str) -> str:
    """The activities of alias `t` on the timeline of the record whose id is `record` (SQL)."""
    return _TIMELINES[type_name].format(t=t, x=record)


def timeline_scope(type_name: str, record_id: uuid.UUID):
    """The condition `fetch_page` narrows activities with for one record's timeline."""
    def scope(b: Builder, t: str) -> str:
        return timeline_sql(type_name, t, b.bind(record_id))
    return scope


async def on_timeline(reader: Reader, access: Access, type_name: str, record_id: uuid.UUID,
                      activity_id: uuid.UUID) -> bool:
    """Whether the activity is on the record's timeline and the caller may see it."""
    b = Builder()
    return bool(await reader.value(
        f"SELECT EXISTS (SELECT FROM activity t WHERE t.id = {b.bind(activity_id)} AND "
        f"{timeline_sql(type_name, 't', b.bind(record_id))} AND "
        f"{read_sql(ACTIVITY.spec, access, 't', b)})", b.params))


def overdue_scope(user_id: uuid.UUID):
    """The condition `fetch_page` narrows activities with for a user's overdue tasks; `now()`
    is the statement's, so that a statement kept for reuse stays right."""
    def scope(b: Builder, t: str) -> str:
        return (f"{t}.kind = 'TASK' AND {t}.status = 'OPEN' AND {t}.assignee_id = "
                f"{b.bind(user_id)} AND {t}.due_at < now()")
    return scope


def calendar_sql(access: Access, t: str, user_id: uuid.UUID, start: datetime, end: datetime,
                 b: Builder) -> str:
    """The activities of alias `t` on the user's calendar in [start, end): meetings owned or
    attended, open tasks due, that the caller may see."""
    user, since, until = b.bind(user_id), b.bind(start), b.bind(end)
    return (f"{t}.archived_at IS NULL AND {read_sql(ACTIVITY.spec, access, t, b)} AND ("
            f"({t}.kind = 'MEETING' AND {t}.starts_at < {until} AND {t}.ends_at > {since} AND "
            f"({t}.owner_id = {user} OR EXISTS (SELECT 1 FROM activity_attendee a "
            f"WHERE a.activity_id = {t}.id AND a.user_id = {user}))) OR "
            f"({t}.kind = 'TASK' AND {t}.status = 'OPEN' AND {t}.assignee_id = {user} "
            f"AND {t}.due_at >= {since} AND {t}.due_at < {until}))")


async def calendar_rows(reader: Reader, access: Access, user_id: uuid.UUID, start: datetime,
                        end: datetime) -> list[dict]:
    """The user's meetings (owned or attended) and open tasks due in [start, end), by time."""
    b = Builder()
    sql = (f"SELECT {projection(ACTIVITY.spec, access, 't')} FROM activity t "
           f"WHERE {calendar_sql(access, 't', user_id, start, end, b)} "
           f"ORDER BY t.at, t.id LIMIT {CALENDAR_LIMIT}")
    return await read_rows(reader, sql, b)


async def feed_owner(reader: Reader, secret_hash: str) -> dict | None:
    """The active staff user whose calendar address has this secret."""
    b = Builder()
    rows = await read_rows(reader, (
        f"SELECT u.id, u.role, u.name FROM calendar_feed f JOIN app_user u ON u.id = f.user_id "
        f"WHERE f.secret_hash = {b.bind(secret_hash)} AND u.active AND u.archived_at IS NULL"), b)
    return rows[0] if rows else None
