"""A case's status and SLA clock, through its use cases on the fake unit of work."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from domain.business_time import ALWAYS
from domain.errors import DomainError, ErrorCode
from domain.services import cases
from domain.sla import BreachAction, SlaPolicy, Target
from tests.unit.callers import customer, staff
from tests.unit.fakes import FakeUnitOfWork

NOW = datetime(2027, 3, 1, 9, tzinfo=UTC)
# Round the clock, so that business minutes are plain minutes: first response within an
# hour, resolution within four, at risk at half the time.
POLICY = SlaPolicy(uuid.uuid4(), ALWAYS, {"NORMAL": Target(60, 240)}, 50, BreachAction.NONE,
                   None, None)


def minutes(n: int) -> timedelta:
    return timedelta(minutes=n)


@pytest.fixture
def uow() -> FakeUnitOfWork:
    uow = FakeUnitOfWork()
    uow.sla.offer(POLICY)
    return uow


async def opened(uow: FakeUnitOfWork, at: datetime = NOW) -> uuid.UUID:
    """A case a customer's contact opened at `at`, through the use case."""
    contact = uow.records.add("Contact", {"lastName": "Doe"})
    return await cases.create_case({"subject": "Broken", "contact": contact}, uow,
                                   staff("service"), at)


async def moved(uow: FakeUnitOfWork, case_id: uuid.UUID, status: str, at: datetime
                ) -> uuid.UUID:
    """The case moved to `status` at `at`, at the version it is at."""
    return await cases.change_status(case_id, uow.records.versions[case_id], status, uow,
                                     staff("service"), at)


async def test_create_case_opens_it_new_with_due_times_from_its_policy(uow):
    case_id = await opened(uow)

    case = uow.records.get("Case", case_id)
    assert (case["status"], case["openedAt"], case["slaPolicy"]) == ("NEW", NOW, POLICY.id)
    assert (case["firstResponseRiskAt"], case["firstResponseDueAt"]) == (NOW + minutes(30),
                                                                         NOW + minutes(60))
    assert case["resolutionDueAt"] == NOW + minutes(240)
    assert uow.committed


async def test_create_case_opened_in_the_future_is_invalid(uow):
    contact = uow.records.add("Contact", {"lastName": "Doe"})
    with pytest.raises(DomainError) as raised:
        await cases.create_case({"subject": "Later", "contact": contact,
                                 "openedAt": NOW + minutes(1)}, uow, staff("service"), NOW)
    assert [(p.field, p.code) for p in raised.value.problems] == [("openedAt", ErrorCode.INVALID)]
    assert not uow.records.rows["Case"]


async def test_change_status_to_a_forbidden_status_is_an_invalid_transition(uow):
    # given a closed case
    case_id = await opened(uow)
    await moved(uow, case_id, "CLOSED", NOW + minutes(10))
    # when it is to be resolved
    with pytest.raises(DomainError) as raised:
        await moved(uow, case_id, "RESOLVED", NOW + minutes(20))
    # then the state machine refuses, naming the one move it allows, and nothing is written
    [problem] = raised.value.problems
    assert (problem.field, problem.code) == ("status", ErrorCode.INVALID_TRANSITION)
    assert problem.message == "A case cannot go from CLOSED to RESOLVED (allowed: OPEN)."
    assert not uow.committed
    assert uow.records.get("Case", case_id)["status"] == "CLOSED"


async def test_change_status_by_a_role_that_may_not_write_it_is_forbidden(uow):
    case_id = await opened(uow)
    with pytest.raises(DomainError) as raised:
        await cases.change_status(case_id, 1, "OPEN", uow, staff("sales"), NOW)
    assert [(p.field, p.code) for p in raised.value.problems] == [("status", ErrorCode.FORBIDDEN)]
    assert uow.records.get("Case", case_id)["status"] == "NEW"


async def test_change_status_at_an_old_version_is_stale(uow):
    case_id = await opened(uow)
    await moved(uow, case_id, "OPEN", NOW)
    with pytest.raises(DomainError) as raised:
        await cases.change_status(case_id, 1, "RESOLVED", uow, staff("service"), NOW)
    assert raised.value.problems[0].code is ErrorCode.STALE_VERSION


