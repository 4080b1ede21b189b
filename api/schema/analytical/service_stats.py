"""Service statistics: how many cases, how fast they were answered and solved, SLAs met."""

from __future__ import annotations

from enum import Enum

import strawberry


@strawberry.enum(name="ServiceStatsGroupBy", description="What the statistics group cases by.")
class GroupBy(Enum):
    TYPE = "TYPE"
    QUEUE = "QUEUE"
    PRIORITY = "PRIORITY"
    CHANNEL = "CHANNEL"


@strawberry.type(description="Figures over a set of cases opened in the window.")
class ServiceFigures:
    group: strawberry.ID | None = strawberry.field(
        description="QUEUE: the queue's global id; null for totals and other groupings.")
    group_name: str | None = strawberry.field(
        description="The type, priority or channel, or the queue's name; null for totals and "
                    "for cases without a queue.")
    cases: int = strawberry.field(description="Cases opened.")
    open_cases: int = strawberry.field(description="Of them, not yet resolved or closed.")
    resolved: int = strawberry.field(description="Of them, resolved (or closed).")
    median_first_response_minutes: float | None = strawberry.field(
        description="Median first response time, in business minutes; null when none yet.")
    median_resolution_minutes: float | None = strawberry.field(
        description="Median resolution time, in business minutes; null when none yet.")
    sla_met_rate: float | None = strawberry.field(
        description="Cases under an SLA resolved without a breach, over those resolved or "
                    "already breached (0 to 1); null when there are none.")


@strawberry.type(description="Service statistics for a window of days.")
class ServiceStats:
    total: ServiceFigures = strawberry.field(description="All cases in the window.")
    groups: list[ServiceFigures] = strawberry.field(description="One entry per group.")
