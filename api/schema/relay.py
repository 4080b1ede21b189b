"""The Relay Node interface, the Record interface, and page info for connections."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Generic, TypeVar

import strawberry
from strawberry.types.nodes import SelectedField

from api.schema.errors import argument_error
from api.schema.fields import TYPES, actor, column
from domain.errors import DomainError
from domain.paging import PageRequest, page_request
from persistence.paging import Page

T = TypeVar("T")


@strawberry.interface(description="An object with an opaque global id, fetchable by node(id).")
class Node:
    id: strawberry.ID = strawberry.field(description="Opaque global id; use it with node(id).")


def is_node_type(type_name: str) -> bool:
    """Whether node(id) answers with this type: a registered type that implements Node
    (rows reached only through a parent, such as stage changes, are no nodes)."""
    cls = TYPES.get(type_name)
    return cls is not None and issubclass(cls, Node)


@strawberry.interface(description="A record of the customer record: versioned, audited, archivable.")
class Record(Node):
    data: strawberry.Private[dict]

    version: int | None = column("Optimistic-concurrency version; send it back with every update.")
    created_at: datetime | None = column("When the record was created.")
    updated_at: datetime | None = column("When the record last changed.")
    archived_at: datetime | None = column("When the record was archived; null while active.")
    created_by: strawberry.ID | None = actor("Global id of the user, partner or contact who created it.")
    updated_by: strawberry.ID | None = actor("Global id of whoever changed it last.")


@strawberry.type(description="Where a page sits in its connection (Relay cursor connections).")
class PageInfo:
    has_next_page: bool = strawberry.field(description="More items follow this page.")
    has_previous_page: bool = strawberry.field(description="Items precede this page.")
    start_cursor: str | None = strawberry.field(description="Cursor of the first item.")
    end_cursor: str | None = strawberry.field(description="Cursor of the last item.")


def page_info(page: Page) -> PageInfo:
    return PageInfo(
        has_next_page=page.has_next,
        has_previous_page=page.has_previous,
        start_cursor=page.cursors[0] if page.cursors else None,
        end_cursor=page.cursors[-1] if page.cursors else None,
    )


@strawberry.type(description="An item of a connection, with the cursor that points at it.")
class Edge(Generic[T]):
    cursor: str = strawberry.field(description="Pass as `after` (or `before`) to page from here.")
    node: T = strawberry.field(description="The item.")


@strawberry.type(description="A page of items, paged by keyset cursors (first/after, last/before).")
class Connection(Generic[T]):
    edges: list[Edge[T]] = strawberry.field(description="The items of this page, with cursors.")
    nodes: list[T] = strawberry.field(description="The items of this page, without cursors.")
    page_info: PageInfo = strawberry.field(description="Paging information.")
    total_count: int | None = strawberry.field(
        description="How many items match in all; counted only when asked for.")


def connection(page: Page, make) -> Connection:
    """Wrap a persistence page, turning each row into a GraphQL object with `make`."""
    nodes = [make(row) for row in page.rows]
    return Connection(
        edges=[Edge(cursor=c, node=n) for c, n in zip(page.cursors, nodes, strict=True)],
        nodes=nodes,
        page_info=page_info(page),
        total_count=page.total,
    )


def wants_total(info: strawberry.Info) -> bool:
    """Whether the selection asks for totalCount, so that counting happens only when needed."""
    def walk(selections) -> bool:
        for selection in selections:
            if isinstance(selection, SelectedField):
                if selection.name == "totalCount":
                    return True
            elif walk(selection.selections):  # a fragment: look inside it
                return True
        return False

    return any(walk(field.selections) for field in info.selected_fields)


def page_args(info: strawberry.Info, first: int | None, after: str | None, last: int | None,
              before: str | None) -> PageRequest:
    """Validated paging arguments; a bad size or cursor is a top-level error at this field."""
    try:
        return page_request(first, after, last, before, with_total=wants_total(info))
    except DomainError as exc:
        raise argument_error(exc) from None


First = Annotated[int | None, strawberry.argument(
    description="How many items from the start or the `after` cursor: 1 to 100, default 20.")]
After = Annotated[str | None, strawberry.argument(description="Start after this cursor.")]
Last = Annotated[int | None, strawberry.argument(
    description="How many items from the end or the `before` cursor: 1 to 100.")]
Before = Annotated[str | None, strawberry.argument(description="End before this cursor.")]
NodeId = Annotated[strawberry.ID, strawberry.argument(description="A global id, as returned in `id`.")]
IncludeArchived = Annotated[bool, strawberry.argument(
    description="Also list archived records; they are left out by default.")]


def arg(description: str):
    """Describe an argument: `input: Annotated[SomeInput, arg("...")]`."""
    return strawberry.argument(description=description)
