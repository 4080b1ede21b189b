"""The lead funnel: lead → qualified → converted → opportunity → won, per group."""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Annotated

import strawberry

from api.resolvers.common import arguments_checked
from api.schema.analytical import rate
from api.schema.reads import Reads
from api.schema.relay import arg
from domain.ids import to_global_id
from domain.values import check_date_window
from persistence.funnel import GROUP_READS, READS, STEPS, FunnelGroup
from persistence.funnel import funnel as funnel_rows

Group = strawberry.enum(FunnelGroup, description="What the funnel is split by: the lead's "
                        "source, campaign, owner or territory.")


@strawberry.enum(description="A step of the funnel, in order.")
class FunnelStepName(Enum):
    LEAD = strawberry.enum_value("lead", description="Created in the window.")
    QUALIFIED = strawberry.enum_value("qualified", description="Became QUALIFIED, or was "
                                                               "converted.")
    CONVERTED = strawberry.enum_value("converted", description="Converted.")
    OPPORTUNITY = strawberry.enum_value("opportunity", description="Its conversion opened a "
                                                                   "deal (still live).")
    WON = strawberry.enum_value("won", description="That deal was won.")


@strawberry.type(description="How many leads reached one step, and how fast.")
class FunnelStep:
    step: FunnelStepName = strawberry.field(description="The step.")
    count: int = strawberry.field(description="Leads that reached it.")
    conversion_rate: float | None = strawberry.field(
        description="count / the step before's count; null for LEAD, or after a step none "
                    "reached.")
    overall_rate: float | None = strawberry.field(
        description="count / leads; null when there are no leads.")
    median_days: float | None = strawberry.field(
        description="Median days from the step before to this one, over the leads that "
                    "reached it; null for LEAD and when none did.")


@strawberry.type(description="The funnel of one group of leads.")
class FunnelGroupStats:
    key: str | None = strawberry.field(
        description="The group's value: the source or campaign name, or the owner's or "
                    "territory's id; null for leads without one, and when not grouped.")
    steps: list[FunnelStep] = strawberry.field(description="Each step, in order.")


def _group(row: dict, group: FunnelGroup | None) -> FunnelGroupStats:
    steps, before = [], None
    for name in STEPS:
        count = row[name]
        steps.append(FunnelStep(
            step=FunnelStepName(name), count=count,
            conversion_rate=None if before is None else rate(count, before),
            overall_rate=rate(count, row["lead"]),
            median_days=None if before is None or row[f"{name}_days"] is None
            else round(row[f"{name}_days"], 4)))
        before = count
    key = row["key"]
    if key is not None and group in (FunnelGroup.OWNER, FunnelGroup.TERRITORY):
        key = to_global_id("User" if group is FunnelGroup.OWNER else "Territory", key)
    return FunnelGroupStats(key=key, steps=steps)


@strawberry.type
class FunnelQueries:
    @strawberry.field(description="Of the leads created from `from` to `to` that you may read: "
                                  "how many reached each step, the conversion from step to "
                                  "step, and the median days each step took; per group if "
                                  "`groupBy` is given.",
                      extensions=[Reads(always=READS, values={"groupBy": GROUP_READS})])
    async def funnel(
        self, info: strawberry.Info,
        from_: Annotated[date, strawberry.argument(name="from", description="First day.")],
        to: Annotated[date, arg("Last day.")],
        group_by: Annotated[Group | None, arg("Split by this; one group if not given.")] = None,
    ) -> list[FunnelGroupStats]:
        ctx = info.context
        with arguments_checked():
            check_date_window(from_, to)
        group = None if group_by is None else FunnelGroup(group_by)
        rows = await funnel_rows(ctx.analytics_reader, ctx.access, from_, to, group)
        return [_group(r, group) for r in rows]
