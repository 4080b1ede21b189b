"""A read request as data: what to select, under which keys, for one GraphQL operation.

The API builds a plan from a query document; persistence/compiled.py turns it into one
SQL statement that returns the whole `data` object as JSON. Every output is keyed as
the client asked (aliases included) and in the client's order.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from domain.filters import Filter, OrderTerm
from domain.paging import PageRequest


@dataclass(frozen=True, slots=True)
class Const:
    """A value known while planning: __typename, or null for an id of another type."""

    key: str
    value: object


@dataclass(frozen=True, slots=True)
class Column:
    """A stored field. render: value, time, gid (the row's global id), actor, or enum."""

    key: str
    field: str
    render: str = "value"
    enum: tuple[tuple[str, str], ...] = ()  # stored value -> GraphQL name, when they differ


@dataclass(frozen=True, slots=True)
class JsonItems:
    """Keys picked from a JSON column: a list of objects (emails) or one object (address)."""

    key: str
    field: str
    keys: tuple[tuple[str, str | None, object], ...]  # (output key, JSON key, constant)
    many: bool


@dataclass(frozen=True, slots=True)
class Reference:
    """A to-one relation through a column holding the target's id."""

    key: str
    field: str
    target: Selection


@dataclass(frozen=True, slots=True)
class Children:
    """A plain list of child records, e.g. a contact's consents."""

    key: str
    relation: str
    target: Selection


@dataclass(frozen=True, slots=True)
class Part:
    """One field of a connection: edges, nodes, pageInfo, totalCount or __typename.

    `items` holds the sub-fields: for edges (key, "cursor"|"node"|<link field>|"__typename",
    extra); for pageInfo (key, "hasNextPage"|..., extra). `node` is the node selection.
    """

    key: str
    kind: str
    items: tuple[tuple[str, str, object], ...] = ()
    node: Selection | None = None


@dataclass(frozen=True, slots=True)
class Connection:
    """A page of records: a top-level list, a record's links, or a record's notes."""

    key: str
    relation: str  # list, link, notes
    type_name: str  # the node type
    request: PageRequest
    parts: tuple[Part, ...]
    order: tuple[OrderTerm, ...] = ()
    filter: Filter | None = None
    include_archived: bool = False


@dataclass(frozen=True, slots=True)
class Record:
    """A top-level record by id: contact(id), account(id), node(id)."""

    key: str
    type_name: str
    id: uuid.UUID
    target: Selection
    variable: str | None = None  # the variable that named the id, if one did


@dataclass(frozen=True, slots=True)
class Selection:
    """The fields asked of one object of a record type."""

    type_name: str
    outputs: tuple[Output, ...]


Output = Const | Column | JsonItems | Reference | Children | Connection | Record
