"""merge_records on the fake unit of work: what is written, and what is refused before."""

from __future__ import annotations

import uuid

import pytest

from domain.errors import DomainError
from domain.services.merge import merge_records
from tests.unit.callers import staff
from tests.unit.fakes import FakeUnitOfWork

S, M = uuid.uuid4(), uuid.uuid4()


def scene(*, writable: bool = True) -> FakeUnitOfWork:
    uow = FakeUnitOfWork()
    uow.merges.rows["Contact"] = {
        S: {"row": {"id": str(S), "first_name": None, "last_name": "Kept", "emails": [],
                    "custom_fields": {}, "updated_at": "2026-01-01", "archived_at": None}},
        M: {"writable": writable,
            "row": {"id": str(M), "first_name": "Ann", "last_name": "Gone", "emails": [],
                    "custom_fields": {}, "updated_at": "2026-01-02", "archived_at": None}}}
    return uow


async def test_merge_records_dry_run_writes_nothing():
    uow = scene()
    plan = await merge_records("Contact", S, [M], {}, True, uow, staff("admin"))
    assert plan.values["firstName"] == "Ann" and plan.merge_id is None
    assert not uow.committed and uow.merges.written == [] and uow.audit.entries == []


async def test_merge_records_writes_the_survivor_retires_the_merged_and_audits_both():
    uow = scene()
    plan = await merge_records("Contact", S, [M], {}, False, uow, staff("admin"))
    assert uow.committed and plan.merge_id is not None
    assert uow.merges.written[0]["first_name"] == "Ann" and uow.merges.retired == [M]
    assert uow.audit.actions(S) == ["merge"] and uow.audit.actions(M) == ["merge"]


@pytest.mark.parametrize("role", ["marketing", "analyst"])
async def test_merge_records_is_refused_to_a_role_without_the_merge_action(role):
    uow = scene()
    with pytest.raises(DomainError) as caught:
        await merge_records("Contact", S, [M], {}, False, uow, staff(role))
    assert caught.value.problems[0].code == "FORBIDDEN" and not uow.committed


async def test_merge_records_refuses_a_record_the_caller_may_not_write():
    uow = scene(writable=False)
    with pytest.raises(DomainError) as caught:
        await merge_records("Contact", S, [M], {}, False, uow, staff("sales"))
    assert [(p.field, p.code) for p in caught.value.problems] == [("merged[0]", "FORBIDDEN")]
    assert uow.merges.written == []
