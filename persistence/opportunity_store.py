"""The deal store: pipelines and stages as the deal and pipeline rules need them, and each
deal's stage history."""

from __future__ import annotations

import uuid

from domain.access import Access
from domain.opportunities import PipelineKind, Stage, StageKind
from domain.pipelines import PipelineLayout, StageSlot
from persistence.db import Transaction
from persistence.sql import Builder


class OpportunityStore:
    """Implements domain.ports.OpportunityStore: stages, stage history and contact roles."""

    def __init__(self, tx: Transaction, access: Access) -> None:
        self.tx = tx
        self.actor = str(access.actor)

    async def _stage(self, where: str, b: Builder) -> Stage | None:
        # FOR SHARE: a deal entering a stage waits for an archive or a change of kind of it
        # to end, and then sees the stage as it became.
        rows = await self.tx.rows(
            f"SELECT s.id, s.pipeline_id, s.kind, s.probability, "
            f"s.archived_at IS NOT NULL OR p.archived_at IS NOT NULL AS archived "
            f"FROM pipeline_stage s JOIN pipeline p ON p.id = s.pipeline_id WHERE {where} "
            f"ORDER BY p.position, p.name, s.position LIMIT 1 FOR SHARE OF s", b.params)
        if not rows:
            return None
        row = rows[0]
        return Stage(row["id"], row["pipeline_id"], StageKind(row["kind"]), row["probability"],
                     row["archived"])

    async def stage(self, stage_id: uuid.UUID) -> Stage | None:
        """The stage, archived or not: a closed deal may stand in an archived one."""
        b = Builder()
        return await self._stage(f"s.id = {b.bind(stage_id)}", b)

    async def first_stage(self, pipeline_id: uuid.UUID | None) -> Stage | None:
        """The first live OPEN stage of the pipeline, or of the first new-business pipeline."""
        b = Builder()
        live = (f"s.archived_at IS NULL AND p.archived_at IS NULL "
                f"AND s.kind = {b.bind(StageKind.OPEN.value)}")
        if pipeline_id is not None:
            return await self._stage(f"{live} AND p.id = {b.bind(pipeline_id)}", b)
        return await self._stage(f"{live} AND p.kind = {b.bind(PipelineKind.NEW_BUSINESS.value)}", b)

    async def deals_in(self, stage_id: uuid.UUID) -> list[uuid.UUID]:
        """The live deals in a stage, in id order (the order a move locks them in)."""
        rows = await self.tx.rows("SELECT id FROM opportunity WHERE stage_id = $1 "
                                  "AND archived_at IS NULL ORDER BY id", (stage_id,))
        return [row["id"] for row in rows]

    async def pipeline_of(self, stage_id: uuid.UUID) -> uuid.UUID | None:
        # Unlocked: a stage never changes pipeline, and the pipeline is locked next.
        return await self.tx.value("SELECT pipeline_id FROM pipeline_stage WHERE id = $1",
                                   (stage_id,))

    async def layout(self, pipeline_id: uuid.UUID) -> PipelineLayout | None:
        """The pipeline's live stages in order with their live deals, and its live deals in
        all; the pipeline and those stages stay locked until the transaction ends."""
        found = await self.tx.rows(
            "SELECT archived_at IS NOT NULL AS archived, (SELECT count(*) FROM opportunity o "
            "WHERE o.pipeline_id = p.id AND o.archived_at IS NULL) AS deals FROM pipeline p "
            "WHERE p.id = $1 FOR UPDATE OF p", (pipeline_id,))
        if not found:
            return None
        stages = await self.tx.rows(
            "SELECT s.id, s.kind, s.position, (SELECT count(*) FROM opportunity o WHERE "
            "o.stage_id = s.id AND o.archived_at IS NULL) AS deals FROM pipeline_stage s "
            "WHERE s.pipeline_id = $1 AND s.archived_at IS NULL ORDER BY s.position, s.id "
            "FOR UPDATE OF s", (pipeline_id,))
        return PipelineLayout(
            tuple(StageSlot(r["id"], StageKind(r["kind"]), r["position"], r["deals"])
                  for r in stages), found[0]["deals"], found[0]["archived"])

    async def pipeline_order(self) -> dict[uuid.UUID, int]:
        """The live pipelines' positions, in the order `pipelines` lists them; locked."""
        rows = await self.tx.rows("SELECT id, position FROM pipeline WHERE archived_at IS NULL "
                                  "ORDER BY position, name, id FOR UPDATE", ())
        return {row["id"]: row["position"] for row in rows}

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
