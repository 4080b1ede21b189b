"""Purchase roll-ups: what customerKpis and cohorts count, kept per day, period and cohort by
triggers on sales_order in the writing transaction

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-21
"""

import sqlalchemy as sa
from alembic import op

revision = '0033'
down_revision = '0032'
branch_labels = None
depends_on = None

# A purchase is persistence/rfm.py's, in every currency (the readers pick theirs). A customer is
# the contact an order names, else its account. What one set of customers contributes:
#   orders, revenue     per day of purchase;
#   acquired            1 on the day of the customer's first purchase;
#   active              +1 on the first day the customer is active, -1 on the first it is not:
#                       a purchase on day d makes it active from d + 1 to d + 365 (it bought in
#                       the 365 days before), so the running sum up to a day is the number of
#                       customers active at its start;
#   buyers_<unit>       1 per month, quarter or year with a purchase; repeat_<unit> when >= 2;
#   cohort_size         1 in the month of the first purchase; cohort_buyers and cohort_revenue
#                       per cohort month and months since (period).
# `customers` NULL means all of them. Otherwise what their orders contribute now, less what they
# contributed before the statement (their orders less those `skipped`, plus those `added`): one
# pass over both, each purchase carrying its side (+1 now, -1 before), so that one statement
# with a cached plan does what a trigger needs.
CONTRIBUTION = """
CREATE FUNCTION crm_purchase_rollup_of(customers uuid[], skipped uuid[], added sales_order[])
RETURNS TABLE (kind text, currency varchar, bucket date, period int, value numeric)
LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
BEGIN
RETURN QUERY
WITH orders AS (
    SELECT o.* FROM sales_order o WHERE customers IS NULL
    UNION ALL
    SELECT o.* FROM sales_order o WHERE o.contact_id = ANY(customers)
    UNION ALL
    SELECT o.* FROM sales_order o WHERE o.contact_id IS NULL AND o.account_id = ANY(customers)
),
purchase AS (
    SELECT o.side, coalesce(o.contact_id, o.account_id) AS customer, o.currency,
           (o.ordered_at AT TIME ZONE 'UTC')::date AS day, o.total
    FROM (SELECT 1 AS side, o.* FROM orders o
          UNION ALL
          SELECT -1, o.* FROM orders o WHERE customers IS NOT NULL
              AND NOT EXISTS (SELECT FROM unnest(skipped) s(id) WHERE s.id = o.id)
          UNION ALL
          SELECT -1, o.* FROM unnest(added) o) o
    WHERE o.archived_at IS NULL AND o.status IN ('CONFIRMED', 'FULFILLED')
),
days AS (
    SELECT side, customer, currency, day, count(*) AS orders, sum(total) AS revenue,
           lag(day) OVER w AS previous, lead(day) OVER w AS next,
           min(day) OVER (PARTITION BY side, customer, currency) AS first
    FROM purchase GROUP BY side, customer, currency, day
    WINDOW w AS (PARTITION BY side, customer, currency ORDER BY day)
),
periods AS (
    SELECT side, currency, unit, date_trunc(unit, day)::date AS bucket, sum(orders) AS orders
    FROM days CROSS JOIN (VALUES ('month'), ('quarter'), ('year')) u(unit)
    GROUP BY side, customer, currency, unit, 4
),
months AS (
    SELECT side, currency, date_trunc('month', first)::date AS cohort,
           date_trunc('month', day)::date AS month, sum(revenue) AS revenue
    FROM days GROUP BY side, customer, currency, 3, 4
),
since AS (
    SELECT side, currency, cohort, month, revenue,
           ((extract(year FROM month) - extract(year FROM cohort)) * 12
            + extract(month FROM month) - extract(month FROM cohort))::int AS period
    FROM months
)
SELECT kind, currency, bucket, period, sum(side * value) FROM (
    SELECT side, 'orders' AS kind, currency, day AS bucket, 0 AS period,
           orders::numeric AS value FROM days
    UNION ALL SELECT side, 'revenue', currency, day, 0, revenue FROM days
    UNION ALL SELECT side, 'acquired', currency, day, 0, 1 FROM days WHERE day = first
    UNION ALL SELECT side, 'active', currency, day + 1, 0, 1 FROM days
              WHERE previous IS NULL OR day - previous > 365
    UNION ALL SELECT side, 'active', currency, day + 366, 0, -1 FROM days
              WHERE next IS NULL OR next - day > 365
    UNION ALL SELECT side, 'buyers_' || unit, currency, bucket, 0, 1 FROM periods
    UNION ALL SELECT side, 'repeat_' || unit, currency, bucket, 0, 1 FROM periods
              WHERE orders > 1
    UNION ALL SELECT side, 'cohort_size', currency, cohort, 0, 1 FROM months
              WHERE month = cohort
    UNION ALL SELECT side, 'cohort_buyers', currency, cohort, period, 1 FROM since
    UNION ALL SELECT side, 'cohort_revenue', currency, cohort, period, revenue FROM since
) contributed GROUP BY kind, currency, bucket, period HAVING sum(side * value) <> 0;
END $$
"""

