"""Dates and times at the edges of the accepted range, 1900-01-01 to 2999-12-31 (UTC).

A value outside the range is refused where it is given, as an argument, an input field or a
filter operand, with code INVALID and a message naming the range; nothing is stored, and no
statistic overflows. Written into the document, the document does not run at all.
"""

from __future__ import annotations

import asyncpg
import pytest

from api.schema.ids import from_global_id
from tests.demo import CUSTOMER

RANGE = "1900-01-01"

LEAD_STATS = """query($from: Date!, $to: Date!) {
  leadSourceStats(from: $from, to: $to) { source leads } }"""
SERVICE_STATS = """query($from: Date!, $to: Date!) {
  serviceStats(from: $from, to: $to, groupBy: TYPE) { total { cases } } }"""
FORECAST = """query($from: Date!, $to: Date!) {
  forecast(period: QUARTER, from: $from, to: $to, groupBy: PIPELINE) { deals } }"""
CALENDAR = """query($from: DateTime!, $to: DateTime!) { myCalendar(from: $from, to: $to) { id } }"""
OVERDUE = """{ overdueTasks { nodes { id dueAt } } }"""
CREATED_AFTER = """query($t: DateTime!) { contacts(filter: {createdAt: {gt: $t}}) { totalCount } }"""
CREATED_BEFORE = """query($t: DateTime!) { contacts(filter: {createdAt: {lt: $t}}) { totalCount } }"""
CASE_CREATE = """mutation($input: CaseCreateInput!) { caseCreate(input: $input) {
  case { id openedAt } errors { field code message } } }"""
CASES_ABOUT = """query($s: String!) { cases(filter: {subject: {eq: $s}}) { totalCount } }"""
TASK_LOG = """mutation($input: ActivityLogInput!) { activityLog(input: $input) {
  activity { id dueAt } errors { field code message } } }"""
DEAL_CREATE = """mutation($input: OpportunityCreateInput!) { opportunityCreate(input: $input) {
  opportunity { id closeDate } errors { field code message } } }"""
DEAL_READ = """query($id: ID!) { opportunity(id: $id) { closeDate } }"""
DEALS_CLOSING = """query($d: Date!) { opportunities(filter: {closeDate: {gte: $d}}) {
  nodes { closeDate } } }"""
ARCHIVED_AT = """query($id: ID!) { contact(id: $id) { archivedAt } }"""


def refused_for_range(result) -> str:
    """The errors of a refused request: each INVALID, the first naming the range."""
    assert result.errors and set(result.error_codes()) == {"INVALID"}, result.body
    assert not result.data or all(v is None for v in result.data.values()), result.body
    message = result.errors[0]["message"]
    assert RANGE in message and "2999-12-31" in message, message
    return message


@pytest.mark.parametrize("query", [LEAD_STATS, SERVICE_STATS, FORECAST],
                         ids=["leadSourceStats", "serviceStats", "forecast"])
@pytest.mark.parametrize("window", [("9999-12-31", "9999-12-31"), ("0001-01-01", "0001-01-02"),
                                    ("1899-12-31", "1900-01-01"), ("2999-12-31", "3000-01-01")])
async def test_statistics_with_a_window_outside_the_range_are_invalid(gql, query, window):
    # when a statistic is asked for days outside the range
    result = await gql("admin", query, {"from": window[0], "to": window[1]})
    # then it is refused, naming the range, instead of overflowing
    refused_for_range(result)


@pytest.mark.parametrize("query", [LEAD_STATS, SERVICE_STATS, FORECAST],
                         ids=["leadSourceStats", "serviceStats", "forecast"])
async def test_statistics_on_the_last_days_of_the_range_answer(gql, query):
    await gql.ok("admin", query, {"from": "2999-01-01", "to": "2999-12-31"})


@pytest.mark.parametrize("query", [
    '{ leadSourceStats(from: "9999-12-31", to: "9999-12-31") { source } }',
    '{ serviceStats(from: "9999-12-31", to: "9999-12-31", groupBy: TYPE) { total { cases } } }',
    '{ contacts(filter: {createdAt: {gt: "9999-12-31T23:59:59-12:00"}}) { totalCount } }',
    '{ contacts(filter: {createdAt: {lt: "0001-01-01T00:00:00+14:00"}}) { totalCount } }',
], ids=["leadSourceStats", "serviceStats", "createdAt-gt", "createdAt-lt"])
async def test_a_literal_outside_the_range_is_invalid_before_anything_runs(gql, query):
    # given the reproductions as written, with the dates in the document
    result = await gql("admin", query)
    # then the document is refused before anything runs, never with a server error
    assert result.data is None and result.errors, result.body
    assert set(result.error_codes()) == {"INVALID"}
    assert all(RANGE in e["message"] and e["locations"] for e in result.errors)


@pytest.mark.parametrize(("query", "moment"), [
    (CREATED_AFTER, "9999-12-31T23:59:59-12:00"),
    (CREATED_BEFORE, "0001-01-01T00:00:00+14:00"),
    (CREATED_BEFORE, "1899-12-31T23:59:59.999999Z"),
    (CREATED_AFTER, "2999-12-31T23:00:00-01:00"),  # 3000-01-01T00:00:00Z
])
async def test_a_time_filter_outside_the_range_is_invalid(gql, query, moment):
    refused_for_range(await gql("admin", query, {"t": moment}))


