"""The policy tables are consistent, and the README shows them as they are."""

from __future__ import annotations

from pathlib import Path

from auth.grants import declared_fields, grant_for, markdown_table, uncopied
from auth.policy import GROUPS, ROLES
from domain.access import Role
from persistence.record_types import COPIES

README = Path(__file__).parents[2] / "README.md"


def test_no_role_may_write_what_it_cannot_read():
    for role in ROLES:
        grant = grant_for(role)
        for type_name, fields in grant.writable.items():
            assert fields <= grant.readable[type_name], (role, type_name)


def test_every_field_belongs_to_one_group_per_type():
    seen: dict[tuple[str, str], str] = {}
    for group, fields in GROUPS.items():
        type_name = group.split(".")[0]
        for field in fields:
            assert (type_name, field) not in seen, (group, seen.get((type_name, field)))
            seen[(type_name, field)] = group


def test_readme_holds_the_policy_table_as_declared():
    assert markdown_table() in README.read_text(), "paste the output of python -m auth.grants into README"


def test_copies_name_declared_fields():
    declared = declared_fields()
    for name in (*COPIES, *COPIES.values()):
        type_name, field = name.split(".")
        assert field in declared.get(type_name, ()), name


def test_no_role_reads_a_copy_of_a_field_it_may_not_read(monkeypatch):
    # given the policy as declared, no role reads a stage change's stages without the deal's
    assert [uncopied(role) for role in ROLES] == [[]] * len(ROLES)
    # when a copy of Lead.email were declared on a field the analyst reads
    monkeypatch.setitem(COPIES, "Lead.firstName", "Lead.email")
    # then the analyst would read a copy of what it may not read, and it is reported
    assert uncopied(Role.ANALYST) == ["Lead.firstName"]
