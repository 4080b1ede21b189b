"""Activities through the API: logging each kind, bad input, timeline, calendar and its feed."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar

from tests.demo import SALES_USER

LOG = """mutation($input: ActivityLogInput!) { activityLog(input: $input) {
  activity { id version kind at subject status priority assignee { email }
             attendees { user { email } contact { lastName } } }
  errors { field code message } } }"""
UPDATE = """mutation($input: ActivityUpdateInput!) { activityUpdate(input: $input) {
  activity { status version } errors { field code } } }"""
TIMELINE = """query($id: ID!, $first: Int, $after: String, $kinds: [ActivityKind!]) {
  timeline(recordId: $id, first: $first, after: $after, kinds: $kinds) {
    totalCount pageInfo { hasNextPage endCursor } nodes { id kind at subject } } }"""
CALENDAR = """query($from: DateTime!, $to: DateTime!) { myCalendar(from: $from, to: $to) {
  id kind subject startsAt dueAt } }"""
OVERDUE = """{ overdueTasks { nodes { id subject dueAt } } }"""
FEED = "mutation { calendarFeedReset { url errors { code } } }"
DEAL = """mutation($input: OpportunityCreateInput!) { opportunityCreate(input: $input) {
  opportunity { id } errors { code } } }"""
_n = itertools.count(1)


def _iso(moment: datetime) -> str:
    return moment.isoformat()


async def _log(gql, role: str = "sales", **values) -> dict:
    data = await gql.ok(role, LOG, {"input": values})
    assert data["activityLog"]["errors"] == [], data["activityLog"]["errors"]
    return data["activityLog"]["activity"]


async def test_each_kind_is_logged_with_its_own_fields(gql, factories):
    contact = await factories.contact(owner=SALES_USER)
    now = datetime.now(UTC)
    call = await _log(gql, kind="CALL", contact=contact["id"], direction="OUTBOUND",
                      durationSeconds=300, outcome="CONNECTED", subject="Intro call")
    meeting = await _log(gql, kind="MEETING", contact=contact["id"], subject="Demo",
                         startsAt=_iso(now + timedelta(days=1)),
                         endsAt=_iso(now + timedelta(days=1, hours=1)),
                         attendees=[SALES_USER, contact["id"]])
    task = await _log(gql, kind="TASK", contact=contact["id"], subject="Send quote",
                      dueAt=_iso(now + timedelta(days=2)), priority="HIGH")
    assert call["kind"] == "CALL"
    people = sorted(meeting["attendees"], key=lambda a: a["user"] is None)
    assert people == [{"user": {"email": "sales@example.com"}, "contact": None},
                      {"user": None, "contact": {"lastName": contact["lastName"]}}]
    assert (task["status"], task["priority"], task["assignee"]["email"]) == (
        "OPEN", "HIGH", "sales@example.com")


@pytest.mark.parametrize(("values", "expected"), [
    ({"kind": "MEETING", "startsAt": "2031-01-02T10:00:00Z", "endsAt": "2031-01-02T09:00:00Z"},
     [("endsAt", "INVALID")]),
    ({"kind": "TASK", "subject": "Due early", "startsAt": "2031-01-02T10:00:00Z",
      "dueAt": "2031-01-01T10:00:00Z"}, [("dueAt", "INVALID")]),
    ({"kind": "CALL", "durationSeconds": -5}, [("durationSeconds", "INVALID")]),
    ({"kind": "NOTE", "dueAt": "2031-01-01T10:00:00Z", "body": "x"}, [("dueAt", "INVALID")]),
    ({"kind": "TASK"}, [("subject", "REQUIRED")]),
])
async def test_bad_activities_write_nothing(gql, factories, values, expected):
    contact = await factories.contact(owner=SALES_USER)
    data = await gql.ok("sales", LOG, {"input": {"contact": contact["id"], **values}})
    assert [(e["field"], e["code"]) for e in data["activityLog"]["errors"]] == expected
    timeline = (await gql.ok("sales", TIMELINE, {"id": contact["id"]}))["timeline"]
    assert timeline["totalCount"] == 0


async def test_an_activity_needs_a_record_it_concerns(gql):
    data = await gql.ok("sales", LOG, {"input": {"kind": "NOTE", "body": "Orphan"}})
    assert [(e["field"], e["code"]) for e in data["activityLog"]["errors"]] == [
        ("contact", "REQUIRED")]


async def test_account_timeline_merges_contacts_and_deals_newest_first_in_pages(gql, factories):
    # given an account with a contact and a deal, each with activities at known times
    account = await factories.account(owner=SALES_USER)
    contact = await factories.contact(owner=SALES_USER)
    await factories.link(account["id"], contact["id"])
    deal = (await gql.ok("sales", DEAL, {"input": {"account": account["id"], "name": "T"}}))[
        "opportunityCreate"]["opportunity"]
    base = datetime(2030, 5, 1, tzinfo=UTC)
    made = []
    for i, target in enumerate([("account", account), ("contact", contact),
                                ("opportunity", deal)] * 2):
        made.append((await _log(gql, kind="CALL", subject=f"Call {i}",
                                occurredAt=_iso(base + timedelta(hours=i)),
                                **{target[0]: target[1]["id"]}))["id"])
    other = await factories.contact(owner=SALES_USER)
    await _log(gql, kind="NOTE", body="Elsewhere", contact=other["id"])
    # when the account's timeline is read two at a time
    seen, after = [], None
    for _ in range(3):
        page = (await gql.ok("sales", TIMELINE, {"id": account["id"], "first": 2,
                                                 "after": after}))["timeline"]
        seen += [n["id"] for n in page["nodes"]]
        after = page["pageInfo"]["endCursor"]
    # then it holds all six, newest first, and nothing else
    assert page["totalCount"] == 6 and not page["pageInfo"]["hasNextPage"]
    assert seen == list(reversed(made))
    calls = (await gql.ok("sales", TIMELINE, {"id": account["id"], "kinds": ["NOTE"]}))
    assert calls["timeline"]["totalCount"] == 0


async def test_timeline_of_an_unseen_record_is_null(gql, factories):
    contact = await factories.contact()
    result = await gql("customer", TIMELINE, {"id": contact["id"]})
    assert result.errors == [] and result.data["timeline"] is None


async def test_calendar_and_overdue_tasks_and_the_ical_feed(gql, http, factories):
    # given a meeting tomorrow, a task due the day after, and a task overdue, for sales2
    contact = await factories.contact()
    now = datetime.now(UTC).replace(microsecond=0)
    n = next(_n)
    meeting = await _log(gql, "sales2", kind="MEETING", contact=contact["id"],
                         subject=f"Kick-off {n}", startsAt=_iso(now + timedelta(days=1)),
                         endsAt=_iso(now + timedelta(days=1, hours=1)), location="Room 1")
    task = await _log(gql, "sales2", kind="TASK", contact=contact["id"], subject=f"Quote {n}",
                      dueAt=_iso(now + timedelta(days=2)))
    late = await _log(gql, "sales2", kind="TASK", contact=contact["id"], subject=f"Late {n}",
                      dueAt=_iso(now - timedelta(days=1)))
    # then the calendar of the next week shows the meeting and the task, in time order
    week = (await gql.ok("sales2", CALENDAR, {"from": _iso(now), "to": _iso(
        now + timedelta(days=7))}))["myCalendar"]
    assert [a["id"] for a in week if a["subject"].endswith(str(n))] == [meeting["id"], task["id"]]
    # and the overdue list has the late task until it is done
    overdue = (await gql.ok("sales2", OVERDUE))["overdueTasks"]["nodes"]
    assert late["id"] in [t["id"] for t in overdue]
    await gql.ok("sales2", UPDATE, {"input": {"id": late["id"], "version": 1, "status": "DONE"}})
    overdue = (await gql.ok("sales2", OVERDUE))["overdueTasks"]["nodes"]
    assert late["id"] not in [t["id"] for t in overdue]
    # and the iCalendar feed parses back with the meeting as an event and the task as a to-do
    url = (await gql.ok("sales2", FEED))["calendarFeedReset"]["url"]
    response = await http.get(url)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    parsed = Calendar.from_ical(response.content)
    events = {str(e["summary"]): e for e in parsed.walk("VEVENT")}
    todos = {str(t["summary"]): t for t in parsed.walk("VTODO")}
    assert events[f"Kick-off {n}"].decoded("dtstart") == now + timedelta(days=1)
    assert str(events[f"Kick-off {n}"]["location"]) == "Room 1"
    assert todos[f"Quote {n}"].decoded("due") == now + timedelta(days=2)
    # and a new address retires the old one
    await gql.ok("sales2", FEED)
    assert (await http.get(url)).status_code == 404


async def test_a_feed_address_that_was_never_issued_is_not_found(http):
    assert (await http.get("/calendar/nothing-here.ics")).status_code == 404


@pytest.mark.parametrize("role", ["marketing", "analyst", "partner", "customer"])
async def test_only_sales_service_and_admin_log_activities(gql, factories, role):
    contact = await factories.contact()
    data = await gql.ok(role, LOG, {"input": {"kind": "NOTE", "body": "x",
                                              "contact": contact["id"]}})
    assert [e["code"] for e in data["activityLog"]["errors"]] == ["FORBIDDEN"]


async def test_converting_a_lead_moves_its_activities_to_the_contact(gql):
    n = next(_n)
    lead = (await gql.ok("sales", """mutation($input: LeadCreateInput!) { leadCreate(
      input: $input) { lead { id } errors { code } } }""", {"input": {
        "lastName": "Mover", "email": f"mover{n}@example.com", "company": f"Mover {n}"}}))[
        "leadCreate"]["lead"]
    call = await _log(gql, kind="CALL", lead=lead["id"], subject="Qualifying call")
    converted = await gql.ok("sales", """mutation($input: LeadConvertInput!) { leadConvert(
      input: $input) { lead { convertedContact { id } } errors { code } } }""", {"input": {
        "id": lead["id"], "version": 1}})
    contact = converted["leadConvert"]["lead"]["convertedContact"]["id"]
    timeline = (await gql.ok("sales", TIMELINE, {"id": contact}))["timeline"]
    assert [a["id"] for a in timeline["nodes"]] == [call["id"]]


SCRIPT = """mutation($input: CallScriptInput!) { callScriptSave(input: $input) {
  script { id name questions { question answers } } errors { field code } } }"""


async def test_admins_keep_call_scripts_that_sales_reads(gql):
    name = f"Qualify {next(_n)}"
    saved = (await gql.ok("admin", SCRIPT, {"input": {"name": name, "questions": [
        {"question": "Budget?", "answers": ["Yes", " No "]}]}}))["callScriptSave"]
    assert saved["errors"] == []
    assert saved["script"]["questions"] == [{"question": "Budget?", "answers": ["Yes", "No"]}]
    listed = (await gql.ok("sales", "{ callScripts(first: 100) { nodes { name } } }"))
    assert name in [s["name"] for s in listed["callScripts"]["nodes"]]
    denied = await gql.ok("sales", SCRIPT, {"input": {"name": "Mine"}})
    assert [e["code"] for e in denied["callScriptSave"]["errors"]] == ["FORBIDDEN"]
    unnamed = await gql.ok("admin", SCRIPT, {"input": {"questions": []}})
    assert [(e["field"], e["code"]) for e in unnamed["callScriptSave"]["errors"]] == [
        ("name", "REQUIRED")]
