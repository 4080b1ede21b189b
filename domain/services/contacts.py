"""Contact use cases."""

from __future__ import annotations

from domain import contacts
from domain.services.records import RecordKind


def _validate(values: dict, *, creating: bool, stored: dict | None = None) -> dict:
    country = ((stored or {}).get("address") or {}).get("country")
    return contacts.validate_contact(values, creating=creating, stored_country=country)


CONTACT = RecordKind(
    type_name="Contact",
    validate=_validate,
    references=contacts.REFERENCES,
    # Phones without a country prefix are read in the stored address's country.
    context_fields=("address",),
    context_for=("phones",),
)
