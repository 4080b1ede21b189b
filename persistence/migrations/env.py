"""Alembic environment: runs migrations over the async engine."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.ext.asyncio import create_async_engine

from persistence.db import async_url
from persistence.record_types import FOREIGN_TABLES
from persistence.schema import metadata

config = context.config


def _declared_here(name, kind, parent_names) -> bool:
    """Whether Alembic compares this object: not the tables another library defines (the job
    queue's), which no declaration describes and which autogenerate would otherwise drop."""
    return not (kind == "table" and name in FOREIGN_TABLES)


def _run(connection) -> None:
    context.configure(connection=connection, target_metadata=metadata, compare_type=True,
                      include_name=_declared_here)
    with context.begin_transaction():
        context.run_migrations()


async def _run_async() -> None:
    engine = create_async_engine(async_url(config.get_main_option("sqlalchemy.url")))
    async with engine.connect() as connection:
        await connection.run_sync(_run)
    await engine.dispose()


if context.is_offline_mode():
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=metadata,
                      literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    asyncio.run(_run_async())
