"""Pipeline and Stage: the ordered steps a deal goes through, and the inputs and payloads of
the mutations that edit them."""

from __future__ import annotations

import strawberry

from api.schema.declared_fields import declared
from api.schema.errors import UserError
from api.schema.fields import child_list, node_id, record_type
from api.schema.operational.inputs import payload_errors_field, unset
from api.schema.relay import Node, Record
from domain.opportunities import PipelineKind, StageKind
from persistence.opportunities import PIPELINE, STAGE

Kind = strawberry.enum(PipelineKind, description="What kind of business a pipeline tracks.")
StageOutcome = strawberry.enum(StageKind, name="StageKind",
                               description="Whether a deal in a stage is open, won or lost.")


@record_type("Stage")
@strawberry.type(description="One step of a pipeline, with the probability a deal in it closes.")
@declared(STAGE)
class Stage(Node):
    data: strawberry.Private[dict]

    id: strawberry.ID = node_id("Stage")


@record_type("Pipeline")
@strawberry.type(description="A sales process: its stages in order, e.g. new business or renewal.")
@declared(PIPELINE)
class Pipeline(Record):
    id: strawberry.ID = node_id("Pipeline")
    stages: list[Stage] | None = child_list("stages", "Stage", "The live stages, in order.")


@strawberry.input(description="A new pipeline. name and kind are required.")
class PipelineCreateInput:
    name: str | None = unset("Name, unique among the live pipelines (required).")
    kind: Kind | None = unset("New business, renewal or upsell (required).")
    position: int | None = unset("Its place, from 1; default: last. Those after it move down.")


@strawberry.input(description="Changes to a pipeline; its place changes with pipelineReorder.")
class PipelineUpdateInput:
    id: strawberry.ID = strawberry.field(description="The pipeline.")
    version: int = strawberry.field(description="The version you last read; a stale one is refused.")
    name: str | None = unset("Name, unique among the live pipelines.")
    kind: Kind | None = unset("New business, renewal or upsell.")


@strawberry.input(description="The live pipelines in their new order.")
class PipelineReorderInput:
    ids: list[strawberry.ID] = strawberry.field(
        description="Every live pipeline, each once, first first; a list that misses one or "
                    "names an archived one is refused.")


@strawberry.input(description="A new stage of a pipeline. All but position are required.")
class StageCreateInput:
    pipeline: strawberry.ID | None = unset("The Pipeline it belongs to (required).")
    name: str | None = unset("Name, unique among the live stages of the pipeline (required).")
    probability: int | None = unset("Default probability of a deal in it, 0 to 100 (required).")
    kind: StageOutcome | None = unset("OPEN, WON or LOST (required).")
    position: int | None = unset("Its place, from 1; default: last. Those after it move down.")


@strawberry.input(description="Changes to a stage; its place changes with stageReorder.")
class StageUpdateInput:
    id: strawberry.ID = strawberry.field(description="The stage.")
    version: int = strawberry.field(description="The version you last read; a stale one is refused.")
    name: str | None = unset("Name, unique among the live stages of the pipeline.")
    probability: int | None = unset("Default probability, 0 to 100, for deals that enter it "
                                    "from now on; deals in it keep theirs.")
    kind: StageOutcome | None = unset("OPEN, WON or LOST; only while no deal is in it.")


@strawberry.input(description="A pipeline's live stages in their new order.")
class StageReorderInput:
    pipeline: strawberry.ID = strawberry.field(description="The pipeline.")
    ids: list[strawberry.ID] = strawberry.field(
        description="Every live stage of the pipeline, each once, first first; a list that "
                    "misses one or names another is refused.")


@strawberry.input(description="Which stage to empty, and where its deals go.")
class StageMoveDealsInput:
    from_: strawberry.ID = strawberry.field(name="from", description="The stage to empty.")
    to: strawberry.ID = strawberry.field(
        description="A live stage of any pipeline; each deal takes its default probability.")
    close_reason: str | None = strawberry.field(
        default=None, description="For a won or lost `to`: the closeReason of the deals that "
                                  "have none, which are refused (REQUIRED) without it.")


@strawberry.type(description="The result of a pipeline mutation.")
class PipelinePayload:
    pipeline: Pipeline | None = strawberry.field(
        default=None, description="The pipeline as it is now; null when nothing was written.")
    errors: list[UserError] = payload_errors_field()


@strawberry.type(description="The result of pipelineReorder.")
class PipelineReorderPayload:
    pipelines: list[Pipeline] | None = strawberry.field(
        default=None, description="The live pipelines in their new order; null when nothing "
                                  "was written.")
    errors: list[UserError] = payload_errors_field()


@strawberry.type(description="The result of a stage mutation.")
class StagePayload:
    stage: Stage | None = strawberry.field(
        default=None, description="The stage as it is now; null when nothing was written.")
    errors: list[UserError] = payload_errors_field()


@strawberry.type(description="The result of stageMoveDeals.")
class StageMoveDealsPayload:
    stage: Stage | None = strawberry.field(
        default=None, description="The stage the deals went to; null when nothing was written.")
    moved: int = strawberry.field(default=0, description="How many deals moved.")
    errors: list[UserError] = payload_errors_field()
