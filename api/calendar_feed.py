"""GET /calendar/{secret}.ics: a user's meetings and open tasks as an RFC 5545 calendar."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from icalendar import Calendar, Event, Todo
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from api.schema.ids import to_global_id
from auth.principal import Principal
from domain.access import Role
from domain.services.activities import feed_secret_hash
from persistence.calendar import calendar_rows, feed_owner
from persistence.db import Reader

PAST, FUTURE = timedelta(days=30), timedelta(days=365)  # the window a feed shows
PRIORITIES = {"HIGH": 1, "NORMAL": 5, "LOW": 9}  # RFC 5545 PRIORITY: 1 highest, 9 lowest
STATUSES = {"OPEN": "NEEDS-ACTION", "DONE": "COMPLETED", "CANCELLED": "CANCELLED"}


def _calendar(name: str, rows: list[dict], now: datetime) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Headless CRM//calendar feed//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"CRM — {name}")
    for row in rows:
        item = Event() if row["kind"] == "MEETING" else Todo()
        item.add("uid", f"{to_global_id('Activity', row['id'])}@crm")
        item.add("dtstamp", now)
        item.add("summary", row.get("subject") or row["kind"].title())
        if row.get("body"):
            item.add("description", row["body"])
        if row["kind"] == "MEETING":
            item.add("dtstart", row["startsAt"])
            item.add("dtend", row["endsAt"])
            if row.get("location"):
                item.add("location", row["location"])
        else:
            item.add("due", row["dueAt"])
            item.add("priority", PRIORITIES.get(row.get("priority") or "NORMAL", 5))
            item.add("status", STATUSES.get(row.get("status") or "OPEN", "NEEDS-ACTION"))
        calendar.add_component(item)
    return calendar.to_ical()


async def calendar_feed(request: Request, reader: Reader, clock: Callable[[], datetime]
                        ) -> Response:
    """The feed of the user whose secret address this is; 404 for any other address."""
    secret = request.path_params["secret"]
    owner = await feed_owner(reader, feed_secret_hash(secret))
    if owner is None:
        return PlainTextResponse("No calendar at this address.", 404)
    access = Principal.staff(Role(owner["role"]), owner["id"]).access()
    now = clock()
    rows = await calendar_rows(reader, access, owner["id"], now - PAST, now + FUTURE)
    return Response(_calendar(owner["name"], rows, now), media_type="text/calendar",
                    headers={"Cache-Control": "private, max-age=300"})
