"""The unit of work: one transaction, and the stores that write within it."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from domain import ports
from domain.access import Access
from persistence.activities import ActivityStore
from persistence.audit import AuditLog
from persistence.case_store import CaseStore
from persistence.consents import ConsentStore
from persistence.custom_fields import CustomFieldStore
from persistence.db import Statement, Transaction
from persistence.duplicate_store import DuplicateStore
from persistence.knowledge import KnowledgeStore
from persistence.leads import LeadStore
from persistence.links import LinkStore
from persistence.notes import NoteStore
from persistence.notifications import AccessOf, NotificationStore
from persistence.opportunity_store import OpportunityStore
from persistence.orders import OrderStore
from persistence.pairs import PairStore
from persistence.record_types import SPECS
from persistence.record_writes import Answer, RecordWrites, Seen
from persistence.records import RecordStore
from persistence.sla import SlaStore
from persistence.webhook_store import WebhookStore

__all__ = ["SPECS", "UnitOfWork"]


class UnitOfWork(ports.UnitOfWork):
    """One transaction for one use case: data, audit entries and all, or nothing.

    Leaving the block without `commit()` — by an error or by returning early — rolls back.
    Its stores are those domain.ports describes, each under the protocol's own name;
    `writes` works outside the block, each of its writes a statement committed on its own;
    `seen` hears of the records they write, as the caller now reads them, or `answer` gets
    the one the compiled write path asks for, as JSON; `access_of` builds the access of
    another user, to tell only those who may read a record of it.
    """

    def __init__(self, engine: AsyncEngine, access: Access, seen: Seen | None = None,
                 access_of: AccessOf | None = None, answer: Answer | None = None) -> None:
        self.engine = engine
        self.access = access
        self.access_of = access_of
        self._tx: Transaction | None = None
        self.writes = RecordWrites(Statement(engine), access, SPECS, seen, answer)

    async def __aenter__(self) -> UnitOfWork:
        self._tx = await Transaction(self.engine).__aenter__()
        tx, access = self._tx, self.access
        self.records = RecordStore(tx, access, SPECS)
        self.links = LinkStore(tx, access)
        self.consents = ConsentStore(tx, access)
        self.notes = NoteStore(tx, access)
        self.pairs = PairStore(tx, access)
        self.custom_fields = CustomFieldStore(tx, access)
        self.opportunities = OpportunityStore(tx, access)
        self.leads = LeadStore(tx, access)
        self.activities = ActivityStore(tx, access)
        self.orders = OrderStore(tx, access)
        self.cases = CaseStore(tx, access)
        self.sla = SlaStore(tx, access)
        self.webhooks = WebhookStore(tx, access)
        self.knowledge = KnowledgeStore(tx, access)
        self.duplicates = DuplicateStore(tx, access)
        self.audit = AuditLog(tx, access)
        self.notifications = NotificationStore(tx, access, SPECS, self.access_of)
        return self

    async def __aexit__(self, *exc) -> None:
        assert self._tx is not None
        try:
            await self._tx.__aexit__(*exc)
        finally:
            self._tx = None

    async def commit(self) -> None:
        assert self._tx is not None
        await self._tx.commit()

    @property
    def transaction(self) -> Transaction:
        """The open transaction, for what writes beside the stores: a job queued with
        persistence.jobs.enqueue(uow.transaction, ...) commits or rolls back with the rest."""
        assert self._tx is not None, "only inside `async with uow:`"
        return self._tx
