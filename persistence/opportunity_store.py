"""The deal store: pipelines and stages as the deal rules need them, and each deal's stage
history."""

from __future__ import annotations

import uuid

from domain.access import Access
from domain.opportunities import PipelineKind, Stage, StageKind
from persistence.db import Transaction
from persistence.sql import Builder


class OpportunityStore:
    """Implements domain.ports.OpportunityStore: stages, stage history and contact roles."""

    def __init__(self, tx: Transaction, access: Access) -> None:
        self.tx = tx
        self.actor = str(access.actor)

    async def _stage(self, where: str, b: Builder) -> Stage | None:
        rows = await self.tx.rows(
            f"SELECT s.id, s.pipeline_id, s.kind, s.probability FROM pipeline_stage s "
            f"JOIN pipeline p ON p.id = s.pipeline_id WHERE s.archived_at IS NULL "
            f"AND p.archived_at IS NULL AND {where} "
            f"ORDER BY p.position, p.name, s.position LIMIT 1", b.params)
        if not rows:
            return None
        row = rows[0]
        return Stage(row["id"], row["pipeline_id"], StageKind(row["kind"]), row["probability"])

    async def stage(self, stage_id: uuid.UUID) -> Stage | None:
        b = Builder()
        return await self._stage(f"s.id = {b.bind(stage_id)}", b)

    async def first_stage(self, pipeline_id: uuid.UUID | None) -> Stage | None:
        """The first stage of the pipeline, or of the first new-business pipeline."""
        b = Builder()
        if pipeline_id is not None:
            return await self._stage(f"p.id = {b.bind(pipeline_id)}", b)
        return await self._stage(f"p.kind = {b.bind(PipelineKind.NEW_BUSINESS.value)}", b)

    async def stage_changed(self, opportunity_id: uuid.UUID, from_stage: uuid.UUID | None,
                            to_stage: uuid.UUID) -> None:
        b = Builder()
        actor = b.bind(self.actor)
        await self.tx.value(
            f"INSERT INTO opportunity_stage_change (id, opportunity_id, from_stage_id, "
            f"to_stage_id, created_by, updated_by) VALUES ({b.bind(uuid.uuid4())}, "
            f"{b.bind(opportunity_id)}, {b.bind(from_stage)}, {b.bind(to_stage)}, {actor}, "
            f"{actor})", b.params)

    async def contact_role(self, opportunity_id: uuid.UUID, contact_id: uuid.UUID) -> dict | None:
        b = Builder()
        rows = await self.tx.rows(
            f"SELECT id, role FROM opportunity_contact WHERE opportunity_id = "
            f"{b.bind(opportunity_id)} AND contact_id = {b.bind(contact_id)} "
            f"AND archived_at IS NULL", b.params)
        return dict(rows[0]) if rows else None

    async def set_contact_role(self, opportunity_id: uuid.UUID, contact_id: uuid.UUID,
                               role: str | None) -> uuid.UUID | None:
        """Give the contact a role in the deal, or archive its role when `role` is None."""
        b = Builder()
        opportunity, contact, actor = (b.bind(opportunity_id), b.bind(contact_id),
                                       b.bind(self.actor))
        if role is None:
            sql = (f"UPDATE opportunity_contact SET archived_at = now(), version = version + 1, "
                   f"updated_at = now(), updated_by = {actor} WHERE opportunity_id = "
                   f"{opportunity} AND contact_id = {contact} AND archived_at IS NULL RETURNING id")
        else:
            sql = (f"INSERT INTO opportunity_contact (id, opportunity_id, contact_id, role, "
                   f"created_by, updated_by) VALUES ({b.bind(uuid.uuid4())}, {opportunity}, "
                   f"{contact}, {b.bind(role)}, {actor}, {actor}) ON CONFLICT (opportunity_id, "
                   f"contact_id) DO UPDATE SET role = excluded.role, archived_at = NULL, "
                   f"version = opportunity_contact.version + 1, updated_at = now(), "
                   f"updated_by = {actor} RETURNING id")
        return await self.tx.value(sql, b.params)
