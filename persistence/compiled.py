"""Compile a read plan into one SQL statement that returns the `data` object as JSON text.

PostgreSQL builds the whole answer: json_build_object per object, json_agg per list, each
page LIMITed before any JSON is built. The policy is applied here as in the loaders:
only readable columns are selected, and record rules sit in every WHERE clause.
"""

from __future__ import annotations

import re
from functools import cached_property

from sqlalchemy import DateTime

from domain.access import Access
from persistence.db import Reader
from persistence.loaders import (
    CHILD_RELATIONS,
    LINK_FIELDS,
    LINK_SIDES,
    link_edge_columns,
    link_sort_keys,
    note_sort_keys,
)
from persistence.paging import SortKey, _fingerprint, order_sql, seek_sql
from persistence.queries import key_columns, list_conditions, over_columns, reaches_nothing, sort_keys
from persistence.readplan import (
    Children,
    Column,
    Connection,
    Const,
    JsonItems,
    Output,
    Part,
    Record,
    Reference,
    Selection,
)
from persistence.spec import Spec, column_sql, read_sql
from persistence.sql import Builder, limit_sql
from persistence.uow import SPECS

NAME = re.compile(r"^[_A-Za-z][_0-9A-Za-z]*$")
MAX_KEYS = 50  # json_build_object takes at most 100 arguments


class TooWide(ValueError):
    """A selection with more keys than one json_build_object call can hold."""


def _literal(text: str) -> str:
    """GraphQL names are plain identifiers, so they can be inlined as SQL string literals."""
    if not NAME.match(text):
        raise ValueError(f"not a GraphQL name: {text!r}")
    return f"'{text}'"


