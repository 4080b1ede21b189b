"""What services need from storage, so that the domain never imports persistence."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from domain.opportunities import Stage


@dataclass(frozen=True, slots=True)
class Locked:
    """A record locked for change: the asked-for field values, its version, and
    whether the caller's write rule covers it."""

    values: dict[str, Any]
    version: int
    writable: bool
    archived: bool


class RecordStore(Protocol):
    async def lock(self, type_name: str, id: uuid.UUID, fields: Iterable[str]) -> Locked | None: ...
    async def visible(self, type_name: str, ids: Iterable[uuid.UUID]) -> set[uuid.UUID]: ...
    async def ancestors(self, type_name: str, id: uuid.UUID) -> list[uuid.UUID]: ...
    async def insert(self, type_name: str, values: dict[str, Any]) -> uuid.UUID: ...
    async def update(self, type_name: str, id: uuid.UUID, values: dict[str, Any]) -> int: ...
    async def archive(self, type_name: str, id: uuid.UUID) -> None: ...


class LinkStore(Protocol):
    async def get(self, account_id: uuid.UUID, contact_id: uuid.UUID) -> dict | None: ...
    async def upsert(self, account_id: uuid.UUID, contact_id: uuid.UUID, values: dict) -> uuid.UUID: ...
    async def archive(self, link_id: uuid.UUID) -> None: ...


class ConsentStore(Protocol):
    async def get(self, contact_id: uuid.UUID, channel: str, purpose: str) -> dict | None: ...
    async def upsert(self, contact_id: uuid.UUID, channel: str, purpose: str, values: dict) -> uuid.UUID: ...


class NoteStore(Protocol):
    async def insert(self, record_type: str, record_id: uuid.UUID, body: str) -> uuid.UUID: ...


class RegistrationStore(Protocol):
    async def set(self, partner_id: uuid.UUID, record_type: str, record_id: uuid.UUID,
                  registered: bool) -> bool: ...


class OpportunityStore(Protocol):
    async def stage(self, stage_id: uuid.UUID) -> Stage | None: ...
    async def first_stage(self, pipeline_id: uuid.UUID | None) -> Stage | None: ...
    async def account_territory(self, account_id: uuid.UUID) -> uuid.UUID | None: ...
    async def stage_changed(self, opportunity_id: uuid.UUID, from_stage: uuid.UUID | None,
                            to_stage: uuid.UUID) -> None: ...
    async def contact_role(self, opportunity_id: uuid.UUID, contact_id: uuid.UUID) -> dict | None: ...
    async def set_contact_role(self, opportunity_id: uuid.UUID, contact_id: uuid.UUID,
                               role: str | None) -> uuid.UUID | None: ...


class AuditLog(Protocol):
    async def record(
        self, record_type: str, record_id: uuid.UUID, action: str,
        changes: dict[str, tuple[Any, Any]], parent_id: uuid.UUID | None = None,
    ) -> None: ...


class UnitOfWork(Protocol):
    """One transaction; leaving it without `commit()` rolls everything back."""

    records: RecordStore
    links: LinkStore
    consents: ConsentStore
    notes: NoteStore
    registrations: RegistrationStore
    opportunities: OpportunityStore
    audit: AuditLog

    async def __aenter__(self) -> UnitOfWork: ...
    async def __aexit__(self, *exc) -> None: ...
    async def commit(self) -> None: ...
