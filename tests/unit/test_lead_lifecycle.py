"""A lead's status, through its use cases on the fake unit of work."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from domain.errors import DomainError, ErrorCode
from domain.leads import AssignmentRule
from domain.opportunities import StageKind
from domain.services import leads
from domain.services.records import update_record
from tests.unit.callers import USER_ID, staff
from tests.unit.fakes import FakeUnitOfWork

NOW = datetime(2027, 3, 1, 9, tzinfo=UTC)


@pytest.fixture
def uow() -> FakeUnitOfWork:
    uow = FakeUnitOfWork()
    uow.records.add("User", {"role": "sales"}, id=USER_ID)
    return uow


def lead(uow: FakeUnitOfWork, status: str = "WORKING") -> uuid.UUID:
    return uow.records.add("Lead", {"firstName": "Ada", "lastName": "Byron", "company": "Acme",
                                    "email": "ada@acme.example.com", "status": status})


async def converted(uow: FakeUnitOfWork, lead_id: uuid.UUID, deal: dict | None = None
                    ) -> uuid.UUID:
    return await leads.convert_lead(lead_id, uow.records.versions[lead_id], account_id=None,
                                    account_name=None, contact_id=None, deal=deal, uow=uow,
                                    access=staff("sales"), now=NOW)


async def test_update_lead_moves_it_among_the_statuses_people_set(uow):
    lead_id = lead(uow, "NEW")

    await update_record(leads.LEAD, lead_id, 1, {"status": "QUALIFIED"}, uow, staff("sales"))

    assert uow.records.get("Lead", lead_id)["status"] == "QUALIFIED"
    assert uow.committed


async def test_update_lead_to_converted_is_invalid(uow):
    lead_id = lead(uow)
    with pytest.raises(DomainError) as raised:
        await update_record(leads.LEAD, lead_id, 1, {"status": "CONVERTED"}, uow, staff("sales"))
    [problem] = raised.value.problems
    assert (problem.field, problem.code) == ("status", ErrorCode.INVALID)
    assert problem.message == "A lead is converted by leadConvert."
    assert uow.records.get("Lead", lead_id)["status"] == "WORKING"


async def test_update_converted_lead_conflicts(uow):
    lead_id = lead(uow, "CONVERTED")
    with pytest.raises(DomainError) as raised:
        await update_record(leads.LEAD, lead_id, 1, {"title": "CTO"}, uow, staff("sales"))
    assert [(p.field, p.code) for p in raised.value.problems] == [("id", ErrorCode.CONFLICT)]
    assert not uow.committed


async def test_assign_converted_lead_conflicts(uow):
    uow.leads.assignment_rules.append(AssignmentRule(uuid.uuid4()))
    lead_id = lead(uow, "CONVERTED")
    with pytest.raises(DomainError) as raised:
        await leads.assign_lead(lead_id, 1, uow, staff("sales"))
    assert raised.value.problems[0].message == "A converted lead no longer changes."


async def test_convert_lead_makes_an_account_and_a_contact_at_the_moment_given(uow):
    # given a lead being worked, with a call logged on it
    lead_id = lead(uow)
    call = uow.records.add("Activity", {"kind": "CALL", "lead": lead_id})
    # when it is converted
    await converted(uow, lead_id)
    # then it points at a new account and contact, linked, which now hold its call
    done = uow.records.get("Lead", lead_id)
    account, contact = done["convertedAccount"], done["convertedContact"]
    assert (done["status"], done["convertedAt"]) == ("CONVERTED", NOW)
    assert uow.records.get("Account", account)["name"] == "Acme"
    assert uow.records.get("Contact", contact)["lastName"] == "Byron"
    assert await uow.links.get(account, contact) is not None
    assert uow.records.get("Activity", call)["contact"] == contact
    assert uow.committed


async def test_convert_lead_with_a_deal_opens_it_in_the_first_stage(uow):
    [first, *_] = uow.opportunities.add_pipeline((StageKind.OPEN, 10), (StageKind.WON, 100))
    lead_id = lead(uow)

    await converted(uow, lead_id, deal={"name": "Acme rollout"})

    deal = uow.records.get("Opportunity", uow.records.get("Lead", lead_id)["convertedOpportunity"])
    assert (deal["stage"], deal["stageEnteredAt"], deal["source"]) == (first.id, NOW, "LEAD")


@pytest.mark.parametrize(("status", "code", "message"), [
    ("CONVERTED", ErrorCode.CONFLICT, "This lead is already converted."),
    ("DISQUALIFIED", ErrorCode.INVALID, "A disqualified lead is not converted."),
])
async def test_convert_lead_that_cannot_be_converted_is_refused(uow, status, code, message):
    lead_id = lead(uow, status)
    with pytest.raises(DomainError) as raised:
        await converted(uow, lead_id)
    [problem] = raised.value.problems
    assert (problem.field, problem.code, problem.message) == ("id", code, message)
    assert not uow.records.rows["Contact"]


async def test_convert_lead_by_a_role_that_may_not_convert_is_forbidden(uow):
    lead_id = lead(uow)
    with pytest.raises(DomainError) as raised:
        await leads.convert_lead(lead_id, 1, account_id=None, account_name=None,
                                 contact_id=None, deal=None, uow=uow,
                                 access=staff("marketing"), now=NOW)
    assert raised.value.problems[0].code is ErrorCode.FORBIDDEN
    assert uow.records.get("Lead", lead_id)["status"] == "WORKING"
