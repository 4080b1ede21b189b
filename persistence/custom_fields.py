"""Custom fields: their definitions, and the values each record keeps in one JSONB column.

Values live beside the record they belong to, keyed by the definition's name, so that a read
of the record reads them with it and a GIN index serves equality filters. Each value is
shown only to callers who read the policy group its definition joined: the SQL picks those
keys, on both read paths, and the others are never selected.
"""

from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import Callable
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import ARRAY, Index, String, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field

from domain.access import Access
from domain.custom_fields import NAME as NAME_RULE
from domain.custom_fields import CustomFieldType, Definition, definition_of
from domain.errors import DomainError, ErrorCode
from domain.filters import Condition, Op
from domain.tags import TaggableKind
from persistence.base import Stamped, json_text, one_of
from persistence.db import Transaction
from persistence.declaration import PROVENANCE, RecordType, col, meta
from persistence.declaration import Field as DeclaredField
from persistence.filtering import COMPARISONS, MAX_IN_VALUES, escape_like
from persistence.spec import NAME
from persistence.sql import Builder

COLUMN = "custom_fields"


class CustomFieldRow(Stamped, table=True):
    __tablename__ = "custom_field"
    __table_args__ = (
        UniqueConstraint("kind", "name"),  # archived ones too: their values keep the name
        one_of("kind", TaggableKind),
        one_of("type", CustomFieldType),
    )

    kind: str = Field(max_length=20)
    name: str = Field(max_length=40)
    label: str = Field(max_length=200)
    type: str = Field(max_length=20)
    required: bool = False
    group_name: str = Field(max_length=40)
    options: list[str] = Field(default_factory=list, sa_type=ARRAY(String(100)),
                               sa_column_kwargs={"server_default": text("'{}'")})
    max_length: int | None = None
    minimum: str | None = Field(default=None, max_length=40)
    maximum: str | None = Field(default=None, max_length=40)


def in_readable_groups(t: str, access: Access, b: Builder) -> str:
    """A caller knows of the custom fields in groups it reads, and of no other."""
    readable = [f"{kind.value}.{group}" for kind in TaggableKind
                for group in readable_groups(kind.value, access)]
    return f"({t}.kind || '.' || {t}.group_name) = ANY({b.bind(readable)})"


CUSTOM_FIELD = RecordType(
    name="CustomField",
    table=CustomFieldRow.__table__,
    groups={
        "all": (
            *meta(sortable=("createdAt",)),
            col("kind", filterable=True, enum=TaggableKind, doc="The kind of record it extends."),
            col("name", sortable=True, doc="Its key in `customFields` and in filters: camelCase, "
                                          "fixed once created."),
            col("label", doc="What frontends show, e.g. `Renewal owner`."),
            col("type", enum=CustomFieldType, doc="What it holds."),
            col("required", doc="Whether a record must hold a value: clearing one is REQUIRED."),
            col("group", "group_name", doc="The policy group it joins: whoever reads (writes) "
                                          "that group of its kind reads (writes) it."),
            col("options"),
            col("maxLength", doc="The longest text it takes; 20,000 unless given."),
            col("minimum", doc="The least number it takes, as a decimal."),
            col("maximum", doc="The greatest number it takes, as a decimal."),
            *PROVENANCE,
        ),
    },
    requires=in_readable_groups,
    unique={"uq_custom_field_kind_name": "name"},
)


def values_column() -> dict[str, Any]:
    """The column a record type keeps its custom values in, for its SQLModel row."""
    return {"default_factory": dict, "sa_type": JSONB,
            "sa_column_kwargs": {"server_default": text("'{}'::jsonb")}}


def values_index(table: str) -> Index:
    """Serves `customFields: [{name, eq}]`, which filters by containment."""
    return Index(f"ix_{table}_custom_fields", COLUMN, postgresql_using="gin",
                 postgresql_ops={COLUMN: "jsonb_path_ops"})


@cache
def _declared(kind: str) -> tuple[str, dict[str, tuple[str, ...]]]:
    """The table of `kind` and its policy groups with their fields, from the declarations."""
    # record_types imports every declaration, and the declarations import this module.
    from persistence.record_types import BY_NAME

    record = BY_NAME[kind]
    return record.table.name, {group: tuple(f.name for f in fields)
                               for group, fields in record.groups.items()}


def readable_groups(kind: str, access: Access, *, write: bool = False) -> list[str]:
    """The groups of `kind` whose fields the caller reads (or writes)."""
    can = access.can_write if write else access.can_read
    return sorted(group for group, fields in _declared(kind)[1].items() if can(kind, fields[0]))


