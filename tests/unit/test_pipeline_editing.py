"""Editing pipelines and stages: order, archive guards, kind changes and moving a stage's
deals, through the use cases on the fake unit of work."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from domain.errors import DomainError, ErrorCode
from domain.opportunities import StageKind
from domain.pipelines import inserted, reordered
from domain.services import opportunities as deals
from domain.services import pipelines
from tests.unit.callers import USER_ID, staff
from tests.unit.fakes import FakeUnitOfWork

NOW = datetime(2027, 3, 1, 9, tzinfo=UTC)
LATER = NOW + timedelta(days=2)
ADMIN = staff("admin")


@pytest.fixture
def uow() -> FakeUnitOfWork:
    uow = FakeUnitOfWork()
    uow.records.add("User", {"role": "admin"}, id=USER_ID)
    return uow


@pytest.fixture
def stages(uow):
    """One pipeline: qualify (10 %), propose (50 %), won (100 %), lost (0 %)."""
    return [s.id for s in uow.opportunities.add_pipeline(
        (StageKind.OPEN, 10), (StageKind.OPEN, 50), (StageKind.WON, 100), (StageKind.LOST, 0))]


async def open_deal(uow: FakeUnitOfWork, stage: uuid.UUID) -> uuid.UUID:
    account = uow.records.add("Account", {"name": "Acme", "territory": uuid.uuid4()})
    return await deals.create_opportunity({"name": "Deal", "account": account, "stage": stage},
                                          uow, ADMIN, NOW)


def positions(uow: FakeUnitOfWork, ids) -> list[int]:
    return [uow.records.get("Stage", id)["position"] for id in ids]


def problems(raised) -> list[tuple]:
    return [(p.field, p.code) for p in raised.value.problems]


def test_reordered_gives_only_the_positions_that_change():
    assert reordered({"a": 1, "b": 2, "c": 3}, ["a", "c", "b"]) == {"c": 2, "b": 3}


@pytest.mark.parametrize("given", [["a", "b"], ["a", "b", "c", "d"], ["a", "a", "b"]])
def test_reordered_without_every_live_id_once_is_invalid(given):
    with pytest.raises(DomainError) as raised:
        reordered({"a": 1, "b": 2, "c": 3}, given)
    assert problems(raised) == [("ids", ErrorCode.INVALID)]


def test_inserted_at_a_position_pushes_the_later_ones_down():
    assert inserted(["a", "b", "c"], 2) == (2, {"b": 3, "c": 4})
    assert inserted(["a", "b"], None) == (3, {})
    with pytest.raises(DomainError):
        inserted(["a", "b"], 4)


async def test_create_stage_at_a_position_keeps_positions_contiguous(uow, stages):
    pipeline = uow.records.get("Stage", stages[0])["pipeline"]
    new_id = await pipelines.create_stage({"pipeline": pipeline, "name": "Demo", "probability": 30,
                                           "kind": "OPEN", "position": 2}, uow, ADMIN)
    assert positions(uow, [stages[0], new_id, *stages[1:]]) == [1, 2, 3, 4, 5]
    assert uow.audit.actions(stages[1]) == ["reorder"] and uow.committed


async def test_archive_stage_with_open_deals_is_refused_naming_them_and_the_move(uow, stages):
    # given two open deals in the first stage
    await open_deal(uow, stages[0])
    await open_deal(uow, stages[0])
    # when an admin archives it
    with pytest.raises(DomainError) as raised:
        await pipelines.archive_stage(stages[0], 1, uow, ADMIN)
    # then it is refused at id, naming the two deals and stageMoveDeals, and nothing is kept
    [problem] = raised.value.problems
    assert (problem.field, problem.code) == ("id", ErrorCode.CONFLICT)
    assert "2 open deals" in problem.message and "stageMoveDeals" in problem.message
    assert stages[0] not in uow.records.archived and not uow.committed


async def test_archive_empty_stage_moves_the_later_ones_up(uow, stages):
    await pipelines.archive_stage(stages[1], 1, uow, ADMIN)
    assert stages[1] in uow.records.archived
    assert positions(uow, [stages[0], *stages[2:]]) == [1, 2, 3]


async def test_archive_last_won_stage_of_a_pipeline_with_deals_is_invalid(uow, stages):
    await open_deal(uow, stages[0])
    with pytest.raises(DomainError) as raised:
        await pipelines.archive_stage(stages[2], 1, uow, ADMIN)
    assert problems(raised) == [("id", ErrorCode.INVALID)]


async def test_archive_closed_stage_keeps_its_deals_and_their_history(uow, stages):
    # given a second won stage, and a deal won in the first one
    pipeline = uow.records.get("Stage", stages[0])["pipeline"]
    await pipelines.create_stage({"pipeline": pipeline, "name": "Won late", "probability": 100,
                                  "kind": "WON"}, uow, ADMIN)
    deal = await open_deal(uow, stages[0])
    await deals.update_opportunity(deal, 1, {"stage": stages[2], "closeReason": "Signed"}, uow,
                                   ADMIN, NOW)
    # when the first won stage is archived
    await pipelines.archive_stage(stages[2], 1, uow, ADMIN)
    # then the deal still stands in it, and no deal may enter it
    assert uow.records.get("Opportunity", deal)["stage"] == stages[2]
    other = await open_deal(uow, stages[0])
    with pytest.raises(DomainError) as raised:
        await deals.update_opportunity(other, 1, {"stage": stages[2], "closeReason": "x"}, uow,
                                       ADMIN, NOW)
    assert problems(raised) == [("stage", ErrorCode.INVALID)]


async def test_update_stage_kind_under_its_deals_is_refused(uow, stages):
    await open_deal(uow, stages[1])
    with pytest.raises(DomainError) as raised:
        await pipelines.update_stage(stages[1], 1, {"kind": "WON"}, uow, ADMIN)
    assert problems(raised) == [("kind", ErrorCode.CONFLICT)]
    assert uow.records.get("Stage", stages[1])["kind"] == "OPEN"


async def test_update_stage_kind_and_probability_of_an_empty_stage(uow, stages):
    await pipelines.update_stage(stages[1], 1, {"kind": "LOST", "probability": 0}, uow, ADMIN)
    assert uow.records.get("Stage", stages[1])["kind"] == "LOST"
    assert uow.records.versions[stages[1]] == 2 and uow.audit.actions(stages[1]) == ["update"]


async def test_update_stage_at_a_stale_version_is_refused(uow, stages):
    with pytest.raises(DomainError) as raised:
        await pipelines.update_stage(stages[1], 7, {"name": "Pitch"}, uow, ADMIN)
    assert problems(raised) == [("version", ErrorCode.STALE_VERSION)]


async def test_move_stage_deals_moves_each_as_an_update_would(uow, stages):
    # given two deals in the first stage
    first, second = await open_deal(uow, stages[0]), await open_deal(uow, stages[0])
    # when an admin moves the stage's deals to the second stage
    moved = await deals.move_stage_deals(stages[0], stages[1], None, uow, ADMIN, LATER)
    # then each is there at its probability, since LATER, with history, audit and a new version
    assert moved == 2 and uow.committed
    for deal in (first, second):
        row = uow.records.get("Opportunity", deal)
        assert (row["stage"], row["probability"], row["stageEnteredAt"]) == (stages[1], 50, LATER)
        assert (deal, stages[0], stages[1]) in uow.opportunities.history
        assert uow.audit.actions(deal) == ["create", "update"]
        assert uow.records.versions[deal] == 2


async def test_move_stage_deals_to_won_needs_a_reason_for_all_or_moves_none(uow, stages):
    await open_deal(uow, stages[0])
    second = await open_deal(uow, stages[0])
    with pytest.raises(DomainError) as raised:
        await deals.move_stage_deals(stages[0], stages[2], None, uow, ADMIN, LATER)
    assert problems(raised) == [("closeReason", ErrorCode.REQUIRED)] and not uow.committed

    await deals.move_stage_deals(stages[0], stages[2], "Bulk win", uow, ADMIN, LATER)
    row = uow.records.get("Opportunity", second)
    assert (row["stage"], row["closedAt"], row["closeReason"]) == (stages[2], LATER, "Bulk win")


async def test_move_stage_deals_to_another_pipeline_takes_its_pipeline(uow, stages):
    other = uow.opportunities.add_pipeline((StageKind.OPEN, 20), (StageKind.WON, 100))
    deal = await open_deal(uow, stages[0])
    await deals.move_stage_deals(stages[0], other[0].id, None, uow, ADMIN, LATER)
    row = uow.records.get("Opportunity", deal)
    assert (row["stage"], row["pipeline"]) == (other[0].id, other[0].pipeline_id)


async def test_archive_pipeline_with_open_deals_is_refused_and_empty_one_goes_with_stages(
        uow, stages):
    pipeline = uow.records.get("Stage", stages[0])["pipeline"]
    other = uow.opportunities.add_pipeline((StageKind.OPEN, 20), (StageKind.WON, 100))
    await open_deal(uow, stages[0])
    with pytest.raises(DomainError) as raised:
        await pipelines.archive_pipeline(pipeline, 1, uow, ADMIN)
    assert problems(raised) == [("id", ErrorCode.CONFLICT)]

    newest = await pipelines.create_pipeline({"name": "Partners", "kind": "UPSELL"}, uow, ADMIN)
    await pipelines.archive_pipeline(other[0].pipeline_id, 1, uow, ADMIN)
    assert {other[0].pipeline_id, other[0].id, other[1].id} <= uow.records.archived
    assert await uow.opportunities.pipeline_order() == {pipeline: 1, newest: 2}


@pytest.mark.parametrize("role", ["sales", "analyst"])
async def test_editing_stages_by_another_role_than_admin_is_forbidden(uow, stages, role):
    pipeline = uow.records.get("Stage", stages[0])["pipeline"]
    attempts = [
        pipelines.create_stage({"pipeline": pipeline, "name": "X", "probability": 1,
                                "kind": "OPEN"}, uow, staff(role)),
        pipelines.reorder_stages(pipeline, stages[::-1], uow, staff(role)),
        pipelines.archive_stage(stages[1], 1, uow, staff(role)),
        deals.move_stage_deals(stages[0], stages[1], None, uow, staff(role), LATER),
    ]
    for attempt in attempts:
        with pytest.raises(DomainError) as raised:
            await attempt
        assert {p.code for p in raised.value.problems} == {ErrorCode.FORBIDDEN}
    assert positions(uow, stages) == [1, 2, 3, 4]
