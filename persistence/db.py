"""The async engine, built from a standard postgresql:// URL."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

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


def make_engine(url: str, *, pool_size: int = 10) -> AsyncEngine:
    """An engine whose pool serves concurrent loaders within and across requests."""
    return create_async_engine(
        async_url(url),
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=False,
        json_serializer=_json_dumps,
        json_deserializer=orjson.loads,
        connect_args={"server_settings": {
            "application_name": "crm",
            # Statements are prepared once per connection and run many times with new values;
            # planning a large JSON-building statement anew each time costs as much as running
            # it, and the indexed, keyset-paged plans do not depend on the values.
            "plan_cache_mode": "force_generic_plan",
        }},
    )


def reader(engine: AsyncEngine) -> AsyncEngine:
    """The same pool in autocommit: a read is one round trip, without BEGIN and ROLLBACK."""
    return engine.execution_options(isolation_level="AUTOCOMMIT")


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