# The difference the changed orders made, written as new rows: appending never waits on another
# writer's row. Their customers are locked first, in order, so that two transactions writing
# one customer's orders each see the other's: each difference then starts where the last ended.
# A statement of more customers than the lock table should hold one lock each for takes the
# one lock that excludes every other writer's instead (the others share it).
APPLY = """
CREATE FUNCTION crm_purchase_rollup_apply(customers uuid[], skipped uuid[], added sales_order[])
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF cardinality(customers) > 1000 THEN
        PERFORM pg_advisory_xact_lock(1886745190, 0);
    ELSE
        PERFORM pg_advisory_xact_lock_shared(1886745190, 0);
        PERFORM pg_advisory_xact_lock(1886745189, hashtext(c::text))
        FROM unnest(customers) c ORDER BY hashtext(c::text);
    END IF;
    INSERT INTO purchase_rollup (kind, currency, bucket, period, value)
    SELECT * FROM crm_purchase_rollup_of(customers, skipped, added);
END $$
"""

CUSTOMERS_OF = "SELECT array_agg(DISTINCT coalesce(contact_id, account_id)) FROM {}"
TRIGGERS = {
    "INSERT": ("REFERENCING NEW TABLE AS inserted",
               f"crm_purchase_rollup_apply(({CUSTOMERS_OF.format('inserted')}), "
               "(SELECT array_agg(id) FROM inserted), NULL)"),
    "UPDATE": ("REFERENCING OLD TABLE AS before NEW TABLE AS after",
               "crm_purchase_rollup_apply((SELECT array_agg(DISTINCT c) FROM (SELECT "
               "coalesce(contact_id, account_id) FROM before UNION ALL SELECT "
               "coalesce(contact_id, account_id) FROM after) t(c)), "
               "(SELECT array_agg(id) FROM after), (SELECT array_agg(b::sales_order) FROM before b))"),
    "DELETE": ("REFERENCING OLD TABLE AS deleted",
               f"crm_purchase_rollup_apply(({CUSTOMERS_OF.format('deleted')}), NULL, "
               "(SELECT array_agg(d::sales_order) FROM deleted d))"),
}


def upgrade() -> None:
    op.create_table('purchase_rollup',
                    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
                    sa.Column('kind', sa.String(length=20), nullable=False),
                    sa.Column('currency', sa.String(length=3), nullable=False),
                    sa.Column('bucket', sa.Date(), nullable=False),
                    sa.Column('period', sa.SmallInteger(), nullable=False),
                    sa.Column('value', sa.Numeric(precision=20, scale=2), nullable=False),
                    sa.PrimaryKeyConstraint('id'))
    op.create_index('ix_purchase_rollup_currency_kind_bucket', 'purchase_rollup',
                    ['currency', 'kind', 'bucket', 'period'], unique=False)
    op.execute(CONTRIBUTION)
    op.execute(APPLY)
    for event, (transition, call) in TRIGGERS.items():
        name = f"purchase_rollup_{event.lower()}"
        op.execute(f"CREATE FUNCTION crm_{name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                   f"BEGIN PERFORM {call}; RETURN NULL; END $$")
        op.execute(f"CREATE TRIGGER {name} AFTER {event} ON sales_order {transition} "
                   f"FOR EACH STATEMENT EXECUTE FUNCTION crm_{name}()")
    op.execute("INSERT INTO purchase_rollup (kind, currency, bucket, period, value) "
               "SELECT * FROM crm_purchase_rollup_of(NULL, NULL, NULL)")


def downgrade() -> None:
    for event in TRIGGERS:
        name = f"purchase_rollup_{event.lower()}"
        op.execute(f"DROP TRIGGER {name} ON sales_order")
        op.execute(f"DROP FUNCTION crm_{name}()")
    op.execute("DROP FUNCTION crm_purchase_rollup_apply(uuid[], uuid[], sales_order[])")
    op.execute("DROP FUNCTION crm_purchase_rollup_of(uuid[], uuid[], sales_order[])")
    op.drop_index('ix_purchase_rollup_currency_kind_bucket', table_name='purchase_rollup')
    op.drop_table('purchase_rollup')
