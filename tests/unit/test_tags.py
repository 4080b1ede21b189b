"""The rules of a tag, without a database."""

from __future__ import annotations

import pytest

from domain.errors import DomainError
from domain.tags import validate_tag


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
