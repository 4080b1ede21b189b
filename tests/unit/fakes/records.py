"""Fake records and audit log: rows by type and id, and the entries written about them."""

from __future__ import annotations

import uuid
from collections import defaultdict

from domain import ports
from domain.sla import MOMENTS

# What the database fills in on an insert that leaves a column out, by type.
COLUMN_DEFAULTS = {
    "Article": {"status": "DRAFT", "publishedAt": None},
    "Lead": {"status": "NEW"},
    "Case": {"description": None, "contact": None, "account": None, "assignee": None,
             "queue": None, "product": None, "previousCase": None, "slaPolicy": None,
             "firstResponseAt": None, "firstResponseMinutes": None, "resolvedAt": None,
             "resolutionMinutes": None, "closedAt": None, "slaPausedSince": None,
             "slaPausedMinutes": 0, "timeSpentMinutes": 0, "atRisk": False, "breached": False,
             **dict.fromkeys(MOMENTS)},
}


class FakeRecords(ports.RecordStore):
    """Rows by type and id. The caller does not see `hidden` ids and may not change
    `read_only` ones."""

    def __init__(self) -> None:
        self.rows: dict[str, dict[uuid.UUID, dict]] = defaultdict(dict)
        self.versions: dict[uuid.UUID, int] = {}
        self.archived: set[uuid.UUID] = set()
        self.hidden: set[uuid.UUID] = set()
        self.read_only: set[uuid.UUID] = set()

    def add(self, type_name: str, values: dict, *, id: uuid.UUID | None = None,
            version: int = 1) -> uuid.UUID:
        """A record already stored, its defaults filled in: a test's "given"."""
        id = id or uuid.uuid4()
        self.rows[type_name][id] = COLUMN_DEFAULTS.get(type_name, {}) | values
        self.versions[id] = version
        return id

    def get(self, type_name: str, id: uuid.UUID) -> dict:
        return self.rows[type_name][id]

    async def lock(self, type_name, id, fields):
        row = self.rows[type_name].get(id)
        if row is None or id in self.hidden:
            return None
        return ports.Locked({f: row.get(f) for f in fields}, self.versions[id],
                            id not in self.read_only, id in self.archived)

    async def visible(self, type_name, ids):
        return {i for i in ids if i in self.rows[type_name] and i not in self.hidden}

    async def ancestors(self, type_name, id):
        chain, parent = [], self.rows[type_name][id].get("parent")
        while parent is not None:
            chain.append(parent)
            parent = self.rows[type_name][parent].get("parent")
        return chain

    async def insert(self, type_name, values, granted=()):
        return self.add(type_name, values)

    async def update(self, type_name, id, values, granted=()):
        self.rows[type_name][id].update(values)
        self.versions[id] += 1
        return self.versions[id]

    async def archive(self, type_name, id):
        self.archived.add(id)
        self.versions[id] += 1

    async def territory_of(self, type_name, id):
        return self.rows[type_name][id].get("territory")


class FakeWrites(ports.RecordWrites):
    """The one-statement writes, over the same rows and audit log as the unit of work."""

    def __init__(self, records: FakeRecords, audit: FakeAudit) -> None:
        self.records = records
        self.audit = audit

    async def update_at_version(self, type_name, id, version, values, action):
        row = self.records.rows[type_name].get(id)
        if (row is None or id in self.records.hidden or id in self.records.read_only
                or self.records.versions[id] != version):
            return None
        changes = {f: (row.get(f), v) for f, v in values.items() if row.get(f) != v}
        if changes:
            await self.records.update(type_name, id, values)
            await self.audit.record(type_name, id, action, changes)
        return self.records.versions[id]


class FakeAudit(ports.AuditLog):
    def __init__(self) -> None:
        self.entries: list[dict] = []

    async def record(self, record_type, record_id, action, changes, parent_id=None):
        self.entries.append({"type": record_type, "id": record_id, "action": action,
                             "changes": changes, "parent": parent_id})

    def actions(self, record_id: uuid.UUID) -> list[str]:
        """The actions recorded on one record, oldest first."""
        return [e["action"] for e in self.entries if e["id"] == record_id]
