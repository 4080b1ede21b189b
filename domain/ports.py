"""What services need from storage, so that the domain never imports persistence.

These protocols are the one description of the stores: persistence.uow implements them,
tests/unit/fakes.py fakes them, and tests/unit/test_ports.py holds both to their signatures.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from domain.custom_fields import Definition
from domain.leads import AssignmentRule
from domain.opportunities import Stage
from domain.pipelines import PipelineLayout
from domain.sla import SlaPolicy


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
    # Both refuse (FORBIDDEN) a field the caller may not write, unless its declaration marks
    # it derived or the use case names it in `granted`: a value the use case worked out
    # itself, or one an action grants (a form's capture, a partner's registration).
    async def insert(self, type_name: str, values: dict[str, Any],
                     granted: Collection[str] = ()) -> uuid.UUID: ...
    async def update(self, type_name: str, id: uuid.UUID, values: dict[str, Any],
                     granted: Collection[str] = ()) -> int: ...
    async def archive(self, type_name: str, id: uuid.UUID) -> None: ...
    async def territory_of(self, type_name: str, id: uuid.UUID) -> uuid.UUID | None: ...


class RecordWrites(Protocol):
    """Writes that are each one statement, committed on their own without the unit of
    work's transaction: used outside its block."""

    # Write the fields of `values` that differ from the stored ones, with their audit entry
    # under `action`, if the record is at `version` and the caller reads and writes it; the
    # version then (bumped only when a field differed). None when nothing was written, for
    # any reason (stale, unseen, not the caller's to write, or not writable in one
    # statement): the transactional path then says which. Refuses (FORBIDDEN) a field the
    # caller may not write, as RecordStore.update does.
    async def update_at_version(self, type_name: str, id: uuid.UUID, version: int,
                                values: dict[str, Any], action: str) -> int | None: ...


class LinkStore(Protocol):
    async def get(self, account_id: uuid.UUID, contact_id: uuid.UUID) -> dict | None: ...
    async def upsert(self, account_id: uuid.UUID, contact_id: uuid.UUID, values: dict) -> uuid.UUID: ...
    async def archive(self, link_id: uuid.UUID) -> None: ...


class ConsentStore(Protocol):
    async def get(self, contact_id: uuid.UUID, channel: str, purpose: str) -> dict | None: ...
    async def upsert(self, contact_id: uuid.UUID, channel: str, purpose: str, values: dict) -> uuid.UUID: ...


class NoteStore(Protocol):
    async def insert(self, record_type: str, record_id: uuid.UUID, body: str) -> uuid.UUID: ...


class PairStore(Protocol):
    """Link tables pairing two records (a partner and an account it reaches, a tag and a
    record carrying it), named by table; set() is False when nothing changed."""

    async def set(self, link: str, first_id: uuid.UUID, second_id: uuid.UUID,
                  paired: bool) -> bool: ...


class CustomFieldStore(Protocol):
    """Definitions of custom fields, by kind of record, and the values records hold."""

    def groups(self, kind: str) -> list[str]: ...
    # The live definitions the caller reads, each with whether it writes the field's group.
    async def definitions(self, kind: str) -> dict[str, tuple[Definition, bool]]: ...
    async def stored(self, kind: str, record_id: uuid.UUID) -> dict[str, Any]: ...
    async def values(self, kind: str, name: str) -> list[tuple[uuid.UUID, Any]]: ...
    async def lacking(self, kind: str, name: str) -> list[uuid.UUID]: ...


class OpportunityStore(Protocol):
    async def stage(self, stage_id: uuid.UUID) -> Stage | None: ...
    async def first_stage(self, pipeline_id: uuid.UUID | None) -> Stage | None: ...
    async def stage_changed(self, opportunity_id: uuid.UUID, from_stage: uuid.UUID | None,
                            to_stage: uuid.UUID) -> None: ...
    async def deals_in(self, stage_id: uuid.UUID) -> list[uuid.UUID]: ...
    async def pipeline_of(self, stage_id: uuid.UUID) -> uuid.UUID | None: ...
    # Both lock what they read until the transaction ends: the pipeline and its live stages,
    # or every live pipeline, in order.
    async def layout(self, pipeline_id: uuid.UUID) -> PipelineLayout | None: ...
    async def pipeline_order(self) -> dict[uuid.UUID, int]: ...
    async def contact_role(self, opportunity_id: uuid.UUID, contact_id: uuid.UUID) -> dict | None: ...
    async def set_contact_role(self, opportunity_id: uuid.UUID, contact_id: uuid.UUID,
                               role: str | None) -> uuid.UUID | None: ...


