"""Inputs shared by several mutations: emails, phones, addresses, archiving."""

from __future__ import annotations

import strawberry
from strawberry import UNSET

from api.schema.custom_values import given_values
from api.schema.ids import parse_id
from api.schema.naming import camel


@strawberry.input(description="An email address to store; it is validated and normalised.")
class EmailInput:
    address: str = strawberry.field(description="The address.")
    primary: bool = strawberry.field(default=False, description="Use this address first.")
    label: str | None = strawberry.field(default=None, description="e.g. work, home.")


@strawberry.input(description="A phone number; without a leading + it is read in the address's "
                              "country. An extension may follow it (\"+1 650 253 0000 ext. 123\") "
                              "or be given in `extension`; it is kept, never dropped.")
class PhoneInput:
    number: str = strawberry.field(description="The number, in any common notation.")
    primary: bool = strawberry.field(default=False, description="Call this number first.")
    label: str | None = strawberry.field(default=None, description="e.g. mobile, office.")
    extension: str | None = strawberry.field(
        default=None, description="1 to 20 digits dialled once connected; if the number names "
                                  "one too, they must agree.")


@strawberry.input(description="A postal address.")
class PostalAddressInput:
    street: str | None = strawberry.field(default=None, description="Street and number.")
    city: str | None = strawberry.field(default=None, description="City or town.")
    region: str | None = strawberry.field(default=None, description="State, province or county.")
    postal_code: str | None = strawberry.field(default=None, description="Postal or ZIP code.")
    country: str | None = strawberry.field(default=None, description="ISO 3166-1 alpha-2 code.")


@strawberry.input(description="Which record to archive, at which version.")
class ArchiveInput:
    id: strawberry.ID = strawberry.field(description="The record.")
    version: int = strawberry.field(description="The version you last read.")


def field_values(data, references: dict[str, str]) -> dict:
    """The fields an input sets (UNSET ones are left out), in domain form.

    Emails become (address, primary, label) tuples, phones (number, primary, label,
    extension), addresses keyword dicts, custom values a dict by name,
    and reference ids are checked to point at the right type.
    """
    values = {}
    for name, value in vars(data).items():
        if value is UNSET or name in ("id", "version"):
            continue
        field = camel(name)
        if field in references and value is not None:
            value = parse_id(value, references[field], field)
        elif field == "emails" and value is not None:
            value = [(e.address, e.primary, e.label) for e in value]
        elif field == "phones" and value is not None:
            value = [(p.number, p.primary, p.label, p.extension) for p in value]
        elif field == "address" and value is not None:
            value = vars(value).copy()
        elif field == "customFields" and value is not None:
            value = given_values(value)
        values[field] = value
    return values


def unset(description: str):
    """An optional input field: left out, it is UNSET and changes nothing."""
    return strawberry.field(default=UNSET, description=description)


def payload_errors_field():
    return strawberry.field(default_factory=list,
                            description="Why nothing was written; empty on success.")

