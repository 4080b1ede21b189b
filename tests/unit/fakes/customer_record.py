"""Fake stores around contacts and accounts: links, consents, notes, paired records."""

from __future__ import annotations

import uuid

from domain import ports


class FakeLinks(ports.LinkStore):
    """Links by (account, contact)."""

    def __init__(self) -> None:
        self.links: dict[tuple[uuid.UUID, uuid.UUID], dict] = {}

    async def get(self, account_id, contact_id):
        link = self.links.get((account_id, contact_id))
        return dict(link) if link else None

    async def upsert(self, account_id, contact_id, values):
        link = self.links.setdefault((account_id, contact_id),
                                     {"id": uuid.uuid4(), "account": account_id})
        link.update(values)
        return link["id"]

    async def archive(self, link_id):
        self.links = {k: v for k, v in self.links.items() if v["id"] != link_id}


class FakeConsents(ports.ConsentStore):
    def __init__(self) -> None:
        self.consents: dict[tuple, dict] = {}

    async def get(self, contact_id, channel, purpose):
        return self.consents.get((contact_id, channel, purpose))

    async def upsert(self, contact_id, channel, purpose, values):
        row = self.consents.setdefault((contact_id, channel, purpose), {"id": uuid.uuid4()})
        row.update(values)
        return row["id"]


class FakeNotes(ports.NoteStore):
    def __init__(self) -> None:
        self.notes: dict[uuid.UUID, tuple[str, uuid.UUID, str]] = {}

    async def insert(self, record_type, record_id, body):
        note_id = uuid.uuid4()
        self.notes[note_id] = (record_type, record_id, body)
        return note_id


class FakePairs(ports.PairStore):
    def __init__(self) -> None:
        self.paired: set[tuple[str, uuid.UUID, uuid.UUID]] = set()

    async def set(self, link, first_id, second_id, paired):
        key = (link, first_id, second_id)
        before = key in self.paired
        (self.paired.add if paired else self.paired.discard)(key)
        return before != paired


class FakeCustomFields(ports.CustomFieldStore):
    """Definitions by kind and name, each with whether the caller writes it; values live in
    the records' `customFields`."""

    def __init__(self, records) -> None:
        self.records = records
        self.defined: dict[str, dict[str, tuple]] = {}

    def groups(self, kind):
        return ["custom", "sales"]

    async def definitions(self, kind):
        return dict(self.defined.get(kind, {}))

    async def stored(self, kind, record_id):
        return dict(self.records.get(kind, record_id).get("customFields") or {})

    async def values(self, kind, name):
        return [(i, r["customFields"][name]) for i, r in self.records.rows[kind].items()
                if name in (r.get("customFields") or {})]

    async def lacking(self, kind, name):
        return [i for i, r in self.records.rows[kind].items()
                if name not in (r.get("customFields") or {})]
