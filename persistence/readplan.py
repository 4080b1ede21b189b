"""A read request as data: what to select, under which keys, for one GraphQL operation.

The API builds a plan from a query document; persistence/compiled/ turns it into one SQL
statement that returns the whole `data` object as JSON. Every output is keyed as the client
asked (aliases included) and in the client's order. Each form is a frozen dataclass, so that
a misspelt or missing part is an error where the plan is built, not a different answer.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from domain.filters import Filter, OrderTerm
from domain.paging import PageRequest
from persistence.search import HitArticle, HitRank, HitSnippet, SearchHits

__all__ = ["HitArticle", "HitRank", "HitSnippet", "SearchHits"]  # the search hits' parts


class Render(Enum):
    """How a stored value becomes its JSON."""

    VALUE = "value"
    TIME = "time"  # a timestamp, as GraphQL's DateTime writes it
    GID = "gid"  # the row's global id
    ACTOR = "actor"  # `Type:uuid` as that actor's global id
    TEXT = "text"  # a decimal, which GraphQL carries as a string


# --- An object's fields -------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Const:
    """A value known while planning: __typename, or null for an id of another type."""

    key: str
    value: object


@dataclass(frozen=True, slots=True)
class Column:
    """A stored field; `enum` maps stored values to GraphQL names where they differ."""

    key: str
    field: str
    render: Render = Render.VALUE
    enum: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class JsonKey:
    """One key of a JSON object in the answer: picked from the stored JSON, or a constant."""

    key: str
    json_key: str | None
    constant: str | None = None


@dataclass(frozen=True, slots=True)
class JsonItems:
    """Keys picked from a JSON column: a list of objects (emails) or one object (address)."""

    key: str
    field: str
    keys: tuple[JsonKey, ...]
    many: bool


@dataclass(frozen=True, slots=True)
class Reference:
    """A to-one relation through a column holding the target's id."""

    key: str
    field: str
    target: Selection


@dataclass(frozen=True, slots=True)
class ActorUser:
    """The User an actor column (`User:uuid`) names, under the User rules; null otherwise."""

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
class CarrierCount:
    """How many records of the type the row's `kind` names list it along `relation`, under
    each type's read rule; `kinds` are the types that have the relation."""

    key: str
    relation: str
    kinds: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RecordGlobalId:
    """The global id of the record an audit entry is about (its recordType and recordId)."""

    key: str


@dataclass(frozen=True, slots=True)
class Changes:
    """An audit entry's changes as a list of {field, before, after}, sorted by field; the
    values of `references` (record type -> field -> target type) become global ids."""

    key: str
    field: str
    keys: tuple[JsonKey, ...]  # json_key: "field", "before" or "after"
    references: Mapping[str, Mapping[str, str]]


# --- Connections: their rows, and the parts of a page ----------------------------------------

@dataclass(frozen=True, slots=True)
class TimelineOf:
    """The activities on a record's timeline (an account's: its contacts' and deals' too);
    the whole page is null when the caller sees no such record."""

    type_name: str
    record_id: uuid.UUID
    variable: str | None = None  # the variable that named the record, if one did


@dataclass(frozen=True, slots=True)
class OverdueOf:
    """An assignee's open tasks whose due time has passed."""

    user_id: uuid.UUID | None


@dataclass(frozen=True, slots=True)
class Listing:
    """Top-level rows: the caller's rule, a filter, an order and a scope of the field's own."""

    order: tuple[OrderTerm, ...]
    filter: Filter | None = None
    include_archived: bool = False
    scope: TimelineOf | OverdueOf | None = None


@dataclass(frozen=True, slots=True)
class Linked:
    """The records linked to the parent through account_contact, with the link's fields."""


@dataclass(frozen=True, slots=True)
class NotesOf:
    """The parent's notes, newest first."""


@dataclass(frozen=True, slots=True)
class Owned:
    """Rows whose reference `parent` names the parent, newest first, under their own rule."""

    parent: str


Source = Listing | Linked | NotesOf | Owned


@dataclass(frozen=True, slots=True)
class TotalCount:
    key: str


@dataclass(frozen=True, slots=True)
class Nodes:
    key: str
    node: Selection


@dataclass(frozen=True, slots=True)
class Cursor:
    key: str


@dataclass(frozen=True, slots=True)
class EdgeNode:
    key: str
    node: Selection


@dataclass(frozen=True, slots=True)
class LinkField:
    """A field of the link an edge stands for (jobTitle of a contact at an account)."""

    key: str
    field: str


@dataclass(frozen=True, slots=True)
class Edges:
    key: str
    items: tuple[Cursor | EdgeNode | LinkField | Const, ...]


@dataclass(frozen=True, slots=True)
class PageFlag:
    """hasNextPage, hasPreviousPage, startCursor or endCursor."""

    key: str
    name: str


@dataclass(frozen=True, slots=True)
class PageInfo:
    key: str
    items: tuple[PageFlag | Const, ...]


Part = Const | TotalCount | Nodes | Edges | PageInfo


@dataclass(frozen=True, slots=True)
class Connection:
    """A page of records of `type_name` from `source`."""

    key: str
    type_name: str
    source: Source
    request: PageRequest
    parts: tuple[Part, ...]


# --- What only the Query type has -----------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Record:
    """A top-level record by id: contact(id), account(id), node(id)."""

    key: str
    type_name: str
    id: uuid.UUID
    target: Selection
    variable: str | None = None  # the variable that named the id, if one did


@dataclass(frozen=True, slots=True)
class Array:
    """A JSON array of values, in order: nodes(ids)."""

    key: str
    items: tuple[Output, ...]


@dataclass(frozen=True, slots=True)
class CalendarRows:
    """A user's meetings and open tasks within [start, end), by time."""

    key: str
    user_id: uuid.UUID
    start: datetime
    end: datetime
    node: Selection


@dataclass(frozen=True, slots=True)
class Selection:
    """The fields asked of one object of a record type."""

    type_name: str
    outputs: tuple[Output, ...]


Output = (Const | Column | JsonItems | Reference | ActorUser | Children | CarrierCount
          | RecordGlobalId | Changes | Connection | Record | Array | CalendarRows | SearchHits)
