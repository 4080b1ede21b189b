"""Custom values given with a create or an update, on the fakes: checked in the write's
transaction, reported with the built-in values' problems, and audited in the same entry."""

from __future__ import annotations

import pytest

from domain.custom_fields import CustomFieldType, Definition
from domain.errors import DomainError, ErrorCode
from domain.services.contacts import CONTACT
from domain.services.directory import TERRITORY
from domain.services.records import create_record, update_record
from tests.unit.callers import USER_ID, staff
from tests.unit.fakes import FakeUnitOfWork

TIER = Definition("tier", CustomFieldType.SINGLE_SELECT, options=("Gold", "Silver"),
                  required=True)
SEATS = Definition("seats", CustomFieldType.NUMBER, minimum="1")


def _with_fields(**writable: bool) -> FakeUnitOfWork:
    uow = FakeUnitOfWork()
    uow.records.add("User", {}, id=USER_ID)  # who creates, and so owns, a contact
    defined = {"tier": TIER, "seats": SEATS}
    uow.custom_fields.defined["Contact"] = {n: (defined[n], w) for n, w in writable.items()}
    return uow


async def _problems(call) -> list[tuple[str, ErrorCode]]:
    with pytest.raises(DomainError) as caught:
        await call
    return [(p.field, p.code) for p in caught.value.problems]


async def test_a_create_reports_built_in_and_custom_problems_together_and_writes_nothing():
    uow = _with_fields(tier=True, seats=True)
    assert await _problems(create_record(CONTACT, {"leadScore": 101, "customFields": {
        "seats": 0}}, uow, staff("sales"))) == [
        ("lastName", ErrorCode.REQUIRED), ("leadScore", ErrorCode.INVALID),
        ("customFields.seats", ErrorCode.INVALID), ("customFields.tier", ErrorCode.REQUIRED)]
    assert uow.records.rows["Contact"] == {} and uow.audit.entries == []


async def test_a_create_writes_its_custom_values_in_its_create_entry():
    uow = _with_fields(tier=True, seats=False)  # seats: read, not written; never asked for
    contact = await create_record(CONTACT, {"lastName": "Lovelace", "customFields": {
        "tier": "Gold"}}, uow, staff("sales"))
    assert uow.records.get("Contact", contact)["customFields"] == {"tier": "Gold"}
    [entry] = uow.audit.entries
    assert entry["action"] == "create" and entry["changes"]["lastName"] == (None, "Lovelace")
    assert entry["changes"]["customFields"] == ({"tier": None}, {"tier": "Gold"})


async def test_an_update_with_custom_values_merges_them_in_one_entry_with_the_fields():
    uow = _with_fields(tier=True, seats=True)
    contact = uow.records.add("Contact", {"lastName": "Byron", "customFields": {
        "tier": "Gold", "legacy": "kept"}})
    await update_record(CONTACT, contact, 1, {"lastName": "Lovelace", "customFields": {
        "seats": 3}}, uow, staff("sales"))
    assert uow.records.get("Contact", contact)["customFields"] == {
        "tier": "Gold", "legacy": "kept", "seats": 3}
    [entry] = uow.audit.entries
    assert entry["changes"] == {"lastName": ("Byron", "Lovelace"),
                                "customFields": ({"seats": None}, {"seats": 3})}
    assert uow.committed


async def test_an_update_without_custom_values_reads_no_definition():
    uow = _with_fields()
    del uow.custom_fields.defined["Contact"]  # any read of them would fail
    uow.custom_fields.definitions = None
    contact = uow.records.add("Contact", {"lastName": "Byron"})
    await update_record(CONTACT, contact, 1, {"lastName": "Lovelace"}, uow, staff("sales"))
    assert uow.records.get("Contact", contact)["lastName"] == "Lovelace"


async def test_a_kind_without_custom_fields_is_created_as_before():
    uow = FakeUnitOfWork()
    uow.custom_fields.definitions = None  # never read for a territory
    territory = await create_record(TERRITORY, {"name": "Nordics"}, uow, staff("admin"))
    assert uow.records.get("Territory", territory)["name"] == "Nordics"
    assert "customFields" not in uow.audit.entries[-1]["changes"]
