"""Every table, in one place so that Alembic and tests see the whole schema: the tables of the
declared record types and the internal ones (persistence/record_types.py)."""

from persistence import record_types  # noqa: F401
from persistence.base import metadata

__all__ = ["metadata"]
