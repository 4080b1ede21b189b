"""Contact: a person, the centre of the customer record."""

from __future__ import annotations

import strawberry
from strawberry import UNSET

from api.schema import forms
from api.schema.analytical.lifetime import Lifetime, lifetime_field
from api.schema.analytical.rfm import Rfm, rfm_field
from api.schema.custom_values import CustomValueInput, custom_values_input
from api.schema.declared_fields import declared
from api.schema.errors import UserError, load_page
from api.schema.fields import (
    check_readable,
    child_list,
    column,
    node_id,
    record_type,
)
from api.schema.filters import (
    order_input,
)
from api.schema.operational.consents import Consent
from api.schema.operational.inputs import (
    EmailInput,
    PhoneInput,
    PostalAddressInput,
    payload_errors_field,
)
from api.schema.operational.memberships import ContactAccountConnection, membership_connection
from api.schema.operational.notes import Note, notes_of
from api.schema.record_inputs import record_filter, record_order_field
from api.schema.relay import After, Before, Connection, First, Last, Record, page_args
from domain.contacts import LifecycleStage
from persistence.contacts import CONTACT

Stage = strawberry.enum(LifecycleStage, description="Where a person stands with the company.")


@strawberry.type(description="An email address; exactly one of a contact's addresses is primary.")
class EmailAddress:
    address: str = strawberry.field(description="The normalised address.")
    primary: bool = strawberry.field(description="Whether this is the address to use first.")
    label: str | None = strawberry.field(description="e.g. work, home.")


@strawberry.type(description="A phone number in E.164 form, e.g. +14155550100, and the "
                             "extension to dial after it.")
class PhoneNumber:
    number: str = strawberry.field(description="The number in E.164 form.")
    primary: bool = strawberry.field(description="Whether this is the number to call first.")
    label: str | None = strawberry.field(description="e.g. mobile, office.")
    extension: str | None = strawberry.field(
        default=None, description="Digits to dial once connected; null for none.")


@strawberry.type(description="A postal address.")
class PostalAddress:
    street: str | None = strawberry.field(description="Street and number.")
    city: str | None = strawberry.field(description="City or town.")
    region: str | None = strawberry.field(description="State, province or county.")
    postal_code: str | None = strawberry.field(description="Postal or ZIP code.")
    country: str | None = strawberry.field(description="ISO 3166-1 alpha-2 country code.")


def _emails(items: list[dict]) -> list[EmailAddress]:
    return [EmailAddress(**e) for e in items]


def _phones(items: list[dict]) -> list[PhoneNumber]:
    return [PhoneNumber(**p) for p in items]


def _address(value: dict) -> PostalAddress:
    return PostalAddress(street=value.get("street"), city=value.get("city"),
                         region=value.get("region"), postal_code=value.get("postalCode"),
                         country=value.get("country"))


@record_type("Contact")
@strawberry.type(description="A person: a customer, a lead, or someone at an account.")
@declared(CONTACT)
class Contact(Record):
    id: strawberry.ID = node_id("Contact")
    emails: list[EmailAddress] | None = column("Email addresses, primary first.", _emails,
                                               form=forms.Json(many=True))
    phones: list[PhoneNumber] | None = column("Phone numbers in E.164, primary first.", _phones,
                                              form=forms.Json(many=True))
    address: PostalAddress | None = column("Postal address.", _address, form=forms.Json(many=False))
    rfm: Rfm | None = rfm_field()
    lifetime: Lifetime | None = lifetime_field()

    @strawberry.field(description="The accounts this person belongs to, by account name.",
                      metadata=forms.compiled(forms.Link("Account")))
    async def accounts(self, info: strawberry.Info, first: First = None,
                       after: After = None, last: Last = None,
                       before: Before = None) -> ContactAccountConnection | None:
        check_readable(info)
        request = page_args(info, first, after, last, before)
        page = await load_page(info.context.loaders.accounts_by_contact_id,
                               (self.data["id"], request))
        return membership_connection(page, "Account")

    consents: list[Consent] | None = child_list(
        "consents", "Consent", "Consents, by channel and purpose.")

    @strawberry.field(description="Internal notes, newest first.", metadata=forms.compiled(forms.Notes()))
    async def notes(self, info: strawberry.Info, first: First = None,
                    after: After = None, last: Last = None,
                    before: Before = None) -> Connection[Note] | None:
        return await notes_of(self.data["id"], info, first, after, last, before)


ContactFilter = record_filter(CONTACT, Contact)
ContactOrderField = record_order_field(CONTACT)


ContactOrder = order_input(ContactOrderField, "ContactOrder")


@strawberry.input(description="A new contact. lastName is required.")
class ContactCreateInput:
    first_name: str | None = strawberry.field(default=UNSET, description="Given name.")
    last_name: str | None = strawberry.field(default=UNSET, description="Family name (required).")
    emails: list[EmailInput] | None = strawberry.field(default=UNSET, description="Emails.")
    phones: list[PhoneInput] | None = strawberry.field(default=UNSET, description="Phones.")
    address: PostalAddressInput | None = strawberry.field(default=UNSET, description="Address.")
    lifecycle_stage: Stage | None = strawberry.field(default=UNSET, description="Default LEAD.")
    lead_score: int | None = strawberry.field(default=UNSET, description="0-100, default 0.")
    external_id: str | None = strawberry.field(
        default=UNSET, description="Its id in another system, unique among live contacts: an "
                                   "import matches on it first.")
    owner: strawberry.ID | None = strawberry.field(
        default=UNSET, description="A User id; defaults to the member of staff creating it.")
    territory: strawberry.ID | None = strawberry.field(default=UNSET, description="A Territory id.")
    custom_fields: list[CustomValueInput] | None = custom_values_input(creating=True)
    allow_duplicate: bool = strawberry.field(
        default=False, description="Create it even when it likely duplicates a contact you "
                                   "may read; otherwise that is a DUPLICATE error.")


@strawberry.input(description="Changes to a contact; fields left out stay as they are.")
class ContactUpdateInput:
    id: strawberry.ID = strawberry.field(description="The contact.")
    version: int = strawberry.field(description="The version you last read; a stale one is refused.")
    first_name: str | None = strawberry.field(default=UNSET, description="Given name.")
    last_name: str | None = strawberry.field(default=UNSET, description="Family name.")
    emails: list[EmailInput] | None = strawberry.field(
        default=UNSET, description="Replaces all emails.")
    phones: list[PhoneInput] | None = strawberry.field(
        default=UNSET, description="Replaces all phones.")
    address: PostalAddressInput | None = strawberry.field(default=UNSET, description="Address.")
    lifecycle_stage: Stage | None = strawberry.field(default=UNSET, description="Lifecycle stage.")
    lead_score: int | None = strawberry.field(default=UNSET, description="0-100.")
    external_id: str | None = strawberry.field(
        default=UNSET, description="Its id in another system, unique among live contacts: an "
                                   "import matches on it first.")
    owner: strawberry.ID | None = strawberry.field(default=UNSET, description="A User id.")
    territory: strawberry.ID | None = strawberry.field(default=UNSET, description="A Territory id.")
    custom_fields: list[CustomValueInput] | None = custom_values_input(creating=False)


@strawberry.type(description="The result of a contact mutation.")
class ContactPayload:
    contact: Contact | None = strawberry.field(
        default=None, description="The contact as it is now; null when nothing was written.")
    errors: list[UserError] = payload_errors_field()
