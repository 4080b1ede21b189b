"""Lead: a person or company not yet qualified; capture forms and assignment rules."""

from __future__ import annotations

from decimal import Decimal

import strawberry
from strawberry import UNSET
from strawberry.scalars import JSON

from api.schema.custom_values import CustomValueInput, custom_values_input
from api.schema.declared_fields import declared
from api.schema.errors import UserError
from api.schema.fields import child_list, column, node_id, record_type
from api.schema.filters import (
    order_input,
)
from api.schema.operational.accounts import Size
from api.schema.operational.inputs import payload_errors_field, unset
from api.schema.record_inputs import record_filter, record_order_field
from api.schema.relay import Record
from domain.leads import LeadSource, LeadStatus
from persistence.leads import ASSIGNMENT_RULE, CAPTURE_FORM, LEAD, LEAD_CAPTURE

Source = strawberry.enum(LeadSource, description="Where a lead came from.")
Status = strawberry.enum(LeadStatus, description="How far a lead has come.")


@record_type("CaptureForm")
@strawberry.type(description="A web form or site allowed to capture leads with its own key.")
@declared(CAPTURE_FORM)
class CaptureForm(Record):
    id: strawberry.ID = node_id("CaptureForm")


@record_type("LeadCapture")
@strawberry.type(description="One submission of a capture form.")
@declared(LEAD_CAPTURE)
class LeadCapture:
    data: strawberry.Private[dict]

    payload: JSON | None = column("What was submitted, after normalisation.")


@record_type("Lead")
@strawberry.type(description="A person or company showing interest, not yet a customer.")
@declared(LEAD)
class Lead(Record):
    id: strawberry.ID = node_id("Lead")
    captures: list[LeadCapture] | None = child_list(
        "captures", "LeadCapture", "Every form submission that made or repeated it, oldest first.")


@record_type("AssignmentRule")
@strawberry.type(description="Leads matching every given condition go to the territory; the "
                             "lowest position wins; an empty condition matches anything.")
@declared(ASSIGNMENT_RULE)
class AssignmentRule(Record):
    id: strawberry.ID = node_id("AssignmentRule")


LeadFilter = record_filter(LEAD, Lead)
LeadOrderField = record_order_field(LEAD)


LeadOrder = order_input(LeadOrderField, "LeadOrder")


@strawberry.input(description="What a form submits; email and a lastName or company are required.")
class LeadCaptureInput:
    first_name: str | None = unset("Given name.")
    last_name: str | None = unset("Family name.")
    title: str | None = unset("Job title.")
    email: str | None = unset("Email address (required).")
    phone: str | None = unset("Phone; without + it is read in `country`.")
    company: str | None = unset("Company name.")
    industry: str | None = unset("Industry.")
    size: Size | None = unset("Headcount band.")
    country: str | None = unset("ISO 3166-1 alpha-2 code.")
    website: str | None = unset("Company website.")
    source: Source | None = unset("Where it came from; default: the form's source.")
    campaign: str | None = unset("The campaign it came from.")


@strawberry.input(description="A lead entered by staff; an email or a phone, and a lastName or "
                              "a company, are required.")
class LeadCreateInput(LeadCaptureInput):
    score: int | None = unset("Lead score, 0 to 100.")
    owner: strawberry.ID | None = unset("A User id; default: you.")
    territory: strawberry.ID | None = unset("A Territory id.")
    custom_fields: list[CustomValueInput] | None = custom_values_input(creating=True)


@strawberry.input(description="Changes to a lead; fields left out stay as they are.")
class LeadUpdateInput(LeadCreateInput):
    id: strawberry.ID = strawberry.field(description="The lead.")
    version: int = strawberry.field(description="The version you last read.")
    status: Status | None = unset("NEW, WORKING, QUALIFIED or DISQUALIFIED.")
    custom_fields: list[CustomValueInput] | None = custom_values_input(creating=False)


@strawberry.input(description="A lead and the version you last read.")
class LeadRefInput:
    id: strawberry.ID = strawberry.field(description="The lead.")
    version: int = strawberry.field(description="The version you last read.")


