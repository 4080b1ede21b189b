"""The rows of a connection's page: where they come from, the caller's rules over them, and
the page itself, LIMITed before any JSON is built (persistence/compiled/page.py builds it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from persistence import readplan as rp
from persistence.calendar import overdue_scope, timeline_sql
from persistence.compiled.page import Page, empty_page
from persistence.loaders import (
    LINK_FIELDS,
    LINK_SIDES,
    link_edge_columns,
    link_sort_keys,
    newest_first_keys,
    note_sort_keys,
)
from persistence.paging import SortKey, order_sql, seek_sql
from persistence.queries import key_columns, list_conditions, over_columns, reaches_nothing, sort_keys
from persistence.record_types import SPECS
from persistence.spec import Spec, read_sql
from persistence.sql import limit_sql

if TYPE_CHECKING:
    from persistence.compiled.record import Compiler


@dataclass(frozen=True, slots=True)
class _Rows:
    """FROM and WHERE of a connection's rows, their sort keys, and the link's own columns."""

    source: str
    where: str
    keys: list[SortKey]
    link_columns: list[tuple[str, str]] = field(default_factory=list)


def _rows(compiler: Compiler, c: rp.Connection, parent: str, t: str) -> _Rows:
    spec, access, b = SPECS[c.type_name], compiler.access, compiler.b
    match c.source:
        case rp.Listing(order=order, filter=condition, include_archived=archived, scope=scope):
            keys = sort_keys(spec, access, order, t)
            where = list_conditions(spec, access, condition, archived, t, b)
            if isinstance(scope, rp.OverdueOf):
                where = f"{where} AND ({overdue_scope(scope.user_id)(b, t)})"
            return _Rows(f"{spec.name} {t}", where, keys)
        case rp.NotesOf():
            where = f"{t}.record_id = {parent}.id AND {t}.archived_at IS NULL"
            return _Rows(f"{spec.name} {t}", where, note_sort_keys(t))
        case rp.Owned(parent=reference):
            where = (f"{t}.{spec.columns[reference]} = {parent}.id AND {t}.archived_at IS NULL "
                     f"AND {read_sql(spec, access, t, b)}")
            return _Rows(f"{spec.name} {t}", where, newest_first_keys(spec, t))
        case rp.Linked():
            link = b.alias("l")
            node_column, parent_column = LINK_SIDES[c.type_name]
            where = (f"{link}.{parent_column} = {parent}.id AND {link}.archived_at IS NULL "
                     f"AND {t}.archived_at IS NULL AND {read_sql(spec, access, t, b)}")
            return _Rows(f"account_contact {link} JOIN {spec.name} {t} "
                         f"ON {t}.id = {link}.{node_column}", where,
                         link_sort_keys(c.type_name, t), link_edge_columns(access, link))
    raise TypeError(f"cannot compile the rows of {c.source!r}")


def connection(compiler: Compiler, c: rp.Connection, parent: str) -> str:
    """The connection's JSON; `parent` is the alias of the row it belongs to, if any."""
    listing = isinstance(c.source, rp.Listing)
    timeline = c.source.scope if listing else None
    # Like fetch_page, a list of a type the caller reaches nothing of reads no arguments.
    empty = listing and reaches_nothing(SPECS[c.type_name], compiler.access)
    if not isinstance(timeline, rp.TimelineOf):
        return empty_page(compiler, c) if empty else _page(compiler, c, parent)
    # The timeline of a record the caller does not see is null, not empty; the record's id is
    # bound once, for the check and for the activities, so that a template can fill it.
    record = compiler.bind_id(timeline.record_id, timeline.variable)
    spec, v = SPECS[timeline.type_name], compiler.b.alias("v")
    visible = (f"EXISTS (SELECT 1 FROM {spec.name} {v} WHERE {v}.id = {record} "
               f"AND {read_sql(spec, compiler.access, v, compiler.b)})")
    page = (empty_page(compiler, c) if empty else
            _page(compiler, c, parent, lambda t: timeline_sql(timeline.type_name, t, record)))
    return f"(CASE WHEN {visible} THEN {page} END)"


def _page(compiler: Compiler, c: rp.Connection, parent: str, scope=None) -> str:
    spec, b = SPECS[c.type_name], compiler.b
    t, p = b.alias("t"), b.alias("p")
    rows = _rows(compiler, c, parent, t)
    where = rows.where if scope is None else f"{rows.where} AND ({scope(t)})"
    request = c.request
    columns = sorted({"id", *(column for node in _nodes(c) for column in columns_of(node, spec))})
    selected = ", ".join([*(f"{t}.{column}" for column in columns),
                          *(f"{sql} AS e_{LINK_FIELDS[f]}" for f, sql in rows.link_columns),
                          key_columns(rows.keys)])
    # One row beyond the page tells whether more follow; fetch it only when asked.
    lookahead = _asks_for_more(c)
    limited = (f"SELECT {selected} FROM {rows.source} WHERE {where} "
               f"AND {seek_sql(rows.keys, request, b)} ORDER BY {order_sql(rows.keys, request)} "
               f"LIMIT {limit_sql(request.size + 1 if lookahead else request.size)}")
    if lookahead:
        ranked = (f"SELECT q.*, row_number() OVER (ORDER BY "
                  f"{order_sql(over_columns(rows.keys, 'q'), request)}) AS _ord "
                  f"FROM ({limited}) q")
    else:
        ranked = limited
    page = Page(compiler, c, spec, p, rows.keys,
                f"(SELECT count(*) FROM {rows.source} WHERE {where})", lookahead)
    # GROUP BY (): one row even for an empty page, whether or not a part aggregates.
    return f"(SELECT {page.json()} FROM ({ranked}) {p} GROUP BY ())"


def _nodes(c: rp.Connection) -> list[rp.Selection]:
    """The node selections of every part: nodes, and each node of the edges."""
    found = []
    for part in c.parts:
        if isinstance(part, rp.Nodes):
            found.append(part.node)
        elif isinstance(part, rp.Edges):
            found += [item.node for item in part.items if isinstance(item, rp.EdgeNode)]
    return found


def _asks_for_more(c: rp.Connection) -> bool:
    """Whether pageInfo asks if rows follow the page in the direction of paging."""
    flag = "hasPreviousPage" if c.request.backward else "hasNextPage"
    return any(isinstance(item, rp.PageFlag) and item.name == flag
               for part in c.parts if isinstance(part, rp.PageInfo) for item in part.items)


def columns_of(selection: rp.Selection, spec: Spec) -> set[str]:
    """The table columns an object's outputs read, for the rows of a page."""
    needed = set()
    for output in selection.outputs:
        match output:
            case rp.Column() | rp.JsonItems() | rp.Reference() | rp.ActorUser() | rp.Changes():
                needed.add(spec.columns[output.field])
                keys = spec.json_keys.get(output.field)
                if keys is not None and keys.type_column is not None:
                    needed.add(keys.type_column)  # whose fields the keys are, row by row
            case rp.RecordGlobalId():
                needed |= {spec.columns["recordType"], spec.columns["recordId"]}
    return needed