class Compiler:
    """Builds the statement for one plan and one caller."""

    def __init__(self, access: Access) -> None:
        self.access = access
        self.b = Builder()
        # variable -> the positions of the parameters its record id fills
        self.variable_params: dict[str, list[int]] = {}

    def statement(self, outputs: tuple[Output, ...]) -> str:
        return f"SELECT {self._object(outputs, None, '')}::text AS data"

    def _object(self, outputs: tuple[Output, ...], spec: Spec | None, t: str) -> str:
        if len(outputs) > MAX_KEYS:
            raise TooWide(f"{len(outputs)} fields in one object")
        pairs = ", ".join(f"{_literal(o.key)}, {self._value(o, spec, t)}" for o in outputs)
        return f"json_build_object({pairs})"

    def _value(self, output: Output, spec: Spec | None, t: str) -> str:
        match output:
            case Const(value=None):
                return "NULL::json"
            case Const(value=value):
                return f"{self.b.bind(value)}::text"
            case Column():
                return self._column(output, spec, t)
            case JsonItems():
                return self._json_items(output, spec, t)
            case Reference():
                return self._reference(output, spec, t)
            case Children():
                return self._children(output, t)
            case Connection():
                return self._connection(output, t)
            case Record():
                return self._record(output)
        raise TypeError(f"cannot compile {output!r}")

    def _column(self, c: Column, spec: Spec, t: str) -> str:
        column = column_sql(spec, self.access, t, c.field)
        if c.render == "gid":
            return f"crm_global_id({_literal(spec.type_name)}, {column})"
        if c.render == "time":
            return f"crm_time({column})"
        if c.render == "actor":
            return f"crm_actor_id({column})"
        if c.render == "text":  # e.g. amounts, which GraphQL carries as strings
            return f"({column})::text"
        if c.enum:
            whens = " ".join(f"WHEN {self.b.bind(stored)} THEN {self.b.bind(name)}"
                             for stored, name in c.enum)
            return f"(CASE {column}::text {whens} END)"
        return column

    def _json_items(self, j: JsonItems, spec: Spec, t: str) -> str:
        column = f"{t}.{spec.columns[j.field]}"
        item = "e.v" if j.many else column

        def pick(json_key: str | None, constant) -> str:
            return f"{item}->{_literal(json_key)}" if json_key else f"{self.b.bind(constant)}::text"

        pairs = ", ".join(f"{_literal(k)}, {pick(json_key, c)}" for k, json_key, c in j.keys)
        if j.many:
            return (f"(SELECT coalesce(json_agg(json_build_object({pairs}) ORDER BY e.n), '[]'::json)"
                    f" FROM jsonb_array_elements({column}) WITH ORDINALITY e(v, n))")
        return f"(CASE WHEN {column} IS NULL THEN NULL ELSE json_build_object({pairs}) END)"

    def _reference(self, ref: Reference, spec: Spec, t: str) -> str:
        target = SPECS[ref.target.type_name]
        r = self.b.alias("r")
        return (f"(SELECT {self._object(ref.target.outputs, target, r)} FROM {target.name} {r} "
                f"WHERE {r}.id = {t}.{spec.columns[ref.field]} "
                f"AND {read_sql(target, self.access, r, self.b)})")

    def _children(self, children: Children, t: str) -> str:
        relation = CHILD_RELATIONS[children.relation]
        target = SPECS[relation.type_name]
        r = self.b.alias("c")
        obj = self._object(children.target.outputs, target, r)
        # A type seen only through its parent (consents) is visible with the parent row,
        # which this statement reached under its own rule; others keep their own rule.
        rule = ("" if target.visibility is not None
                else f" AND {read_sql(target, self.access, r, self.b)}")
        return (f"(SELECT coalesce(json_agg({obj} ORDER BY {relation.order_sql(r)}), '[]'::json) "
                f"FROM {target.name} {r} WHERE {r}.{relation.parent_column} = {t}.id "
                f"AND {r}.archived_at IS NULL{rule})")

    def _record(self, record: Record) -> str:
        spec = SPECS[record.type_name]
        r = self.b.alias("t")
        obj = self._object(record.target.outputs, spec, r)
        if record.variable:
            self.variable_params.setdefault(record.variable, []).append(len(self.b.params))
        return (f"(SELECT {obj} FROM {spec.name} {r} WHERE {r}.id = {self.b.bind(record.id)} "
                f"AND {read_sql(spec, self.access, r, self.b)})")

    def _source(self, c: Connection, parent: str, t: str) -> tuple[str, str, list[SortKey], list]:
        """FROM, WHERE, sort keys and link columns of a connection's rows."""
        spec, b = SPECS[c.type_name], self.b
        if c.relation == "list":
            where = ("FALSE" if reaches_nothing(spec, self.access) else
                     list_conditions(spec, self.access, c.filter, c.include_archived, t, b))
            return f"{spec.name} {t}", where, sort_keys(spec, self.access, c.order, t), []
        if c.relation == "notes":
            where = f"{t}.record_id = {parent}.id AND {t}.archived_at IS NULL"
            return f"{spec.name} {t}", where, note_sort_keys(t), []
        link = b.alias("l")
        node_column, parent_column = LINK_SIDES[c.type_name]
        source = f"account_contact {link} JOIN {spec.name} {t} ON {t}.id = {link}.{node_column}"
        where = (f"{link}.{parent_column} = {parent}.id AND {link}.archived_at IS NULL "
                 f"AND {t}.archived_at IS NULL AND {read_sql(spec, self.access, t, b)}")
        return source, where, link_sort_keys(c.type_name, t), link_edge_columns(self.access, link)

    def _connection(self, c: Connection, parent: str) -> str:
        spec, b = SPECS[c.type_name], self.b
        t, p = b.alias("t"), b.alias("p")
        source, where, keys, link_columns = self._source(c, parent, t)
        request = c.request
        columns = sorted({"id", *(col for part in c.parts if part.node
                                  for col in _columns(part.node, spec))})
        selected = ", ".join([*(f"{t}.{col}" for col in columns),
                              *(f"{sql} AS e_{LINK_FIELDS[f]}" for f, sql in link_columns),
                              key_columns(keys)])
        # One row beyond the page tells whether more follow; fetch it only when asked.
        lookahead = _asks_for_more(c)
        limited = (f"SELECT {selected} FROM {source} WHERE {where} "
                   f"AND {seek_sql(keys, request, b)} ORDER BY {order_sql(keys, request)} "
                   f"LIMIT {limit_sql(request.size + 1 if lookahead else request.size)}")
        if lookahead:
            rows = (f"SELECT q.*, row_number() OVER (ORDER BY "
                    f"{order_sql(over_columns(keys, 'q'), request)}) AS _ord FROM ({limited}) q")
        else:
            rows = limited
        page = _Page(self, c, spec, p, keys, f"(SELECT count(*) FROM {source} WHERE {where})",
                     lookahead)
        parts = ", ".join(f"{_literal(part.key)}, {page.part(part)}" for part in c.parts)
        # GROUP BY (): one row even for an empty page, whether or not a part aggregates.
        return f"(SELECT json_build_object({parts}) FROM ({rows}) {p} GROUP BY ())"


def _asks_for_more(c: Connection) -> bool:
    """Whether pageInfo asks if rows follow the page in the direction of paging."""
    flag = "hasPreviousPage" if c.request.backward else "hasNextPage"
    return any(kind == flag for part in c.parts if part.kind == "pageInfo"
               for _, kind, _ in part.items)