@strawberry.input(description="The deal to open when converting a lead.")
class ConversionDealInput:
    name: str = strawberry.field(description="Name of the deal.")
    amount: Decimal | None = strawberry.field(default=UNSET, description="Expected value.")
    currency: str | None = strawberry.field(default=UNSET, description="ISO 4217; default EUR.")


@strawberry.input(description="Convert a lead: into a new or an existing account and contact, "
                              "and optionally a deal.")
class LeadConvertInput:
    id: strawberry.ID = strawberry.field(description="The lead.")
    version: int = strawberry.field(description="The version you last read.")
    account_id: strawberry.ID | None = strawberry.field(
        default=None, description="An existing account; default: a new one from the company.")
    account_name: str | None = strawberry.field(
        default=None, description="Name of the new account; default: the lead's company.")
    contact_id: strawberry.ID | None = strawberry.field(
        default=None, description="An existing contact; default: a new one from the lead.")
    opportunity: ConversionDealInput | None = strawberry.field(
        default=None, description="Open a deal on the account too.")
    allow_duplicate: bool = strawberry.field(
        default=False, description="Create the new contact or account even when it likely "
                                   "duplicates one you may read; otherwise that is a DUPLICATE "
                                   "error naming it, to pass as contactId or accountId.")


@strawberry.type(description="What a capture form learns: whether the lead was taken.")
class LeadCapturePayload:
    accepted: bool = strawberry.field(description="true: the lead was stored.")
    duplicate: bool = strawberry.field(
        description="true: this form sent the same email within 24 hours, and it was added to "
                    "that lead. What other forms sent is never told: their lead takes the "
                    "capture all the same, reported as false.")
    errors: list[UserError] = payload_errors_field()


@strawberry.type(description="The result of a lead mutation.")
class LeadPayload:
    lead: Lead | None = strawberry.field(default=None, description="The lead as it is now.")
    errors: list[UserError] = payload_errors_field()


@strawberry.input(description="A new capture form.")
class CaptureFormCreateInput:
    name: str = strawberry.field(description="Name, unique.")
    source: Source = strawberry.field(default=LeadSource.WEB_FORM,
                                      description="The source its leads get.")


@strawberry.input(description="Changes to a capture form; active false revokes its key.")
class CaptureFormUpdateInput:
    id: strawberry.ID = strawberry.field(description="The form.")
    version: int = strawberry.field(description="The version you last read.")
    name: str | None = unset("Name, unique.")
    source: Source | None = unset("The source its leads get.")
    active: bool | None = unset("false: its key (and any token for it) is refused.")


@strawberry.input(description="The capture form that gets a new key, at its version.")
class CaptureFormKeyInput:
    id: strawberry.ID = strawberry.field(description="The form.")
    version: int = strawberry.field(description="The version you last read.")


@strawberry.type(description="The result of a capture-form mutation.")
class CaptureFormPayload:
    form: CaptureForm | None = strawberry.field(default=None, description="The form.")
    token: str | None = strawberry.field(
        default=None, description="On creation and on captureFormKeyReplace: the form's key, "
                                  "which it sends as its bearer token; shown only this once, "
                                  "valid until the form is made inactive or gets a new key.")
    errors: list[UserError] = payload_errors_field()


@strawberry.input(description="A new assignment rule, or changes to one (with id and version).")
class AssignmentRuleInput:
    id: strawberry.ID | None = unset("The rule to change.")
    version: int | None = unset("Its version, to change it.")
    position: int | None = unset("Order of evaluation, lowest first (required to create).")
    country: str | None = unset("ISO country code; null matches any.")
    industry: str | None = unset("Industry; null matches any.")
    size: Size | None = unset("Company size; null matches any.")
    territory: strawberry.ID | None = unset("Where matching leads go (required to create).")


@strawberry.type(description="The result of an assignment-rule mutation.")
class AssignmentRulePayload:
    rule: AssignmentRule | None = strawberry.field(default=None, description="The rule.")
    errors: list[UserError] = payload_errors_field()

