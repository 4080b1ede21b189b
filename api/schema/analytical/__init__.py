"""The analytical layer's GraphQL: KPIs, scores, segments, funnels, cohorts, aggregates."""

from __future__ import annotations


def rate(part, whole) -> float | None:
    """part / whole to 4 places; None when there is nothing to divide by, which is no rate at
    all rather than a rate of 0."""
    return round(float(part) / float(whole), 4) if whole else None
