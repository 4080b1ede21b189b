"""Use cases: merge contacts or accounts into one, as a dry run or for real, and undo a merge.

Everything happens in one transaction: the survivor's new values, the merged records
archived with mergedInto, every reference moved, the audit entries (and through them the
change feed), and the merge record that keeps what undo needs.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from domain.access import Access, Action
from domain.errors import DomainError, ErrorCode, Problem, forbidden, not_found
from domain.merge import (
    CUSTOM,
    Candidate,
    check_choices,
    check_ids,
    refuse_changed,
    settle,
    survivorship,
)
from domain.ports import UnitOfWork
from domain.services.accounts import ACCOUNT
from domain.services.contacts import CONTACT
from domain.services.records import require_action

KINDS = {"Contact": CONTACT, "Account": ACCOUNT}


@dataclass(frozen=True)
class MovedReferences:
    """The rows of one reference that move to the survivor, or stay archived."""

    kind: str  # table.column, e.g. activity.contact_id
    record_type: str | None
    moved: tuple[uuid.UUID, ...]
    archived: tuple[uuid.UUID, ...]


@dataclass
class MergePlan:
    """A merge as it is (or would be) done: the survivor's values by field with the record
    each came from, and the references moved."""

    type_name: str
    survivor: uuid.UUID
    values: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, uuid.UUID | None] = field(default_factory=dict)
    references: list[MovedReferences] = field(default_factory=list)
    merge_id: uuid.UUID | None = None


def _locate(rows: list[dict], survivor: uuid.UUID, merged: Sequence[uuid.UUID]) -> None:
    """An unseen record is NOT_FOUND, one the caller may not change FORBIDDEN, an archived
    (or already merged) one a CONFLICT, each at its place in the input."""
    by_id = {r["id"]: r for r in rows}
    places = [("survivor", survivor)] + [(f"merged[{i}]", m) for i, m in enumerate(merged)]
    problems = []
    for place, record_id in places:
        row = by_id.get(record_id)
        if row is None:
            problems.append(not_found(place).problems[0])
        elif not row["writable"]:
            problems.append(Problem(place, ErrorCode.FORBIDDEN, "You may not change this record."))
        elif row["row"].get("archived_at") is not None:
            problems.append(Problem(place, ErrorCode.CONFLICT,
                                    "This record is archived or already merged."))
    if problems:
        raise DomainError(*problems)


async def _keep_acyclic(type_name: str, outcome, survivor: dict, everyone: set[uuid.UUID],
                        uow: UnitOfWork) -> None:
    """A self-reference (an account's parent) may point neither into the merge nor below
    the survivor: it falls back to the survivor's own, else to none."""
    async def allowed(value: str) -> bool:
        target = uuid.UUID(value)
        return target not in everyone and not everyone & set(
            await uow.records.ancestors(type_name, target))

    columns = uow.merges.fields(type_name)
    for name in KINDS[type_name].acyclic:
        chosen, own = outcome.values.get(name), survivor["row"].get(columns[name])
        if chosen is None or await allowed(chosen):
            continue
        if own is not None and await allowed(own):
            outcome.values[name], outcome.sources[name] = own, survivor["id"]
        else:
            outcome.values[name], outcome.sources[name] = None, None


async def plan_merge(type_name: str, survivor: uuid.UUID, merged: Sequence[uuid.UUID],
                     choices: Mapping[str, uuid.UUID], uow: UnitOfWork, access: Access
                     ) -> tuple[MergePlan, list[dict], list]:
    """Inside the open transaction: lock and check the records, choose the values, settle
    the references. The plan, the rows locked (survivor first) and the settlements."""
    everyone = [survivor, *merged]
    rows = await uow.merges.lock_rows(type_name, everyone)
    _locate(rows, survivor, merged)
    rows.sort(key=lambda r: everyone.index(r["id"]))
    fields = uow.merges.fields(type_name)
    definitions = await uow.custom_fields.definitions(type_name)
    custom_names = sorted(name for name, (_, writable) in definitions.items() if writable)

    def may_carry(name: str) -> bool:
        return name == CUSTOM or (access.can_read(type_name, name)
                                  and access.can_write(type_name, name))

    check_choices(choices, set(everyone), fields, custom_names, may_carry)
    candidates = [Candidate(r["id"], {f: r["row"].get(c) for f, c in fields.items()},
                            r["row"].get("updated_at")) for r in rows]
    outcome = survivorship(candidates, survivor, fields, choices, may_carry, custom_names)
    await _keep_acyclic(type_name, outcome, rows[0], set(everyone), uow)
    settled = [(ref, settle(pointers, survivor, bool(ref.keys)))
               for ref, pointers in await uow.merges.pointers(type_name, survivor, merged)]
    plan = MergePlan(type_name, survivor, outcome.values, outcome.sources, [
        MovedReferences(ref.kind, ref.record_type, tuple(p.id for p in s.moved),
                        tuple(p.id for p in s.archived))
        for ref, s in settled if s.moved or s.archived])
    return plan, rows, settled


async def merge_records(type_name: str, survivor: uuid.UUID, merged: Sequence[uuid.UUID],
                        choices: Mapping[str, uuid.UUID], dry_run: bool, uow: UnitOfWork,
                        access: Access) -> MergePlan:
    """Merge records into the survivor; a dry run plans the same and writes nothing."""
    check_ids(survivor, merged)
    require_action(access, type_name, Action.MERGE)
    async with uow:
        plan, rows, settled = await plan_merge(type_name, survivor, merged, choices, uow,
                                               access)
        if dry_run:
            return plan  # leaving the block without commit: nothing written, locks freed
        fields = uow.merges.fields(type_name)
        before = rows[0]["row"]
        after = before | {fields[f]: v for f, v in plan.values.items()}
        done = await uow.merges.apply(survivor, settled)
        versions = await uow.merges.write_rows(type_name, [after])
        versions |= await uow.merges.retire(type_name, merged, survivor)
        changes = {f: (before.get(c), after.get(c)) for f, c in fields.items()
                   if before.get(c) != after.get(c)}
        await uow.audit.record(type_name, survivor, "merge", changes)
        for record_id in merged:
            await uow.audit.record(type_name, record_id, "merge", {
                "archived": (False, True), "mergedInto": (None, survivor)}, parent_id=survivor)
        await uow.merges.audit_moves(survivor, done)
        plan.merge_id = await uow.merges.save(type_name, survivor, merged,
                                              [r["row"] for r in rows], done, versions)
        await uow.commit()
    return plan


async def undo_merge(merge_id: uuid.UUID, uow: UnitOfWork, access: Access
                     ) -> tuple[str, uuid.UUID]:
    """Restore the records and references as they were before a merge, while none of the
    records changed since; the merged type and the survivor."""
    async with uow:
        merge = await uow.merges.lock_merge(merge_id)
        if merge is None or not await uow.records.visible("RecordMerge", [merge_id]):
            raise not_found("id", "RecordMerge")
        type_name, survivor = merge["record_type"], merge["survivor_id"]
        require_action(access, type_name, Action.MERGE)
        if merge["undone_at"] is not None:
            raise DomainError.one("id", ErrorCode.CONFLICT, "This merge was undone already.")
        everyone = [survivor, *merge["merged_ids"]]
        rows = await uow.merges.lock_rows(type_name, everyone)
        if len(rows) != len(everyone):
            raise not_found("id", "RecordMerge")
        if not all(r["writable"] for r in rows):
            raise forbidden("id", f"You may not change every {type_name} of this merge.")
        refuse_changed(merge["versions"], {str(r["id"]): r["version"] for r in rows})
        fields = uow.merges.fields(type_name)
        now = {str(r["id"]): r["row"] for r in rows}
        await uow.merges.write_rows(type_name, merge["snapshots"])
        await uow.merges.undo_moves(survivor, merge["moved"])
        for snapshot in merge["snapshots"]:
            current = now[snapshot["id"]]
            changes = {f: (current.get(c), snapshot.get(c)) for f, c in
                       (fields | {"mergedInto": "merged_into_id"}).items()
                       if current.get(c) != snapshot.get(c)}
            if current.get("archived_at") != snapshot.get("archived_at"):
                changes["archived"] = (True, False)
            await uow.audit.record(type_name, uuid.UUID(snapshot["id"]), "unmerge", changes)
        await uow.merges.mark_undone(merge_id)
        await uow.commit()
    return type_name, survivor
