"""Pipeline and Stage: the ordered steps a deal goes through."""

from __future__ import annotations

import strawberry

from api.schema.declared_fields import declared
from api.schema.fields import child_list, node_id, record_type
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
    stages: list[Stage] | None = child_list("stages", "Stage", "The stages, in order.")
