"""Case: a customer's question, problem, wish or complaint, with its SLA clock and its work."""

from __future__ import annotations

from datetime import datetime

import strawberry

from api.schema.custom_values import CustomValueInput, custom_values_input
from api.schema.declared_fields import declared
from api.schema.errors import UserError
from api.schema.fields import child_list, node_id, record_type
from api.schema.filters import order_input
from api.schema.operational.activities import MessageVisibility
from api.schema.operational.inputs import payload_errors_field, unset
from api.schema.operational.sla import Priority
from api.schema.record_inputs import record_filter, record_order_field
from api.schema.relay import Record
from domain.cases import CaseChannel, CaseStatus, CaseType
from domain.sla import Level, Metric
from persistence.cases import CASE, CASE_ARTICLE, CASE_QUEUE, ESCALATION, TIME_ENTRY

Type = strawberry.enum(CaseType, description="QUESTION, PROBLEM, FEATURE_REQUEST or COMPLAINT.")
Status = strawberry.enum(CaseStatus, description="Where a case stands in its state machine.")
Channel = strawberry.enum(CaseChannel, description="How the case came in.")
SlaMetric = strawberry.enum(Metric, description="FIRST_RESPONSE or RESOLUTION.")
SlaLevel = strawberry.enum(Level, description="AT_RISK (before the target) or BREACHED.")


@record_type("CaseQueue")
@strawberry.type(description="A team that works cases, e.g. Billing or Second level.")
@declared(CASE_QUEUE)
class CaseQueue(Record):
    id: strawberry.ID = node_id("CaseQueue")


@record_type("TimeEntry")
@strawberry.type(description="Time someone spent on a case.")
@declared(TIME_ENTRY)
class TimeEntry:
    data: strawberry.Private[dict]



@record_type("CaseEscalation")
@strawberry.type(description="A moment of a case's SLA that escalation acted on.")
@declared(ESCALATION)
class CaseEscalation:
    data: strawberry.Private[dict]



@record_type("CaseArticle")
@strawberry.type(description="A knowledge article used to solve a case.")
@declared(CASE_ARTICLE)
class CaseArticle:
    data: strawberry.Private[dict]



@record_type("Case")
@strawberry.type(description="A customer's question, problem, wish or complaint, with its "
                             "conversation, the work on it and its SLA clock.")
@declared(CASE)
class Case(Record):
    id: strawberry.ID = node_id("Case")
    articles: list[CaseArticle] | None = child_list(
        "articles", "CaseArticle", "Knowledge articles used to solve it.")
    time_entries: list[TimeEntry] | None = child_list(
        "timeEntries", "TimeEntry", "Time spent on it, oldest first.")
    escalations: list[CaseEscalation] | None = child_list(
        "escalations", "CaseEscalation", "What escalation did, oldest first.")


CaseFilter = record_filter(CASE, Case)
CaseOrderField = record_order_field(CASE)


CaseOrder = order_input(CaseOrderField, "CaseOrder")


@strawberry.input(description="A new case. A customer opens one for itself: contact is its own.")
class CaseCreateInput:
    subject: str | None = unset("Subject (required).")
    description: str | None = unset("What the customer wrote.")
    type: Type | None = unset("Default QUESTION.")
    priority: Priority | None = unset("Default NORMAL.")
    channel: Channel | None = unset("Default WEB (PORTAL for customers).")
    contact: strawberry.ID | None = unset("A Contact id (or give an account).")
    account: strawberry.ID | None = unset("An Account id (or give a contact).")
    assignee: strawberry.ID | None = unset("A User id.")
    queue: strawberry.ID | None = unset("A CaseQueue id.")
    product: strawberry.ID | None = unset("A Product id.")
    opened_at: datetime | None = unset("When it came in, e.g. the email's date; default now.")
    custom_fields: list[CustomValueInput] | None = custom_values_input(creating=True)


@strawberry.input(description="Changes to a case; fields left out stay as they are. A new "
                              "priority recomputes the SLA due times.")
class CaseUpdateInput:
    id: strawberry.ID = strawberry.field(description="The case.")
    version: int = strawberry.field(description="The version you last read.")
    subject: str | None = unset("Subject.")
    description: str | None = unset("Description.")
    type: Type | None = unset("Type.")
    priority: Priority | None = unset("Priority.")
    channel: Channel | None = unset("Channel.")
    assignee: strawberry.ID | None = unset("A User id; null unassigns.")
    queue: strawberry.ID | None = unset("A CaseQueue id.")
    product: strawberry.ID | None = unset("A Product id.")
    custom_fields: list[CustomValueInput] | None = custom_values_input(creating=False)


@strawberry.input(description="Move a case to another status.")
class CaseStatusInput:
    id: strawberry.ID = strawberry.field(description="The case.")
    version: int = strawberry.field(description="The version you last read.")
    status: Status = strawberry.field(description="The new status.")


@strawberry.input(description="A reply to the customer or an internal comment on a case.")
class CaseReplyInput:
    case: strawberry.ID = strawberry.field(description="The case.")
    body: str = strawberry.field(description="The message.")
    visibility: MessageVisibility | None = strawberry.field(
        default=None, description="INTERNAL (default for staff) or CUSTOMER; customers always "
                                  "write CUSTOMER.")


@strawberry.input(description="Time spent on a case.")
class CaseTimeInput:
    case: strawberry.ID = strawberry.field(description="The case.")
    minutes: int = strawberry.field(description="More than 0, at most 1440.")
    note: str | None = strawberry.field(default=None, description="What was done.")


@strawberry.input(description="Link a knowledge article to a case, or unlink it.")
class CaseArticleInput:
    case: strawberry.ID = strawberry.field(description="The case.")
    article: strawberry.ID = strawberry.field(description="The Article.")
    linked: bool = strawberry.field(default=True, description="false unlinks it.")


@strawberry.type(description="The result of a case mutation.")
class CasePayload:
    case: Case | None = strawberry.field(
        default=None, description="As it is now; after reopening a case past its window, the "
                                  "new follow-up case.")
    errors: list[UserError] = payload_errors_field()


@strawberry.input(description="A new queue, or changes to one (with id and version).")
class CaseQueueInput:
    id: strawberry.ID | None = unset("The queue to change.")
    version: int | None = unset("Its version, to change it.")
    name: str | None = unset("Name, unique (required to create).")
    description: str | None = unset("What the team handles.")
    active: bool | None = unset("false: it takes no new cases.")


@strawberry.type(description="The result of a queue mutation.")
class CaseQueuePayload:
    case_queue: CaseQueue | None = strawberry.field(default=None, description="As it is now.")
    errors: list[UserError] = payload_errors_field()


@strawberry.type(description="What one run of escalation did.")
class EscalationRunResult:
    cases: int = strawberry.field(description="Cases looked at.")
    at_risk: int = strawberry.field(description="Targets newly flagged at risk.")
    breached: int = strawberry.field(description="Targets newly breached.")
    failed: int = strawberry.field(description="Cases that could not be escalated: each is "
                                               "logged with its id and tried again next run.")
