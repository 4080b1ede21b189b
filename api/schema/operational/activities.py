"""Activity: a call, logged email, meeting, task or note; call scripts for telesales."""

from __future__ import annotations

from datetime import datetime

import strawberry

from api.schema import forms
from api.schema.declared_fields import declared
from api.schema.errors import UserError
from api.schema.fields import child_list, column, node_id, record_type
from api.schema.operational.inputs import payload_errors_field, unset
from api.schema.relay import Record
from domain.activities import ActivityKind, CallOutcome, Direction, TaskPriority, TaskStatus
from domain.cases import Visibility
from persistence.activities import ACTIVITY, ATTENDEE, CALL_SCRIPT

Kind = strawberry.enum(ActivityKind, description="What kind of activity it is.")
CallDirection = strawberry.enum(Direction, name="Direction", description="Inbound or outbound.")
Outcome = strawberry.enum(CallOutcome, description="How a call went.")
Priority = strawberry.enum(TaskPriority, description="How urgent a task is.")
Status = strawberry.enum(TaskStatus, description="Whether a task is open, done or cancelled.")
MessageVisibility = strawberry.enum(
    Visibility, name="MessageVisibility",
    description="Who reads a message on a case: INTERNAL (staff) or CUSTOMER (the customer too).")


@strawberry.type(description="One question of a call script, with the answers to expect.")
class ScriptQuestion:
    question: str = strawberry.field(description="What to ask.")
    answers: list[str] = strawberry.field(description="Answers to expect, in order.")


def _questions(items: list[dict]) -> list[ScriptQuestion]:
    return [ScriptQuestion(**q) for q in items]


@record_type("CallScript")
@strawberry.type(description="Standard questions and answers for telesales calls.")
@declared(CALL_SCRIPT)
class CallScript(Record):
    id: strawberry.ID = node_id("CallScript")
    questions: list[ScriptQuestion] | None = column("The questions, in order.", _questions,
                                                    form=forms.Json(many=True))


@record_type("Attendee")
@strawberry.type(description="Someone invited to a meeting: a member of staff or a contact.")
@declared(ATTENDEE)
class Attendee:
    data: strawberry.Private[dict]



@record_type("Activity")
@strawberry.type(description="A call, logged email, meeting, task, note or case comment on the "
                             "records it concerns: any of a contact, an account, a lead, a deal "
                             "and a case.")
@declared(ACTIVITY)
class Activity(Record):
    id: strawberry.ID = node_id("Activity")
    attendees: list[Attendee] | None = child_list(
        "attendees", "Attendee", "Meetings: who is invited.")


@strawberry.input(description="An activity to log; which fields apply depends on `kind`.")
class ActivityLogInput:
    kind: Kind = strawberry.field(description="CALL, EMAIL, MEETING, TASK or NOTE (comments: commentCreate).")
    subject: str | None = unset("Subject or title (required for tasks).")
    body: str | None = unset("Text (required for notes).")
    occurred_at: datetime | None = unset("Calls, emails, notes: when; default now.")
    contact: strawberry.ID | None = unset("A Contact id.")
    account: strawberry.ID | None = unset("An Account id.")
    lead: strawberry.ID | None = unset("A Lead id.")
    opportunity: strawberry.ID | None = unset("An Opportunity id.")
    direction: CallDirection | None = unset("Calls and emails.")
    duration_seconds: int | None = unset("Calls: 0 to 86400.")
    outcome: Outcome | None = unset("Calls.")
    call_script: strawberry.ID | None = unset("Calls: a CallScript id.")
    message_id: str | None = unset("Emails.")
    starts_at: datetime | None = unset("Meetings (required) and tasks.")
    ends_at: datetime | None = unset("Meetings (required), after the start.")
    location: str | None = unset("Meetings.")
    attendees: list[strawberry.ID] | None = unset("Meetings: User and Contact ids.")
    due_at: datetime | None = unset("Tasks, not before the start.")
    reminder_at: datetime | None = unset("Tasks, not after the due time.")
    priority: Priority | None = unset("Tasks; default NORMAL.")
    status: Status | None = unset("Tasks; default OPEN.")
    assignee: strawberry.ID | None = unset("Tasks: a User id; default you.")


@strawberry.input(description="Changes to an activity; its kind stays.")
class ActivityUpdateInput:
    id: strawberry.ID = strawberry.field(description="The activity.")
    version: int = strawberry.field(description="The version you last read.")
    subject: str | None = unset("Subject or title.")
    body: str | None = unset("Text.")
    occurred_at: datetime | None = unset("Calls, emails, notes: when.")
    contact: strawberry.ID | None = unset("A Contact id.")
    account: strawberry.ID | None = unset("An Account id.")
    lead: strawberry.ID | None = unset("A Lead id.")
    opportunity: strawberry.ID | None = unset("An Opportunity id.")
    direction: CallDirection | None = unset("Calls and emails.")
    duration_seconds: int | None = unset("Calls.")
    outcome: Outcome | None = unset("Calls.")
    message_id: str | None = unset("Emails.")
    starts_at: datetime | None = unset("Meetings and tasks.")
    ends_at: datetime | None = unset("Meetings.")
    location: str | None = unset("Meetings.")
    attendees: list[strawberry.ID] | None = unset("Meetings: replaces the attendees.")
    due_at: datetime | None = unset("Tasks.")
    reminder_at: datetime | None = unset("Tasks.")
    priority: Priority | None = unset("Tasks.")
    status: Status | None = unset("Tasks: DONE completes it.")
    assignee: strawberry.ID | None = unset("Tasks: a User id.")


@strawberry.type(description="The result of an activity mutation.")
class ActivityPayload:
    activity: Activity | None = strawberry.field(default=None, description="As it is now.")
    errors: list[UserError] = payload_errors_field()


@strawberry.type(description="A new secret address of your calendar feed.")
class CalendarFeedPayload:
    url: str | None = strawberry.field(
        default=None, description="Path of the iCalendar feed, e.g. /calendar/<secret>.ics; "
                                  "subscribe to it from a calendar app. The old one stops working.")
    errors: list[UserError] = payload_errors_field()


@strawberry.input(description="One question of a call script.")
class ScriptQuestionInput:
    question: str = strawberry.field(description="What to ask.")
    answers: list[str] = strawberry.field(default_factory=list, description="Expected answers.")


@strawberry.input(description="A new call script, or changes to one (with id and version).")
class CallScriptInput:
    id: strawberry.ID | None = unset("The script to change.")
    version: int | None = unset("Its version, to change it.")
    name: str | None = unset("Name, unique (required to create).")
    questions: list[ScriptQuestionInput] | None = unset("The questions, in order.")


@strawberry.type(description="The result of a call-script mutation.")
class CallScriptPayload:
    script: CallScript | None = strawberry.field(default=None, description="The script.")
    errors: list[UserError] = payload_errors_field()
