"""The JSON of a connection's page over its rows (alias `p`): edges with their cursors, nodes,
pageInfo and totalCount, each as the client asked."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from sqlalchemy import DateTime
from sqlalchemy.dialects.postgresql import JSONB

from persistence import readplan as rp
from persistence.compiled.names import literal
from persistence.loaders import LINK_FIELDS
from persistence.paging import SortKey, _fingerprint
from persistence.queries import over_columns
from persistence.spec import Spec

if TYPE_CHECKING:
    from persistence.compiled.record import Compiler


class Page:
    """The parts of one connection, over its ranked rows `p`."""

    def __init__(self, compiler: Compiler, c: rp.Connection, spec: Spec, p: str,
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

    def json(self) -> str:
        parts = ", ".join(f"{literal(part.key)}, {self._part(part)}" for part in self.c.parts)
        return f"json_build_object({parts})"

    # Parameters are bound only when used: the server refuses unused ones.
    @cached_property
    def _size(self) -> str:
        return self.compiler.b.bind(self.c.request.size)

    @property
    def _within(self) -> str:
        return f"FILTER (WHERE {self.p}._ord <= {self._size})" if self.lookahead else ""

    @property
    def _more(self) -> str:
        return f"(count(*) > {self._size})"

    def _constant(self, value: str) -> str:
        return f"{self.compiler.b.bind(value)}::text"

    def _part(self, part: rp.Part) -> str:
        match part:
            case rp.Const(value=value):
                return self._constant(value)
            case rp.TotalCount():
                return self.total
            case rp.PageInfo():
                return self._page_info(part)
            case rp.Nodes(node=node):
                return self._list(self._node(node))
            case rp.Edges():
                return self._list(self._edge(part))
        raise TypeError(f"cannot compile the connection part {part!r}")

    def _list(self, element: str) -> str:
        return f"coalesce(json_agg({element} ORDER BY {self.shown}) {self._within}, '[]'::json)"

    def _node(self, node: rp.Selection) -> str:
        return self.compiler.object(node.outputs, self.spec, self.p)

    @cached_property
    def _cursor(self) -> str:
        """The cursor of row p, as paging.encode_cursor writes it."""
        values = ", ".join(_cursor_value(f"{self.p}._k{i}", k) for i, k in enumerate(self.keys))
        fingerprint = self.compiler.b.bind(_fingerprint(self.keys))
        return f"crm_base64url(json_build_array({fingerprint}::text, {values})::text)"

    def _edge(self, edges: rp.Edges) -> str:
        pairs = []
        for item in edges.items:
            match item:
                case rp.Cursor():
                    value = self._cursor
                case rp.EdgeNode(node=node):
                    value = self._node(node)
                case rp.Const(value=constant):
                    value = self._constant(constant)
                case rp.LinkField(field=field):
                    value = f"{self.p}.e_{LINK_FIELDS[field]}"
                case _:
                    raise TypeError(f"cannot compile the edge field {item!r}")
            pairs.append(f"{literal(item.key)}, {value}")
        return f"json_build_object({', '.join(pairs)})"

    def _page_info(self, part: rp.PageInfo) -> str:
        backward = self.c.request.backward
        values = {
            "hasNextPage": lambda: self.cursor_given if backward else self._more,
            "hasPreviousPage": lambda: self._more if backward else self.cursor_given,
            "startCursor": lambda: (f"(array_agg({self._cursor} ORDER BY {self.shown}) "
                                    f"{self._within})[1]"),
            "endCursor": lambda: (f"(array_agg({self._cursor} ORDER BY {self.reverse}) "
                                  f"{self._within})[1]"),
        }
        pairs = ", ".join(
            f"{literal(item.key)}, "
            f"{values[item.name]() if isinstance(item, rp.PageFlag) else self._constant(item.value)}"
            for item in part.items)
        return f"json_build_object({pairs})"


def empty_page(compiler: Compiler, c: rp.Connection) -> str:
    """A page with no rows, no cursors and nothing before or after it."""
    def part(item) -> str:
        match item:
            case rp.Const(value=value):
                return f"{compiler.b.bind(value)}::text"
            case rp.TotalCount():
                return "0"
            case rp.Nodes() | rp.Edges():
                return "'[]'::json"
            case rp.PageInfo(items=items):
                return f"json_build_object({', '.join(flag(i) for i in items)})"
        raise TypeError(f"cannot compile the connection part {item!r}")

    def flag(item: rp.PageFlag | rp.Const) -> str:
        if isinstance(item, rp.Const):
            return f"{literal(item.key)}, {part(item)}"
        return f"{literal(item.key)}, {'FALSE' if item.name.startswith('has') else 'NULL'}"

    return f"json_build_object({', '.join(f'{literal(p.key)}, {part(p)}' for p in c.parts)})"


def _cursor_value(column: str, key: SortKey) -> str:
    """A key's value in a cursor, as paging._cursor_value writes it."""
    if isinstance(key.sql_type, DateTime):
        return f"crm_micros({column})"
    if isinstance(key.sql_type, JSONB):
        return f"({column})::text"
    return column
