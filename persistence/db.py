"""The async engine, built from a standard postgresql:// URL."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import asyncpg
import orjson
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

SCHEMES = ("postgresql", "postgres", "postgresql+asyncpg")


class DatabaseUrlError(ValueError):
    """DATABASE_URL is not a PostgreSQL URL this server can use."""


def async_url(url: str) -> str:
    """postgresql://… → postgresql+asyncpg://…, translating libpq's sslmode for asyncpg."""
    parts = urlsplit(url)
    if parts.scheme not in SCHEMES:
        raise DatabaseUrlError(
            f"DATABASE_URL must start with postgresql://, not {parts.scheme or 'nothing'}://")
    query = dict(parse_qsl(parts.query))
    if "sslmode" in query:
        query["ssl"] = query.pop("sslmode")
    return urlunsplit(("postgresql+asyncpg", parts.netloc, parts.path, urlencode(query), ""))


def libpq_url(url: str) -> str:
    """The same URL in the plain form that psql, pgbench and PostGraphile accept."""
    parts = urlsplit(url)
    return urlunsplit(("postgresql", *parts[1:]))


def _json_dumps(value) -> str:
    return orjson.dumps(value).decode()


SERVER_SETTINGS = {
    "application_name": "crm",
    # Statements are prepared once per connection and run many times with new values;
    # planning a large JSON-building statement anew each time costs as much as running
    # it, and the indexed, keyset-paged plans do not depend on the values.
    "plan_cache_mode": "force_generic_plan",
}


def make_engine(url: str, *, pool_size: int = 10) -> AsyncEngine:
    """An engine whose pool serves concurrent loaders within and across requests."""
    return create_async_engine(
        async_url(url),
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=False,
        json_serializer=_json_dumps,
        json_deserializer=orjson.loads,
        connect_args={"server_settings": SERVER_SETTINGS},
    )


BROKEN = (asyncpg.ConnectionDoesNotExistError, asyncpg.InterfaceError, OSError)


def announce(engine: AsyncEngine, sql: str, params) -> None:
    """Tell the engine's listeners about a statement sent on the driver, as SQLAlchemy would."""
    engine.sync_engine.dispatch.before_cursor_execute(None, None, sql, params, None, False)


class Reader:
    """Reads outside any transaction, straight on the driver connection from the pool.

    A read is one round trip: no BEGIN, no ROLLBACK, and none of SQLAlchemy's result
    machinery. Each statement is announced to the engine's listeners, so statement
    counters see every read as well as every write.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine.execution_options(isolation_level="AUTOCOMMIT")

    async def _run(self, method: str, sql: str, params):
        announce(self.engine, sql, params)
        connection = await self.engine.raw_connection()
        try:
            return await getattr(connection.driver_connection, method)(sql, *params)
        except BROKEN:
            connection.invalidate()  # a broken connection must not go back to the pool
            raise
        finally:
            connection.close()

    async def rows(self, sql: str, params) -> list[dict]:
        return [dict(row) for row in await self._run("fetch", sql, params)]

    async def value(self, sql: str, params):
        return await self._run("fetchval", sql, params)


class Transaction:
    """One database transaction on a driver connection from the engine's pool.

    Leaving it without commit() rolls it back; the connection then goes back clean.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._connection = None
        self._transaction = None

    async def __aenter__(self) -> Transaction:
        self._connection = await self.engine.raw_connection()
        try:
            self._transaction = self._connection.driver_connection.transaction()
            await self._transaction.start()
        except BaseException:
            self._connection.invalidate()
            self._connection.close()
            raise
        return self

    async def __aexit__(self, kind, error, trace) -> None:
        try:
            if self._transaction is not None:
                await self._transaction.rollback()
        except BROKEN:
            self._connection.invalidate()
        finally:
            if isinstance(error, BROKEN):
                self._connection.invalidate()
            self._connection.close()

    async def commit(self) -> None:
        await self._transaction.commit()
        self._transaction = None

    async def rows(self, sql: str, params) -> list[dict]:
        announce(self.engine, sql, params)
        return [dict(row) for row in await self._connection.driver_connection.fetch(sql, *params)]

    async def value(self, sql: str, params):
        announce(self.engine, sql, params)
        return await self._connection.driver_connection.fetchval(sql, *params)


class StatementCounter:
    """Counts SQL statements sent through an engine; used by tests and the benchmark."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.count = 0
        self.statements: list[str] = []
        event.listen(engine.sync_engine, "before_cursor_execute", self._seen)

    def _seen(self, conn, cursor, statement, parameters, context, executemany) -> None:
        self.count += 1
        self.statements.append(statement)

    def reset(self) -> None:
        self.count = 0
        self.statements.clear()
