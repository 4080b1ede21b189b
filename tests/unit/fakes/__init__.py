"""A unit of work over dicts, as cosmicpython's FakeUnitOfWork: use cases run on it with no
database.

Each store keeps what it is given in plain dicts and lists, so a test sets its scene by
writing them and reads the outcome back the same way. As with the real unit of work, nothing
counts unless the use case called `commit()`: `committed` says whether the last transaction
did. The fakes keep no time of their own; a use case gets "now" from its caller.
"""

from __future__ import annotations

from domain import ports
from tests.unit.fakes.customer_record import (
    FakeConsents,
    FakeCustomFields,
    FakeLinks,
    FakeNotes,
    FakePairs,
)
from tests.unit.fakes.duplicates import FakeDuplicates
from tests.unit.fakes.notifications import FakeNotifications
from tests.unit.fakes.records import FakeAudit, FakeRecords, FakeWrites
from tests.unit.fakes.sales import FakeActivities, FakeLeads, FakeOpportunities, FakeOrders
from tests.unit.fakes.service import FakeCases, FakeKnowledge, FakeSla, FakeWebhooks

__all__ = ["FakeUnitOfWork"]


class FakeUnitOfWork(ports.UnitOfWork):
    def __init__(self) -> None:
        self.records = FakeRecords()
        self.audit = FakeAudit()
        self.writes = FakeWrites(self.records, self.audit)
        self.links = FakeLinks()
        self.consents = FakeConsents()
        self.notes = FakeNotes()
        self.pairs = FakePairs()
        self.custom_fields = FakeCustomFields(self.records)
        self.opportunities = FakeOpportunities(self.records)
        self.leads = FakeLeads()
        self.activities = FakeActivities(self.records)
        self.orders = FakeOrders()
        self.knowledge = FakeKnowledge()
        self.cases = FakeCases(self.records)
        self.sla = FakeSla(self.records)
        self.notifications = FakeNotifications(self.records)
        self.webhooks = FakeWebhooks()
        self.duplicates = FakeDuplicates()
        self.committed = False

    async def __aenter__(self) -> FakeUnitOfWork:
        self.committed = False
        return self

    async def __aexit__(self, *exc) -> None:
        pass

    async def commit(self) -> None:
        self.committed = True