def _groups_sql(kind: str, access: Access) -> str:
    groups = readable_groups(kind, access)
    assert all(NAME.match(g) for g in groups)  # identifiers from the declarations
    return "ARRAY[" + ", ".join(f"'{g}'" for g in groups) + "]::text[]"


def values_sql(kind: str) -> Callable[[str, Access], str]:
    """How a record's `customFields` reads: its values of the definitions in groups the
    caller reads, each with the definition's name, label and type, in the order defined."""
    def sql(t: str, access: Access) -> str:
        return (f"(SELECT coalesce(jsonb_agg(jsonb_build_object('name', d.name, 'label', "
                f"d.label, 'type', d.type, 'value', CASE WHEN d.type = 'DECIMAL' "
                f"THEN to_jsonb(({t}.{COLUMN} -> d.name) #>> '{{}}') ELSE {t}.{COLUMN} -> d.name "
                f"END) "
                f"ORDER BY d.created_at, d.name), '[]'::jsonb) FROM custom_field d "
                f"WHERE d.kind = '{kind}' AND d.archived_at IS NULL "
                f"AND d.group_name = ANY({_groups_sql(kind, access)}) AND {t}.{COLUMN} ? d.name)")
    return sql


MAX_OPERAND = 1000  # characters of JSON: longer than any value a field holds


def _number(j: str) -> str:
    """A JSON number, or a decimal in a string, as numeric; null for anything else."""
    return (f"(CASE WHEN jsonb_typeof({j}) = 'number' THEN ({j} #>> '{{}}')::numeric "
            f"WHEN ({j} #>> '{{}}') ~ '^-?[0-9]+(\\.[0-9]+)?$' THEN ({j} #>> '{{}}')::numeric END)")


def _operand(value: Any, field: str, b: Builder) -> str:
    text = json_text(value)
    if len(text) > MAX_OPERAND:
        raise DomainError.one(field, ErrorCode.INVALID,
                              f"A custom field's operand is at most {MAX_OPERAND} characters.")
    return f"{b.bind(text)}::jsonb"


def _equal(v: str, x: str) -> str:
    return (f"(CASE WHEN d.type IN ('NUMBER', 'DECIMAL') THEN {_number(v)} = {_number(x)} "
            f"WHEN d.type = 'MULTI_SELECT' THEN {v} @> jsonb_build_array({x}) ELSE {v} = {x} END)")


def _compare(cond: Condition, v: str, b: Builder) -> str:
    """`cond` over the value `v` of the definition `d`, both in scope of the statement."""
    name, operand = cond.value
    field = f"filter.customFields.{name}"
    if cond.op is Op.IS_NULL:
        return f"{'NOT ' if operand else ''}({v} IS NOT NULL)"
    if operand is None:
        raise DomainError.one(field, ErrorCode.INVALID,
                              f"{cond.op.value} needs a value; use isNull for none.")
    if cond.op in (Op.EQ, Op.NEQ):
        equal = _equal(v, _operand(operand, field, b))
        return equal if cond.op is Op.EQ else f"NOT coalesce({equal}, FALSE)"
    if cond.op is Op.IN:
        if len(operand) > MAX_IN_VALUES:
            raise DomainError.one(field, ErrorCode.INVALID,
                                  f"`in` takes at most {MAX_IN_VALUES} values.")
        return " OR ".join(_equal(v, _operand(o, field, b)) for o in operand) or "FALSE"
    if cond.op in COMPARISONS:
        x, sign = _operand(operand, field, b), COMPARISONS[cond.op]
        return (f"(CASE WHEN d.type IN ('NUMBER', 'DECIMAL') THEN {_number(v)} {sign} "
                f"{_number(x)} ELSE {v} {sign} {x} END)")
    if not isinstance(operand, str) or len(operand) > MAX_OPERAND:
        raise DomainError.one(field, ErrorCode.INVALID, f"{cond.op.value} takes text.")
    if cond.op is Op.ILIKE:
        return f"({v} #>> '{{}}') ILIKE {b.bind(operand)}"
    return f"({v} #>> '{{}}') LIKE {b.bind(escape_like(operand) + '%')} ESCAPE '\\'"


