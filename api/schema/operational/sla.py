"""BusinessCalendar and SlaPolicy: the service levels, kept as data."""

from __future__ import annotations

import strawberry

from api.schema import forms
from api.schema.declared_fields import declared
from api.schema.errors import UserError
from api.schema.fields import column, node_id, record_type
from api.schema.operational.inputs import payload_errors_field, unset
from api.schema.relay import Record
from domain.cases import CasePriority
from domain.sla import BreachAction
from persistence.sla import CALENDAR, SLA_POLICY

OnBreach = strawberry.enum(BreachAction, description="What escalation does at a breach.")
Priority = strawberry.enum(CasePriority, description="LOW, NORMAL, HIGH or URGENT.")


@strawberry.type(description="Working hours on one weekday, in the calendar's time zone.")
class WorkingHours:
    day: str = strawberry.field(description="MONDAY … SUNDAY.")
    start: str = strawberry.field(description="HH:MM.")
    end: str = strawberry.field(description="HH:MM; 00:00 means midnight at the day's end.")


@strawberry.type(description="A day off.")
class Holiday:
    date: str = strawberry.field(description="YYYY-MM-DD, in the calendar's time zone.")
    name: str | None = strawberry.field(default=None, description="e.g. Christmas Day.")


@strawberry.type(description="The targets for one priority, in business minutes.")
class SlaTarget:
    priority: Priority = strawberry.field(description="The priority they apply to.")
    first_response_minutes: int = strawberry.field(description="First response within.")
    resolution_minutes: int = strawberry.field(description="Resolution within.")


@record_type("BusinessCalendar")
@strawberry.type(description="Working hours in a time zone, and holidays: what business time "
                             "counts.")
@declared(CALENDAR)
class BusinessCalendar(Record):
    id: strawberry.ID = node_id("BusinessCalendar")
    hours: list[WorkingHours] | None = column(
        "Working hours per weekday.", lambda items: [WorkingHours(**h) for h in items],
        form=forms.Json(many=True))
    holidays: list[Holiday] | None = column(
        "Days off.", lambda items: [Holiday(date=h["date"], name=h.get("name")) for h in items],
        form=forms.Json(many=True))


def _targets(items: list[dict]) -> list[SlaTarget]:
    return [SlaTarget(priority=Priority(t["priority"]),
                      first_response_minutes=t["firstResponseMinutes"],
                      resolution_minutes=t["resolutionMinutes"]) for t in items]


@record_type("SlaPolicy")
@strawberry.type(description="Targets per priority in business time, for the cases of a "
                             "product, of an account tier, or (naming neither) all others.")
@declared(SLA_POLICY)
class SlaPolicy(Record):
    id: strawberry.ID = node_id("SlaPolicy")
    targets: list[SlaTarget] | None = column("The targets per priority.", _targets,
                                             form=forms.Json(many=True))


@strawberry.input(description="Working hours on one weekday.")
class WorkingHoursInput:
    day: str = strawberry.field(description="MONDAY … SUNDAY.")
    start: str = strawberry.field(description="HH:MM.")
    end: str = strawberry.field(description="HH:MM, after start; 00:00 is midnight.")


@strawberry.input(description="A day off.")
class HolidayInput:
    date: str = strawberry.field(description="YYYY-MM-DD.")
    name: str | None = strawberry.field(default=None, description="e.g. Christmas Day.")


@strawberry.input(description="A new calendar, or changes to one (with id and version).")
class BusinessCalendarInput:
    id: strawberry.ID | None = unset("The calendar to change.")
    version: int | None = unset("Its version, to change it.")
    name: str | None = unset("Name, unique (required to create).")
    time_zone: str | None = unset("IANA time zone (required to create).")
    hours: list[WorkingHoursInput] | None = unset("Working hours (required to create).")
    holidays: list[HolidayInput] | None = unset("Days off.")


@strawberry.type(description="The result of a calendar mutation.")
class BusinessCalendarPayload:
    business_calendar: BusinessCalendar | None = strawberry.field(
        default=None, description="As it is now.")
    errors: list[UserError] = payload_errors_field()


@strawberry.input(description="The targets for one priority.")
class SlaTargetInput:
    priority: Priority = strawberry.field(description="The priority.")
    first_response_minutes: int = strawberry.field(description="Business minutes, above 0.")
    resolution_minutes: int = strawberry.field(description="Business minutes, above 0.")


@strawberry.input(description="A new SLA policy, or changes to one (with id and version). "
                              "Cases keep the due times they have until their priority "
                              "changes.")
class SlaPolicyInput:
    id: strawberry.ID | None = unset("The policy to change.")
    version: int | None = unset("Its version, to change it.")
    name: str | None = unset("Name, unique (required to create).")
    calendar: strawberry.ID | None = unset("A BusinessCalendar id (required to create).")
    targets: list[SlaTargetInput] | None = unset("One per priority (required to create).")
    at_risk_percent: int | None = unset("1 to 99; default 80.")
    account_tier: str | None = unset("Apply to accounts of this tier.")
    product: strawberry.ID | None = unset("Apply to cases about this Product.")
    position: int | None = unset("Order among equally specific policies; default 0.")
    breach_action: OnBreach | None = unset("Default NONE.")
    escalation_queue: strawberry.ID | None = unset("REASSIGN: a CaseQueue id.")
    escalation_user: strawberry.ID | None = unset("REASSIGN: a User id.")
    active: bool | None = unset("false: it applies to no new case.")


@strawberry.type(description="The result of an SLA policy mutation.")
class SlaPolicyPayload:
    sla_policy: SlaPolicy | None = strawberry.field(default=None, description="As it is now.")
    errors: list[UserError] = payload_errors_field()
