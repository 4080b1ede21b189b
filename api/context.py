"""What every resolver receives: the caller, their access, loaders and a unit-of-work factory."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncEngine

from auth.principal import Principal, staff_access
from auth.tokens import TokenService
from domain.access import Access
from domain.webhooks import WebhookRules
from persistence.db import Reader
from persistence.loaders import Loaders
from persistence.uow import UnitOfWork


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Context:
    """One per request; loaders cache only within it."""

    principal: Principal
    engine: AsyncEngine  # for writes, in transactions
    reader: Reader  # for reads, outside transactions
    tokens: TokenService | None = None  # for the mutations that hand out tokens
    # "Now" for every use case and read that keeps time; tests hand in a clock they set.
    clock: Callable[[], datetime] = utc_now
    # How strict webhook endpoint URLs are (the settings': https only in production).
    webhook_rules: WebhookRules = field(default_factory=WebhookRules)
    # The currency analytics count in (CRM_REPORTING_CURRENCY).
    reporting_currency: str = "EUR"
    # For the analytical reads: the replica's (DATABASE_REPLICA_URL), or `reader` without one.
    analytics_reader: Reader | None = None
    access: Access = field(init=False)
    loaders: Loaders = field(init=False)

    def __post_init__(self) -> None:
        self.access = self.principal.access()
        self.analytics_reader = self.analytics_reader or self.reader
        self.loaders = Loaders(self.reader, self.access)

    def uow(self) -> UnitOfWork:
        return unit_of_work(self.engine, self.access, seen=self.loaders.written)


def unit_of_work(engine: AsyncEngine, access: Access, **hooks) -> UnitOfWork:
    """A use case's unit of work, as the resolvers and the compiled write path make it;
    `hooks` are those of UnitOfWork that hear of the records written."""
    return UnitOfWork(engine, access, access_of=staff_access, **hooks)
