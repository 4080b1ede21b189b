"""The migrations build exactly the schema the table definitions describe."""

from __future__ import annotations

from alembic import command

from persistence.migrate import alembic_config


def test_models_and_migrations_agree(database_url):
    # `alembic check` fails when autogenerate would find a difference to migrate
    command.check(alembic_config(database_url))
