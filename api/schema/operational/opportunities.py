"""Opportunity: a deal on an account, moving through the stages of a pipeline."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import strawberry

from api.schema.custom_values import CustomValueInput, custom_values_input
from api.schema.declared_fields import declared
from api.schema.errors import UserError
from api.schema.fields import actor, child_list, node_id, record_type
from api.schema.filters import (
    order_input,
)
from api.schema.operational.inputs import payload_errors_field, unset
from api.schema.record_inputs import record_filter, record_order_field
from api.schema.relay import Record
from domain.opportunities import ContactRole, OpportunitySource, Registration
from persistence.opportunities import OPPORTUNITY, OPPORTUNITY_CONTACT, STAGE_CHANGE

Source = strawberry.enum(OpportunitySource, description="Where a deal came from.")
Role = strawberry.enum(ContactRole, description="The part a contact plays in a deal.")
RegistrationStatus = strawberry.enum(
    Registration, name="RegistrationStatus",
    description="Sales' decision on a deal a partner registered.")


@record_type("StageChange")
@strawberry.type(description="One move of a deal between stages; time in stage follows from them.")
@declared(STAGE_CHANGE)
class StageChange:
    data: strawberry.Private[dict]

    actor: strawberry.ID | None = actor("Global id of who moved it.")


@record_type("OpportunityContactRole")
@strawberry.type(description="A contact's part in a deal.")
@declared(OPPORTUNITY_CONTACT)
class OpportunityContactRole:
    data: strawberry.Private[dict]



@record_type("Opportunity")
@strawberry.type(description="A deal: an amount the company expects to win from an account.")
@declared(OPPORTUNITY)
class Opportunity(Record):
    id: strawberry.ID = node_id("Opportunity")
    stage_history: list[StageChange] | None = child_list(
        "stageHistory", "StageChange", "Every stage it has been in, oldest first.")
    contact_roles: list[OpportunityContactRole] | None = child_list(
        "contactRoles", "OpportunityContactRole", "The people involved and their parts.")


OpportunityFilter = record_filter(OPPORTUNITY, Opportunity)
OpportunityOrderField = record_order_field(OPPORTUNITY)


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
    custom_fields: list[CustomValueInput] | None = custom_values_input(creating=True)


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
    custom_fields: list[CustomValueInput] | None = custom_values_input(creating=False)


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