class LeadStore(Protocol):
    async def recent_by_email(self, email: str, form_id: uuid.UUID | None
                              ) -> tuple[uuid.UUID, bool] | None: ...
    async def add_capture(self, lead_id: uuid.UUID, form_id: uuid.UUID | None,
                          payload: dict) -> None: ...
    async def form(self, form_id: uuid.UUID) -> dict | None: ...
    async def rules(self) -> list[AssignmentRule]: ...
    async def sales_users(self, territory_id: uuid.UUID) -> list[uuid.UUID]: ...
    async def next_turn(self, territory_id: uuid.UUID) -> int: ...
    async def set_form_key(self, form_id: uuid.UUID, key_hash: str, *, new_form: bool) -> None: ...


class ActivityStore(Protocol):
    async def set_attendees(self, activity_id: uuid.UUID,
                            people: list[tuple[str, uuid.UUID]]) -> None: ...
    async def lead_activities(self, lead_id: uuid.UUID) -> list[dict]: ...
    async def move_lead_activities(self, lead_id: uuid.UUID, contact_id: uuid.UUID,
                                   account_id: uuid.UUID) -> int: ...
    async def set_feed(self, user_id: uuid.UUID, secret_hash: str) -> None: ...


class OrderStore(Protocol):
    async def standard_price_book(self) -> uuid.UUID | None: ...
    async def products(self, ids: list) -> dict: ...
    async def prices(self, price_book_id: uuid.UUID, currency: str, ids: list) -> dict: ...
    async def add_lines(self, order_id: uuid.UUID, lines: list) -> None: ...
    async def set_price(self, price_book_id: uuid.UUID, product_id: uuid.UUID, currency: str,
                        unit_price) -> None: ...


class KnowledgeStore(Protocol):
    async def add_version(self, article_id: uuid.UUID, values: dict) -> int: ...
    async def vote(self, article_id: uuid.UUID, helpful: bool) -> bool | None: ...


class CaseStore(Protocol):
    async def state(self, case_id: uuid.UUID) -> dict: ...
    async def add_time_entry(self, case_id: uuid.UUID, at: datetime, minutes: int,
                             note: str | None, user_id: uuid.UUID | None) -> None: ...


class SlaStore(Protocol):
    async def matching(self, product_id, account_id) -> SlaPolicy | None: ...
    async def policy(self, policy_id: uuid.UUID) -> SlaPolicy | None: ...
    async def due_cases(self, now: datetime, limit: int,
                        skip: Collection[uuid.UUID] = ()) -> list[uuid.UUID]: ...
    async def recorded(self, case_id: uuid.UUID) -> set[tuple[str, str]]: ...
    async def record(self, case_id: uuid.UUID, at: datetime, metric: str, level: str,
                     action: str | None) -> None: ...


class WebhookStore(Protocol):
    """What webhook endpoints keep beside their fields: sealed secrets, and their messages."""

    async def set_secret(self, endpoint_id: uuid.UUID, sealed: bytes,
                         previous_until: datetime | None) -> None: ...
    async def client_usable(self, client_id: str) -> bool: ...
    async def replay(self, endpoint_id: uuid.UUID, message_id: str | None,
                     since: datetime | None) -> int: ...


class SecretSealer(Protocol):
    """Makes signing secrets and seals them; kept outside the stores, in auth."""

    def new_secret(self) -> str: ...
    def seal(self, endpoint_id: uuid.UUID, secret: str) -> bytes: ...


class AuditLog(Protocol):
    async def record(
        self, record_type: str, record_id: uuid.UUID, action: str,
        changes: dict[str, tuple[Any, Any]], parent_id: uuid.UUID | None = None,
    ) -> None: ...


class UnitOfWork(Protocol):
    """One transaction; leaving it without `commit()` rolls everything back. `writes` is
    there outside the block too: its writes are not part of the transaction."""

    writes: RecordWrites
    records: RecordStore
    links: LinkStore
    consents: ConsentStore
    notes: NoteStore
    pairs: PairStore
    custom_fields: CustomFieldStore
    opportunities: OpportunityStore
    leads: LeadStore
    activities: ActivityStore
    orders: OrderStore
    knowledge: KnowledgeStore
    cases: CaseStore
    sla: SlaStore
    webhooks: WebhookStore
    audit: AuditLog

    async def __aenter__(self) -> UnitOfWork: ...
    async def __aexit__(self, *exc) -> None: ...
    async def commit(self) -> None: ...
