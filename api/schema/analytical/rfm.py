"""RFM scores as contacts and accounts show them: `rfm { recency frequency monetary r f m
segment computedAt }`, and the segment a list may be filtered by."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import strawberry

from api.schema import forms
from api.schema.fields import column
from domain.rfm import MEANING, RfmSegment

Segment = strawberry.enum(RfmSegment, description="Named RFM segments: " + " ".join(
    f"{segment.value}: {meaning}" for segment, meaning in MEANING.items()))


@strawberry.type(description="How recently, how often and for how much the customer bought, "
                             "as of the last refresh: each scored 1-5 by quintile over all "
                             "customers who bought, and the segment the scores put it in. "
                             "Null for a customer with no purchase.")
class Rfm:
    recency: int = strawberry.field(description="Days from the last purchase to the refresh.")
    frequency: int = strawberry.field(description="Purchases: confirmed or fulfilled orders.")
    monetary: Decimal = strawberry.field(description="Their total, in `currency`.")
    currency: str = strawberry.field(description="The reporting currency: orders in others are "
                                                 "not counted.")
    r: int = strawberry.field(description="Recency score, 5 for the most recent fifth.")
    f: int = strawberry.field(description="Frequency score, 5 for the most frequent fifth.")
    m: int = strawberry.field(description="Monetary score, 5 for the highest spending fifth.")
    segment: Segment = strawberry.field(description="The segment of the scores.")
    computed_at: datetime = strawberry.field(description="When the scores were computed.")


def _rfm(value: dict) -> Rfm:
    return Rfm(recency=value["recency"], frequency=value["frequency"],
               monetary=Decimal(value["monetary"]), currency=value["currency"], r=value["r"],
               f=value["f"], m=value["m"], segment=RfmSegment(value["segment"]),
               computed_at=datetime.fromisoformat(value["computedAt"]))


def rfm_field():
    """The `rfm` field of a customer type (its `analytics` policy group)."""
    return column("RFM scores as of the last refresh (`crm analytics refresh`, or the daily "
                  "job); null when the customer has bought nothing.", _rfm,
                  form=forms.Json(many=False))
