"""The rules of a tag, without a database."""

from __future__ import annotations

import pytest

from domain.access import Role
from domain.errors import DomainError, ErrorCode
from domain.services.tags import set_tags
from domain.tags import validate_tag
from tests.unit.callers import staff
from tests.unit.fakes import FakeUnitOfWork


def _codes(values: dict, creating: bool) -> list[tuple[str, str]]:
    with pytest.raises(DomainError) as caught:
        validate_tag(values, creating=creating)
    return [(p.field, p.code.value) for p in caught.value.problems]


def test_validate_tag_trims_the_name_and_greys_an_uncoloured_tag():
    assert validate_tag({"kind": "Contact", "name": "  VIP "}, creating=True) == {
        "kind": "Contact", "name": "VIP", "colour": "#9E9E9E"}


def test_validate_tag_needs_a_name_and_a_kind_to_create():
    assert _codes({}, creating=True) == [("name", "REQUIRED"), ("kind", "REQUIRED")]


def test_validate_tag_writes_colours_in_capitals_and_refuses_other_notations():
    assert validate_tag({"colour": "#00aa00"}, creating=False) == {"colour": "#00AA00"}
    assert _codes({"colour": "green"}, creating=False) == [("colour", "INVALID")]


def test_validate_tag_never_changes_a_kind():
    assert _codes({"kind": "Lead"}, creating=False) == [("kind", "INVALID")]


# --- Tagging a record, on the fake unit of work ------------------------------------------

@pytest.fixture
def uow() -> FakeUnitOfWork:
    return FakeUnitOfWork()


async def test_set_tags_pairs_the_record_once_and_audits_what_changed(uow):
    contact = uow.records.add("Contact", {})
    vip = uow.records.add("Tag", {"kind": "Contact", "name": "VIP"})
    await set_tags("Contact", contact, [vip, vip], True, uow, staff(Role.SALES))
    await set_tags("Contact", contact, [vip], True, uow, staff(Role.SALES))
    assert uow.pairs.paired == {("tagging", vip, contact)}
    assert [e["changes"] for e in uow.audit.entries] == [{"tags": (None, ["VIP"])}]
    assert uow.committed


async def test_set_tags_refuses_a_tag_of_another_kind_or_archived(uow):
    contact = uow.records.add("Contact", {})
    lead_tag = uow.records.add("Tag", {"kind": "Lead", "name": "Hot"})
    retired = uow.records.add("Tag", {"kind": "Contact", "name": "Old"})
    uow.records.archived.add(retired)
    for tag_id in (lead_tag, retired):
        with pytest.raises(DomainError) as caught:
            await set_tags("Contact", contact, [tag_id], True, uow, staff(Role.ADMIN))
        assert [(p.field, p.code) for p in caught.value.problems] == [
            ("tags", ErrorCode.NOT_FOUND)]
    assert uow.pairs.paired == set() and uow.audit.entries == []


async def test_set_tags_needs_write_access_to_the_record(uow):
    contact = uow.records.add("Contact", {})
    vip = uow.records.add("Tag", {"kind": "Contact", "name": "VIP"})
    uow.records.read_only.add(contact)
    with pytest.raises(DomainError) as caught:
        await set_tags("Contact", contact, [vip], True, uow, staff(Role.SALES))
    assert [(p.field, p.code) for p in caught.value.problems] == [
        ("record", ErrorCode.FORBIDDEN)]
    with pytest.raises(DomainError) as caught:
        await set_tags("Contact", contact, [vip], True, uow, staff(Role.ANALYST))
    assert caught.value.problems[0].code is ErrorCode.FORBIDDEN