@pytest.mark.parametrize("moment", ["1900-01-01T00:00:00Z", "2999-12-31T23:59:59.999999Z",
                                    "3000-01-01T09:59:00+14:00", "1899-12-31T12:00:00-12:00"])
async def test_a_time_filter_within_the_range_in_utc_answers(gql, moment):
    await gql.ok("admin", CREATED_BEFORE, {"t": moment})


@pytest.mark.parametrize("opened_at", ["0001-01-01T00:00:00+14:00", "0001-01-01T00:00:00Z",
                                       "9999-12-31T23:59:59.999999Z"])
async def test_a_case_opened_outside_the_range_is_invalid_and_not_stored(gql, opened_at):
    # when a case is opened at a moment outside the range
    subject = f"Opened at {opened_at}"
    result = await gql("service", CASE_CREATE, {"input": {
        "subject": subject, "contact": CUSTOMER, "openedAt": opened_at}})
    # then the request is refused and no case was opened
    refused_for_range(result)
    assert (await gql.ok("admin", CASES_ABOUT, {"s": subject}))["cases"]["totalCount"] == 0


async def test_a_task_due_before_the_range_is_invalid_and_calendars_still_answer(gql):
    # when sales logs a task due on the first day of year 1
    result = await gql("sales", TASK_LOG, {"input": {
        "kind": "TASK", "subject": "Due at the dawn of time", "contact": CUSTOMER,
        "dueAt": "0001-01-01T00:00:00Z"}})
    # then it is refused, and the overdue list and the calendar answer as before
    refused_for_range(result)
    await gql.ok("sales", OVERDUE)
    await gql.ok("sales", CALENDAR, {"from": "2026-01-01T00:00:00Z", "to": "2026-12-31T00:00:00Z"})


async def test_a_calendar_window_outside_the_range_is_invalid(gql):
    refused_for_range(await gql("sales", CALENDAR, {"from": "0001-01-01T00:00:00Z",
                                                    "to": "0001-02-01T00:00:00Z"}))


async def test_a_close_date_after_the_range_is_invalid_and_not_stored(gql, factories):
    account = await factories.account()
    result = await gql("sales", DEAL_CREATE, {"input": {
        "account": account["id"], "name": "Deal at the end of time", "closeDate": "9999-12-31"}})
    refused_for_range(result)


async def test_the_last_day_of_the_range_is_stored_and_read_alike_on_both_paths(
        gql, resolver_gql, factories):
    # given a deal closing on the last day of the range
    account = await factories.account()
    created = await gql.ok("sales", DEAL_CREATE, {"input": {
        "account": account["id"], "name": "Deal on the last day", "closeDate": "2999-12-31"}})
    deal = created["opportunityCreate"]["opportunity"]
    assert deal["closeDate"] == "2999-12-31"
    # then both read paths give the date back as it was written
    assert await gql.ok("sales", DEAL_READ, {"id": deal["id"]}) == {
        "opportunity": {"closeDate": "2999-12-31"}}
    assert await resolver_gql.ok("sales", DEAL_READ, {"id": deal["id"]}) == {
        "opportunity": {"closeDate": "2999-12-31"}}
    listed = await gql.ok("sales", DEALS_CLOSING, {"d": "2999-12-31"})
    assert {"closeDate": "2999-12-31"} in listed["opportunities"]["nodes"]


@pytest.mark.parametrize("text", ["2026-02-30", "2026-1-5", "20260105", "2026-W01-1",
                                  "2026-01-05T00:00:00Z", " 2026-01-05", "２０２６-01-05"])
async def test_a_date_not_written_as_yyyy_mm_dd_is_invalid(gql, text):
    result = await gql("admin", LEAD_STATS, {"from": text, "to": "2026-12-31"})
    assert result.error_codes() == ["INVALID"], result.body


@pytest.mark.parametrize("text", ["2026-01-05T09:00Z", "2026-01-05T09:00:00", "20260105T090000Z",
                                  "2026-01-05T09:00:00+2400", "2026-01-05T24:00:00Z",
                                  "2026-01-05T09:00:60Z", "2026-01-05T09:00:00+24:00"])
async def test_a_time_that_is_not_rfc_3339_is_invalid(gql, text):
    result = await gql("admin", CREATED_AFTER, {"t": text})
    assert result.error_codes() == ["INVALID"], result.body


@pytest.fixture
async def database(database_url):
    conn = await asyncpg.connect(database_url)
    yield conn
    await conn.close()


async def test_a_time_before_the_year_1000_renders_with_four_digits_on_both_paths(
        gql, resolver_gql, factories, database):
    # given a contact whose archive time was written straight into the database, in year 999
    contact = await factories.contact()
    await database.execute("UPDATE contact SET archived_at = '0999-03-04 05:06:07.000008+00' "
                           "WHERE id = $1", from_global_id(contact["id"])[1])
    # then both paths render the year with four digits, as RFC 3339 writes it
    expected = {"contact": {"archivedAt": "0999-03-04T05:06:07.000008Z"}}
    assert await resolver_gql.ok("admin", ARCHIVED_AT, {"id": contact["id"]}) == expected
    assert await gql.ok("admin", ARCHIVED_AT, {"id": contact["id"]}) == expected
