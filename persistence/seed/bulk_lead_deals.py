"""The deals that converting a lead opened, for bulk_leads: new business at the converted
contact's account, from the conversion on through its stages, won or lost in a realistic
share unless it is still open at the data set's present."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from decimal import Decimal

from persistence.opportunities import OpportunityContactRow, OpportunityRow, StageChangeRow
from persistence.seed import demo
from persistence.seed.bulk_history import Rows
from persistence.seed.bulk_pools import stable_hex, stamp
from persistence.seed.demo_deals import DOLLAR_TERRITORIES, REASONS, ROLES, StageInfo, stage_path
from persistence.seed.generator import stable_id

# Of the deals whose path reaches its end by the present: leads come with intent, so more
# are won than of the deals bulk_deals opens.
WON_SHARE, LOST_SHARE = 0.35, 0.30
DOLLAR_TERRITORY_IDS = frozenset(stable_id("territory", name) for name in DOLLAR_TERRITORIES)


class LeadDeals:
    """Opens deals on conversion, drawing from the leads' random stream."""

    def __init__(self, stages: list[StageInfo], rng: random.Random) -> None:
        self.stages, self.rng = stages, rng
        self.made = 0

    def open(self, rows: Rows, contact, opened: datetime, campaign: str | None) -> str:
        """The deal converting the contact's lead opened at its first account; its id."""
        rng, n, account = self.rng, self.made, contact.account
        self.made += 1
        deal_id = stable_hex("lead-opportunity", n)
        # A stage is entered only by the present: a young deal has not got far yet.
        moves, at = [], opened
        for stage in stage_path(rng, self.stages, won=WON_SHARE, lost=LOST_SHARE):
            if at > demo.BASE_TIME:
                break
            moves.append((moves[-1][1].id if moves else None, stage, at))
            at += timedelta(days=rng.randrange(3, 40))
        final, entered = moves[-1][1], moves[-1][2]
        closed = final.kind != "OPEN"
        close_date = (entered if closed
                      else demo.BASE_TIME + timedelta(days=rng.randrange(7, 180))).date()
        actor = f"User:{contact.owner}" if contact.owner else "System"
        rows[OpportunityRow.__tablename__].append(
            stamp(deal_id, opened, actor, updated=entered) + (
                account.id, f"{account.name} — new business", Decimal(rng.randrange(5, 2000) * 100),
                "USD" if account.territory_id in DOLLAR_TERRITORY_IDS else "EUR", close_date,
                final.pipeline_id, final.id, final.probability, contact.owner,
                account.territory_id, "LEAD", campaign, None, None,
                rng.choice(REASONS[final.kind]) if closed else None, entered if closed else None,
                entered))
        for i, (before, stage, moved_at) in enumerate(moves):
            rows[StageChangeRow.__tablename__].append(
                stamp(stable_hex("lead-stage-change", f"{n}-{i}"), moved_at, actor)
                + (deal_id, before, stage.id))
        rows[OpportunityContactRow.__tablename__].append(
            stamp(stable_hex("lead-opportunity-contact", n), opened, actor)
            + (deal_id, contact.id, ROLES[0]))
        return deal_id
