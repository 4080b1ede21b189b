"""A record's update at a version as one statement: version check, write rule, the fields
that differ, and their audit entry, all in PostgreSQL's implicit transaction of a statement.

A transaction of its own costs BEGIN, the lock, the UPDATE, the audit INSERT and COMMIT:
five round trips where one statement of CTEs does the same work with the same guarantees.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ARRAY, Boolean, Date, DateTime, Float, Integer, Numeric, String, Text, Uuid
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.types import TypeDecorator, TypeEngine

from domain.access import Access
from persistence import readplan as rp
from persistence.audit import audit_insert_sql
from persistence.base import json_text, jsonable
from persistence.compiled.record import Compiler
from persistence.db import Statement
from persistence.match_columns import key_parts, key_sets
from persistence.records import column_param, is_json, refuse_unwritable, write_or_conflict
from persistence.spec import Spec, projection, read_sql, readable_fields, write_sql
from persistence.sql import Builder, quote

# Types whose values PostgreSQL renders in JSON as the audit log's Python writer does
# (persistence.base.jsonable, then orjson): a string, number, boolean or the JSON itself.
AS_JSON = (String, Text, Uuid, Boolean, Integer, Date, JSONB)
# Told of a record written, as the caller now reads it: (type, id, row or None).
Seen = Callable[[str, uuid.UUID, dict | None], None]


@dataclass
class Answer:
    """The caller's selection of the record a write changes, answered as JSON by the write's
    own statement (the compiled write path): `given` once a write answered, and `json`, the
    record as the caller now reads it, None when it may no longer read it."""

    type_name: str
    selection: rp.Selection
    given: bool = False
    json: str | None = None


def answerable_in_statement(selection: rp.Selection) -> bool:
    """Whether the write's statement can render the selection: every subquery in it sees the
    tables as they were before the statement, so none may read the written record's type
    (a contact's accounts' contacts would show the contact unchanged)."""
    return all(type_name != selection.type_name
               for output in selection.outputs for type_name in _types_read(output))


def _types_read(value: Any) -> Iterator[str]:
    """The record types whose tables an output reads in subqueries of its own."""
    if isinstance(value, tuple):
        for item in value:
            yield from _types_read(item)
        return
    if not dataclasses.is_dataclass(value) or isinstance(value, type):
        return
    if isinstance(value, rp.Selection | rp.Connection):
        yield value.type_name
    if isinstance(value, rp.CarrierCount):
        yield from value.kinds
    for part in dataclasses.fields(value):
        yield from _types_read(getattr(value, part.name))


def _plain(sql_type: TypeEngine) -> TypeEngine:
    return sql_type.impl_instance if isinstance(sql_type, TypeDecorator) else sql_type


def before_json(sql_type: TypeEngine, column: str) -> str | None:
    """SQL for a stored value as the audit entry's "before" holds it, the same text that
    jsonable() makes of the value the driver reads; None for a type not rendered here (a
    float's shortest form differs between Python and PostgreSQL), which takes the
    transactional path."""
    sql_type = _plain(sql_type)
    if isinstance(sql_type, Float):
        return None
    if isinstance(sql_type, Numeric):  # a Decimal is written as its string, scale and all
        return f"to_jsonb({column}::text)"
    if isinstance(sql_type, DateTime):  # isoformat(): microseconds only when not zero
        offset = " || '+00:00'" if sql_type.timezone else ""
        local = f"{column} AT TIME ZONE 'UTC'" if sql_type.timezone else column
        return (f"to_jsonb(regexp_replace(to_char({local}, 'YYYY-MM-DD\"T\"HH24:MI:SS.US'), "
                f"'\\.000000$', ''){offset})")
    if isinstance(sql_type, ARRAY) and isinstance(_plain(sql_type.item_type), String | Text):
        return f"to_jsonb({column})"
    if isinstance(sql_type, AS_JSON):
        return f"to_jsonb({column})"
    return None


@dataclass(frozen=True, slots=True)
class Late:
    """A parameter of a kept statement that each write fills in: the record's `id`, its
    `version`, a field's `new` value or its `after` JSON for the audit entry, or the
    audit `entry`'s new id."""

    what: str
    field: str | None = None


def update_at_version_sql(spec: Spec, access: Access, actor: str, fields: tuple[str, ...],
                          action: str, b: Builder,
                          answer: rp.Selection | None = None,
                          keys: tuple[str, ...] = ()) -> str | None:
    """The statement writing `fields`, its per-write parameters Late (filled_in() gives
    them), or None when a field's type is not rendered by before_json. Its one
    row, when it found the record: `_version`, then the record as the caller now reads it
    (the readable fields, labelled as the loaders label them; or, given a selection to
    `answer`, `_answer`: its JSON as the compiled read path renders it) and `_visible`,
    false when the caller's read rule no longer covers the row written.

    `target` locks the row if the caller reads and writes it at `version` (FOR UPDATE
    re-checks the version after waiting for a concurrent writer, so of two writers at one
    version exactly one finds it) and builds the changes of the fields that differ;
    `updated` writes them and bumps the version only when there are some; `audited` adds
    the entry only when a row was updated. A further entry written with each change (a
    change feed) is one more CTE reading `updated` the way `audited` does.
    """
    differs, sets = [], []
    for field_name in fields:
        column = spec.columns[field_name]
        before = before_json(spec.table.c[column].type, f"t.{column}")
        if before is None:
            return None
        new = b.bind(Late("new", field_name))
        new = f"{new}::jsonb" if is_json(spec, column) else new
        after = f"{b.bind(Late('after', field_name))}::jsonb"
        key = b.bind(field_name)
        differs.append(f"CASE WHEN t.{column} IS DISTINCT FROM {new} THEN jsonb_build_object("
                       f"{key}::text, jsonb_build_object('before', {before}, 'after', {after})) "
                       f"ELSE '{{}}'::jsonb END")
        sets.append(f"{column} = CASE WHEN c._changes ? {key} THEN {new} ELSE t.{column} END, ")
    # The blocking keys (persistence/match_columns.py) derive from the fields: written with them.
    sets.append(key_sets(keys, lambda part: b.bind(Late("key", part)), "t"))
    changes = " || ".join(differs) or "'{}'::jsonb"
    # The answer is read where the row is at hand: the outer query's snapshot would show
    # the row as it was before the statement.
    if answer is None:
        seen = projection(spec, access, "t")
        labels = ", ".join(quote(f) for f in readable_fields(spec, access))
    else:
        compiler = Compiler(access, b)
        seen = f"({compiler.object(answer.outputs, spec, 't')})::text AS _answer"
        labels = "_answer"
    target = (f"SELECT t.id AS _id, t.version AS _version, {changes} AS _changes, {seen} "
              f"FROM {spec.name} t WHERE t.id = {b.bind(Late('id'))} "
              f"AND t.version = {b.bind(Late('version'))} AND {read_sql(spec, access, 't', b)} "
              f"AND {write_sql(spec, access, 't', b)} FOR UPDATE OF t")
    updated = (f"UPDATE {spec.name} t SET {''.join(sets)}version = t.version + 1, "
               f"updated_at = now(), updated_by = {b.bind(actor)} FROM target c "
               f"WHERE t.id = c._id AND c._changes <> '{{}}'::jsonb RETURNING t.id AS _id, "
               f"t.version AS _version, {seen}, {read_sql(spec, access, 't', b)} AS _visible")
    audited = audit_insert_sql(b, actor, spec.type_name, action,
                               "SELECT c._id AS id, c._changes AS changes FROM target c "
                               "JOIN updated u USING (_id)", Late("entry"))
    return (f"WITH target AS ({target}), updated AS ({updated}), audited AS ({audited}) "
            f"SELECT _version, {labels}, _visible FROM updated UNION ALL "
            f"SELECT _version, {labels}, TRUE FROM target WHERE NOT EXISTS (SELECT FROM updated)")


def filled_in(spec: Spec, params: list, id: uuid.UUID, version: int,
              values: Mapping[str, Any], keys: Mapping[str, Any] | None = None) -> list:
    """A kept statement's parameters for one write."""
    def value(param: Any) -> Any:
        if type(param) is not Late:
            return param
        if param.what == "new":
            return column_param(spec, spec.columns[param.field], values[param.field])
        if param.what == "after":
            return json_text(jsonable(values[param.field]))
        if param.what == "entry":
            return uuid.uuid4()
        if param.what == "key":
            return (keys or {})[param.field]
        return id if param.what == "id" else version
    return [value(p) for p in params]


# Statements by (type, fields, action, caller, answer): only the values differ between the
# writes of one form by one caller, and building the statement cost as much as sending it.
_KEPT: dict[tuple, tuple[Access, str | None, list]] = {}
KEPT_STATEMENTS = 1024


def _statement(spec: Spec, access: Access, actor: str, fields: tuple[str, ...], action: str,
               answer: rp.Selection | None, keys: tuple[str, ...] = ()) -> tuple[str | None, list]:
    """The statement of update_at_version_sql, built once per form and caller."""
    try:
        key = (spec.type_name, fields, action, id(access), answer, keys)
        kept = _KEPT.get(key)
    except TypeError:  # a selection holding a list (a filter) is not kept
        key, kept = None, None
    if kept is None or kept[0] is not access:  # the access object keeps its id while kept
        b = Builder()
        kept = (access, update_at_version_sql(spec, access, actor, fields, action, b, answer,
                                              keys), b.params)
        if key is not None:
            if len(_KEPT) >= KEPT_STATEMENTS:
                _KEPT.clear()
            _KEPT[key] = kept
    return kept[1], kept[2]


class RecordWrites:
    """Implements domain.ports.RecordWrites: each write its own statement, outside any
    transaction of the unit of work. `seen` is told of each record written as the caller
    now reads it (None when it no longer may), so that an answer needs no read of its own;
    or, for the compiled write path, `answer` receives the record of its type as JSON."""

    def __init__(self, statement: Statement, access: Access, specs: Mapping[str, Spec],
                 seen: Seen | None = None, answer: Answer | None = None) -> None:
        self.statement = statement
        self.access = access
        self.specs = specs
        self.actor = str(access.actor)
        self.seen = seen
        self.answer = answer

    async def update_at_version(self, type_name: str, id: uuid.UUID, version: int,
                                values: dict[str, Any], action: str) -> int | None:
        spec = self.specs[type_name]
        refuse_unwritable(spec, self.access, values, ())
        if any(not self.access.can_read(type_name, f) for f in values):
            # The transactional path audits an unreadable field's "before" as null, since
            # its lock reads only what the caller may: that stays its own to do.
            return None
        keys = key_parts(type_name, values)
        answer = self.answer if self.answer and self.answer.type_name == type_name else None
        sql, params = _statement(spec, self.access, self.actor, tuple(values), action,
                                 answer and answer.selection, tuple(keys))
        if sql is None:
            return None
        params = filled_in(spec, params, id, version, values, keys)
        rows = await write_or_conflict(spec, lambda: self.statement.rows(sql, params))
        if not rows:
            return None
        row = rows[0]
        visible = row.pop("_visible")
        if answer is not None:
            answer.given, answer.json = True, row["_answer"] if visible else None
        elif self.seen is not None:
            self.seen(type_name, id, {k: v for k, v in row.items() if k != "_version"}
                      if visible else None)
        return row["_version"]
