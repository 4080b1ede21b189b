"""A deal's way through the stages of its pipeline, through its use cases on the fake unit
of work."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from domain.errors import DomainError, ErrorCode
from domain.opportunities import StageKind
from domain.services import opportunities as deals
from tests.unit.callers import USER_ID, staff
from tests.unit.fakes import FakeUnitOfWork

NOW = datetime(2027, 3, 1, 9, tzinfo=UTC)
LATER = NOW + timedelta(days=3)


@pytest.fixture
def uow() -> FakeUnitOfWork:
    """A unit of work that knows the calling user, who owns the deals it opens."""
    uow = FakeUnitOfWork()
    uow.records.add("User", {"role": "sales"}, id=USER_ID)
    return uow


@pytest.fixture
def stages(uow):
    """The default pipeline: qualify (10 %), propose (50 %), won (100 %), lost (0 %)."""
    return uow.opportunities.add_pipeline((StageKind.OPEN, 10), (StageKind.OPEN, 50),
                                          (StageKind.WON, 100), (StageKind.LOST, 0))


async def opened(uow: FakeUnitOfWork, **values) -> uuid.UUID:
    account = uow.records.add("Account", {"name": "Acme", "territory": uuid.uuid4()})
    return await deals.create_opportunity({"name": "Big deal", "account": account, **values},
                                          uow, staff("sales"), NOW)


async def changed(uow: FakeUnitOfWork, deal_id: uuid.UUID, at: datetime = LATER, **values
                  ) -> uuid.UUID:
    return await deals.update_opportunity(deal_id, uow.records.versions[deal_id], values, uow,
                                          staff("sales"), at)


async def test_create_opportunity_enters_the_first_stage_at_the_moment_given(uow, stages):
    deal_id = await opened(uow)

    deal = uow.records.get("Opportunity", deal_id)
    assert (deal["stage"], deal["pipeline"]) == (stages[0].id, stages[0].pipeline_id)
    assert (deal["probability"], deal["stageEnteredAt"], deal["closedAt"]) == (10, NOW, None)
    assert uow.opportunities.history == [(deal_id, None, stages[0].id)]
    assert uow.committed


async def test_update_opportunity_to_a_new_stage_takes_its_probability_and_history(uow, stages):
    deal_id = await opened(uow)

    await changed(uow, deal_id, stage=stages[1].id)

    deal = uow.records.get("Opportunity", deal_id)
    assert (deal["probability"], deal["stageEnteredAt"]) == (50, LATER)
    assert uow.opportunities.history[-1] == (deal_id, stages[0].id, stages[1].id)


async def test_update_opportunity_keeps_a_probability_given_with_the_move(uow, stages):
    deal_id = await opened(uow)
    await changed(uow, deal_id, stage=stages[1].id, probability=35)
    assert uow.records.get("Opportunity", deal_id)["probability"] == 35


async def test_update_opportunity_to_won_without_a_reason_is_required(uow, stages):
    deal_id = await opened(uow)
    with pytest.raises(DomainError) as raised:
        await changed(uow, deal_id, stage=stages[2].id)
    [problem] = raised.value.problems
    assert (problem.field, problem.code) == ("closeReason", ErrorCode.REQUIRED)
    assert problem.message == "A won deal needs a closeReason."
    assert uow.records.get("Opportunity", deal_id)["stage"] == stages[0].id
    assert not uow.committed


async def test_update_opportunity_to_won_closes_it_and_reopening_clears_that(uow, stages):
    # given a deal won at LATER
    deal_id = await opened(uow)
    await changed(uow, deal_id, stage=stages[2].id, closeReason="Signed")
    won = dict(uow.records.get("Opportunity", deal_id))
    # when it moves from won to lost, and then back to an open stage
    await changed(uow, deal_id, LATER + timedelta(days=1), stage=stages[3].id)
    lost = dict(uow.records.get("Opportunity", deal_id))
    await changed(uow, deal_id, LATER + timedelta(days=2), stage=stages[1].id)
    reopened = uow.records.get("Opportunity", deal_id)
    # then it closed when it was won, stayed closed since then, and is open again
    assert (won["closedAt"], won["probability"]) == (LATER, 100)
    assert (lost["closedAt"], lost["stageEnteredAt"]) == (LATER, LATER + timedelta(days=1))
    assert reopened["closedAt"] is None


async def test_update_won_opportunity_cannot_lose_its_reason(uow, stages):
    deal_id = await opened(uow)
    await changed(uow, deal_id, stage=stages[2].id, closeReason="Signed")
    with pytest.raises(DomainError) as raised:
        await changed(uow, deal_id, closeReason="")
    assert raised.value.problems[0].message == "A won or lost deal keeps its closeReason."
    assert uow.records.get("Opportunity", deal_id)["closeReason"] == "Signed"


async def test_update_opportunity_to_a_stage_of_another_pipeline_is_invalid(uow, stages):
    other = uow.opportunities.add_pipeline((StageKind.OPEN, 20))
    deal_id = await opened(uow)
    with pytest.raises(DomainError) as raised:
        await changed(uow, deal_id, pipeline=stages[0].pipeline_id, stage=other[0].id)
    assert [(p.field, p.code) for p in raised.value.problems] == [("stage", ErrorCode.INVALID)]


async def test_update_opportunity_stage_by_a_role_that_only_reads_deals_is_forbidden(uow, stages):
    deal_id = await opened(uow)
    with pytest.raises(DomainError) as raised:
        await deals.update_opportunity(deal_id, 1, {"stage": stages[1].id}, uow,
                                       staff("service"), LATER)
    assert [(p.field, p.code) for p in raised.value.problems] == [("stage", ErrorCode.FORBIDDEN)]