async def test_change_status_pending_the_customer_stops_the_clock_until_it_runs_again(uow):
    # given a case opened at NOW and pending the customer from NOW + 10 minutes
    case_id = await opened(uow)
    await moved(uow, case_id, "PENDING_CUSTOMER", NOW + minutes(10))
    assert uow.records.get("Case", case_id)["slaPausedSince"] == NOW + minutes(10)
    # when it is opened again 30 minutes later
    await moved(uow, case_id, "OPEN", NOW + minutes(40))
    # then the 30 minutes do not count: every due time moves back by them
    case = uow.records.get("Case", case_id)
    assert (case["slaPausedSince"], case["slaPausedMinutes"]) == (None, 30)
    assert case["firstResponseDueAt"] == NOW + minutes(90)
    assert case["resolutionDueAt"] == NOW + minutes(270)


async def test_change_status_resolved_counts_the_minutes_the_case_ran(uow):
    # given a case that waited 30 minutes for the customer
    case_id = await opened(uow)
    await moved(uow, case_id, "PENDING_CUSTOMER", NOW + minutes(10))
    # when it is resolved straight from there, 100 minutes after it opened
    await moved(uow, case_id, "RESOLVED", NOW + minutes(40))
    await moved(uow, case_id, "CLOSED", NOW + minutes(100))
    # then its resolution took 10 running minutes, and closing keeps them
    case = uow.records.get("Case", case_id)
    assert (case["resolvedAt"], case["resolutionMinutes"]) == (NOW + minutes(40), 10)
    assert (case["status"], case["closedAt"]) == ("CLOSED", NOW + minutes(100))


async def test_change_status_reopens_a_case_resolved_within_seven_days_in_place(uow):
    case_id = await opened(uow)
    await moved(uow, case_id, "RESOLVED", NOW + minutes(60))

    reopened = await moved(uow, case_id, "OPEN", NOW + timedelta(days=7))

    case = uow.records.get("Case", case_id)
    assert reopened == case_id
    assert (case["status"], case["resolvedAt"], case["resolutionMinutes"]) == ("OPEN", None, None)
    # the days it stood resolved do not count against its targets
    assert case["slaPausedMinutes"] == 7 * 24 * 60 - 60


async def test_change_status_reopening_later_opens_a_linked_follow_up(uow):
    # given a case resolved more than seven days ago
    case_id = await opened(uow)
    await moved(uow, case_id, "RESOLVED", NOW + minutes(60))
    later = NOW + minutes(60) + timedelta(days=7, minutes=1)
    # when it is reopened
    follow_up = await moved(uow, case_id, "OPEN", later)
    # then a new case opens, pointing at it, and the old one stays resolved
    assert follow_up != case_id
    new = uow.records.get("Case", follow_up)
    old = uow.records.get("Case", case_id)
    assert (new["status"], new["openedAt"], new["previousCase"]) == ("NEW", later, case_id)
    assert new["description"] == f"Follow-up of {old['number']}."
    assert old["status"] == "RESOLVED"


async def test_reply_from_the_customer_takes_a_pending_case_back_to_open(uow):
    # given a case pending its customer since NOW + 10 minutes
    case_id = await opened(uow)
    await moved(uow, case_id, "PENDING_CUSTOMER", NOW + minutes(10))
    contact = uow.records.get("Case", case_id)["contact"]
    # when the customer answers 20 minutes later
    await cases.reply(case_id, "Here it is.", None, uow, customer(contact), NOW + minutes(30))
    # then the case is open again and the clock counts on
    case = uow.records.get("Case", case_id)
    assert (case["status"], case["slaPausedMinutes"]) == ("OPEN", 20)
    assert uow.audit.actions(case_id)[-1] == "status"


async def test_reply_from_staff_to_the_customer_is_the_first_response(uow):
    case_id = await opened(uow)

    await cases.reply(case_id, "On it.", "CUSTOMER", uow, staff("service"), NOW + minutes(25))
    await cases.reply(case_id, "Still on it.", "CUSTOMER", uow, staff("service"),
                      NOW + minutes(50))

    case = uow.records.get("Case", case_id)
    assert (case["status"], case["firstResponseAt"]) == ("OPEN", NOW + minutes(25))
    assert case["firstResponseMinutes"] == 25


async def test_reply_to_a_closed_case_is_refused(uow):
    case_id = await opened(uow)
    await moved(uow, case_id, "CLOSED", NOW)
    with pytest.raises(DomainError) as raised:
        await cases.reply(case_id, "Hello?", "CUSTOMER", uow, staff("service"), NOW)
    assert [(p.field, p.code) for p in raised.value.problems] == [("case", ErrorCode.INVALID)]
    assert not uow.records.rows["Activity"]
