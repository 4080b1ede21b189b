"""Account use cases."""

from __future__ import annotations

from domain import accounts
from domain.services.records import RecordKind


def _validate(values: dict, *, creating: bool, stored: dict | None = None) -> dict:
    return accounts.validate_account(values, creating=creating)


ACCOUNT = RecordKind(
    type_name="Account",
    validate=_validate,
    references=accounts.REFERENCES,
    acyclic=("parent",),
)
