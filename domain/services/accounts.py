"""Account use cases."""

from __future__ import annotations

from domain import accounts
from domain.services.records import RecordKind, stateless

ACCOUNT = RecordKind(
    type_name="Account",
    validate=stateless(accounts.validate_account),
    references=accounts.REFERENCES,
    acyclic=("parent",),
)
