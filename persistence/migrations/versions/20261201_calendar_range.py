"""Dates and times that users give stay within 1900-01-01 and 2999-12-31 (UTC): never infinity

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01
"""

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

FIRST_DAY, LAST_DAY = "'1900-01-01'", "'2999-12-31'"
FIRST_MOMENT, LAST_MOMENT = "'1900-01-01 00:00:00+00'", "'2999-12-31 23:59:59.999999+00'"
RANGES = [
    ("activity", "at", FIRST_MOMENT, LAST_MOMENT),
    ("activity", "starts_at", FIRST_MOMENT, LAST_MOMENT),
    ("activity", "ends_at", FIRST_MOMENT, LAST_MOMENT),
    ("activity", "due_at", FIRST_MOMENT, LAST_MOMENT),
    ("activity", "reminder_at", FIRST_MOMENT, LAST_MOMENT),
    ("service_case", "opened_at", FIRST_MOMENT, LAST_MOMENT),
    ("opportunity", "close_date", FIRST_DAY, LAST_DAY),
]


def upgrade() -> None:
    for table, column, low, high in RANGES:
        op.create_check_constraint(op.f(f"ck_{table}_{column}_range"), table,
                                   f"{column} BETWEEN {low} AND {high}")


def downgrade() -> None:
    for table, column, _, _ in reversed(RANGES):
        op.drop_constraint(op.f(f"ck_{table}_{column}_range"), table, type_="check")
