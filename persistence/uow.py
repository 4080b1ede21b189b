"""The unit of work, and the one registry of record types that persistence serves."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from domain.access import Access
from persistence.accounts import ACCOUNT
from persistence.audit import AUDIT_ENTRY, AuditLog
from persistence.consents import CONSENT, ConsentStore
from persistence.contacts import CONTACT
from persistence.links import LinkStore
from persistence.notes import NOTE, NoteStore
from persistence.partners import PARTNER, RegistrationStore
from persistence.records import RecordStore
from persistence.spec import Spec
from persistence.territories import TERRITORY
from persistence.users import USER

SPECS: dict[str, Spec] = {
    s.type_name: s for s in (
        CONTACT, ACCOUNT, USER, TERRITORY, PARTNER, NOTE, CONSENT, AUDIT_ENTRY)
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
    audit: AuditLog

    def __init__(self, engine: AsyncEngine, access: Access) -> None:
        self.engine = engine
        self.access = access
        self._conn: AsyncConnection | None = None

    async def __aenter__(self) -> UnitOfWork:
        self._conn = await self.engine.connect()
        await self._conn.begin()
        conn, access = self._conn, self.access
        self.records = RecordStore(conn, access, SPECS)
        self.links = LinkStore(conn, access)
        self.consents = ConsentStore(conn, access)
        self.notes = NoteStore(conn, access)
        self.registrations = RegistrationStore(conn, access)
        self.audit = AuditLog(conn, access)
        return self

    async def __aexit__(self, *exc) -> None:
        assert self._conn is not None
        try:
            if self._conn.in_transaction():
                await self._conn.rollback()
        finally:
            await self._conn.close()
            self._conn = None

    async def commit(self) -> None:
        assert self._conn is not None
        await self._conn.commit()
