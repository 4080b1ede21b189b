"""Pipeline and Stage: the ordered steps a deal goes through."""

from __future__ import annotations

from typing import Annotated

import strawberry

from api.schema.fields import child_list, column, node_id, record_type, reference
from api.schema.relay import Node, Record
from domain.opportunities import PipelineKind, StageKind

Kind = strawberry.enum(PipelineKind, description="What kind of business a pipeline tracks.")
StageOutcome = strawberry.enum(StageKind, name="StageKind",
                               description="Whether a deal in a stage is open, won or lost.")


@record_type("Stage")
@strawberry.type(description="One step of a pipeline, with the probability a deal in it closes.")
class Stage(Node):
    data: strawberry.Private[dict]

    id: strawberry.ID = node_id("Stage")
    name: str | None = column("Name, unique within its pipeline.")
    position: int | None = column("Place in the pipeline, from 1.")
    probability: int | None = column("Default probability, in percent, of a deal in this stage.")
    kind: StageOutcome | None = column("OPEN, or WON / LOST for the stages that close a deal.")
    version: int | None = column("Optimistic-concurrency version.")
    pipeline: Annotated["Pipeline", strawberry.lazy(__name__)] | None = reference(
        "Pipeline", "The pipeline this stage belongs to.")


@record_type("Pipeline")
@strawberry.type(description="A sales process: its stages in order, e.g. new business or renewal.")
class Pipeline(Record):
    id: strawberry.ID = node_id("Pipeline")
    name: str | None = column("Name, unique across pipelines.")
    kind: Kind | None = column("New business, renewal or upsell.")
    position: int | None = column("Place among the pipelines; the first new-business one is "
                                  "where deals start unless told otherwise.")
    stages: list[Stage] | None = child_list("stages", "Stage", "The stages, in order.")
