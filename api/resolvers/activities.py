"""activity, timeline, myCalendar, overdueTasks, callScripts, and the activity mutations."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from api.resolvers.common import (
    arguments_checked,
    decode_query_id,
    fixed_page,
    get_record,
    mutate,
    page_of,
    save_record,
)
from api.schema import forms
from api.schema.errors import coded_error, user_errors
from api.schema.fields import wrap
from api.schema.ids import from_global_id, parse_id
from api.schema.operational.activities import (
    Activity,
    ActivityLogInput,
    ActivityPayload,
    ActivityUpdateInput,
    CalendarFeedPayload,
    CallScript,
    CallScriptInput,
    CallScriptPayload,
    Kind,
)
from api.schema.operational.inputs import ArchiveInput, field_values
from api.schema.reads import Reads
from api.schema.relay import After, Connection, First, NodeId, arg
from domain.activities import REFERENCES, ActivityKind
from domain.errors import DomainError, ErrorCode
from domain.filters import Condition, Op, OrderTerm
from domain.services import activities as service
from domain.values import check_date_window
from persistence.calendar import TIMELINE_TYPES, calendar_rows, overdue_scope, timeline_scope

# What a calendar and the overdue tasks select activities by.
CALENDAR_READS = ("Activity.kind", "Activity.startsAt", "Activity.endsAt", "Activity.owner",
                  "Activity.attendees", "Activity.status", "Activity.assignee", "Activity.dueAt")
OVERDUE_READS = ("Activity.kind", "Activity.status", "Activity.assignee", "Activity.dueAt")
TIMELINE = forms.Timeline(order=(OrderTerm("at", descending=True),))
OVERDUE = forms.Overdue(order=(OrderTerm("dueAt"),))
CALL_SCRIPTS = forms.Page("CallScript", (OrderTerm("name"),))


def _attendees(ids: list[str]) -> list[tuple[str, object]]:
    """(type, id) of each attendee, a User or a Contact; every bad id is reported."""
    people, problems = [], []
    for index, global_id in enumerate(ids):
        try:
            raw = parse_id(global_id, ("User", "Contact"), f"attendees[{index}]")
            people.append((from_global_id(global_id)[0], raw))
        except DomainError as exc:
            problems.extend(exc.problems)
    if problems:
        raise DomainError(*problems)
    return people


def _activity_values(data) -> dict:
    values = field_values(data, REFERENCES)
    if values.get("attendees") is not None:
        values["attendees"] = _attendees(values["attendees"])
    return values


def _script_values(values: dict) -> dict:
    if values.get("questions") is not None:
        values["questions"] = [{"question": q.question, "answers": list(q.answers)}
                               for q in values["questions"]]
    return values


@strawberry.type
class ActivityQueries:
    @strawberry.field(description="An activity by id; null when there is none you may see.",
                      metadata=forms.compiled(forms.ById("Activity")))
    async def activity(self, info: strawberry.Info, id: NodeId) -> Activity | None:
        return await get_record(info, "Activity", id)

    @strawberry.field(description="A contact's, account's, lead's, deal's, case's or order's "
                                  "history, newest first; an account's includes its contacts' "
                                  "and deals'. Null when there is no such record you may see.",
                      extensions=[Reads(arguments={"kinds": ("Activity.kind",)})],
                      metadata=forms.compiled(TIMELINE))
    async def timeline(
        self, info: strawberry.Info, record_id: Annotated[strawberry.ID, arg("The record.")],
        first: First = None, after: After = None,
        kinds: Annotated[list[Kind] | None, arg("Only these kinds of activity.")] = None,
    ) -> Connection[Activity] | None:
        type_name, raw = decode_query_id(record_id)
        if type_name not in TIMELINE_TYPES:
            return None
        if await info.context.loaders.by_id(type_name).load(raw) is None:
            return None
        condition = Condition("kind", Op.IN, [k.value for k in kinds]) if kinds else None
        return await page_of(info, "Activity", (first, after, None, None), condition,
                             list(TIMELINE.order), scope=timeline_scope(type_name, raw))

    @strawberry.field(description="Your meetings (organised or attended) and open tasks due "
                                  "from `from` to `to`, by time.",
                      extensions=[Reads(always=CALENDAR_READS)],
                      metadata=forms.compiled(forms.Calendar()))
    async def my_calendar(
        self, info: strawberry.Info,
        from_: Annotated[datetime, strawberry.argument(name="from", description="Start.")],
        to: Annotated[datetime, arg("End (exclusive).")],
    ) -> list[Activity]:
        ctx = info.context
        if ctx.access.user_id is None:
            raise coded_error("Only staff users have a calendar.", ErrorCode.FORBIDDEN.value)
        with arguments_checked():
            check_date_window(from_.date(), to.date())
        rows = await calendar_rows(ctx.reader, ctx.access, ctx.access.user_id, from_, to)
        return [wrap("Activity", r) for r in rows]

    @strawberry.field(description="Open tasks past their due time, earliest first, of one "
                                  "assignee (default: you).",
                      extensions=[Reads(always=OVERDUE_READS)], metadata=forms.compiled(OVERDUE))
    async def overdue_tasks(
        self, info: strawberry.Info,
        assignee: Annotated[strawberry.ID | None, arg("A User id.")] = None,
        first: First = None, after: After = None,
    ) -> Connection[Activity]:
        with arguments_checked():
            user = (parse_id(assignee, "User", "assignee") if assignee
                    else info.context.access.user_id)
            if user is None:
                raise DomainError.one("assignee", ErrorCode.INVALID,
                                      "Only staff users have tasks: name an assignee.")
        return await page_of(info, "Activity", (first, after, None, None), None,
                             list(OVERDUE.order), scope=overdue_scope(user))

    @strawberry.field(description="Call scripts for telesales, by name.",
                      metadata=forms.compiled(CALL_SCRIPTS))
    async def call_scripts(self, info: strawberry.Info, first: First = None,
                           after: After = None) -> Connection[CallScript]:
        return await fixed_page(info, CALL_SCRIPTS, first, after)


@strawberry.type
class ActivityMutations:
    @strawberry.mutation(description="Log a call, email, meeting, task or note.")
    async def activity_log(self, info: strawberry.Info,
                           input: Annotated[ActivityLogInput, arg("The activity.")]
                           ) -> ActivityPayload:
        ctx = info.context

        async def action():
            values = _activity_values(input)
            kind = ActivityKind(values.pop("kind"))
            return await service.log_activity(kind, values, ctx.uow(), ctx.access,
                                              ctx.clock())

        return await mutate(info, ActivityPayload, "activity", "Activity", action)

    @strawberry.mutation(description="Change an activity, e.g. complete a task (status DONE).")
    async def activity_update(self, info: strawberry.Info,
                              input: Annotated[ActivityUpdateInput, arg("The changes.")]
                              ) -> ActivityPayload:
        ctx = info.context

        async def action():
            return await service.update_activity(parse_id(input.id, "Activity"), input.version,
                                                 _activity_values(input), ctx.uow(), ctx.access)

        return await mutate(info, ActivityPayload, "activity", "Activity", action)

    @strawberry.mutation(description="Archive an activity; a comment: commentArchive.")
    async def activity_archive(self, info: strawberry.Info,
                               input: Annotated[ArchiveInput, arg("The activity.")]
                               ) -> ActivityPayload:
        ctx = info.context
        return await mutate(info, ActivityPayload, "activity", "Activity",
                            lambda: service.archive_activity(parse_id(input.id, "Activity"),
                                                             input.version, ctx.uow(),
                                                             ctx.access))

    @strawberry.mutation(description="A new secret address for your iCalendar feed.")
    async def calendar_feed_reset(self, info: strawberry.Info) -> CalendarFeedPayload:
        try:
            secret = await service.reset_calendar_feed(info.context.uow(), info.context.access)
        except DomainError as exc:
            return CalendarFeedPayload(errors=user_errors(exc))
        return CalendarFeedPayload(url=f"/calendar/{secret}.ics", errors=[])

    @strawberry.mutation(description="Admins: create a call script, or change one.")
    async def call_script_save(self, info: strawberry.Info,
                               input: Annotated[CallScriptInput, arg("The script.")]
                               ) -> CallScriptPayload:
        return await save_record(info, service.CALL_SCRIPT, input, CallScriptPayload, "script",
                                 prepare=_script_values)

