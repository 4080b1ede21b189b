"""case, cases, queues, SLA policies, serviceStats, and the case mutations."""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Annotated

import strawberry

from api.resolvers.common import (
    arguments_checked,
    fixed_page,
    get_record,
    mutate,
    save_record,
)
from api.resolvers.plain import record_list
from api.schema import forms
from api.schema.analytical.service_stats import GroupBy, ServiceFigures, ServiceStats
from api.schema.errors import forbidden_field
from api.schema.ids import parse_id, to_global_id
from api.schema.naming import camel
from api.schema.operational.cases import (
    Case,
    CaseArticleInput,
    CaseCreateInput,
    CaseFilter,
    CaseOrder,
    CasePayload,
    CaseQueue,
    CaseQueueInput,
    CaseQueuePayload,
    CaseReplyInput,
    CaseStatusInput,
    CaseTimeInput,
    CaseUpdateInput,
    EscalationRunResult,
)
from api.schema.operational.inputs import field_values
from api.schema.operational.sla import (
    BusinessCalendar,
    BusinessCalendarInput,
    BusinessCalendarPayload,
    SlaPolicy,
    SlaPolicyInput,
    SlaPolicyPayload,
)
from api.schema.reads import Reads
from api.schema.relay import After, Connection, First, NodeId, arg
from domain.access import Action
from domain.cases import REFERENCES
from domain.filters import OrderTerm
from domain.services import cases as service
from domain.services.escalation import escalate
from domain.values import check_date_window
from persistence.service_stats import GROUPS as SERVICE_STATS_GROUPS
from persistence.service_stats import READS as SERVICE_STATS_READS
from persistence.service_stats import service_stats

CASE_QUEUES = forms.Page("CaseQueue", (OrderTerm("name"),))
BUSINESS_CALENDARS = forms.Page("BusinessCalendar", (OrderTerm("name"),))
SLA_POLICIES = forms.Page("SlaPolicy", (OrderTerm("position"), OrderTerm("name")))
SERVICE_STATS = Reads(always=SERVICE_STATS_READS, values={"groupBy": {
    name: grouping.reads for name, grouping in SERVICE_STATS_GROUPS.items()}})


def _plain(values: dict) -> dict:
    """Nested inputs (hours, holidays, targets) as the plain dicts the domain keeps."""
    def item(obj) -> dict:
        return {camel(k): v.value if isinstance(v, Enum) else v for k, v in vars(obj).items()}

    return {f: [item(i) for i in v] if f in ("hours", "holidays", "targets") and v else v
            for f, v in values.items()}


def _figures(row: dict, group_by: GroupBy) -> ServiceFigures:
    group = (strawberry.ID(to_global_id("CaseQueue", row["group_key"]))
             if group_by is GroupBy.QUEUE and row["group_key"] else None)
    measured = row["sla_measured"]
    return ServiceFigures(
        group=group, group_name=row["group_name"], cases=row["cases"],
        open_cases=row["open_cases"], resolved=row["resolved"],
        median_first_response_minutes=row["median_first_response_minutes"],
        median_resolution_minutes=row["median_resolution_minutes"],
        sla_met_rate=row["sla_met"] / measured if measured else None)


@strawberry.type
class CaseQueries:
    @strawberry.field(description="A case by id; null when there is none you may see.",
                      metadata=forms.compiled(forms.ById("Case")))
    async def case(self, info: strawberry.Info, id: NodeId) -> Case | None:
        return await get_record(info, "Case", id)

    cases: Connection[Case] = record_list(
        "Case", node=Case, filter_input=CaseFilter, order_input=CaseOrder,
        plural="cases", references=REFERENCES,
        description="Cases you may see: a customer its own, a partner those of "
                    "its registered accounts; first/last run from 1 to 100.")

    @strawberry.field(description="Case queues (teams), by name.",
                      metadata=forms.compiled(CASE_QUEUES))
    async def case_queues(self, info: strawberry.Info, first: First = None,
                          after: After = None) -> Connection[CaseQueue]:
        return await fixed_page(info, CASE_QUEUES, first, after)

    @strawberry.field(description="Business calendars, by name.",
                      metadata=forms.compiled(BUSINESS_CALENDARS))
    async def business_calendars(self, info: strawberry.Info, first: First = None,
                                 after: After = None) -> Connection[BusinessCalendar]:
        return await fixed_page(info, BUSINESS_CALENDARS, first, after)

    @strawberry.field(description="SLA policies, in the order they are tried.",
                      metadata=forms.compiled(SLA_POLICIES))
    async def sla_policies(self, info: strawberry.Info, first: First = None,
                           after: After = None) -> Connection[SlaPolicy]:
        return await fixed_page(info, SLA_POLICIES, first, after)

    @strawberry.field(description="Counts, median first-response and resolution times and the "
                                  "SLA-met rate of the cases opened from `from` to `to`: for "
                                  "staff who read the fields counted and grouped by.",
                      extensions=[SERVICE_STATS])
    async def service_stats(
        self, info: strawberry.Info,
        from_: Annotated[date, strawberry.argument(name="from",
                                                   description="First day (UTC) to include.")],
        to: Annotated[date, arg("Last day (UTC) to include.")],
        group_by: Annotated[GroupBy, arg("TYPE, QUEUE, PRIORITY or CHANNEL.")],
    ) -> ServiceStats:
        ctx = info.context
        if not ctx.access.can("Case", Action.REPORT):
            raise forbidden_field("Query", "serviceStats")
        with arguments_checked():
            check_date_window(from_, to)
        totals, groups = await service_stats(ctx.reader, ctx.access, from_, to, group_by.value)
        return ServiceStats(total=_figures(totals, group_by),
                            groups=[_figures(r, group_by) for r in groups])


