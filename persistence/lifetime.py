"""Lifetime value in the database: each contact's purchase history summarised in SQL, the fits
of the models kept one row per refresh, and each contact's predictions and historic value.

A history counts purchase days, as the BG/NBD does: several orders on one day are one purchase
of their summed value. Frequency is the number of days with a purchase after the first,
recency the days from the first to the last, age the days from the first to the refresh; the
mean spend is that of the repeat purchases, as the Gamma-Gamma model reads it. Purchases are
persistence/rfm.py's: confirmed or fulfilled live orders in the reporting currency.

The tables and how contacts read them are here; the refresh's statements, which need the
models' numerical libraries, are in persistence/lifetime_store.py.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Column, Float
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from domain.access import Access
from persistence.base import utc_column
from persistence.db import Reader
from persistence.declaration import Field as DeclaredField
from persistence.declaration import InternalTable


class LifetimeModelRow(SQLModel, table=True):
    """One refresh's fits: what the models found, over whom, and whether they may be used."""

    __tablename__ = "lifetime_model"

    id: uuid.UUID = Field(primary_key=True)
    fitted_at: datetime = Field(**utc_column(server_default=None), index=True)
    currency: str = Field(max_length=3)
    customers: int
    repeat_customers: int
    # Per model: parameters (or null), log-likelihood, converged, declined, iterations, message.
    purchases: dict = Field(sa_column=Column(JSONB, nullable=False))
    spend: dict = Field(sa_column=Column(JSONB, nullable=False))
    horizon_months: int
    monthly_discount_rate: float = Field(sa_column=Column(Float, nullable=False))
    margin: float = Field(sa_column=Column(Float, nullable=False))
    scored: int


class LifetimeScoreRow(SQLModel, table=True):
    """One contact's history and, when the model could be used, its predictions."""

    __tablename__ = "lifetime_score"

    contact_id: uuid.UUID = Field(primary_key=True)
    frequency: int
    recency_days: int
    age_days: int
    historic_value: Decimal = Field(max_digits=16, decimal_places=2)
    expected_purchases: float | None = Field(default=None, sa_column=Column(Float))
    probability_alive: float | None = Field(default=None, sa_column=Column(Float))
    expected_spend: Decimal | None = Field(default=None, max_digits=16, decimal_places=2)
    predicted_value: Decimal | None = Field(default=None, max_digits=16, decimal_places=2)
    model_id: uuid.UUID = Field(foreign_key="lifetime_model.id", index=True)
    computed_at: datetime = Field(**utc_column(server_default=None))


LIFETIME_TABLES = (
    InternalTable(LifetimeModelRow.__table__,
                  "the lifetime models' fits, read by the lifetimeModel query"),
    InternalTable(LifetimeScoreRow.__table__,
                  "computed predictions, read as Contact.lifetime; only the refresh writes them"),
)


def lifetime_sql(t: str, _access: Access) -> str:
    """The stored lifetime figures of the contact at alias `t`, as Contact.lifetime reads them;
    money as text and time in the DateTime scalar's form, alike on both read paths."""
    return ("(SELECT jsonb_build_object('frequency', s.frequency, 'recency', s.recency_days, "
            "'age', s.age_days, 'historicValue', s.historic_value::text, "
            "'expectedPurchases', s.expected_purchases, 'probabilityAlive', "
            "s.probability_alive, 'churnProbability', 1 - s.probability_alive, "
            "'expectedSpend', s.expected_spend::text, "
            "'predictedValue', s.predicted_value::text, 'computedAt', crm_time(s.computed_at)) "
            f"FROM lifetime_score s WHERE s.contact_id = {t}.id)")


def lifetime_field() -> DeclaredField:
    """A contact's lifetime figures: in its `analytics` group, beside its RFM scores."""
    return DeclaredField("lifetime", "id", derived=True, computed=lifetime_sql)


async def latest_model(reader: Reader) -> dict | None:
    """The newest refresh's fits."""
    rows = await reader.rows("SELECT * FROM lifetime_model ORDER BY fitted_at DESC, id LIMIT 1",
                             ())
    return rows[0] if rows else None
