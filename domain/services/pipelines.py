"""Pipeline and stage use cases: create, change, reorder and archive them.

Every use case that changes positions or the stages' kinds locks the pipeline first
(`uow.opportunities.layout`), then its live stages, so that two admins editing one pipeline
take turns, and a deal cannot enter a stage while it is archived or changes kind.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence

from domain.access import Access, Action
from domain.errors import DomainError, ErrorCode, not_found
from domain.opportunities import StageKind
from domain.pipelines import (
    PipelineLayout,
    inserted,
    renumbered,
    reordered,
    validate_pipeline,
    validate_stage,
)
from domain.ports import UnitOfWork
from domain.services.records import (
    RecordKind,
    check_references,
    insert_audited,
    lock_at_version,
    require_action,
    require_create,
    require_writable_fields,
    stateless,
    update_audited,
    update_record,
)

PIPELINE = RecordKind("Pipeline", stateless(validate_pipeline), {})
STAGE = RecordKind("Stage", stateless(validate_stage), {"pipeline": "Pipeline"})


async def _reposition(uow: UnitOfWork, type_name: str, positions: Mapping,
                      current: Mapping) -> None:
    """Write the new positions, each with its own audit entry and version."""
    for id, place in positions.items():
        await update_audited(uow, type_name, id, {"position": current.get(id)},
                             {"position": place}, "reorder")


async def _archive(uow: UnitOfWork, type_name: str, id: uuid.UUID,
                   parent_id: uuid.UUID | None = None) -> None:
    await uow.records.archive(type_name, id)
    await uow.audit.record(type_name, id, "archive", {"archived": (False, True)},
                           parent_id=parent_id)


async def _layout(uow: UnitOfWork, pipeline_id: uuid.UUID, field: str = "pipeline"
                  ) -> PipelineLayout:
    layout = await uow.opportunities.layout(pipeline_id)
    if layout is None:
        raise not_found(field, "Pipeline")
    return layout


async def _stage_layout(uow: UnitOfWork, stage_id: uuid.UUID) -> PipelineLayout:
    """The layout of the stage's pipeline, locked before the stage itself."""
    pipeline_id = await uow.opportunities.pipeline_of(stage_id)
    if pipeline_id is None:
        raise not_found("id", "Stage")
    return await _layout(uow, pipeline_id, "id")


def _refuse_archived(archived: bool, type_name: str, field: str = "id") -> None:
    if archived:
        raise DomainError.one(field, ErrorCode.CONFLICT, f"This {type_name} is archived.")


async def create_pipeline(values: dict, uow: UnitOfWork, access: Access) -> uuid.UUID:
    """Add a pipeline, last unless a position is given (those after it move down)."""
    require_create(access, PIPELINE.type_name, values)
    clean = validate_pipeline(values, creating=True)
    async with uow:
        current = await uow.opportunities.pipeline_order()
        place, pushed = inserted(list(current), clean.pop("position", None))
        await _reposition(uow, PIPELINE.type_name, pushed, current)
        new_id = await insert_audited(uow, PIPELINE.type_name, clean | {"position": place})
        await uow.commit()
    return new_id


async def update_pipeline(id: uuid.UUID, version: int, values: dict, uow: UnitOfWork,
                          access: Access) -> uuid.UUID:
    """Rename a pipeline or change its kind."""
    return await update_record(PIPELINE, id, version, values, uow, access)


async def reorder_pipelines(ids: Sequence[uuid.UUID], uow: UnitOfWork, access: Access
                            ) -> list[uuid.UUID]:
    """Put the live pipelines in the order given; the list names each of them once."""
    require_writable_fields(access, PIPELINE.type_name, ["position"])
    async with uow:
        current = await uow.opportunities.pipeline_order()
        await _reposition(uow, PIPELINE.type_name, reordered(current, ids), current)
        await uow.commit()
    return list(ids)


async def archive_pipeline(id: uuid.UUID, version: int, uow: UnitOfWork, access: Access
                           ) -> uuid.UUID:
    """Archive a pipeline without open deals, and its stages with it; closed deals keep
    pointing at them."""
    require_action(access, PIPELINE.type_name, Action.ARCHIVE)
    async with uow:
        current = await uow.opportunities.pipeline_order()
        locked = await lock_at_version(uow, PIPELINE.type_name, id, version)
        _refuse_archived(locked.archived, "pipeline")
        layout = await _layout(uow, id, "id")
        layout.check_pipeline_archive()
        # Archiving the stages too turns away a deal about to enter one of them.
        for stage_id in layout.order:
            await _archive(uow, STAGE.type_name, stage_id, parent_id=id)
        await _archive(uow, PIPELINE.type_name, id)
        remaining = [p for p in current if p != id]
        await _reposition(uow, PIPELINE.type_name, renumbered(remaining, current), current)
        await uow.commit()
    return id


async def create_stage(values: dict, uow: UnitOfWork, access: Access) -> uuid.UUID:
    """Add a stage to a live pipeline, last unless a position is given."""
    require_create(access, STAGE.type_name, values)
    clean = validate_stage(values, creating=True)
    async with uow:
        await check_references(STAGE, clean, uow)
        layout = await _layout(uow, clean["pipeline"])
        _refuse_archived(layout.archived, "pipeline", "pipeline")
        place, pushed = inserted(layout.order, clean.pop("position", None))
        await _reposition(uow, STAGE.type_name, pushed, layout.positions)
        new_id = await insert_audited(uow, STAGE.type_name, clean | {"position": place},
                                      parent_id=clean["pipeline"])
        await uow.commit()
    return new_id


async def update_stage(id: uuid.UUID, version: int, values: dict, uow: UnitOfWork,
                       access: Access) -> uuid.UUID:
    """Rename a live stage, or change its default probability or its kind; the kind only
    while no deal is in it, and never leaving a pipeline with deals without an OPEN or WON
    stage."""
    require_writable_fields(access, STAGE.type_name, values)
    clean = validate_stage(values, creating=False)
    async with uow:
        layout = await _stage_layout(uow, id)
        locked = await lock_at_version(uow, STAGE.type_name, id, version, clean)
        _refuse_archived(locked.archived, "stage")
        if "kind" in clean:
            layout.check_kind_change(id, StageKind(clean["kind"]))
        await update_audited(uow, STAGE.type_name, id, locked.values, clean, "update")
        await uow.commit()
    return id


async def reorder_stages(pipeline_id: uuid.UUID, ids: Sequence[uuid.UUID], uow: UnitOfWork,
                         access: Access) -> uuid.UUID:
    """Put a pipeline's live stages in the order given; the list names each of them once."""
    require_writable_fields(access, STAGE.type_name, ["position"])
    async with uow:
        layout = await _layout(uow, pipeline_id)
        await _reposition(uow, STAGE.type_name, reordered(layout.positions, ids),
                          layout.positions)
        await uow.commit()
    return pipeline_id


async def archive_stage(id: uuid.UUID, version: int, uow: UnitOfWork, access: Access
                        ) -> uuid.UUID:
    """Archive a stage without open deals; the stages after it move up."""
    require_action(access, STAGE.type_name, Action.ARCHIVE)
    async with uow:
        layout = await _stage_layout(uow, id)
        locked = await lock_at_version(uow, STAGE.type_name, id, version)
        _refuse_archived(locked.archived, "stage")
        remaining = layout.check_archive(id)
        await _archive(uow, STAGE.type_name, id)
        await _reposition(uow, STAGE.type_name, remaining, layout.positions)
        await uow.commit()
    return id
