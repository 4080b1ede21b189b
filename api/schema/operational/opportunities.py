"""Opportunity: a deal on an account, moving through the stages of a pipeline."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import Enum

import strawberry
from strawberry import UNSET

from api.schema import forms
from api.schema.errors import UserError
from api.schema.fields import actor, child_list, column, node_id, record_type, reference
from api.schema.filters import (
    DateFilter,
    DateTimeFilter,
    DecimalFilter,
    IDFilter,
    IntFilter,
    StringFilter,
    enum_filter,
    order_input,
)
from api.schema.operational.inputs import payload_errors_field, unset
from api.schema.operational.pipelines import Pipeline, Stage
from api.schema.operational.refs import AccountRef, ContactRef, PartnerRef, TerritoryRef, UserRef
from api.schema.relay import Record
from domain.opportunities import ContactRole, OpportunitySource, Registration

Source = strawberry.enum(OpportunitySource, description="Where a deal came from.")
Role = strawberry.enum(ContactRole, description="The part a contact plays in a deal.")
RegistrationStatus = strawberry.enum(
    Registration, name="RegistrationStatus",
    description="Sales' decision on a deal a partner registered.")


@record_type("StageChange")
@strawberry.type(description="One move of a deal between stages; time in stage follows from them.")
class StageChange:
    data: strawberry.Private[dict]

    at: datetime | None = column("When the deal moved.")
    actor: strawberry.ID | None = actor("Global id of who moved it.")
    from_stage: Stage | None = reference("Stage", "The stage it left; null when it was opened.")
    to_stage: Stage | None = reference("Stage", "The stage it entered.")


@record_type("OpportunityContactRole")
@strawberry.type(description="A contact's part in a deal.")
class OpportunityContactRole:
    data: strawberry.Private[dict]

    contact: ContactRef | None = reference("Contact", "The person.")
    role: Role | None = column("Decision maker, economic buyer, influencer or user.")


@record_type("Opportunity")
@strawberry.type(description="A deal: an amount the company expects to win from an account.")
class Opportunity(Record):
    id: strawberry.ID = node_id("Opportunity")
    name: str | None = column("What is being sold, e.g. `Acme — 200 seats`.")
    account: AccountRef | None = reference("Account", "The customer organisation.")
    amount: Decimal | None = column("Expected value, in `currency`.", form=forms.Text())
    currency: str | None = column("ISO 4217 code of the amount.")
    close_date: date | None = column("When the deal is expected to close.")
    pipeline: Pipeline | None = reference("Pipeline", "The sales process it follows.")
    stage: Stage | None = reference("Stage", "Where it stands in its pipeline.")
    probability: int | None = column("Chance of winning it, in percent.")
    stage_entered_at: datetime | None = column("When it entered its current stage.")
    closed_at: datetime | None = column("When it was won or lost; null while open.")
    close_reason: str | None = column("Why it was won or lost.")
    owner: UserRef | None = reference("User", "The member of staff working it.")
    territory: TerritoryRef | None = reference("Territory", "Its territory; by default the "
                                               "account's.")
    source: Source | None = column("Where it came from.")
    campaign: str | None = column("The campaign it came from, when its source is CAMPAIGN.")
    partner: PartnerRef | None = reference("Partner", "The partner that registered it.")
    registration: RegistrationStatus | None = column(
        "For a partner's deal: pending until sales approves or rejects it.")
    stage_history: list[StageChange] | None = child_list(
        "stageHistory", "StageChange", "Every stage it has been in, oldest first.")
    contact_roles: list[OpportunityContactRole] | None = child_list(
        "contactRoles", "OpportunityContactRole", "The people involved and their parts.")


SourceFilter = enum_filter(OpportunitySource, "OpportunitySourceFilter")
RegistrationFilter = enum_filter(Registration, "RegistrationStatusFilter")


@strawberry.input(description="Which deals to list; conditions given together must all hold.")
class OpportunityFilter:
    and_: list[OpportunityFilter] | None = strawberry.field(
        default=UNSET, name="and", description="All of these hold.")
    or_: list[OpportunityFilter] | None = strawberry.field(
        default=UNSET, name="or", description="At least one of these holds.")
    not_: OpportunityFilter | None = strawberry.field(
        default=UNSET, name="not", description="This does not hold.")
    name: StringFilter | None = unset("Name.")
    account: IDFilter | None = unset("Account (an Account id).")
    amount: DecimalFilter | None = unset("Amount.")
    currency: StringFilter | None = unset("Currency code.")
    close_date: DateFilter | None = unset("Expected close date.")
    pipeline: IDFilter | None = unset("Pipeline (a Pipeline id).")
    stage: IDFilter | None = unset("Stage (a Stage id).")
    probability: IntFilter | None = unset("Probability in percent.")
    owner: IDFilter | None = unset("Owner (a User id).")
    territory: IDFilter | None = unset("Territory (a Territory id).")
    source: SourceFilter | None = unset("Source.")
    partner: IDFilter | None = unset("Registering partner (a Partner id).")
    registration: RegistrationFilter | None = unset("Registration status.")
    closed_at: DateTimeFilter | None = unset("When it was won or lost.")
    created_at: DateTimeFilter | None = unset("Created.")
    updated_at: DateTimeFilter | None = unset("Changed.")


@strawberry.enum(description="Fields deals can be sorted by.")
class OpportunityOrderField(Enum):
    NAME = "name"
    CLOSE_DATE = "closeDate"
    PROBABILITY = "probability"
    CREATED_AT = "createdAt"
    UPDATED_AT = "updatedAt"


OpportunityOrder = order_input(OpportunityOrderField, "OpportunityOrder")


@strawberry.input(description="A new deal. account and name are required.")
class OpportunityCreateInput:
    account: strawberry.ID | None = unset("An Account id (required).")
    name: str | None = unset("Name (required).")
    amount: Decimal | None = unset("Expected value, not negative, at most two decimals.")
    currency: str | None = unset("ISO 4217 code; default EUR.")
    close_date: date | None = unset("Expected close date.")
    pipeline: strawberry.ID | None = unset("A Pipeline id; default: the first new-business one.")
    stage: strawberry.ID | None = unset("A Stage id of the pipeline; default: its first stage.")
    probability: int | None = unset("0 to 100; default: the stage's.")
    close_reason: str | None = unset("Why it was won or lost; required in a won or lost stage.")
    owner: strawberry.ID | None = unset("A User id; default: the member of staff creating it.")
    territory: strawberry.ID | None = unset("A Territory id; default: the account's.")
    source: Source | None = unset("Where it came from.")
    campaign: str | None = unset("The campaign it came from.")


@strawberry.input(description="Changes to a deal; a new stage is kept in its history.")
class OpportunityUpdateInput:
    id: strawberry.ID = strawberry.field(description="The deal.")
    version: int = strawberry.field(description="The version you last read; a stale one is refused.")
    account: strawberry.ID | None = unset("An Account id.")
    name: str | None = unset("Name.")
    amount: Decimal | None = unset("Expected value, not negative, at most two decimals.")
    currency: str | None = unset("ISO 4217 code.")
    close_date: date | None = unset("Expected close date.")
    pipeline: strawberry.ID | None = unset("A Pipeline id; without a stage, its first stage.")
    stage: strawberry.ID | None = unset("A Stage id; probability follows it unless given.")
    probability: int | None = unset("0 to 100.")
    close_reason: str | None = unset("Why it was won or lost; required to enter a won or lost stage.")
    owner: strawberry.ID | None = unset("A User id.")
    territory: strawberry.ID | None = unset("A Territory id.")
    source: Source | None = unset("Where it came from.")
    campaign: str | None = unset("The campaign it came from.")


@strawberry.input(description="A deal a partner registers on one of its accounts.")
class DealRegisterInput:
    account: strawberry.ID | None = unset("An Account id registered to your partner (required).")
    name: str | None = unset("Name (required).")
    amount: Decimal | None = unset("Expected value.")
    currency: str | None = unset("ISO 4217 code; default EUR.")
    close_date: date | None = unset("Expected close date.")


@strawberry.input(description="Sales' decision on a registered deal.")
class DealDecisionInput:
    id: strawberry.ID = strawberry.field(description="The registered deal.")
    version: int = strawberry.field(description="The version you last read.")
    reason: str | None = strawberry.field(default=None, description="Why; kept on a rejection.")


@strawberry.input(description="A contact's part in a deal.")
class OpportunityContactRoleInput:
    opportunity_id: strawberry.ID = strawberry.field(description="The deal.")
    contact_id: strawberry.ID = strawberry.field(description="The contact.")
    role: Role | None = strawberry.field(default=None,
                                         description="The part; null takes the contact off.")


@strawberry.type(description="The result of a deal mutation.")
class OpportunityPayload:
    opportunity: Opportunity | None = strawberry.field(
        default=None, description="The deal as it is now; null when nothing was written.")
    errors: list[UserError] = payload_errors_field()

