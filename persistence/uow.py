"""The unit of work, and the one registry of record types that persistence serves."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from domain.access import Access
from persistence.accounts import ACCOUNT
from persistence.activities import ACTIVITY, ATTENDEE, CALL_SCRIPT, ActivityStore
from persistence.audit import AUDIT_ENTRY, AuditLog
from persistence.cases import (
    CASE,
    CASE_ARTICLE,
    CASE_QUEUE,
    ESCALATION,
    TIME_ENTRY,
    CaseStore,
)
from persistence.consents import CONSENT, ConsentStore
from persistence.contacts import CONTACT
from persistence.db import Transaction
from persistence.knowledge import ARTICLE, ARTICLE_VERSION, KnowledgeStore
from persistence.leads import ASSIGNMENT_RULE, CAPTURE_FORM, LEAD, LEAD_CAPTURE, LeadStore
from persistence.links import LinkStore
from persistence.notes import NOTE, NoteStore
from persistence.opportunities import (
    OPPORTUNITY,
    OPPORTUNITY_CONTACT,
    PIPELINE,
    STAGE,
    STAGE_CHANGE,
    OpportunityStore,
)
from persistence.orders import (
    ORDER,
    ORDER_LINE,
    PRICE_BOOK,
    PRICE_BOOK_ENTRY,
    PRODUCT,
    OrderStore,
)
from persistence.partners import PARTNER, RegistrationStore
from persistence.records import RecordStore
from persistence.sla import CALENDAR, SLA_POLICY, SlaStore
from persistence.spec import Spec
from persistence.territories import TERRITORY
from persistence.users import USER

SPECS: dict[str, Spec] = {
    s.type_name: s for s in (
        CONTACT, ACCOUNT, USER, TERRITORY, PARTNER, NOTE, CONSENT, AUDIT_ENTRY,
        PIPELINE, STAGE, OPPORTUNITY, STAGE_CHANGE, OPPORTUNITY_CONTACT, LEAD, LEAD_CAPTURE,
        CAPTURE_FORM, ASSIGNMENT_RULE, ACTIVITY, ATTENDEE, CALL_SCRIPT, PRODUCT, PRICE_BOOK,
        PRICE_BOOK_ENTRY, ORDER, ORDER_LINE, ARTICLE, ARTICLE_VERSION, CASE_QUEUE, CASE, TIME_ENTRY,
        ESCALATION, CASE_ARTICLE, CALENDAR, SLA_POLICY)
}


class UnitOfWork:
    """One transaction for one use case: data, audit entries and all, or nothing.

    Leaving the block without `commit()` — by an error or by returning early — rolls back.
    """

    records: RecordStore
    links: LinkStore
    consents: ConsentStore
    notes: NoteStore
    registrations: RegistrationStore
    opportunities: OpportunityStore
    leads: LeadStore
    activities: ActivityStore
    orders: OrderStore
    knowledge: KnowledgeStore
    cases: CaseStore
    sla: SlaStore
    audit: AuditLog

    def __init__(self, engine: AsyncEngine, access: Access) -> None:
        self.engine = engine
        self.access = access
        self._tx: Transaction | None = None

    async def __aenter__(self) -> UnitOfWork:
        self._tx = await Transaction(self.engine).__aenter__()
        tx, access = self._tx, self.access
        self.records = RecordStore(tx, access, SPECS)
        self.links = LinkStore(tx, access)
        self.consents = ConsentStore(tx, access)
        self.notes = NoteStore(tx, access)
        self.registrations = RegistrationStore(tx, access)
        self.opportunities = OpportunityStore(tx, access)
        self.leads = LeadStore(tx, access)
        self.activities = ActivityStore(tx, access)
        self.orders = OrderStore(tx, access)
        self.cases = CaseStore(tx, access)
        self.sla = SlaStore(tx, access)
        self.knowledge = KnowledgeStore(tx, access)
        self.audit = AuditLog(tx, access)
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
