"""Deals for `crm seed --contacts N`: about one and a half per account, with their history.

They draw from a random stream of their own, so adding them changed none of the contacts,
accounts or notes that a given N and seed produce.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from decimal import Decimal

from persistence.opportunities import OpportunityContactRow, OpportunityRow, StageChangeRow
from persistence.seed import demo
from persistence.seed.demo_deals import PIPELINE_SHARE, REASONS, ROLES, StageInfo, stage_path

Rows = dict[str, list[tuple]]
DEALS_PER_ACCOUNT = (0, 1, 1, 2, 2, 3)  # drawn uniformly: 1.5 on average
CLOSE_HORIZON_DAYS = 540
SOURCES = ("DIRECT", "LEAD", "CAMPAIGN")


class BulkDeals:
    """Makes the deals of one account once its contacts are known."""

    def __init__(self, stages: dict[str, list[StageInfo]], seed: int, stamp, stable_hex) -> None:
        self.stages = stages
        self.rng = random.Random(seed * 7919 + 1)
        self._stamp, self._hex = stamp, stable_hex
        self.made = 0
        self.kinds = [kind for kind, _ in PIPELINE_SHARE]
        self.weights = [share for _, share in PIPELINE_SHARE]

    def for_account(self, rows: Rows, account_id: str, owner, territory_id, country: str,
                    contacts: list[str], opened: datetime) -> None:
        if not self.stages:
            return
        rng = self.rng
        currency = "USD" if country in ("US", "BR", "MX") else "EUR"
        for _ in range(rng.choice(DEALS_PER_ACCOUNT)):
            stages = self.stages[rng.choices(self.kinds, self.weights)[0]]
            self._deal(rows, account_id, owner, territory_id, currency, contacts,
                       opened + timedelta(days=rng.randrange(1, 300)), self._path(stages))

    def _path(self, stages: list[StageInfo]) -> list[StageInfo]:
        return stage_path(self.rng, stages, won=0.3, lost=0.2)

    def _deal(self, rows: Rows, account_id: str, owner, territory_id, currency: str,
              contacts: list[str], opened: datetime, path: list[StageInfo]) -> None:
        rng, n = self.rng, self.made
        self.made += 1
        deal_id = self._hex("opportunity", n)
        opened = min(opened, demo.BASE_TIME)  # nothing happens after the data set's present
        moves, at = [], opened
        for i, stage in enumerate(path):
            moves.append((path[i - 1].id if i else None, stage.id, min(at, demo.BASE_TIME)))
            at += timedelta(days=rng.randrange(3, 40))
        final, entered = path[-1], moves[-1][2]
        closed = final.kind != "OPEN"
        close_date = (entered.date() if closed
                      else date(2026, 1, 1) + timedelta(days=rng.randrange(CLOSE_HORIZON_DAYS)))
        rows[OpportunityRow.__tablename__].append(self._stamp(deal_id, opened, updated=entered) + (
            account_id, f"Deal {n}", Decimal(rng.randrange(5, 2000) * 100), currency, close_date,
            final.pipeline_id, final.id, final.probability, owner, territory_id,
            rng.choice(SOURCES), None, None, None,
            rng.choice(REASONS[final.kind]) if closed else None, entered if closed else None,
            entered))
        for i, (before, after, moved_at) in enumerate(moves):
            rows[StageChangeRow.__tablename__].append(
                self._stamp(self._hex("stage-change", f"{n}-{i}"), moved_at)
                + (deal_id, before, after))
        for i, contact_id in enumerate(contacts[:rng.randrange(3)]):
            rows[OpportunityContactRow.__tablename__].append(
                self._stamp(self._hex("opportunity-contact", f"{n}-{i}"), opened)
                + (deal_id, contact_id, ROLES[i]))


# Columns after the stamp, in the order the rows above hold them.
COLUMNS = {
    OpportunityRow.__tablename__: (
        "account_id", "name", "amount", "currency", "close_date", "pipeline_id", "stage_id",
        "probability", "owner_id", "territory_id", "source", "campaign", "partner_id",
        "registration", "close_reason", "closed_at", "stage_entered_at"),
    StageChangeRow.__tablename__: ("opportunity_id", "from_stage_id", "to_stage_id"),
    OpportunityContactRow.__tablename__: ("opportunity_id", "contact_id", "role"),
}
