"""The rules of custom fields, without a database."""

from __future__ import annotations

import pytest

from domain.access import Role
from domain.custom_fields import (
    CheckedValues,
    CustomFieldType,
    Definition,
    clean_values,
    validate_definition,
)
from domain.errors import DomainError, ErrorCode
from domain.services.custom_fields import set_values
from tests.unit.callers import staff
from tests.unit.fakes import FakeUnitOfWork

TIER = Definition("tier", CustomFieldType.SINGLE_SELECT, options=("Gold", "Silver"),
                  required=True)
SEATS = Definition("seats", CustomFieldType.NUMBER, minimum="1", maximum="500")


def _problems(call) -> list[tuple[str, ErrorCode]]:
    with pytest.raises(DomainError) as caught:
        call()
    return [(p.field, p.code) for p in caught.value.problems]


def test_clean_values_merges_into_what_is_stored_and_clears_on_null():
    stored = {"tier": "Gold", "legacy": "kept as it is"}
    merged = clean_values({"tier": (TIER, True), "seats": (SEATS, True)}, {"seats": 20}, stored)
    assert merged == {"tier": "Gold", "legacy": "kept as it is", "seats": 20}
    assert clean_values({"seats": (SEATS, True)}, {"seats": None}, merged) == {
        "tier": "Gold", "legacy": "kept as it is"}


def test_clean_values_reports_every_problem_at_its_path():
    assert _problems(lambda: clean_values({"tier": (TIER, True), "seats": (SEATS, True)},
                                          {"tier": None, "seats": 501, "nope": 1}, {})) == [
        ("customFields.tier", ErrorCode.REQUIRED), ("customFields.seats", ErrorCode.INVALID),
        ("customFields.nope", ErrorCode.NOT_FOUND)]


def test_a_misfit_says_why_a_stored_value_no_longer_fits():
    assert TIER.misfit("Bronze") == "tier is one of Gold, Silver."
    assert TIER.misfit("Gold") is None
    assert SEATS.misfit(True) == "seats holds a number."


def test_validate_definition_needs_options_for_a_select_and_keeps_name_and_kind():
    assert _problems(lambda: validate_definition(
        {"kind": "Contact", "name": "size", "label": "Size", "type": "SINGLE_SELECT"},
        creating=True)) == [("options", ErrorCode.REQUIRED)]
    assert _problems(lambda: validate_definition({"name": "other"}, creating=False,
                                                 stored={"type": "TEXT"})) == [
        ("name", ErrorCode.INVALID)]


async def test_set_values_writes_the_merge_and_audits_only_what_changed():
    uow = FakeUnitOfWork()
    contact = uow.records.add("Contact", {"customFields": {"tier": "Gold"}})
    uow.custom_fields.defined["Contact"] = {"tier": (TIER, True), "seats": (SEATS, True)}
    await set_values("Contact", contact, 1, {"seats": 3, "tier": "Gold"}, uow,
                     staff(Role.SALES))
    assert uow.records.get("Contact", contact)["customFields"] == {"tier": "Gold", "seats": 3}
    assert uow.audit.entries[-1]["changes"] == {"customFields": ({"seats": None},
                                                                 {"seats": 3})}


async def test_set_values_refuses_a_field_whose_group_the_caller_may_not_write():
    uow = FakeUnitOfWork()
    contact = uow.records.add("Contact", {})
    uow.custom_fields.defined["Contact"] = {"seats": (SEATS, False)}
    with pytest.raises(DomainError) as caught:
        await set_values("Contact", contact, 1, {"seats": 3}, uow, staff(Role.MARKETING))
    assert [(p.field, p.code) for p in caught.value.problems] == [
        ("customFields.seats", ErrorCode.FORBIDDEN)]
    assert uow.audit.entries == [] and not uow.committed


def test_clean_values_refuses_a_field_the_caller_reads_but_may_not_write():
    assert _problems(lambda: clean_values({"tier": (TIER, False), "seats": (SEATS, True)},
                                          {"tier": "Gold", "seats": 0}, {})) == [
        ("customFields.tier", ErrorCode.FORBIDDEN), ("customFields.seats", ErrorCode.INVALID)]


def test_a_new_record_needs_every_required_field_the_caller_writes_and_no_other():
    writable = {"tier": (TIER, True), "seats": (SEATS, True)}
    assert _problems(lambda: clean_values(writable, {"seats": 3}, {}, creating=True)) == [
        ("customFields.tier", ErrorCode.REQUIRED)]
    assert clean_values(writable, {"tier": "Gold"}, {}, creating=True) == {"tier": "Gold"}
    # a required field the caller may not write, it cannot give: its absence stops nothing
    assert clean_values({"tier": (TIER, False)}, {}, {}, creating=True) == {}
    # an update keeps what is stored, required or not
    assert clean_values(writable, {"seats": 3}, {}) == {"seats": 3}


def test_checked_values_audit_only_what_changed_and_nothing_when_nothing_did():
    checked = CheckedValues({"tier": "Gold", "gone": 1}, {"tier": "Gold", "seats": 3})
    assert checked.changes() == {"customFields": ({"gone": 1, "seats": None},
                                                  {"gone": None, "seats": 3})}
    assert CheckedValues({"tier": "Gold"}, {"tier": "Gold"}).changes() == {}
