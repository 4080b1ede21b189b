"""What the policy's tables grant each principal: the tables of auth/policy.py read into the
Access that every read and write consults, checked for consistency at import, and printed as
the README's policy table (`python -m auth.grants`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

from auth.policy import ACTIONS, FIELDS, GROUPS, PARTNER_SCOPES, RECORDS, ROLES
from domain.access import Access, Action, ActorRef, RecordRule, Role
from persistence.record_types import COPIES


@dataclass(frozen=True)
class RoleGrant:
    """The fields, rules and actions one role holds, before any token scopes apply."""

    readable: Mapping[str, frozenset[str]]
    writable: Mapping[str, frozenset[str]]
    read_rules: Mapping[str, RecordRule]
    write_rules: Mapping[str, RecordRule]
    actions: Mapping[str, frozenset[Action]]


def _rows(table: str) -> list[list[str]]:
    return [line.split() for line in table.strip().splitlines()]


def _field_table() -> dict[Role, tuple[dict, dict]]:
    grants: dict[Role, tuple[dict, dict]] = {role: ({}, {}) for role in Role}
    for group, *cells in _rows(FIELDS):
        type_name = group.split(".")[0]
        for role, cell in zip(ROLES, cells, strict=True):
            readable, writable = grants[role]
            if "R" in cell:
                readable.setdefault(type_name, set()).update(GROUPS[group])
            if "W" in cell:
                writable.setdefault(type_name, set()).update(GROUPS[group])
    return grants


def _record_table() -> dict[Role, tuple[dict, dict]]:
    rules: dict[Role, tuple[dict, dict]] = {role: ({}, {}) for role in Role}
    for type_name, *cells in _rows(RECORDS):
        for role, cell in zip(ROLES, cells, strict=True):
            read, write = (RecordRule(p) if p != "-" else RecordRule.NONE for p in cell.split("/"))
            rules[role][0][type_name] = read
            rules[role][1][type_name] = write
    return rules


def _action_table() -> dict[Role, dict[str, set[Action]]]:
    actions: dict[Role, dict[str, set[Action]]] = {role: {} for role in Role}
    for key, *roles in _rows(ACTIONS):
        type_name, action = key.split(".")
        for role in roles:
            actions[Role(role)].setdefault(type_name, set()).add(Action(action))
    return actions


@cache
def declared_fields() -> dict[str, frozenset[str]]:
    """Every field the groups name, per type."""
    declared: dict[str, set[str]] = {}
    for group, fields in GROUPS.items():
        declared.setdefault(group.split(".")[0], set()).update(fields)
    return {t: frozenset(f) for t, f in declared.items()}


@cache
def grant_for(role: Role) -> RoleGrant:
    """The role's grant as declared in the tables above."""
    readable, writable = _field_table()[role]
    read_rules, write_rules = _record_table()[role]
    return RoleGrant(
        readable={t: frozenset(f) for t, f in readable.items()},
        writable={t: frozenset(f) for t, f in writable.items()},
        read_rules=read_rules,
        write_rules=write_rules,
        actions={t: frozenset(a) for t, a in _action_table()[role].items()},
    )


def _scoped_rules(rules: Mapping[str, RecordRule], scopes: frozenset[str], index: int) -> dict:
    scoped = dict(rules)
    for type_name, pair in PARTNER_SCOPES.items():
        if pair[index] not in scopes:
            scoped[type_name] = RecordRule.NONE
    return scoped


def access_for(
    role: Role,
    actor: ActorRef,
    *,
    user_id=None,
    partner_id=None,
    contact_id=None,
    scopes: frozenset[str] = frozenset(),
) -> Access:
    """Resolve the policy for one principal; a partner is narrowed to its token's scopes."""
    grant = grant_for(role)
    read_rules, write_rules = grant.read_rules, grant.write_rules
    actions = grant.actions
    if role is Role.PARTNER:
        read_rules = _scoped_rules(read_rules, scopes, 0)
        write_rules = _scoped_rules(write_rules, scopes, 1)
        actions = {t: a for t, a in actions.items()
                   if t not in PARTNER_SCOPES or PARTNER_SCOPES[t][1] in scopes}
    return Access(
        role=role,
        actor=actor,
        readable=grant.readable,
        writable=grant.writable,
        read_rules=read_rules,
        write_rules=write_rules,
        actions=actions,
        user_id=user_id,
        partner_id=partner_id,
        contact_id=contact_id,
        scopes=scopes,
        declared=declared_fields(),
    )


def uncopied(role: Role) -> list[str]:
    """The copies (COPIES) a role reads without reading their originals."""
    readable = grant_for(role).readable

    def reads(name: str) -> bool:
        type_name, field_name = name.split(".")
        return field_name in readable.get(type_name, ())

    return sorted(copy for copy, original in COPIES.items() if reads(copy) and not reads(original))


def _check_consistency() -> None:
    """Refuse at import a policy that names a group no record type declares, or leaves a
    declared group out, or grants writing a field without reading it, or reading a copy of a
    field without reading the field."""
    rows = [group for group, *_ in _rows(FIELDS)]
    unknown = sorted(set(rows) - set(GROUPS))
    missing = [group for group in GROUPS if group not in rows]
    if unknown:
        raise ValueError(f"policy: FIELDS names groups no record type declares: {unknown}")
    if missing:
        raise ValueError(f"policy: FIELDS has no row for the declared groups {missing}")
    for role in ROLES:
        grant = grant_for(role)
        for type_name, fields in grant.writable.items():
            unread = fields - grant.readable.get(type_name, frozenset())
            if unread:
                raise ValueError(f"policy: {role} may write {type_name}.{sorted(unread)} unread")
        if uncopied(role):
            raise ValueError(f"policy: {role} reads {uncopied(role)} without their originals")


_check_consistency()


def markdown_table() -> str:
    """The field table as it appears in the README: one row per group, with its fields."""
    header = "| field group | fields | " + " | ".join(r.value for r in ROLES) + " |"
    lines = [header, "|---" * (len(ROLES) + 2) + "|"]
    for group, *cells in _rows(FIELDS):
        lines.append(f"| {group} | {', '.join(GROUPS[group])} | "
                     + " | ".join(c if c != "-" else "–" for c in cells) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown_table())
