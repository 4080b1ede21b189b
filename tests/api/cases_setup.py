"""Shared set-up for the case tests: calendars, SLA policies and products made through the API."""

from __future__ import annotations

import itertools

WEEKDAYS = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY")
ALL_DAYS = (*WEEKDAYS, "SATURDAY", "SUNDAY")
_n = itertools.count(1)

CALENDAR = """mutation($input: BusinessCalendarInput!) { businessCalendarSave(input: $input) {
  businessCalendar { id version } errors { field code message } } }"""
POLICY = """mutation($input: SlaPolicyInput!) { slaPolicySave(input: $input) {
  slaPolicy { id version } errors { field code message } } }"""
PRODUCT = """mutation($input: ProductInput!) { productSave(input: $input) {
  product { id } errors { field code } } }"""
QUEUE = """mutation($input: CaseQueueInput!) { caseQueueSave(input: $input) {
  caseQueue { id name } errors { field code } } }"""
CASE_FIELDS = """id version number status priority type channel openedAt resolvedAt closedAt
  firstResponseAt firstResponseMinutes firstResponseDueAt firstResponseRiskAt
  resolutionMinutes resolutionDueAt resolutionRiskAt slaPausedSince slaPausedMinutes
  atRisk breached timeSpentMinutes queue { id } assignee { id } previousCase { id number }
  escalations { metric level action at }"""
CREATE = f"""mutation($input: CaseCreateInput!) {{ caseCreate(input: $input) {{
  case {{ {CASE_FIELDS} }} errors {{ field code message }} }} }}"""
UPDATE = f"""mutation($input: CaseUpdateInput!) {{ caseUpdate(input: $input) {{
  case {{ {CASE_FIELDS} }} errors {{ field code message }} }} }}"""
STATUS = f"""mutation($input: CaseStatusInput!) {{ caseStatusSet(input: $input) {{
  case {{ {CASE_FIELDS} }} errors {{ field code message }} }} }}"""
REPLY = f"""mutation($input: CaseReplyInput!) {{ caseReply(input: $input) {{
  case {{ {CASE_FIELDS} }} errors {{ field code message }} }} }}"""
TIME = f"""mutation($input: CaseTimeInput!) {{ caseTimeLog(input: $input) {{
  case {{ {CASE_FIELDS} timeEntries {{ minutes note user {{ id }} }} }}
  errors {{ field code message }} }} }}"""
READ = f"""query($id: ID!) {{ case(id: $id) {{ {CASE_FIELDS} }} }}"""
ESCALATE = "mutation { escalationRun { cases atRisk breached } }"


def unique(name: str) -> str:
    return f"{name} {next(_n)}"


async def ok_payload(gql, role: str, query: str, variables: dict, field: str) -> dict:
    """The payload of a mutation that must succeed, without UserErrors."""
    data = await gql.ok(role, query, variables)
    payload = data[field]
    assert payload["errors"] == [], payload["errors"]
    return payload


async def calendar(gql, days=WEEKDAYS, start="09:00", end="17:00", holidays=(),
                   zone="Europe/Berlin") -> str:
    payload = await ok_payload(gql, "admin", CALENDAR, {"input": {
        "name": unique("Calendar"), "timeZone": zone,
        "hours": [{"day": d, "start": start, "end": end} for d in days],
        "holidays": [{"date": d, "name": "Holiday"} for d in holidays]}},
        "businessCalendarSave")
    return payload["businessCalendar"]["id"]


async def product(gql) -> str:
    name = unique("SLA product")
    payload = await ok_payload(gql, "admin", PRODUCT, {"input": {
        "sku": name.replace(" ", "-").upper(), "name": name}}, "productSave")
    return payload["product"]["id"]


async def queue(gql) -> str:
    payload = await ok_payload(gql, "admin", QUEUE, {"input": {"name": unique("Queue")}},
                               "caseQueueSave")
    return payload["caseQueue"]["id"]


def targets(**by_priority: tuple[int, int]) -> list[dict]:
    return [{"priority": p, "firstResponseMinutes": fr, "resolutionMinutes": res}
            for p, (fr, res) in by_priority.items()]


async def policy(gql, calendar_id: str, product_id: str, **extra) -> str:
    """A policy for one product's cases, so that no other test's cases fall under it."""
    payload = await ok_payload(gql, "admin", POLICY, {"input": {
        "name": unique("Policy"), "calendar": calendar_id, "product": product_id,
        "targets": targets(LOW=(480, 1920), NORMAL=(240, 960), HIGH=(120, 480),
                           URGENT=(60, 240)), **extra}}, "slaPolicySave")
    return payload["slaPolicy"]["id"]
