"""Escalation handles each case on its own: one case that cannot be escalated is logged and
left for the next run, and every other case still escalates."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import asyncpg
import pytest

from api.schema.ids import from_global_id
from tests.api.cases_setup import CREATE, READ, calendar, ok_payload, policy, product
from tests.demo import CUSTOMER

ESCALATE = "mutation { escalationRun { cases atRisk breached failed } }"


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
async def database(database_url):
    conn = await asyncpg.connect(database_url)
    yield conn
    await conn.close()


async def open_case(gql, clock, at: datetime, product_id: str) -> dict:
    clock.set(at)
    payload = await ok_payload(gql, "service", CREATE, {"input": {
        "subject": "Escalation test", "contact": CUSTOMER, "product": product_id,
        "priority": "URGENT", "channel": "EMAIL"}}, "caseCreate")
    return payload["case"]


async def test_escalation_run_escalates_the_other_cases_when_one_fails(clock_gql, clock, database,
                                                                       caplog):
    gql = clock_gql
    # given two URGENT cases, each under its own policy that raises the priority at a breach
    broken_calendar = await calendar(gql)
    broken_item, healthy_item = await product(gql), await product(gql)
    await policy(gql, broken_calendar, broken_item, breachAction="RAISE_PRIORITY")
    await policy(gql, await calendar(gql), healthy_item, breachAction="RAISE_PRIORITY")
    broken = await open_case(gql, clock, utc(2027, 1, 4, 8), broken_item)
    healthy = await open_case(gql, clock, utc(2027, 1, 4, 8, 1), healthy_item)
    # and the first one's calendar names a time zone the server does not know (planted in the
    # database, as a zone dropped from an updated time zone database would be)
    calendar_id = from_global_id(broken_calendar)[1]
    await database.execute("UPDATE business_calendar SET time_zone = 'Nowhere/Gone' WHERE id = $1",
                           calendar_id)
    try:
        # when escalation runs after both first responses were due
        clock.set(utc(2027, 1, 4, 12))
        with caplog.at_level(logging.ERROR, logger="crm.escalation"):
            run = (await gql.ok("admin", ESCALATE))["escalationRun"]
        # then the healthy case escalated, and the broken one was logged by its id and left
        assert run["failed"] >= 1 and run["breached"] >= 1
        read = (await gql.ok("service", READ, {"id": healthy["id"]}))["case"]
        assert read["breached"] and read["priority"] == "URGENT"
        assert ("FIRST_RESPONSE", "BREACHED") in [(e["metric"], e["level"])
                                                  for e in read["escalations"]]
        left = (await gql.ok("service", READ, {"id": broken["id"]}))["case"]
        assert left["escalations"] == [] and not left["breached"]
        case_id = str(from_global_id(broken["id"])[1])
        assert any(case_id in r.getMessage() for r in caplog.records), caplog.text
    finally:
        await database.execute("UPDATE business_calendar SET time_zone = 'Europe/Berlin' "
                               "WHERE id = $1", calendar_id)
    # and once its calendar is mended, the next run escalates it too
    (await gql.ok("admin", ESCALATE))["escalationRun"]
    mended = (await gql.ok("service", READ, {"id": broken["id"]}))["case"]
    assert mended["breached"]
