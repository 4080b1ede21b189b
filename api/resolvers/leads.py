"""lead, leads, capture forms, assignment rules, source statistics, and the lead mutations."""

from __future__ import annotations

import uuid
from datetime import date
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
from api.schema.analytical.lead_sources import LeadSourceStats
from api.schema.errors import user_errors
from api.schema.ids import parse_id
from api.schema.operational.inputs import ArchiveInput, field_values
from api.schema.operational.leads import (
    AssignmentRule,
    AssignmentRuleInput,
    AssignmentRulePayload,
    CaptureForm,
    CaptureFormCreateInput,
    CaptureFormKeyInput,
    CaptureFormPayload,
    CaptureFormUpdateInput,
    Lead,
    LeadCaptureInput,
    LeadCapturePayload,
    LeadConvertInput,
    LeadCreateInput,
    LeadFilter,
    LeadOrder,
    LeadPayload,
    LeadRefInput,
    LeadUpdateInput,
)
from api.schema.reads import Reads
from api.schema.relay import After, Connection, First, NodeId, arg
from auth.secrets import hash_secret, new_capture_key
from domain.access import Access
from domain.errors import DomainError
from domain.filters import OrderTerm
from domain.leads import REFERENCES
from domain.ports import UnitOfWork
from domain.services import capture_forms
from domain.services import leads as service
from domain.services.records import archive_record, create_record, update_record
from domain.values import check_date_window
from persistence.lead_stats import READS as LEAD_STATS_READS
from persistence.lead_stats import lead_source_stats

CAPTURE_FORMS = forms.Page("CaptureForm", (OrderTerm("name"),))
ASSIGNMENT_RULES = forms.Page("AssignmentRule", (OrderTerm("position"),))


@strawberry.type
class LeadQueries:
    @strawberry.field(description="A lead by id; null when there is none you may see.",
                      metadata=forms.compiled(forms.ById("Lead")))
    async def lead(self, info: strawberry.Info, id: NodeId) -> Lead | None:
        return await get_record(info, "Lead", id)

    leads: Connection[Lead] = record_list(
        "Lead", node=Lead, filter_input=LeadFilter, order_input=LeadOrder,
        plural="leads", references=REFERENCES,
        description="Leads you may see; first/last run from 1 to 100 (default 20).")

    @strawberry.field(description="The capture forms, by name.",
                      metadata=forms.compiled(CAPTURE_FORMS))
    async def capture_forms(self, info: strawberry.Info, first: First = None,
                            after: After = None) -> Connection[CaptureForm]:
        return await fixed_page(info, CAPTURE_FORMS, first, after)

    @strawberry.field(description="The lead assignment rules, in the order they are tried.",
                      metadata=forms.compiled(ASSIGNMENT_RULES))
    async def assignment_rules(self, info: strawberry.Info, first: First = None,
                               after: After = None) -> Connection[AssignmentRule]:
        return await fixed_page(info, ASSIGNMENT_RULES, first, after)

    @strawberry.field(description="Per source, the leads created from `from` to `to` and how "
                                  "many qualified, converted and won.",
                      extensions=[Reads(always=LEAD_STATS_READS)])
    async def lead_source_stats(
        self, info: strawberry.Info,
        from_: Annotated[date, strawberry.argument(name="from", description="First day.")],
        to: Annotated[date, arg("Last day.")],
    ) -> list[LeadSourceStats]:
        ctx = info.context
        with arguments_checked():
            check_date_window(from_, to)
        rows = await lead_source_stats(ctx.reader, ctx.access, from_, to)
        return [LeadSourceStats(source=r["source"], leads=r["leads"], qualified=r["qualified"],
                                converted=r["converted"], won_deals=r["won_deals"],
                                amounts=r["won_amounts"]) for r in rows]


def _lead(info: strawberry.Info, action):
    return mutate(info, LeadPayload, "lead", "Lead", action)


# The update use cases, as the resolvers and the compiled write path run them.
async def _update_lead(input: LeadUpdateInput, uow: UnitOfWork, access: Access) -> uuid.UUID:
    return await update_record(service.LEAD, parse_id(input.id, "Lead"), input.version,
                               field_values(input, REFERENCES), uow, access)


async def _update_form(input: CaptureFormUpdateInput, uow: UnitOfWork,
                       access: Access) -> uuid.UUID:
    return await update_record(service.CAPTURE_FORM, parse_id(input.id, "CaptureForm"),
                               input.version, field_values(input, {}), uow, access)


async def _with_key(info: strawberry.Info, key: str, action) -> CaptureFormPayload:
    """The form and its new key, shown this once; no key when nothing was written."""
    payload = await mutate(info, CaptureFormPayload, "form", "CaptureForm", action)
    if not payload.errors:
        payload.token = key
    return payload


