"""SLA due times in business time, the pause while pending the customer, and escalation.

Every figure below is worked out by hand from a Berlin calendar, Monday to Friday
09:00–17:00 (UTC+1 in December), with Christmas Day (Friday 25 December 2026) off.
Targets (first response / resolution, business minutes): NORMAL 240/960, HIGH 120/480,
URGENT 60/240; at risk at 80 %.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.api.cases_setup import (
    CREATE,
    ESCALATE,
    READ,
    REPLY,
    STATUS,
    UPDATE,
    calendar,
    ok_payload,
    policy,
    product,
    queue,
)
from tests.demo import CUSTOMER

CUSTOMER_REPLY = """mutation($input: CaseReplyInput!) { caseReply(input: $input) {
  case { id status } errors { field code message } } }"""


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def iso(moment: datetime) -> str:
    """As the API writes times: UTC with microseconds."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@pytest.fixture(scope="module")
async def berlin(gql) -> str:
    return await calendar(gql, holidays=["2026-12-25"])


@pytest.fixture(scope="module")
async def raising(gql, berlin) -> str:
    """A product whose cases fall under a policy that raises the priority at a breach."""
    item = await product(gql)
    await policy(gql, berlin, item, breachAction="RAISE_PRIORITY")
    return item


async def open_case(gql, clock, at: datetime, product_id: str, priority: str) -> dict:
    clock.set(at)
    payload = await ok_payload(gql, "service", CREATE, {"input": {
        "subject": "Cannot log in", "contact": CUSTOMER, "product": product_id,
        "priority": priority, "channel": "EMAIL"}}, "caseCreate")
    return payload["case"]


async def test_due_times_skip_the_holiday_and_the_weekend_and_pause_for_the_customer(
        clock_gql, clock, raising):
    gql = clock_gql
    # Thursday 24 December, 16:00 in Berlin (15:00 UTC), HIGH: one working hour that day,
    # Friday is Christmas Day, then the weekend.
    case = await open_case(gql, clock, utc(2026, 12, 24, 15), raising, "HIGH")
    assert case["number"].startswith("CS-") and case["status"] == "NEW"
    # First response, 120 min: 60 on Thursday + 60 on Monday 28th → 10:00 Berlin.
    assert case["firstResponseDueAt"] == iso(utc(2026, 12, 28, 9))
    # At risk at 96 min: Monday 09:36 Berlin.
    assert case["firstResponseRiskAt"] == iso(utc(2026, 12, 28, 8, 36))
    # Resolution, 480 min: 60 on Thursday + 420 on Monday → 16:00 Berlin.
    assert case["resolutionDueAt"] == iso(utc(2026, 12, 28, 15))
    assert case["resolutionRiskAt"] == iso(utc(2026, 12, 28, 13, 24))

    # Monday 09:30 Berlin: the agent answers the customer (90 business minutes in) and
    # waits for them.
    clock.set(utc(2026, 12, 28, 8, 30))
    replied = (await ok_payload(gql, "service", REPLY, {"input": {
        "case": case["id"], "body": "Please try resetting your password.",
        "visibility": "CUSTOMER"}}, "caseReply"))["case"]
    assert replied["firstResponseAt"] == iso(utc(2026, 12, 28, 8, 30))
    assert replied["firstResponseMinutes"] == 90
    assert replied["status"] == "OPEN"
    pending = (await ok_payload(gql, "service", STATUS, {"input": {
        "id": case["id"], "version": replied["version"], "status": "PENDING_CUSTOMER"}},
        "caseStatusSet"))["case"]
    assert pending["slaPausedSince"] == iso(utc(2026, 12, 28, 8, 30))

    # Monday 11:30 Berlin: the customer answers; two business hours did not count.
    clock.set(utc(2026, 12, 28, 10, 30))
    await ok_payload(gql, "customer", CUSTOMER_REPLY, {"input": {
        "case": case["id"], "body": "That worked, but now I see an error."}}, "caseReply")
    resumed = (await gql.ok("service", READ, {"id": case["id"]}))["case"]
    assert resumed["status"] == "OPEN"
    assert resumed["slaPausedSince"] is None and resumed["slaPausedMinutes"] == 120
    # Resolution now 480 + 120 = 600 min: 60 Thursday + 480 Monday + 60 → Tuesday 10:00.
    assert resumed["resolutionDueAt"] == iso(utc(2026, 12, 29, 9))

    # URGENT: 240 + 120 paused = 360 min: 60 Thursday + 300 Monday → 14:00 Berlin.
    urgent = (await ok_payload(gql, "service", UPDATE, {"input": {
        "id": case["id"], "version": resumed["version"], "priority": "URGENT"}},
        "caseUpdate"))["case"]
    assert urgent["resolutionDueAt"] == iso(utc(2026, 12, 28, 13))
    # First response 60 + 120 paused = 180 min → Monday 11:00 Berlin (already given).
    assert urgent["firstResponseDueAt"] == iso(utc(2026, 12, 28, 10))

    # Resolved Monday 13:00 Berlin: 60 + 240 Monday − 120 paused = 180 business minutes.
    clock.set(utc(2026, 12, 28, 12))
    done = (await ok_payload(gql, "service", STATUS, {"input": {
        "id": case["id"], "version": urgent["version"], "status": "RESOLVED"}},
        "caseStatusSet"))["case"]
    assert done["resolvedAt"] == iso(utc(2026, 12, 28, 12))
    assert done["resolutionMinutes"] == 180


async def escalate(gql) -> dict:
    return (await gql.ok("admin", ESCALATE))["escalationRun"]


