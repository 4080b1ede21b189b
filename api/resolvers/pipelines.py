"""The mutations that edit pipelines and stages, and move a stage's deals. Admins only."""

from __future__ import annotations

from typing import Annotated

import strawberry

from api.resolvers.common import mutate, reread
from api.schema.errors import user_errors
from api.schema.ids import parse_id
from api.schema.operational.inputs import ArchiveInput, field_values
from api.schema.operational.pipelines import (
    PipelineCreateInput,
    PipelinePayload,
    PipelineReorderInput,
    PipelineReorderPayload,
    PipelineUpdateInput,
    StageCreateInput,
    StageMoveDealsInput,
    StageMoveDealsPayload,
    StagePayload,
    StageReorderInput,
    StageUpdateInput,
)
from api.schema.relay import arg
from domain.errors import DomainError
from domain.services import pipelines
from domain.services.opportunities import move_stage_deals

STAGE_REFERENCES = dict(pipelines.STAGE.references)
PAYLOADS = {"Pipeline": (PipelinePayload, "pipeline"), "Stage": (StagePayload, "stage")}


def _run(info: strawberry.Info, type_name: str, action):
    payload, field = PAYLOADS[type_name]
    return mutate(info, payload, field, type_name, action)


def _at_version(info: strawberry.Info, type_name: str, use_case, input, *values):
    """Run a use case on the record the input names, at the version the caller read."""
    ctx = info.context
    return _run(info, type_name, lambda: use_case(
        parse_id(input.id, type_name), input.version, *values, ctx.uow(), ctx.access))


@strawberry.type
class PipelineMutations:
    @strawberry.mutation(description="Add a pipeline, with no stages yet. Admins only.")
    async def pipeline_create(
        self, info: strawberry.Info, input: Annotated[PipelineCreateInput, arg("The new pipeline.")],
    ) -> PipelinePayload:
        ctx = info.context
        return await _run(info, "Pipeline", lambda: pipelines.create_pipeline(
            field_values(input, {}), ctx.uow(), ctx.access))

    @strawberry.mutation(description="Rename a pipeline or change its kind. Admins only.")
    async def pipeline_update(
        self, info: strawberry.Info,
        input: Annotated[PipelineUpdateInput, arg("The pipeline, its version, and the changes.")],
    ) -> PipelinePayload:
        return await _at_version(info, "Pipeline", pipelines.update_pipeline, input,
                                 field_values(input, {}))

    @strawberry.mutation(description="Put the live pipelines in a new order. Admins only.")
    async def pipeline_reorder(
        self, info: strawberry.Info,
        input: Annotated[PipelineReorderInput, arg("Every live pipeline, in the new order.")],
    ) -> PipelineReorderPayload:
        ctx = info.context
        try:
            ids = await pipelines.reorder_pipelines(
                [parse_id(id, "Pipeline", "ids") for id in input.ids], ctx.uow(), ctx.access)
        except DomainError as exc:
            return PipelineReorderPayload(errors=user_errors(exc))
        return PipelineReorderPayload(pipelines=[await reread(info, "Pipeline", id) for id in ids])

    @strawberry.mutation(description="Archive a pipeline that holds no open deal, and its "
                                     "stages; closed deals keep them. Admins only.")
    async def pipeline_archive(
        self, info: strawberry.Info, input: Annotated[ArchiveInput, arg("The pipeline and version.")],
    ) -> PipelinePayload:
        return await _at_version(info, "Pipeline", pipelines.archive_pipeline, input)

    @strawberry.mutation(description="Add a stage to a pipeline. Admins only.")
    async def stage_create(
        self, info: strawberry.Info, input: Annotated[StageCreateInput, arg("The new stage.")],
    ) -> StagePayload:
        ctx = info.context
        return await _run(info, "Stage", lambda: pipelines.create_stage(
            field_values(input, STAGE_REFERENCES), ctx.uow(), ctx.access))

    @strawberry.mutation(description="Rename a stage, or change its default probability or its "
                                     "kind (only while no deal is in it). Admins only.")
    async def stage_update(
        self, info: strawberry.Info,
        input: Annotated[StageUpdateInput, arg("The stage, its version, and the changes.")],
    ) -> StagePayload:
        return await _at_version(info, "Stage", pipelines.update_stage, input,
                                 field_values(input, {}))

    @strawberry.mutation(description="Put a pipeline's live stages in a new order. Admins only.")
    async def stage_reorder(
        self, info: strawberry.Info,
        input: Annotated[StageReorderInput, arg("The pipeline and its stages in the new order.")],
    ) -> PipelinePayload:
        ctx = info.context
        return await _run(info, "Pipeline", lambda: pipelines.reorder_stages(
            parse_id(input.pipeline, "Pipeline", "pipeline"),
            [parse_id(id, "Stage", "ids") for id in input.ids], ctx.uow(), ctx.access))

    @strawberry.mutation(description="Archive a stage that holds no open deal; closed deals keep "
                                     "it, and no deal moves into it any more. Admins only.")
    async def stage_archive(
        self, info: strawberry.Info, input: Annotated[ArchiveInput, arg("The stage and version.")],
    ) -> StagePayload:
        return await _at_version(info, "Stage", pipelines.archive_stage, input)

    @strawberry.mutation(description="Move every deal of a stage to another live stage, of its "
                                     "pipeline or another, each as opportunityUpdate would: all "
                                     "or none. Admins only.")
    async def stage_move_deals(
        self, info: strawberry.Info,
        input: Annotated[StageMoveDealsInput, arg("The stage to empty and where its deals go.")],
    ) -> StageMoveDealsPayload:
        ctx = info.context
        try:
            to = parse_id(input.to, "Stage", "to")
            moved = await move_stage_deals(parse_id(input.from_, "Stage", "from"), to,
                                           input.close_reason, ctx.uow(), ctx.access, ctx.clock())
        except DomainError as exc:
            return StageMoveDealsPayload(errors=user_errors(exc))
        return StageMoveDealsPayload(stage=await reread(info, "Stage", to), moved=moved)