@strawberry.type
class LeadMutations:
    @strawberry.mutation(description="Capture forms: submit a lead. Needs a capture token.")
    async def lead_capture(
        self, info: strawberry.Info, input: Annotated[LeadCaptureInput, arg("The lead.")],
    ) -> LeadCapturePayload:
        ctx = info.context
        try:
            _, duplicate = await service.capture_lead(field_values(input, {}), ctx.uow(),
                                                      ctx.access)
        except DomainError as exc:
            return LeadCapturePayload(accepted=False, duplicate=False, errors=user_errors(exc))
        return LeadCapturePayload(accepted=True, duplicate=duplicate, errors=[])

    @strawberry.mutation(description="Enter a lead by hand.")
    async def lead_create(self, info: strawberry.Info,
                          input: Annotated[LeadCreateInput, arg("The lead.")]) -> LeadPayload:
        ctx = info.context
        return await _lead(info, lambda: create_record(
            service.LEAD, field_values(input, REFERENCES), ctx.uow(), ctx.access))

    @strawberry.mutation(description="Change a lead; a converted lead no longer changes.",
                         metadata=forms.compiled(forms.Update("Lead", "lead", _update_lead)))
    async def lead_update(self, info: strawberry.Info,
                          input: Annotated[LeadUpdateInput, arg("The changes.")]) -> LeadPayload:
        ctx = info.context
        return await _lead(info, lambda: _update_lead(input, ctx.uow(), ctx.access))

    @strawberry.mutation(description="Archive a lead.")
    async def lead_archive(self, info: strawberry.Info,
                           input: Annotated[ArchiveInput, arg("The lead.")]) -> LeadPayload:
        ctx = info.context
        return await _lead(info, lambda: archive_record(
            service.LEAD, parse_id(input.id, "Lead"), input.version, ctx.uow(), ctx.access))

    @strawberry.mutation(description="Run the assignment rules on a lead again: territory by "
                                     "rule, owner by the territory's round robin.")
    async def lead_assign(self, info: strawberry.Info,
                          input: Annotated[LeadRefInput, arg("The lead.")]) -> LeadPayload:
        ctx = info.context
        return await _lead(info, lambda: service.assign_lead(
            parse_id(input.id, "Lead"), input.version, ctx.uow(), ctx.access))

    @strawberry.mutation(description="Convert a lead into a contact at an account, and "
                                     "optionally a deal, in one step; twice is a CONFLICT.")
    async def lead_convert(self, info: strawberry.Info,
                           input: Annotated[LeadConvertInput, arg("The conversion.")]
                           ) -> LeadPayload:
        ctx = info.context

        def optional(value, type_name, field):
            return None if value is None else parse_id(value, type_name, field)

        return await _lead(info, lambda: service.convert_lead(
            parse_id(input.id, "Lead"), input.version,
            account_id=optional(input.account_id, "Account", "accountId"),
            account_name=input.account_name,
            contact_id=optional(input.contact_id, "Contact", "contactId"),
            deal=None if input.opportunity is None else field_values(input.opportunity, {}),
            uow=ctx.uow(), access=ctx.access, now=ctx.clock(),
            allow_duplicate=input.allow_duplicate))

    @strawberry.mutation(description="Admins: create a capture form and its key.")
    async def capture_form_create(
        self, info: strawberry.Info, input: Annotated[CaptureFormCreateInput, arg("The form.")],
    ) -> CaptureFormPayload:
        ctx = info.context
        key = new_capture_key()
        return await _with_key(info, key, lambda: capture_forms.create_form(
            field_values(input, {}), hash_secret(key), ctx.uow(), ctx.access))

    @strawberry.mutation(description="Admins: give a capture form a new key; the old key stops "
                                     "working within seconds.")
    async def capture_form_key_replace(
        self, info: strawberry.Info, input: Annotated[CaptureFormKeyInput, arg("The form.")],
    ) -> CaptureFormPayload:
        ctx = info.context
        key = new_capture_key()
        return await _with_key(info, key, lambda: capture_forms.replace_key(
            parse_id(input.id, "CaptureForm"), input.version, hash_secret(key), ctx.uow(),
            ctx.access))

    @strawberry.mutation(description="Admins: change a capture form; active false revokes it.",
                         metadata=forms.compiled(forms.Update("CaptureForm", "form",
                                                              _update_form)))
    async def capture_form_update(
        self, info: strawberry.Info, input: Annotated[CaptureFormUpdateInput, arg("The form.")],
    ) -> CaptureFormPayload:
        ctx = info.context
        return await mutate(info, CaptureFormPayload, "form", "CaptureForm",
                            lambda: _update_form(input, ctx.uow(), ctx.access))

    @strawberry.mutation(description="Admins: create an assignment rule, or change one.")
    async def assignment_rule_save(
        self, info: strawberry.Info, input: Annotated[AssignmentRuleInput, arg("The rule.")],
    ) -> AssignmentRulePayload:
        return await save_record(info, service.ASSIGNMENT_RULE, input, AssignmentRulePayload,
                                 "rule")

    @strawberry.mutation(description="Admins: archive an assignment rule.")
    async def assignment_rule_archive(
        self, info: strawberry.Info, input: Annotated[ArchiveInput, arg("The rule.")],
    ) -> AssignmentRulePayload:
        ctx = info.context
        return await mutate(info, AssignmentRulePayload, "rule", "AssignmentRule",
                            lambda: archive_record(service.ASSIGNMENT_RULE,
                                                   parse_id(input.id, "AssignmentRule"),
                                                   input.version, ctx.uow(), ctx.access))

