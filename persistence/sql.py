"""SQL text with positional parameters: the one way reads are written.

Record rules, filters, seeks and projections are rendered as text by small functions
that both read paths share: the per-field loaders and the compiled queries.
"""

from __future__ import annotations

from typing import Any

import asyncpg
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine


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


def quote(name: str) -> str:
    """A double-quoted identifier, for labels such as "firstName"."""
    return '"' + name.replace('"', '""') + '"'


async def fetch_rows(conn: AsyncConnection, sql: str, builder: Builder) -> list[dict]:
    result = await conn.exec_driver_sql(sql, tuple(builder.params))
    return [dict(row) for row in result.mappings()]


async def read_rows(engine: AsyncEngine, sql: str, builder: Builder) -> list[dict]:
    """A read outside any transaction: one round trip on the driver, little Python around it."""
    return [dict(row) for row in await _on_driver(engine, "fetch", sql, builder.params)]


async def read_value(engine: AsyncEngine, sql: str, params) -> Any:
    return await _on_driver(engine, "fetchval", sql, params)


async def _on_driver(engine: AsyncEngine, method: str, sql: str, params) -> Any:
    # Announced as SQLAlchemy would, so that statement counters see every statement.
    engine.sync_engine.dispatch.before_cursor_execute(None, None, sql, params, None, False)
    connection = await engine.raw_connection()
    try:
        return await getattr(connection.driver_connection, method)(sql, *params)
    except (asyncpg.ConnectionDoesNotExistError, asyncpg.InterfaceError, OSError):
        connection.invalidate()  # a broken connection must not go back to the pool
        raise
    finally:
        connection.close()
