"""Lead source effectiveness: which sources bring leads that qualify, convert and win."""

from __future__ import annotations

from decimal import Decimal

import strawberry

from api.schema.operational.leads import Source
from api.schema.reads import Reads
from persistence.lead_stats import AMOUNT_READS


@strawberry.type(description="An amount in one currency.")
class CurrencyAmount:
    currency: str = strawberry.field(description="ISO 4217 code.")
    amount: Decimal = strawberry.field(description="The amount.")


@strawberry.type(description="How the leads of one source fared.")
class LeadSourceStats:
    source: Source | None = strawberry.field(description="The source; null for leads without.")
    leads: int = strawberry.field(description="Leads created in the period.")
    qualified: int = strawberry.field(description="Of them, qualified or converted.")
    converted: int = strawberry.field(description="Of them, converted.")
    won_deals: int = strawberry.field(description="Deals opened on conversion and won.")
    amounts: strawberry.Private[list[dict]]

    @strawberry.field(description="Their amounts, per currency; needs read access to deal "
                                  "amounts (FORBIDDEN otherwise).",
                      extensions=[Reads(always=AMOUNT_READS)])
    def won_amounts(self, info: strawberry.Info) -> list[CurrencyAmount] | None:
        return [CurrencyAmount(currency=a["currency"], amount=Decimal(a["amount"]))
                for a in self.amounts]

    @strawberry.field(description="qualified / leads.")
    def qualification_rate(self) -> float:
        return round(self.qualified / self.leads, 4) if self.leads else 0.0

    @strawberry.field(description="converted / leads.")
    def conversion_rate(self) -> float:
        return round(self.converted / self.leads, 4) if self.leads else 0.0

    @strawberry.field(description="wonDeals / converted.")
    def win_rate(self) -> float:
        return round(self.won_deals / self.converted, 4) if self.converted else 0.0
