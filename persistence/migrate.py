"""Apply Alembic migrations and tell whether a database is current."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.ext.asyncio import AsyncConnection

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    config.set_main_option("file_template", "%%(year)d%%(month).2d%%(day).2d_%%(slug)s")
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at `url` to `revision` (blocking; run it off the event loop)."""
    command.upgrade(alembic_config(url), revision)


def new_revision(url: str, message: str) -> str:
    """Write a migration from what the declared tables have and the database at `url` lacks;
    the path of the new file. Revisions are numbered in order, as the chain applies them."""
    head = head_revision()
    script = command.revision(alembic_config(url), message=message, autogenerate=True,
                              rev_id=f"{int(head or 0) + 1:04d}")
    return script.path


def head_revision() -> str | None:
    return ScriptDirectory(str(MIGRATIONS)).get_current_head()


async def current_revision(conn: AsyncConnection) -> str | None:
    return await conn.run_sync(lambda sync: MigrationContext.configure(sync).get_current_revision())
