"""Every table, imported in one place so that Alembic and tests see the whole schema."""

from persistence import (  # noqa: F401
    accounts,
    activities,
    audit,
    cases,
    consents,
    contacts,
    knowledge,
    leads,
    notes,
    opportunities,
    orders,
    partners,
    portal,
    signing_keys,
    sla,
    territories,
    users,
)
from persistence.base import metadata

__all__ = ["metadata"]
