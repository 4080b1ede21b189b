"""The demo's deals: opportunities in every pipeline and stage, with their history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from persistence.opportunities import OpportunityContactRow, OpportunityRow, StageChangeRow
from persistence.seed.generator import stable_id, stamped

# pipeline kind -> share of the demo's deals
PIPELINE_SHARE = (("NEW_BUSINESS", 0.7), ("RENEWAL", 0.15), ("UPSELL", 0.15))
DOLLAR_TERRITORIES = ("North America", "LATAM")
REASONS = {"WON": ("Best fit for their workflow", "Price", "Existing relationship"),
           "LOST": ("Went with a competitor", "No budget", "Timing", "No decision")}
ROLES = ("DECISION_MAKER", "ECONOMIC_BUYER", "INFLUENCER", "USER")
PARTNER_DEALS = (("Demo Partner", 1, "PENDING"), ("Demo Partner", 2, "APPROVED"),
                 ("Northwind Resellers", 11, "PENDING"))


@dataclass(frozen=True)
class StageInfo:
    id: object
    pipeline_id: object
    name: str
    probability: int
    kind: str


async def load_stages(conn: AsyncConnection) -> dict[str, list[StageInfo]]:
    """The stages of each pipeline kind's first pipeline, in order."""
    rows = (await conn.execute(text(
        "SELECT DISTINCT ON (p.kind, s.position) p.kind AS pipeline_kind, s.id, s.pipeline_id, "
        "s.name, s.probability, s.kind FROM pipeline p JOIN pipeline_stage s "
        "ON s.pipeline_id = p.id ORDER BY p.kind, s.position, p.position"))).mappings()
    stages: dict[str, list[StageInfo]] = {}
    for r in rows:
        stages.setdefault(r["pipeline_kind"], []).append(
            StageInfo(r["id"], r["pipeline_id"], r["name"], r["probability"], r["kind"]))
    return stages


def stage_path(rng, stages: list[StageInfo], *, won: float, lost: float) -> list[StageInfo]:
    """The stages a deal went through: open ones in order, then, by these shares, won or lost."""
    open_stages = [s for s in stages if s.kind == "OPEN"]
    reached = open_stages[: rng.randrange(1, len(open_stages) + 1)]
    ending = rng.random()
    if ending < won + lost:
        kind = "WON" if ending < won else "LOST"
        return [*reached, next(s for s in stages if s.kind == kind)]
    return reached


class DemoDeals:
    """Adds deals to a DemoData whose accounts, contacts and partners are built."""

    def __init__(self, data, stages: dict[str, list[StageInfo]], base_time: datetime) -> None:
        self.data, self.stages, self.base = data, stages, base_time
        self.rng = data.gen.rng
        self.serial = 0
        self.present = base_time + timedelta(days=300)  # no stage change lies beyond it

    def add_all(self, accounts: list[dict], links: list[dict]) -> None:
        contacts_of: dict = {}
        for link in links:
            contacts_of.setdefault(link["account_id"], []).append(link["contact_id"])
        dollar = {stable_id("territory", t) for t in DOLLAR_TERRITORIES}
        for account in accounts:
            for _ in range(self.rng.randrange(0, 4)):
                kind = self._pipeline_kind()
                path = self._path(self.stages[kind])
                self._deal(account, path, "USD" if account["territory_id"] in dollar else "EUR",
                           contacts_of.get(account["id"], []))
        by_id = {a["id"]: a for a in accounts}
        for partner, account, decision in PARTNER_DEALS:
            deal = self._deal(by_id[stable_id("account", account)],
                              self.stages["NEW_BUSINESS"][:1], "EUR", [],
                              key=f"partner-{partner}-{account}")
            deal.update(source="PARTNER", registration=decision,
                        partner_id=stable_id("partner", partner),
                        owner_id=deal["owner_id"] if decision == "APPROVED" else None)

    def _pipeline_kind(self) -> str:
        roll, total = self.rng.random(), 0.0
        for kind, share in PIPELINE_SHARE:
            total += share
            if roll < total:
                return kind
        return PIPELINE_SHARE[0][0]

    def _path(self, stages: list[StageInfo]) -> list[StageInfo]:
        return stage_path(self.rng, stages, won=0.25, lost=0.15)

    def _deal(self, account: dict, path: list[StageInfo], currency: str, contacts: list,
              key: str | None = None) -> dict:
        self.serial += 1
        n, rng = self.serial, self.rng
        deal_id = stable_id("opportunity", key or n)
        opened = self.base + timedelta(days=rng.randrange(0, 200), hours=rng.randrange(0, 9))
        moves, at = [], opened
        for i, stage in enumerate(path):
            moves.append((path[i - 1].id if i else None, stage.id, min(at, self.present)))
            at += timedelta(days=rng.randrange(3, 30))
        final, entered = path[-1], moves[-1][2]
        closed = final.kind != "OPEN"
        row = self.data.add(OpportunityRow, {
            "id": deal_id, "created_at": opened, "updated_at": entered,
            "created_by": "System", "updated_by": "System", "account_id": account["id"],
            "name": f"{account['name']} — {final.name if closed else 'deal'} {n}",
            "amount": Decimal(rng.randrange(5, 500) * 100), "currency": currency,
            "close_date": (entered.date() if closed else
                           date(2026, 1, 1) + timedelta(days=rng.randrange(30, 400))),
            "pipeline_id": final.pipeline_id, "stage_id": final.id,
            "probability": final.probability, "owner_id": account["owner_id"],
            "territory_id": account["territory_id"], "source": rng.choice(
                ("DIRECT", "LEAD", "CAMPAIGN")), "campaign": None, "partner_id": None,
            "registration": None, "close_reason": rng.choice(REASONS[final.kind])
            if closed else None, "closed_at": entered if closed else None,
            "stage_entered_at": entered})
        for i, (before, after, moved_at) in enumerate(moves):
            self.data.add(StageChangeRow, {
                **stamped("stage-change", f"{n}-{i}", moved_at), "opportunity_id": deal_id,
                "from_stage_id": before, "to_stage_id": after})
        for i, contact_id in enumerate(contacts[:2]):
            self.data.add(OpportunityContactRow, {
                **stamped("opportunity-contact", f"{n}-{i}", opened), "opportunity_id": deal_id,
                "contact_id": contact_id, "role": ROLES[i]})
        return row
