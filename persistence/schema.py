"""Every table, imported in one place so that Alembic and tests see the whole schema."""

from persistence import (  # noqa: F401
    accounts,
    audit,
    consents,
    contacts,
    notes,
    partners,
    portal,
    territories,
    users,
)
from persistence.base import metadata

__all__ = ["metadata"]
