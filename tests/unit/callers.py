"""Who calls a use case in the unit tests: the access the policy gives each kind of caller."""

from __future__ import annotations

import uuid

from auth.principal import Principal
from domain.access import Access, Role

USER_ID = uuid.UUID("00000000-0000-4000-8000-000000000001")


def staff(role: str) -> Access:
    """A staff user of the role, with one fixed id."""
    return Principal.staff(Role(role), USER_ID).access()


def customer(contact_id: uuid.UUID) -> Access:
    """A customer signed in as the contact."""
    return Principal.customer(contact_id).access()