def conditions(kind: str) -> Callable[[Condition, str, Access, Builder], str]:
    """A condition on one custom value of a `kind` record. A field that is not defined, or in
    a group the caller does not read, matches no record, as if it did not exist. Equality is
    first asked of the GIN index, by containment."""
    def sql(cond: Condition, t: str, access: Access, b: Builder) -> str:
        name, operand = cond.value
        defined = (f"EXISTS (SELECT 1 FROM custom_field d WHERE d.kind = '{kind}' "
                   f"AND d.name = {b.bind(name)} AND d.archived_at IS NULL "
                   f"AND d.group_name = ANY({_groups_sql(kind, access)}) "
                   f"AND ({_compare(cond, f'({t}.{COLUMN} -> d.name)', b)}))")
        if cond.op is not Op.EQ or operand is None:
            return defined
        spellings = [{name: operand}, {name: [operand]}]
        if isinstance(operand, str | int | float) and not isinstance(operand, bool):
            with contextlib.suppress(ArithmeticError):
                spellings.append({name: Decimal(format(Decimal(str(operand)).normalize(), "f"))})
        contained = " OR ".join(f"{t}.{COLUMN} @> {_operand(s, 'filter', b)}"
                                for s in spellings)
        return f"({contained}) AND {defined}"
    return sql


class CustomFieldStore:
    """Implements domain.ports.CustomFieldStore."""

    def __init__(self, tx: Transaction, access: Access) -> None:
        self.tx = tx
        self.access = access

    def groups(self, kind: str) -> list[str]:
        return sorted(_declared(kind)[1])

    async def definitions(self, kind: str) -> dict[str, tuple[Definition, bool]]:
        """The live definitions of a kind the caller reads, by name, each with whether the
        caller writes its group."""
        writable = set(readable_groups(kind, self.access, write=True))
        b = Builder()
        rows = await self.tx.rows(
            f"SELECT name, type, group_name AS \"group\", required, options, "
            f"max_length AS \"maxLength\", minimum, maximum "
            f"FROM custom_field WHERE kind = {b.bind(kind)} AND archived_at IS NULL "
            f"AND group_name = ANY({b.bind(readable_groups(kind, self.access))})", b.params)
        return {r["name"]: (definition_of(r), r["group"] in writable) for r in rows}

    async def values(self, kind: str, name: str) -> list[tuple[uuid.UUID, Any]]:
        """Every live record of a kind holding a value under `name`, and the value."""
        b, table = Builder(), _declared(kind)[0]
        rows = await self.tx.rows(
            f"SELECT id, ({COLUMN} -> {b.bind(name)})::text AS value FROM {table} "
            f"WHERE {COLUMN} ? {b.bind(name)} AND archived_at IS NULL ORDER BY id", b.params)
        return [(r["id"], exact(r["value"])) for r in rows]

    async def lacking(self, kind: str, name: str) -> list[uuid.UUID]:
        """Every live record of a kind holding no value under `name`."""
        b = Builder()
        rows = await self.tx.rows(
            f"SELECT id FROM {_declared(kind)[0]} WHERE NOT {COLUMN} ? {b.bind(name)} "
            f"AND archived_at IS NULL ORDER BY id", b.params)
        return [r["id"] for r in rows]

    async def stored(self, kind: str, record_id: uuid.UUID) -> dict[str, Any]:
        """A record's custom values as stored, every field's, for a use case to merge into."""
        b = Builder()
        return exact(await self.tx.value(f"SELECT {COLUMN}::text FROM {_declared(kind)[0]} "
                                         f"WHERE id = {b.bind(record_id)}", b.params)) or {}


def exact(text: str | None) -> Any:
    """Stored JSON read back with its decimals exact, to be written back unchanged."""
    return None if text is None else json.loads(text, parse_float=Decimal)


def sort_sql(kind: str) -> Callable[[str, str, Access], str]:
    """A custom value as a sort key; null for every record when the field is not defined, or
    is in a group the caller does not read, so that its order tells nothing."""
    def sql(name: str, t: str, access: Access) -> str:
        if not NAME_RULE.match(name):
            raise DomainError.one("orderBy", ErrorCode.INVALID, f"No custom field {name!r}.")
        # The name is an identifier (checked above): inlined, as a sort key has no parameters.
        return (f"(CASE WHEN EXISTS (SELECT 1 FROM custom_field d WHERE d.kind = '{kind}' "
                f"AND d.name = '{name}' AND d.archived_at IS NULL "
                f"AND d.group_name = ANY({_groups_sql(kind, access)})) "
                f"THEN {t}.{COLUMN} -> '{name}' END)")
    return sql


def custom(kind: str) -> tuple[DeclaredField, ...]:
    """The `custom` group of a kind that custom fields extend: its values, as each caller
    may read them, and the conditions a filter puts on them."""
    return (DeclaredField(
        "customFields", COLUMN, filterable=True, computed=values_sql(kind),
        condition=conditions(kind), sort=sort_sql(kind),
        doc="Its custom field values that you may read, in the order the fields were defined; "
            "set them with customValuesSet."),)
