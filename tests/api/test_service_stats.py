"""serviceStats against figures worked out by hand.

Four cases open on Monday 1 March 2027 at 09:00 UTC under a round-the-clock policy
(NORMAL: first response 60, resolution 240 minutes), so business minutes are plain minutes:

  A  QUESTION   EMAIL  replied after 30, resolved after 120: met
  B  QUESTION   PHONE  replied after 90, resolved after 300: missed (both targets)
  C  PROBLEM    EMAIL  still open, never replied: not measured
  D  COMPLAINT  CHAT   replied after 10, resolved after 200: met
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.api.cases_setup import (
    ALL_DAYS,
    CREATE,
    REPLY,
    STATUS,
    calendar,
    ok_payload,
    policy,
    targets,
)
from tests.api.cases_setup import product as new_product
from tests.demo import CUSTOMER

STATS = """query($by: ServiceStatsGroupBy!) {
  serviceStats(from: "2027-03-01", to: "2027-03-07", groupBy: $by) {
    total { cases openCases resolved medianFirstResponseMinutes medianResolutionMinutes
            slaMetRate }
    groups { group groupName cases openCases resolved medianFirstResponseMinutes
             medianResolutionMinutes slaMetRate } } }"""
OPENED = datetime(2027, 3, 1, 9, tzinfo=UTC)
CASES = {"A": ("QUESTION", "EMAIL", 30, 120), "B": ("QUESTION", "PHONE", 90, 300),
         "C": ("PROBLEM", "EMAIL", None, None), "D": ("COMPLAINT", "CHAT", 10, 200)}


@pytest.fixture(scope="module")
async def window(clock_gql, clock) -> None:
    gql = clock_gql
    always = await calendar(gql, days=ALL_DAYS, start="00:00", end="00:00", zone="UTC")
    item = await new_product(gql)
    await policy(gql, always, item, targets=targets(NORMAL=(60, 240)))
    for kind, channel, replied, resolved in CASES.values():
        clock.set(OPENED)
        case = (await ok_payload(gql, "service", CREATE, {"input": {
            "subject": "Stats", "contact": CUSTOMER, "product": item, "type": kind,
            "channel": channel}}, "caseCreate"))["case"]
        if replied is not None:
            clock.set(OPENED + timedelta(minutes=replied))
            case = (await ok_payload(gql, "service", REPLY, {"input": {
                "case": case["id"], "body": "On it", "visibility": "CUSTOMER"}},
                "caseReply"))["case"]
        if resolved is not None:
            clock.set(OPENED + timedelta(minutes=resolved))
            await ok_payload(gql, "service", STATUS, {"input": {
                "id": case["id"], "version": case["version"], "status": "RESOLVED"}},
                "caseStatusSet")


async def test_totals_and_groups_by_type(gql, window):
    stats = (await gql.ok("analyst", STATS, {"by": "TYPE"}))["serviceStats"]
    assert stats["total"] == {
        "cases": 4, "openCases": 1, "resolved": 3, "medianFirstResponseMinutes": 30.0,
        "medianResolutionMinutes": 200.0, "slaMetRate": pytest.approx(2 / 3)}
    assert stats["groups"] == [
        {"group": None, "groupName": "COMPLAINT", "cases": 1, "openCases": 0, "resolved": 1,
         "medianFirstResponseMinutes": 10.0, "medianResolutionMinutes": 200.0,
         "slaMetRate": 1.0},
        {"group": None, "groupName": "PROBLEM", "cases": 1, "openCases": 1, "resolved": 0,
         "medianFirstResponseMinutes": None, "medianResolutionMinutes": None,
         "slaMetRate": None},
        {"group": None, "groupName": "QUESTION", "cases": 2, "openCases": 0, "resolved": 2,
         "medianFirstResponseMinutes": 60.0, "medianResolutionMinutes": 210.0,
         "slaMetRate": 0.5}]


async def test_groups_by_channel_priority_and_queue(gql, window):
    by_channel = (await gql.ok("service", STATS, {"by": "CHANNEL"}))["serviceStats"]["groups"]
    assert [(g["groupName"], g["cases"]) for g in by_channel] == [
        ("CHAT", 1), ("EMAIL", 2), ("PHONE", 1)]
    by_priority = (await gql.ok("service", STATS, {"by": "PRIORITY"}))["serviceStats"]
    assert [(g["groupName"], g["cases"]) for g in by_priority["groups"]] == [("NORMAL", 4)]
    by_queue = (await gql.ok("service", STATS, {"by": "QUEUE"}))["serviceStats"]["groups"]
    assert [(g["group"], g["groupName"], g["cases"]) for g in by_queue] == [(None, None, 4)]


@pytest.mark.parametrize("role, allowed", [
    ("admin", True), ("sales", True), ("marketing", False), ("service", True),
    ("analyst", True), ("partner", False), ("customer", False)])
async def test_who_reads_service_statistics(gql, window, role, allowed):
    result = await gql(role, STATS, {"by": "TYPE"})
    if allowed:
        assert result.data["serviceStats"]["total"]["cases"] == 4
    else:
        assert result.error_codes() == ["FORBIDDEN"]


async def test_a_window_backwards_is_refused(gql):
    result = await gql("admin", STATS.replace('"2027-03-07"', '"2027-02-01"'), {"by": "TYPE"})
    assert result.error_codes() == ["INVALID"]