class _Page:
    """The JSON of a connection's parts over its ranked rows, aliased `p`."""

    def __init__(self, compiler: Compiler, c: Connection, spec: Spec, p: str,
                 keys: list[SortKey], total: str, lookahead: bool) -> None:
        self.compiler, self.c, self.spec, self.p, self.keys, self.total = (
            compiler, c, spec, p, keys, total)
        self.lookahead = lookahead
        self.cursor_given = "TRUE" if c.request.cursor is not None else "FALSE"
        if lookahead:  # rows are ranked from the cursor; the last rank is the look-ahead row
            self.shown = f"{p}._ord {'DESC' if c.request.backward else 'ASC'}"
            self.reverse = f"{p}._ord {'ASC' if c.request.backward else 'DESC'}"
        else:  # the page itself, shown in the order of the keys whichever way it was read
            by_keys = over_columns(keys, p)
            self.shown = ", ".join(k.order_by() for k in by_keys)
            self.reverse = ", ".join(k.reversed().order_by() for k in by_keys)

    # Parameters are bound only when used: the server refuses unused ones.
    @cached_property
    def _size(self) -> str:
        return self.compiler.b.bind(self.c.request.size)

    @property
    def within(self) -> str:
        return f"FILTER (WHERE {self.p}._ord <= {self._size})" if self.lookahead else ""

    @property
    def more(self) -> str:
        return f"(count(*) > {self._size})"

    def part(self, part: Part) -> str:
        if part.kind == "__typename":
            return self.compiler._value(Const(part.key, part.items[0][2]), None, "")
        if part.kind == "totalCount":
            return self.total
        if part.kind == "pageInfo":
            return self._page_info(part)
        element = (self._node(part.node) if part.kind == "nodes"
                   else self._edge(part))
        return f"coalesce(json_agg({element} ORDER BY {self.shown}) {self.within}, '[]'::json)"

    def _node(self, node: Selection) -> str:
        return self.compiler._object(node.outputs, self.spec, self.p)

    @cached_property
    def _cursor(self) -> str:
        """The cursor of row p, as paging.encode_cursor writes it."""
        values = ", ".join(
            f"crm_micros({self.p}._k{i})" if _is_time(k) else f"{self.p}._k{i}"
            for i, k in enumerate(self.keys))
        fingerprint = self.compiler.b.bind(_fingerprint(self.keys))
        return f"crm_base64url(json_build_array({fingerprint}::text, {values})::text)"

    def _edge(self, part: Part) -> str:
        pairs = []
        for key, kind, constant in part.items:
            if kind == "cursor":
                value = self._cursor
            elif kind == "node":
                value = self._node(part.node)
            elif kind == "__typename":
                value = f"{self.compiler.b.bind(constant)}::text"
            else:
                value = f"{self.p}.e_{LINK_FIELDS[kind]}"
            pairs.append(f"{_literal(key)}, {value}")
        return f"json_build_object({', '.join(pairs)})"

    def _page_info(self, part: Part) -> str:
        backward, reverse = self.c.request.backward, self.reverse
        values = {
            "hasNextPage": lambda: self.cursor_given if backward else self.more,
            "hasPreviousPage": lambda: self.more if backward else self.cursor_given,
            "startCursor": lambda: f"(array_agg({self._cursor} ORDER BY {self.shown}) {self.within})[1]",
            "endCursor": lambda: f"(array_agg({self._cursor} ORDER BY {reverse}) {self.within})[1]",
        }
        pairs = ", ".join(
            f"{_literal(key)}, {values[kind]() if kind in values else self.compiler.b.bind(c) + '::text'}"
            for key, kind, c in part.items)
        return f"json_build_object({pairs})"


def _is_time(key: SortKey) -> bool:
    return isinstance(key.sql_type, DateTime)


def _columns(selection: Selection, spec: Spec) -> set[str]:
    """The table columns a node selection reads."""
    needed = set()
    for output in selection.outputs:
        if isinstance(output, Column | JsonItems | Reference):
            needed.add(spec.columns[output.field])
            keys = spec.json_keys.get(output.field)
            if keys is not None and keys.type_column is not None:
                needed.add(keys.type_column)  # whose fields the keys are, row by row
    return needed


def compile_plan(outputs: tuple[Output, ...],
                 access: Access) -> tuple[str, tuple, dict[str, list[int]]]:
    """The statement, its parameters, and where the looked-up ids of each variable sit
    among them; DomainError or TooWide when the plan cannot be compiled."""
    compiler = Compiler(access)
    sql = compiler.statement(outputs)
    return sql, tuple(compiler.b.params), compiler.variable_params


async def fetch_json(reader: Reader, sql: str, params: tuple) -> str:
    """Run a compiled plan: its single value is the response's `data` as JSON text."""
    return await reader.value(sql, params)
