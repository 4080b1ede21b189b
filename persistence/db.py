"""The async engine, built from a standard postgresql:// URL, and the two ways SQL is sent:
reads outside transactions, and transactions."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from contextvars import ContextVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import asyncpg
import orjson
from sqlalchemy import exc as sa_exc
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

SCHEMES = ("postgresql", "postgres", "postgresql+asyncpg")
# How long a request waits for a free connection before the server answers 503: every
# connection is then busy with statements that the statement timeout bounds.
POOL_TIMEOUT_SECONDS = 10


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


def make_engine(url: str, *, pool_size: int = 10,
                statement_timeout_ms: int | None = None) -> AsyncEngine:
    """An engine whose pool serves concurrent loaders within and across requests.

    The pool never grows past `pool_size`: a request waits for a free connection instead of
    opening and closing one of its own, so connections are reused under any load. With
    `statement_timeout_ms`, PostgreSQL cancels every statement that runs longer.
    """
    server_settings = dict(SERVER_SETTINGS)
    if statement_timeout_ms:
        server_settings["statement_timeout"] = str(statement_timeout_ms)
    return create_async_engine(
        async_url(url),
        pool_size=pool_size,
        max_overflow=0,
        pool_timeout=POOL_TIMEOUT_SECONDS,
        pool_pre_ping=False,
        json_serializer=_json_dumps,
        json_deserializer=orjson.loads,
        connect_args={"server_settings": server_settings},
    )


# A connection that failed with one of these is no longer usable. A statement cancelled by
# the statement timeout (QueryCanceledError) leaves its connection fine, so it is not here.
BROKEN = (asyncpg.PostgresConnectionError, asyncpg.InterfaceError,
          asyncpg.exceptions.InternalClientError, asyncpg.AdminShutdownError,
          asyncpg.CrashShutdownError, asyncpg.CannotConnectNowError, OSError)


UNAVAILABLE = (*BROKEN, sa_exc.TimeoutError, asyncpg.TooManyConnectionsError)


def _causes(error: BaseException):
    """The error and what it wraps: SQLAlchemy's `orig`, and each `__cause__`."""
    seen = 0
    while error is not None and seen < 10:
        yield error
        error = getattr(error, "orig", None) or error.__cause__
        seen += 1


def is_timeout(error: BaseException) -> bool:
    """The statement ran past the statement timeout and PostgreSQL cancelled it."""
    return any(isinstance(e, asyncpg.QueryCanceledError) for e in _causes(error))


def is_unavailable(error: BaseException) -> bool:
    """The database cannot be reached now (down, restarting, or every connection busy):
    a retry later may succeed, unlike a bug."""
    return any(isinstance(e, UNAVAILABLE) for e in _causes(error))


# The statements sent on behalf of the request in flight, where one counts them: a cell that
# the request's tasks share (each task copies the context, the cell stays the same object).
_tally: ContextVar[list[int] | None] = ContextVar("crm_statement_tally", default=None)


def tally_statements() -> list[int]:
    """Count the statements this context sends from now on, in the cell returned."""
    cell = [0]
    _tally.set(cell)
    return cell


def announce(engine: AsyncEngine, sql: str, params) -> None:
    """Count a statement sent on the driver, and tell the engine's listeners about it, as
    SQLAlchemy would."""
    cell = _tally.get()
    if cell is not None:
        cell[0] += 1
    engine.sync_engine.dispatch.before_cursor_execute(None, None, sql, params, None, False)


def _release(connection, error: BaseException | None = None) -> None:
    """Give a connection back to the pool, or drop it if `error` broke it.

    After a server restart every pooled connection is dead: the first one found dead marks
    all connections of its age for replacement (SQLAlchemy's own handling of a disconnect),
    so that a retry connects afresh instead of meeting the next dead one.
    """
    if error is not None and isinstance(error, BROKEN):
        connection._pool._invalidate(connection, error)
    connection.close()


@contextlib.asynccontextmanager
async def driver_connection(engine: AsyncEngine) -> AsyncIterator[asyncpg.Connection]:
    """A driver connection of the engine's pool, for work that manages its own transactions
    (the change feed's sequencer); back to the pool afterwards, or dropped after an error."""
    connection = await engine.raw_connection()
    try:
        yield connection.driver_connection
    except BaseException as error:
        _release(connection, error)
        raise
    _release(connection)


