"""How predicted purchases are valued as CLV: over HORIZON_MONTHS, discounted monthly, at a
margin. Apart from domain/lifetime/ so that settings can name the defaults without loading
the models' numerical libraries."""

from __future__ import annotations

from dataclasses import dataclass

HORIZON_MONTHS = 12


@dataclass(frozen=True, slots=True)
class LifetimeSettings:
    monthly_discount_rate: float
    margin: float  # the share of revenue that is margin; 1.0: CLV is revenue


# CRM_CLV_MONTHLY_DISCOUNT and CRM_ANALYTICS_MARGIN unless set: CLV is revenue, discounted at
# 1% a month.
DEFAULTS = LifetimeSettings(monthly_discount_rate=0.01, margin=1.0)
