"""Merges over dicts: rows by column as the real store returns them, and what was written."""

from __future__ import annotations

import uuid

from domain import ports


class FakeMerges(ports.MergeStore):
    """`rows[type][id]` holds {"row": {column: value}, "writable": bool}; `field_columns`
    the fields a merge chooses; writes land in `written`, `retired` and `saved`."""

    def __init__(self) -> None:
        self.rows: dict[str, dict[uuid.UUID, dict]] = {}
        self.field_columns = {"firstName": "first_name", "lastName": "last_name",
                              "emails": "emails", "phones": "phones",
                              "customFields": "custom_fields"}
        self.written: list[dict] = []
        self.retired: list[uuid.UUID] = []
        self.saved: list[dict] = []

    def fields(self, type_name):
        return dict(self.field_columns)

    async def lock_rows(self, type_name, ids):
        found = self.rows.get(type_name, {})
        return [{"id": i, "version": found[i].get("version", 1),
                 "writable": found[i].get("writable", True), "row": dict(found[i]["row"])}
                for i in sorted(ids) if i in found]

    async def pointers(self, type_name, survivor, merged):
        return []

    async def apply(self, survivor, settled):
        return {"moved": [], "archived": [], "revived": [], "changed": []}

    async def write_rows(self, type_name, rows):
        self.written += rows
        return {str(r["id"]): 2 for r in rows}

    async def retire(self, type_name, ids, survivor):
        self.retired += ids
        return {str(i): 2 for i in ids}

    async def undo_moves(self, survivor, done):
        pass

    async def save(self, type_name, survivor, merged, snapshots, done, versions):
        self.saved.append({"survivor": survivor, "merged": list(merged), "versions": versions})
        return uuid.uuid4()

    async def lock_merge(self, merge_id):
        return None

    async def mark_undone(self, merge_id):
        pass

    async def audit_moves(self, survivor, done):
        pass