class Reader:
    """Reads outside any transaction, straight on the driver connection from the pool.

    A read is one round trip: no BEGIN, no ROLLBACK, and none of SQLAlchemy's result
    machinery. Each statement is announced to the engine's listeners, so statement
    counters see every read as well as every write. A read that meets a connection the
    server dropped (a restart) is sent once more, on a new connection.
    """

    def __init__(self, engine: AsyncEngine, *, announced: bool = True,
                 planned_for_values: bool = False) -> None:
        self.engine = engine.execution_options(isolation_level="AUTOCOMMIT")
        # Unannounced reads are the server's own bookkeeping (who a token's subject is now,
        # the signing keys), made once per subject or key ring per few seconds, not per request.
        self.announced = announced
        # Analytical statements are planned for their values, not by the pool's generic plans
        # (SERVER_SETTINGS), nor compiled: a year's funnel took 46 s on its generic plan and
        # 1.3 s on one for its dates, and compiling it took longer than running it.
        self.planned_for_values = planned_for_values

    async def _run(self, method: str, sql: str, params):
        if self.announced:
            announce(self.engine, sql, params)
        for attempt in (1, 2):
            connection = await self.engine.raw_connection()
            try:
                driver = connection.driver_connection
                if self.planned_for_values:
                    async with driver.transaction(readonly=True):
                        await driver.execute("SET LOCAL plan_cache_mode = force_custom_plan; "
                                             "SET LOCAL jit = off")
                        result = await getattr(driver, method)(sql, *params)
                else:
                    result = await getattr(driver, method)(sql, *params)
            except BROKEN as error:
                _release(connection, error)
                if attempt == 2:
                    raise
                continue
            except BaseException as error:
                _release(connection, error)
                raise
            _release(connection)
            return result

    async def rows(self, sql: str, params) -> list[dict]:
        return [dict(row) for row in await self._run("fetch", sql, params)]

    async def value(self, sql: str, params):
        return await self._run("fetchval", sql, params)


class Transaction:
    """One database transaction on a driver connection from the engine's pool.

    Leaving it without commit() rolls it back; the connection then goes back clean. A
    transaction that cannot begin on a dropped connection begins once more on a new one;
    one that fails later is never repeated, since its statements may have had effects.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._connection = None
        self._transaction = None

    async def __aenter__(self) -> Transaction:
        for attempt in (1, 2):
            self._connection = await self.engine.raw_connection()
            try:
                self._transaction = self._connection.driver_connection.transaction()
                await self._transaction.start()
                return self
            except BROKEN as error:
                _release(self._connection, error)
                if attempt == 2:
                    raise
            except BaseException as error:
                _release(self._connection, error)
                raise
        raise AssertionError("unreachable")

    async def __aexit__(self, kind, error, trace) -> None:
        try:
            if self._transaction is not None:
                await self._transaction.rollback()
        except BROKEN as broken:
            error = broken
        finally:
            _release(self._connection, error)

    async def commit(self) -> None:
        await self._transaction.commit()
        self._transaction = None

    @property
    def driver_connection(self) -> asyncpg.Connection:
        """The asyncpg connection the transaction is open on, for a library that sends
        statements of its own within it (the job queue: persistence/jobs.py)."""
        return self._connection.driver_connection

    async def rows(self, sql: str, params) -> list[dict]:
        announce(self.engine, sql, params)
        return [dict(row) for row in await self._connection.driver_connection.fetch(sql, *params)]

    async def value(self, sql: str, params):
        announce(self.engine, sql, params)
        return await self._connection.driver_connection.fetchval(sql, *params)


class Statement:
    """Writes of one statement each, outside any transaction: PostgreSQL runs a statement
    alone in a transaction of its own, so that all of it commits or none, in one round trip.

    Unlike a read, a write that failed is never sent again, since it may have had its
    effect; only a connection the pool holds already closed (the server went away while
    it was idle) is swapped for a new one before anything is sent.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        # The engine itself: a driver connection that begins no transaction runs each
        # statement in its own, and a copy with execution options costs 0.1 ms to make,
        # per unit of work, for nothing raw_connection() uses.
        self.engine = engine

    async def _run(self, method: str, sql: str, params):
        announce(self.engine, sql, params)
        for attempt in (1, 2):
            connection = await self.engine.raw_connection()
            if connection.driver_connection.is_closed() and attempt == 1:
                _release(connection, asyncpg.ConnectionDoesNotExistError("closed while idle"))
                continue
            try:
                result = await getattr(connection.driver_connection, method)(sql, *params)
            except BaseException as error:
                _release(connection, error)
                raise
            _release(connection)
            return result
        raise AssertionError("unreachable")

    async def rows(self, sql: str, params) -> list[dict]:
        return [dict(row) for row in await self._run("fetch", sql, params)]

    async def value(self, sql: str, params):
        return await self._run("fetchval", sql, params)