def _case(info: strawberry.Info, action):
    return mutate(info, CasePayload, "case", "Case", action)


@strawberry.type
class CaseMutations:
    @strawberry.mutation(description="Open a case; its SLA policy and due times are set from "
                                     "its product, its account's tier and its priority.")
    async def case_create(self, info: strawberry.Info,
                          input: Annotated[CaseCreateInput, arg("The case.")]) -> CasePayload:
        ctx = info.context
        return await _case(info, lambda: service.create_case(
            field_values(input, REFERENCES), ctx.uow(), ctx.access, ctx.clock()))

    @strawberry.mutation(description="Change a case; a new priority recomputes its due times.")
    async def case_update(self, info: strawberry.Info,
                          input: Annotated[CaseUpdateInput, arg("The changes.")]
                          ) -> CasePayload:
        ctx = info.context
        return await _case(info, lambda: service.update_case(
            parse_id(input.id, "Case"), input.version, field_values(input, REFERENCES),
            ctx.uow(), ctx.access))

    @strawberry.mutation(description="Move a case along its state machine; a move it does not "
                                     "allow is INVALID_TRANSITION. Reopening a case resolved "
                                     "more than 7 days ago, or a closed one, opens a linked "
                                     "follow-up case, which the payload returns.")
    async def case_status_set(self, info: strawberry.Info,
                              input: Annotated[CaseStatusInput, arg("The case and status.")]
                              ) -> CasePayload:
        ctx = info.context
        return await _case(info, lambda: service.change_status(
            parse_id(input.id, "Case"), input.version, input.status.value, ctx.uow(),
            ctx.access, ctx.clock()))

    @strawberry.mutation(description="Reply to the customer or comment internally on a case.")
    async def case_reply(self, info: strawberry.Info,
                         input: Annotated[CaseReplyInput, arg("The message.")]) -> CasePayload:
        ctx = info.context
        visibility = input.visibility.value if input.visibility else None

        async def action():
            case_id = parse_id(input.case, "Case", "case")
            await service.reply(case_id, input.body, visibility, ctx.uow(), ctx.access,
                                ctx.clock())
            return case_id

        return await _case(info, action)

    @strawberry.mutation(description="Log time spent on a case.")
    async def case_time_log(self, info: strawberry.Info,
                            input: Annotated[CaseTimeInput, arg("The time entry.")]
                            ) -> CasePayload:
        ctx = info.context
        return await _case(info, lambda: service.log_time(
            parse_id(input.case, "Case", "case"), input.minutes, input.note, ctx.uow(),
            ctx.access, ctx.clock()))

    @strawberry.mutation(description="Link a knowledge article to a case, or unlink it.")
    async def case_article_link(self, info: strawberry.Info,
                                input: Annotated[CaseArticleInput, arg("The link.")]
                                ) -> CasePayload:
        ctx = info.context
        return await _case(info, lambda: service.link_article(
            parse_id(input.case, "Case", "case"), parse_id(input.article, "Article", "article"),
            input.linked, ctx.uow(), ctx.access))

    @strawberry.mutation(description="Admins: create a case queue, or change one.")
    async def case_queue_save(self, info: strawberry.Info,
                              input: Annotated[CaseQueueInput, arg("The queue.")]
                              ) -> CaseQueuePayload:
        return await save_record(info, service.QUEUE, input, CaseQueuePayload, "case_queue")

    @strawberry.mutation(description="Admins: create a business calendar, or change one.")
    async def business_calendar_save(
        self, info: strawberry.Info,
        input: Annotated[BusinessCalendarInput, arg("The calendar.")],
    ) -> BusinessCalendarPayload:
        return await save_record(info, service.CALENDAR, input, BusinessCalendarPayload,
                                 "business_calendar", _plain)

    @strawberry.mutation(description="Admins: create an SLA policy, or change one.")
    async def sla_policy_save(self, info: strawberry.Info,
                              input: Annotated[SlaPolicyInput, arg("The policy.")]
                              ) -> SlaPolicyPayload:
        return await save_record(info, service.SLA_POLICY, input, SlaPolicyPayload,
                                 "sla_policy", _plain)

    @strawberry.mutation(description="Admins: run escalation now, as the server does "
                                     "periodically; a second run finds nothing new.")
    async def escalation_run(self, info: strawberry.Info) -> EscalationRunResult:
        ctx = info.context
        if not ctx.access.can("Case", Action.ESCALATE):
            raise forbidden_field("Mutation", "escalationRun")
        run = await escalate(ctx.uow(), ctx.clock())
        return EscalationRunResult(cases=run.cases, at_risk=run.at_risk, breached=run.breached,
                                   failed=run.failed)
