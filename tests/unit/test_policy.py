"""The policy tables are consistent, and the README shows them as they are."""

from __future__ import annotations

from pathlib import Path

from auth.policy import GROUPS, ROLES, grant_for, markdown_table

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
    assert markdown_table() in README.read_text(), "paste auth.policy.markdown_table() into README"
