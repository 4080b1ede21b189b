"""The merge's SQL: the records locked as whole rows, the rows pointing at them, the moves and
their undo. Rows travel as JSON (to_jsonb, jsonb_populate_record), so that every column,
custom values and all, is restored exactly as it was."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import asyncpg
import orjson

from domain.access import Access
from domain.errors import DomainError, ErrorCode
from domain.merge import Pointer, Settlement
from persistence.base import json_text
from persistence.db import Transaction
from persistence.match_columns import row_keys
from persistence.merge_references import Reference, references_to
from persistence.record_types import BY_NAME
from persistence.spec import Spec, read_sql, write_sql
from persistence.sql import Builder

# Columns a merge never writes back: the row's identity and history, and derived ones.
UNWRITTEN = ("id", "created_at", "created_by", "version", "updated_at", "updated_by")


def _conflicts_refused(method):
    """A unique key met while writing rows (a row added meanwhile to a merged record, a
    unique value the survivor takes from a merged record that still holds it) refuses the
    whole merge or undo with CONFLICT instead of failing the request."""
    @functools.wraps(method)
    async def guarded(*args, **kwargs):
        try:
            return await method(*args, **kwargs)
        except asyncpg.UniqueViolationError as exc:
            raise DomainError.one(None, ErrorCode.CONFLICT, (
                f"A row of {exc.table_name} would be there twice; reload and retry.")) from exc
    return guarded


def _json(value: Any) -> Any:
    return orjson.loads(value) if isinstance(value, str | bytes) else value


def writable_columns(spec: Spec) -> list[str]:
    return [c.name for c in spec.table.columns if c.name not in UNWRITTEN and c.computed is None]


class MergeStore:
    """Implements domain.ports.MergeStore."""

    def __init__(self, tx: Transaction, access: Access, specs: Mapping[str, Spec]) -> None:
        self.tx = tx
        self.access = access
        self.specs = specs
        self.actor = str(access.actor)

    def fields(self, type_name: str) -> dict[str, str]:
        """The fields a merge chooses values for, with their columns: those clients write,
        beside the record's identity and history. A field unique among live records (an
        external id) stays with its record: the survivor cannot hold a merged one's."""
        record = BY_NAME[type_name]
        unique = set(record.unique.values())
        return {f.name: f.column for group, fields in record.groups.items()
                if group not in ("meta", "provenance") for f in fields
                if f.column is not None and not f.derived and f.name not in unique}

    async def lock_rows(self, type_name: str, ids: Sequence[uuid.UUID]) -> list[dict]:
        """The records the caller reads, locked, in id order (so two merges never deadlock):
        each {id, version, writable, row}, `row` the whole row as JSON."""
        spec, b = self.specs[type_name], Builder()
        rows = await self.tx.rows(
            f"SELECT t.id, t.version, {write_sql(spec, self.access, 't', b)} AS writable, "
            f"to_jsonb(t) AS row FROM {spec.name} t WHERE t.id = ANY({b.bind(list(ids))}) "
            f"AND {read_sql(spec, self.access, 't', b)} ORDER BY t.id FOR UPDATE OF t", b.params)
        return [{**r, "writable": bool(r["writable"]), "row": _json(r["row"])} for r in rows]

    async def pointers(self, type_name: str, survivor: uuid.UUID, merged: Sequence[uuid.UUID]
                       ) -> list[tuple[Reference, list[Pointer]]]:
        """Per reference to the type, the rows pointing at the merged records, and at the
        survivor where a unique key may collide; one statement for all."""
        spec, b = self.specs[type_name], Builder()
        refs = references_to(spec.name)
        involved, merged_only = b.bind([survivor, *merged]), b.bind(list(merged))
        parts = []
        for i, ref in enumerate(refs):
            keys = "jsonb_build_array(" + ", ".join(
                "jsonb_build_array(" + ", ".join(f"t.{c}" for c in key) + ")"
                for key in ref.keys) + ")"
            status = "t.status" if ref.table == "consent" else "NULL::text"
            where = f"t.{ref.column} = ANY({involved if ref.keys else merged_only})"
            if ref.type_column:
                where += f" AND t.{ref.type_column} = {b.bind(type_name)}"
            if ref.own_table:
                where += f" AND NOT t.id = ANY({involved})"
            parts.append(f"SELECT {i} AS ref, t.id, t.{ref.column} AS target, {keys} AS keys, "
                         f"t.archived_at IS NOT NULL AS archived, t.updated_at, "
                         f"{status} AS status FROM {ref.table} t WHERE {where}")
        rows = await self.tx.rows(" UNION ALL ".join(parts), b.params)
        found: list[list[Pointer]] = [[] for _ in refs]
        for r in rows:
            found[r["ref"]].append(Pointer(
                r["id"], r["target"], tuple(orjson.dumps(k) for k in _json(r["keys"])),
                r["archived"], r["updated_at"], r["status"]))
        return list(zip(refs, found, strict=True))

    @_conflicts_refused
    async def apply(self, survivor: uuid.UUID, settled: list[tuple[Reference, Settlement]]
                    ) -> dict:
        """Move, archive and revive the rows as settled; what was done, for undo."""
        done: dict[str, list] = {"moved": [], "archived": [], "revived": [], "changed": []}
        for ref, s in settled:
            if s.moved:
                ids, olds = [p.id for p in s.moved], [p.target for p in s.moved]
                await self._set(ref, ids, f"{ref.column} = {{survivor}}", survivor)
                done["moved"].append({"table": ref.table, "column": ref.column,
                                      "ids": [str(i) for i in ids], "from": [str(o) for o in olds]})
            for key, rows, sql in (("archived", s.archived, "archived_at = now()"),
                                   ("revived", s.revived, "archived_at = NULL")):
                if rows and ref.archivable:
                    await self._set(ref, [p.id for p in rows], sql, survivor)
                    done[key].append({"table": ref.table, "column": ref.column,
                                      "ids": [str(p.id) for p in rows]})
            for own, winner in s.answered:
                before = await self.tx.value(
                    f"SELECT jsonb_build_object('status', status, 'recorded_at', recorded_at, "
                    f"'source', source) FROM {ref.table} WHERE id = $1", (own.id,))
                await self.tx.value(
                    f"UPDATE {ref.table} t SET status = w.status, recorded_at = w.recorded_at, "
                    f"source = w.source, version = t.version + 1, updated_at = now() "
                    f"FROM {ref.table} w WHERE t.id = $1 AND w.id = $2", (own.id, winner.id))
                done["changed"].append({"table": ref.table, "id": str(own.id),
                                        "before": _json(before)})
        return done

    async def _set(self, ref: Reference, ids: list[uuid.UUID], assignment: str,
                   survivor: uuid.UUID) -> None:
        b = Builder()
        if "{survivor}" in assignment:
            assignment = assignment.replace("{survivor}", b.bind(survivor))
        await self.tx.value(
            f"UPDATE {ref.table} SET {assignment}, version = version + 1, updated_at = now(), "
            f"updated_by = {b.bind(self.actor)} WHERE id = ANY({b.bind(ids)})", b.params)

    @_conflicts_refused
    async def write_rows(self, type_name: str, rows: Sequence[dict]) -> dict[str, int]:
        """Write whole rows (JSON, by column) over the records with their ids, bumping their
        versions; the versions now."""
        spec, b = self.specs[type_name], Builder()
        # The blocking keys follow the names and website the rows now hold.
        rows = [{**row, **row_keys(type_name, row)} for row in rows]
        sets = "".join(f"{c} = r.{c}, " for c in writable_columns(spec))
        written = await self.tx.rows(
            f"UPDATE {spec.name} t SET {sets}version = t.version + 1, updated_at = now(), "
            f"updated_by = {b.bind(self.actor)} FROM jsonb_populate_recordset(NULL::{spec.name}, "
            f"{b.bind(json_text(rows))}::jsonb) r WHERE t.id = r.id "
            f"RETURNING t.id, t.version", b.params)
        return {str(r["id"]): r["version"] for r in written}

    async def retire(self, type_name: str, ids: Sequence[uuid.UUID], survivor: uuid.UUID
                     ) -> dict[str, int]:
        """Archive the merged records, each pointing at the survivor; their versions now."""
        spec, b = self.specs[type_name], Builder()
        written = await self.tx.rows(
            f"UPDATE {spec.name} SET archived_at = now(), merged_into_id = {b.bind(survivor)}, "
            f"version = version + 1, updated_at = now(), updated_by = {b.bind(self.actor)} "
            f"WHERE id = ANY({b.bind(list(ids))}) RETURNING id, version", b.params)
        return {str(r["id"]): r["version"] for r in written}

    @_conflicts_refused
    async def undo_moves(self, survivor: uuid.UUID, done: dict) -> None:
        """Put back what apply() did, where it still stands as the merge left it: a row
        moved on since stays where it went."""
        for move in done.get("moved", []):
            b = Builder()
            await self.tx.value(
                f"UPDATE {move['table']} t SET {move['column']} = v.old, version = t.version + 1, "
                f"updated_at = now(), updated_by = {b.bind(self.actor)} FROM unnest("
                f"{b.bind([uuid.UUID(i) for i in move['ids']])}::uuid[], "
                f"{b.bind([uuid.UUID(i) for i in move['from']])}::uuid[]) v(id, old) "
                f"WHERE t.id = v.id AND t.{move['column']} = {b.bind(survivor)}", b.params)
        for key, sql in (("archived", "archived_at = NULL"), ("revived", "archived_at = now()")):
            for entry in done.get(key, []):
                await self.tx.value(
                    f"UPDATE {entry['table']} SET {sql}, version = version + 1, "
                    f"updated_at = now() WHERE id = ANY($1)",
                    ([uuid.UUID(i) for i in entry["ids"]],))
        for change in done.get("changed", []):
            await self.tx.value(
                f"UPDATE {change['table']} t SET status = r.status, recorded_at = "
                f"r.recorded_at, source = r.source, version = t.version + 1, updated_at = now() "
                f"FROM jsonb_populate_record(NULL::{change['table']}, $2::jsonb) r "
                f"WHERE t.id = $1", (uuid.UUID(change["id"]), json_text(change["before"])))

    async def save(self, type_name: str, survivor: uuid.UUID, merged: Sequence[uuid.UUID],
                   snapshots: list[dict], done: dict, versions: dict[str, int]) -> uuid.UUID:
        """The merge record, written by the use case alone."""
        b, merge_id = Builder(), uuid.uuid4()
        await self.tx.value(
            f"INSERT INTO record_merge (id, record_type, survivor_id, merged_ids, snapshots, "
            f"moved, versions, created_by, updated_by) VALUES ({b.bind(merge_id)}, "
            f"{b.bind(type_name)}, {b.bind(survivor)}, {b.bind(list(merged))}, "
            f"{b.bind(json_text(snapshots))}::jsonb, {b.bind(json_text(done))}::jsonb, "
            f"{b.bind(json_text(versions))}::jsonb, {b.bind(self.actor)}, "
            f"{b.bind(self.actor)})", b.params)
        return merge_id

    async def lock_merge(self, merge_id: uuid.UUID) -> dict | None:
        """A merge not yet undone, locked."""
        rows = await self.tx.rows(
            "SELECT id, record_type, survivor_id, merged_ids, snapshots, moved, versions, "
            "undone_at FROM record_merge WHERE id = $1 FOR UPDATE", (merge_id,))
        if not rows:
            return None
        r = rows[0]
        return {**r, "snapshots": _json(r["snapshots"]), "moved": _json(r["moved"]),
                "versions": _json(r["versions"])}

    async def mark_undone(self, merge_id: uuid.UUID) -> None:
        await self.tx.value(
            "UPDATE record_merge SET undone_at = now(), version = version + 1, "
            "updated_at = now(), updated_by = $2 WHERE id = $1", (merge_id, self.actor))

    async def audit_moves(self, survivor: uuid.UUID, done: dict) -> None:
        """One "merge" audit entry per row of a record type that the merge moved, archived
        or revived, under the survivor's trail: the change feed tells their readers too."""
        by_kind = {(r.table, r.column): r for r in references_to("contact")
                   + references_to("account")}
        entries = []

        def add(entry: dict, record_id: str, changes: dict) -> None:
            ref = by_kind[(entry["table"], entry["column"])]
            if ref.record_type is not None:
                entries.append({"id": str(uuid.uuid4()), "record_type": ref.record_type,
                                "record_id": record_id, "changes": changes})

        for move in done["moved"]:
            field = by_kind[(move["table"], move["column"])].field or _camel(move["column"])
            for i, old in zip(move["ids"], move["from"], strict=True):
                add(move, i, {field: {"before": old, "after": str(survivor)}})
        for key, before in (("archived", False), ("revived", True)):
            for entry in done[key]:
                for i in entry["ids"]:
                    add(entry, i, {"archived": {"before": before, "after": not before}})
        if not entries:
            return
        b = Builder()
        who = b.bind(self.actor)
        await self.tx.value(
            f"INSERT INTO audit_entry (id, record_type, record_id, parent_id, action, changes, "
            f"created_by, updated_by) SELECT e.id, e.record_type, e.record_id, "
            f"{b.bind(survivor)}, 'merge', e.changes, {who}, {who} FROM jsonb_to_recordset("
            f"{b.bind(json_text(entries))}::jsonb) AS e(id uuid, record_type text, "
            f"record_id uuid, changes jsonb)", b.params)


def _camel(column: str) -> str:
    """contact_id -> contact, record_id -> recordId: the name a column's change is logged by."""
    head, *rest = column.removesuffix("_id").split("_") if column != "record_id" else (
        "record", "id")
    return head + "".join(part.capitalize() for part in rest)
