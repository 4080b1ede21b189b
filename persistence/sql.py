"""SQL text with positional parameters: the one way reads are written.

Record rules, filters, seeks and projections are rendered as text by small functions
that both read paths share: the per-field loaders and the compiled queries.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from persistence.db import Reader


class Builder:
    """Collects the parameters of one statement and hands out fresh table aliases."""

    def __init__(self) -> None:
        self.params: list[Any] = []
        self._aliases = 0

    def bind(self, value: Any) -> str:
        """A placeholder for `value`: $1, $2, ... in the order values are bound."""
        self.params.append(value)
        return f"${len(self.params)}"

    def alias(self, stem: str = "t") -> str:
        self._aliases += 1
        return f"{stem}{self._aliases}"


def limit_sql(rows: int) -> str:
    """A row limit written into the statement, not bound: with a parameter, PostgreSQL's
    generic plan cannot know how few rows are wanted and may sort a whole territory."""
    if not isinstance(rows, int) or isinstance(rows, bool) or rows < 0:
        raise ValueError(f"not a row count: {rows!r}")
    return str(rows)


def quote(name: str) -> str:
    """A double-quoted identifier, for labels such as "firstName"."""
    return '"' + name.replace('"', '""') + '"'


async def read_rows(reader: Reader, sql: str, builder: Builder) -> list[dict]:
    """A read outside any transaction, with the builder's parameters."""
    return await reader.rows(sql, builder.params)
