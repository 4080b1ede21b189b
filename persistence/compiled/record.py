"""The JSON of one record's object, field by field, and the statement around the whole plan.

PostgreSQL builds the whole answer: json_build_object per object, json_agg per list. The policy
is applied here as in the loaders: only readable columns are selected (column_sql), and record
rules sit in every WHERE clause (read_sql).
"""

from __future__ import annotations

import uuid

from domain.access import Access
from persistence import readplan as rp
from persistence.compiled import connection, lists
from persistence.compiled.names import literal
from persistence.record_types import CHILD_RELATIONS, SPECS
from persistence.spec import Spec, column_sql, read_sql
from persistence.sql import Builder

MAX_KEYS = 50  # json_build_object takes at most 100 arguments


class TooWide(ValueError):
    """A selection with more keys than one json_build_object call can hold."""


class Compiler:
    """Builds the statement for one plan and one caller."""

    def __init__(self, access: Access, b: Builder | None = None) -> None:
        self.access = access
        self.b = b or Builder()  # another statement's, when the object is part of it
        # variable -> the positions of the parameters its record id fills
        self.variable_params: dict[str, list[int]] = {}

    def statement(self, outputs: tuple[rp.Output, ...]) -> str:
        return f"SELECT {self.object(outputs, None, '')}::text AS data"

    def bind_id(self, record_id: uuid.UUID, variable: str | None) -> str:
        """A placeholder for a record id, noted as filled by `variable` if one named it."""
        if variable:
            self.variable_params.setdefault(variable, []).append(len(self.b.params))
        return self.b.bind(record_id)

    def object(self, outputs: tuple[rp.Output, ...], spec: Spec | None, t: str) -> str:
        """One JSON object over row `t` of `spec`'s table."""
        if len(outputs) > MAX_KEYS:
            raise TooWide(f"{len(outputs)} fields in one object")
        pairs = ", ".join(f"{literal(o.key)}, {self.value(o, spec, t)}" for o in outputs)
        return f"json_build_object({pairs})"

    def value(self, output: rp.Output, spec: Spec | None, t: str) -> str:
        match output:
            case rp.Const(value=None):
                return "NULL::json"
            case rp.Const(value=value):
                return f"{self.b.bind(value)}::text"
            case rp.Column():
                return self._column(output, spec, t)
            case rp.JsonItems():
                return self._json_items(output, spec, t)
            case rp.Reference():
                return self._reference(output, spec, t)
            case rp.ActorUser():
                return self._actor_user(output, spec, t)
            case rp.Children():
                return self._children(output, t)
            case rp.CarrierCount():
                return self._carrier_count(output, spec, t)
            case rp.RecordGlobalId():
                return (f"crm_global_id({t}.{spec.columns['recordType']}, "
                        f"{t}.{spec.columns['recordId']})")
            case rp.Changes():
                return self._changes(output, spec, t)
            case rp.Connection():
                return connection.connection(self, output, t)
            case rp.Record():
                return self._record(output)
            case rp.Array(items=items):
                return f"json_build_array({', '.join(self.value(i, None, '') for i in items)})"
            case rp.CalendarRows():
                return lists.calendar(self, output)
            case rp.SearchHits():
                return lists.search_hits(self, output)
        raise TypeError(f"cannot compile {output!r}")

    def _column(self, c: rp.Column, spec: Spec, t: str) -> str:
        column = column_sql(spec, self.access, t, c.field)
        match c.render:
            case rp.Render.GID:
                return f"crm_global_id({literal(spec.type_name)}, {column})"
            case rp.Render.TIME:
                return f"crm_time({column})"
            case rp.Render.ACTOR:
                return f"crm_actor_id({column})"
            case rp.Render.TEXT:  # e.g. amounts, which GraphQL carries as strings
                return f"({column})::text"
        if c.enum:
            whens = " ".join(f"WHEN {self.b.bind(stored)} THEN {self.b.bind(name)}"
                             for stored, name in c.enum)
            return f"(CASE {column}::text {whens} END)"
        return column

    def _pairs(self, keys: tuple[rp.JsonKey, ...], pick) -> str:
        return ", ".join(
            f"{literal(k.key)}, "
            f"{pick(k.json_key) if k.json_key else self.b.bind(k.constant) + '::text'}"
            for k in keys)

    def _json_items(self, j: rp.JsonItems, spec: Spec, t: str) -> str:
        column = column_sql(spec, self.access, t, j.field)
        item = "e.v" if j.many else column
        pairs = self._pairs(j.keys, lambda key: f"{item}->{literal(key)}")
        if j.many:
            return (f"(SELECT coalesce(json_agg(json_build_object({pairs}) ORDER BY e.n), "
                    f"'[]'::json) FROM jsonb_array_elements({column}) WITH ORDINALITY e(v, n))")
        return f"(CASE WHEN {column} IS NULL THEN NULL ELSE json_build_object({pairs}) END)"

    def _reference(self, ref: rp.Reference, spec: Spec, t: str) -> str:
        target = SPECS[ref.target.type_name]
        r = self.b.alias("r")
        return (f"(SELECT {self.object(ref.target.outputs, target, r)} FROM {target.name} {r} "
                f"WHERE {r}.id = {t}.{spec.columns[ref.field]} "
                f"AND {read_sql(target, self.access, r, self.b)})")

    def _actor_user(self, ref: rp.ActorUser, spec: Spec, t: str) -> str:
        # The column holds `Type:uuid`; only a User is shown, as ActorRef.parse reads it.
        target = SPECS[ref.target.type_name]
        column, r = f"{t}.{spec.columns[ref.field]}", self.b.alias("r")
        return (f"(SELECT {self.object(ref.target.outputs, target, r)} FROM {target.name} {r} "
                f"WHERE split_part({column}, ':', 1) = 'User' "
                f"AND {r}.id = nullif(split_part({column}, ':', 2), '')::uuid "
                f"AND {read_sql(target, self.access, r, self.b)})")

    def _children(self, children: rp.Children, t: str) -> str:
        relation = CHILD_RELATIONS[children.relation]
        target = SPECS[relation.type_name]
        r = self.b.alias("c")
        obj = self.object(children.target.outputs, target, r)
        # A type seen only through its parent (consents) is visible with the parent row,
        # which this statement reached under its own rule; others keep their own rule.
        rule = ("" if target.visibility is not None
                else f" AND {read_sql(target, self.access, r, self.b)}")
        source, parent = relation.source_sql(target.name, r)
        return (f"(SELECT coalesce(json_agg({obj} ORDER BY {relation.order_sql(r)}), '[]'::json) "
                f"FROM {source} AND {parent} = {t}.id{rule})")

    def _carrier_count(self, c: rp.CarrierCount, spec: Spec, t: str) -> str:
        whens = []
        for kind in c.kinds:
            carrier, p = SPECS[kind], self.b.alias("p")
            source, listed = carrier.through[c.relation].parents_sql(carrier.name, p)
            whens.append(f"WHEN {literal(kind)} THEN (SELECT count(*) FROM {source} "
                         f"AND {listed} = {t}.id AND {read_sql(carrier, self.access, p, self.b)})")
        return f"(CASE {t}.{spec.columns['kind']} {' '.join(whens)} END)"

    def _changes(self, c: rp.Changes, spec: Spec, t: str) -> str:
        """{field, before, after} per changed field, sorted by name as Python sorts (by code
        point: COLLATE "C"); a reference's values become the target's global ids."""
        k = self.b.alias("k")
        type_column = f"{t}.{spec.json_keys[c.field].type_column}"
        whens = " ".join(f"WHEN {type_column} = {literal(kind)} AND {k}.key = {literal(name)} "
                         f"THEN {literal(target)}"
                         for kind, fields in sorted(c.references.items())
                         for name, target in sorted(fields.items()))
        target = f"(CASE {whens} END)" if whens else "NULL::text"

        def side(name: str) -> str:
            if name == "field":
                return f"{k}.key"
            raw = f"({k}.value->>{literal(name)})"
            return (f"(CASE WHEN {target} IS NOT NULL AND {raw} <> '' THEN "
                    f"to_jsonb(crm_base64url({target} || ':' || {raw})) "
                    f"ELSE {k}.value->{literal(name)} END)")

        pairs = self._pairs(c.keys, side)
        return (f"(SELECT coalesce(json_agg(json_build_object({pairs}) ORDER BY {k}.key "
                f"COLLATE \"C\"), '[]'::json) "
                f"FROM jsonb_each({column_sql(spec, self.access, t, c.field)}) {k})")

    def _record(self, record: rp.Record) -> str:
        spec = SPECS[record.type_name]
        r = self.b.alias("t")
        obj = self.object(record.target.outputs, spec, r)
        return (f"(SELECT {obj} FROM {spec.name} {r} "
                f"WHERE {r}.id = {self.bind_id(record.id, record.variable)} "
                f"AND {read_sql(spec, self.access, r, self.b)})")

