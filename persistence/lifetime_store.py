"""The lifetime refresh's statements (persistence/lifetime.py describes the tables): the
histories summarised and read grouped, the fits stored, and the scores joined back to every
contact in one statement."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

import asyncpg
import numpy as np
import orjson

from domain.lifetime import PurchaseHistories, SpendHistories
from domain.lifetime.fitting import ModelFit
from domain.lifetime_valuation import HORIZON_MONTHS, LifetimeSettings
from domain.services.lifetime import LifetimeResult
from persistence.rfm import purchased
from persistence.summaries import summarise

# Each contact's purchases: what summaries.summarise puts into lifetime_history.
HISTORY_COLUMNS = ("contact_id uuid, x bigint, t_x integer, age integer, revenue numeric, "
                   "mean_spend numeric")
_HISTORIES = f"""
WITH days AS (
    SELECT o.contact_id, (o.ordered_at AT TIME ZONE 'UTC')::date AS day, sum(o.total) AS value
    FROM sales_order o JOIN contact c ON c.id = o.contact_id AND c.archived_at IS NULL
    WHERE {purchased('o', '$1')} AND o.ordered_at <= $2
    GROUP BY 1, 2
)
SELECT contact_id, count(*) - 1 AS x, max(day) - min(day) AS t_x,
       ($2::timestamptz AT TIME ZONE 'UTC')::date - min(day) AS age,
       sum(value) AS revenue,
       round((sum(value) - (array_agg(value ORDER BY day))[1]) / nullif(count(*) - 1, 0), 2)
           AS mean_spend
FROM days GROUP BY contact_id
"""


def _fit_json(fit: ModelFit) -> dict:
    params = fit.parameters
    return {"parameters": None if params is None else {k: getattr(params, k)
                                                        for k in params.__slots__},
            "logLikelihood": fit.log_likelihood, "converged": fit.converged,
            "declined": fit.declined, "iterations": fit.iterations, "message": fit.message}


class LifetimeSqlStore:
    """Implements domain.services.lifetime.LifetimeStore on one connection in a transaction."""

    def __init__(self, db: asyncpg.Connection, currency: str, now: datetime,
                 source: asyncpg.Connection | None = None) -> None:
        # The histories are read on `source`, a replica, when given; everything else on `db`.
        self.db, self.currency, self.now, self.source = db, currency, now, source

    async def purchase_histories(self) -> PurchaseHistories:
        await summarise(self.db, self.source, "lifetime_history", HISTORY_COLUMNS, _HISTORIES,
                        self.currency, self.now)
        rows = await self.db.fetch("SELECT x, t_x, age, count(*) AS n FROM lifetime_history "
                                   "GROUP BY 1, 2, 3")
        return PurchaseHistories(*_columns(rows, ("x", "t_x", "age")), _counts(rows))

    async def spend_histories(self) -> SpendHistories:
        rows = await self.db.fetch("SELECT x, mean_spend, count(*) AS n FROM lifetime_history "
                                   "WHERE x > 0 GROUP BY 1, 2")
        return SpendHistories(*_columns(rows, ("x", "mean_spend")), _counts(rows))

    async def write(self, result: LifetimeResult, settings: LifetimeSettings) -> int:
        """The model's row and every contact's scores, replacing the previous refresh's."""
        model_id = uuid.uuid4()
        purchases = result.purchases
        await self.db.execute(
            "INSERT INTO lifetime_model (id, fitted_at, currency, customers, repeat_customers, "
            "purchases, spend, horizon_months, monthly_discount_rate, margin, scored) "
            "VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8, $9, $10, 0)",
            model_id, self.now, self.currency, purchases.customers, purchases.repeat_customers,
            orjson.dumps(_fit_json(purchases)).decode(),
            orjson.dumps(_fit_json(result.spend)).decode(), HORIZON_MONTHS,
            settings.monthly_discount_rate, settings.margin)
        await self._copy_scores(result)
        predicted = result.history_scores is not None
        scored = await self.db.fetchval(_WRITE.format(
            spend="s.expected" if predicted else "NULL::numeric",
            one_purchase=result.spend_scores.population_mean if predicted else "NULL"),
            model_id, self.now, settings.margin, predicted)
        await self.db.execute("DELETE FROM lifetime_score WHERE computed_at < $1", self.now)
        await self.db.execute("UPDATE lifetime_model SET scored = $2 WHERE id = $1",
                              model_id, scored)
        return scored

    async def _copy_scores(self, result: LifetimeResult) -> None:
        await self.db.execute("DROP TABLE IF EXISTS lifetime_by_history, lifetime_by_spend")
        await self.db.execute(
            "CREATE TEMP TABLE lifetime_by_history (x int, t_x int, age int, expected float8, "
            "alive float8, discounted float8) ON COMMIT DROP")
        await self.db.execute("CREATE TEMP TABLE lifetime_by_spend (x int, mean_spend numeric, "
                              "expected float8) ON COMMIT DROP")
        scores, spend = result.history_scores, result.spend_scores
        if scores is not None:
            h = scores.histories
            await self.db.copy_records_to_table("lifetime_by_history", records=zip(
                h.frequency.astype(int).tolist(), h.recency.astype(int).tolist(),
                h.age.astype(int).tolist(), scores.expected.tolist(), scores.alive.tolist(),
                scores.discounted.tolist(), strict=True))
            s = spend.histories
            await self.db.copy_records_to_table("lifetime_by_spend", records=zip(
                s.frequency.astype(int).tolist(), [Decimal(repr(v)) for v in s.mean_spend.tolist()],
                spend.expected.tolist(), strict=True))
        await self.db.execute("ANALYZE lifetime_by_history, lifetime_by_spend")


_WRITE = """
WITH scored AS (
    SELECT h.contact_id, h.x, h.t_x, h.age, h.revenue, b.expected, b.alive, b.discounted,
           CASE WHEN h.x = 0 THEN {one_purchase} ELSE {spend} END AS spend
    FROM lifetime_history h
    LEFT JOIN lifetime_by_history b ON $4 AND b.x = h.x AND b.t_x = h.t_x AND b.age = h.age
    LEFT JOIN lifetime_by_spend s ON $4 AND s.x = h.x AND s.mean_spend = h.mean_spend
),
written AS (
    INSERT INTO lifetime_score (contact_id, frequency, recency_days, age_days, historic_value,
                                expected_purchases, probability_alive, expected_spend,
                                predicted_value, model_id, computed_at)
    SELECT contact_id, x, t_x, age, round(revenue * $3::float8::numeric, 2), expected, alive,
           round(spend::numeric, 2), round((discounted * spend * $3::float8)::numeric, 2),
           $1, $2::timestamptz
    FROM scored
    ON CONFLICT (contact_id) DO UPDATE SET frequency = EXCLUDED.frequency,
        recency_days = EXCLUDED.recency_days, age_days = EXCLUDED.age_days,
        historic_value = EXCLUDED.historic_value,
        expected_purchases = EXCLUDED.expected_purchases,
        probability_alive = EXCLUDED.probability_alive,
        expected_spend = EXCLUDED.expected_spend, predicted_value = EXCLUDED.predicted_value,
        model_id = EXCLUDED.model_id, computed_at = EXCLUDED.computed_at
    RETURNING 1
)
SELECT count(*) FROM written
"""


def _columns(rows, names: tuple[str, ...]) -> list[np.ndarray]:
    return [np.array([float(r[n]) for r in rows], dtype=np.float64) for n in names]


def _counts(rows) -> np.ndarray:
    return np.array([r["n"] for r in rows], dtype=np.int64)