async def test_escalation_flags_at_risk_then_breaches_and_raises_the_priority_once(
        clock_gql, clock, raising):
    gql = clock_gql
    # Monday 21 December 09:00 Berlin, NORMAL: first response due 13:00 (240 min), at risk
    # 12:12 (192 min).
    case = await open_case(gql, clock, utc(2026, 12, 21, 8), raising, "NORMAL")
    assert case["firstResponseRiskAt"] == iso(utc(2026, 12, 21, 11, 12))
    assert case["firstResponseDueAt"] == iso(utc(2026, 12, 21, 12))

    clock.set(utc(2026, 12, 21, 11))  # 12:00 Berlin: not yet at risk
    await escalate(gql)
    read = (await gql.ok("service", READ, {"id": case["id"]}))["case"]
    assert not read["atRisk"] and read["escalations"] == []

    clock.set(utc(2026, 12, 21, 11, 15))  # 12:15 Berlin: at risk
    await escalate(gql)
    at_risk = (await gql.ok("service", READ, {"id": case["id"]}))["case"]
    assert at_risk["atRisk"] and not at_risk["breached"]
    assert [(e["metric"], e["level"]) for e in at_risk["escalations"]] == [
        ("FIRST_RESPONSE", "AT_RISK")]
    again = await escalate(gql)
    assert again["atRisk"] == 0 and again["breached"] == 0
    assert (await gql.ok("service", READ, {"id": case["id"]}))["case"] == at_risk

    clock.set(utc(2026, 12, 21, 12, 5))  # 13:05 Berlin: breached
    await escalate(gql)
    breached = (await gql.ok("service", READ, {"id": case["id"]}))["case"]
    assert breached["breached"] and breached["priority"] == "HIGH"
    assert breached["escalations"][-1] == {
        "metric": "FIRST_RESPONSE", "level": "BREACHED",
        "action": "priority raised to HIGH", "at": iso(utc(2026, 12, 21, 12))}
    # HIGH's resolution target, 480 min from 09:00 Berlin: 17:00; at risk 15:24.
    assert breached["resolutionDueAt"] == iso(utc(2026, 12, 21, 16))
    assert breached["resolutionRiskAt"] == iso(utc(2026, 12, 21, 14, 24))
    again = await escalate(gql)
    assert again["atRisk"] == 0 and again["breached"] == 0
    assert (await gql.ok("service", READ, {"id": case["id"]}))["case"] == breached


async def test_a_case_pending_the_customer_does_not_escalate(clock_gql, clock, raising):
    gql = clock_gql
    case = await open_case(gql, clock, utc(2026, 12, 22, 8), raising, "URGENT")
    await ok_payload(gql, "service", STATUS, {"input": {
        "id": case["id"], "version": case["version"], "status": "PENDING_CUSTOMER"}},
        "caseStatusSet")
    clock.set(utc(2026, 12, 22, 15))  # far past every URGENT target
    await escalate(gql)
    read = (await gql.ok("service", READ, {"id": case["id"]}))["case"]
    assert read["escalations"] == [] and not read["atRisk"]


async def test_a_breach_reassigns_when_the_policy_says_so(clock_gql, clock, berlin,
                                                          principals):
    from api.schema.ids import to_global_id

    gql = clock_gql
    item, team = await product(gql), await queue(gql)
    lead = to_global_id("User", principals["admin"].user_id)
    await policy(gql, berlin, item, breachAction="REASSIGN", escalationQueue=team,
                 escalationUser=lead)
    case = await open_case(gql, clock, utc(2026, 12, 23, 8), item, "URGENT")
    clock.set(utc(2026, 12, 23, 9, 30))  # 10:30 Berlin: first response (60 min) breached
    await escalate(gql)
    read = (await gql.ok("service", READ, {"id": case["id"]}))["case"]
    assert read["queue"] == {"id": team} and read["assignee"] == {"id": lead}
    assert read["priority"] == "URGENT" and read["breached"]
    assert [(e["metric"], e["level"], e["action"]) for e in read["escalations"]] == [
        ("FIRST_RESPONSE", "AT_RISK", None), ("FIRST_RESPONSE", "BREACHED", "reassigned")]


async def test_escalation_is_refused_to_everyone_but_admins(gql):
    for role in ("sales", "marketing", "service", "analyst", "partner", "customer"):
        result = await gql(role, ESCALATE)
        assert result.error_codes() == ["FORBIDDEN"], role


async def test_the_server_runs_escalation_by_itself(clock_gql, clock, settings, database_url,
                                                    raising):
    """A server with a worker in it (`crm serve --worker`) escalates on its schedule without
    being asked."""
    import asyncio

    from api.app import create_app

    gql = clock_gql
    # Tuesday 29 December 09:00 Berlin, URGENT: first response due 10:00 (09:00 UTC).
    case = await open_case(gql, clock, utc(2026, 12, 29, 8), raising, "URGENT")
    clock.set(utc(2026, 12, 29, 9, 30))
    server = create_app(settings.model_copy(update={
        "crm_worker_in_server": True, "crm_escalation_schedule": "* * * * * *"}),
        url=database_url, clock=clock)
    async with server.router.lifespan_context(server):
        for _ in range(200):  # at most ten seconds; the schedule fires every second
            read = (await gql.ok("service", READ, {"id": case["id"]}))["case"]
            if read["breached"]:
                break
            await asyncio.sleep(0.05)
    assert read["breached"] and read["atRisk"]
    # Already URGENT: nothing to raise, and the breach is recorded once however often it ran.
    assert [(e["level"], e["action"]) for e in read["escalations"]] == [
        ("AT_RISK", None), ("BREACHED", None)]
