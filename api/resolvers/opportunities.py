"""opportunity, opportunities, pipelines, forecast, and the deal mutations."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry

from api.resolvers.common import arguments_checked, fixed_page, get_record, mutate
from api.resolvers.plain import record_list
from api.schema import forms
from api.schema.analytical.forecast import ForecastRow, GroupBy, Period
from api.schema.ids import parse_id, to_global_id
from api.schema.operational.inputs import ArchiveInput, field_values
from api.schema.operational.opportunities import (
    DealDecisionInput,
    DealRegisterInput,
    Opportunity,
    OpportunityContactRoleInput,
    OpportunityCreateInput,
    OpportunityFilter,
    OpportunityOrder,
    OpportunityPayload,
    OpportunityUpdateInput,
)
from api.schema.operational.pipelines import Pipeline
from api.schema.reads import Reads
from api.schema.relay import After, Before, Connection, First, Last, NodeId, arg
from domain.filters import OrderTerm
from domain.opportunities import REFERENCES, ForecastGroup
from domain.services import opportunities as deals
from domain.services.records import archive_record
from domain.values import check_date_window
from persistence.forecast import GROUPS as FORECAST_GROUPS
from persistence.forecast import PERIOD_READS as FORECAST_PERIOD_READS
from persistence.forecast import READS as FORECAST_READS
from persistence.forecast import forecast as forecast_rows

FilterArg = Annotated[OpportunityFilter | None, arg("Which deals to list.")]
OrderArg = Annotated[list[OpportunityOrder] | None,
                     arg("Sort keys, most significant first; default: createdAt.")]
PIPELINES = forms.Page("Pipeline", (OrderTerm("position"), OrderTerm("name")))
GROUP_TYPES = {ForecastGroup.OWNER: "User", ForecastGroup.TERRITORY: "Territory",
               ForecastGroup.PIPELINE: "Pipeline"}


FORECAST = Reads(always=FORECAST_READS, arguments={"period": FORECAST_PERIOD_READS},
                 values={"groupBy": {group.name: grouping.reads
                                     for group, grouping in FORECAST_GROUPS.items()}})


@strawberry.type
class OpportunityQueries:
    @strawberry.field(description="A deal by id; null when there is none you may see.",
                      metadata=forms.compiled(forms.ById("Opportunity")))
    async def opportunity(self, info: strawberry.Info, id: NodeId) -> Opportunity | None:
        return await get_record(info, "Opportunity", id)

    opportunities: Connection[Opportunity] = record_list(
        "Opportunity", node=Opportunity, filter_input=OpportunityFilter, order_input=OpportunityOrder,
        plural="opportunities", references=REFERENCES,
        description="Deals you may see; first/last run from 1 to 100 (default 20).")

    @strawberry.field(description="The sales pipelines, in order, each with its stages.",
                      metadata=forms.compiled(PIPELINES))
    async def pipelines(self, info: strawberry.Info, first: First = None, after: After = None,
                        last: Last = None, before: Before = None) -> Connection[Pipeline]:
        return await fixed_page(info, PIPELINES, first, after, last, before)

    @strawberry.field(description="Open, weighted, committed and won amounts per group and "
                                  "period, by expected close date, from the deals you may see. "
                                  "Needs read access to amounts and to what it groups by.",
                      extensions=[FORECAST])
    async def forecast(
        self, info: strawberry.Info,
        period: Annotated[Period, arg("MONTH or QUARTER.")],
        from_: Annotated[date, strawberry.argument(name="from",
                                                   description="First day to include.")],
        to: Annotated[date, arg("Last day to include.")],
        group_by: Annotated[GroupBy, arg("OWNER, TERRITORY or PIPELINE.")],
    ) -> list[ForecastRow]:
        ctx = info.context
        with arguments_checked():
            check_date_window(from_, to)
        group = ForecastGroup(group_by.value)
        rows = await forecast_rows(ctx.reader, ctx.access, period, from_, to, group)
        return [ForecastRow(
            group=None if r["group_id"] is None else strawberry.ID(
                to_global_id(GROUP_TYPES[group], r["group_id"])),
            group_name=r["group_name"], period_start=r["period"], currency=r["currency"],
            open_amount=r["open_amount"], weighted_amount=r["weighted_amount"],
            committed_amount=r["committed_amount"], won_amount=r["won_amount"],
            deals=r["deals"], won_deals=r["won_deals"]) for r in rows]


def _opportunity(info: strawberry.Info, action):
    return mutate(info, OpportunityPayload, "opportunity", "Opportunity", action)


@strawberry.type
class OpportunityMutations:
    @strawberry.mutation(description="Open a deal on an account.")
    async def opportunity_create(
        self, info: strawberry.Info,
        input: Annotated[OpportunityCreateInput, arg("The new deal.")],
    ) -> OpportunityPayload:
        ctx = info.context
        return await _opportunity(info, lambda: deals.create_opportunity(
            field_values(input, REFERENCES), ctx.uow(), ctx.access, ctx.clock()))

    @strawberry.mutation(description="Change a deal or move it to another stage; won and lost "
                                     "need a closeReason; `version` must be the one you last read.")
    async def opportunity_update(
        self, info: strawberry.Info,
        input: Annotated[OpportunityUpdateInput, arg("The deal, its version, and the changes.")],
    ) -> OpportunityPayload:
        ctx = info.context
        return await _opportunity(info, lambda: deals.update_opportunity(
            parse_id(input.id, "Opportunity"), input.version, field_values(input, REFERENCES),
            ctx.uow(), ctx.access, ctx.clock()))

    @strawberry.mutation(description="Archive a deal: it leaves lists and forecasts but keeps "
                                     "its history.")
    async def opportunity_archive(
        self, info: strawberry.Info, input: Annotated[ArchiveInput, arg("The deal and version.")],
    ) -> OpportunityPayload:
        ctx = info.context
        return await _opportunity(info, lambda: archive_record(
            deals.KIND, parse_id(input.id, "Opportunity"), input.version, ctx.uow(), ctx.access))

    @strawberry.mutation(description="Give a contact a part in a deal, or take it off (role null).")
    async def opportunity_contact_role_set(
        self, info: strawberry.Info,
        input: Annotated[OpportunityContactRoleInput, arg("The deal, the contact, the role.")],
    ) -> OpportunityPayload:
        ctx = info.context
        return await _opportunity(info, lambda: deals.set_contact_role(
            parse_id(input.opportunity_id, "Opportunity", "opportunityId"),
            parse_id(input.contact_id, "Contact", "contactId"), input.role, ctx.uow(),
            ctx.access))

    @strawberry.mutation(description="Partners: register a deal on one of your accounts; it is "
                                     "pending until sales approves it.")
    async def deal_register(
        self, info: strawberry.Info, input: Annotated[DealRegisterInput, arg("The deal.")],
    ) -> OpportunityPayload:
        ctx = info.context
        return await _opportunity(info, lambda: deals.register_deal(
            field_values(input, REFERENCES), ctx.uow(), ctx.access, ctx.clock()))

    @strawberry.mutation(description="Approve a deal a partner registered.")
    async def deal_approve(
        self, info: strawberry.Info, input: Annotated[DealDecisionInput, arg("The deal.")],
    ) -> OpportunityPayload:
        return await _decide(info, input, approve=True)

    @strawberry.mutation(description="Reject a deal a partner registered.")
    async def deal_reject(
        self, info: strawberry.Info, input: Annotated[DealDecisionInput, arg("The deal.")],
    ) -> OpportunityPayload:
        return await _decide(info, input, approve=False)


async def _decide(info: strawberry.Info, input: DealDecisionInput, approve: bool):
    ctx = info.context
    return await _opportunity(info, lambda: deals.decide_registration(
        parse_id(input.id, "Opportunity"), input.version, approve, input.reason, ctx.uow(),
        ctx.access))
