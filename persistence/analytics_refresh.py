"""One analytics refresh on one connection: RFM scores, then the lifetime models fitted and
scored. Its caller holds the transaction, so that readers see the figures of one refresh or of
the next, never a mix."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from domain.lifetime_valuation import LifetimeSettings
from domain.services.lifetime import LifetimeResult, refresh_lifetime
from persistence import rfm
from persistence.lifetime_store import LifetimeSqlStore
from persistence.summaries import UNBOUNDED


@dataclass(frozen=True, slots=True)
class Refreshed:
    scored: dict[str, int]  # RFM, by record type
    lifetime: LifetimeResult
    seconds: dict[str, float]

    def summary(self) -> str:
        counts = ", ".join(f"{n:,} {kind.lower()}s" for kind, n in self.scored.items())
        fits = self.lifetime
        why = dict.fromkeys(f.message for f in (fits.purchases, fits.spend) if not f.usable)
        model = ("predicting" if fits.history_scores is not None
                 else "not predicting: " + " ".join(why))
        return (f"RFM of {counts} in {self.seconds['rfm']:.1f}s; lifetime model over "
                f"{fits.purchases.customers:,} customers ({fits.purchases.repeat_customers:,} "
                f"repeat), {model}, in {self.seconds['lifetime']:.1f}s")


async def refresh(db: asyncpg.Connection, currency: str, now: datetime,
                  lifetime: LifetimeSettings, source: asyncpg.Connection | None = None
                  ) -> Refreshed:
    """Recompute everything as of `now`, to the second, as it is shown; the orders are read on
    `source`, a replica's snapshot (persistence/summaries.py), when given."""
    now = now.replace(microsecond=0)
    await db.execute(UNBOUNDED)
    started = time.perf_counter()
    scored = await rfm.refresh(db, currency, now, source)
    rfm_done = time.perf_counter()
    fitted = await refresh_lifetime(LifetimeSqlStore(db, currency, now, source), lifetime)
    return Refreshed(scored, fitted, {"rfm": rfm_done - started,
                                      "lifetime": time.perf_counter() - rfm_done})
