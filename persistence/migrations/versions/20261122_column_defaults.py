"""Defaults in the database for columns that writes may leave out

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

DEFAULTS = [
    ("contact", "lifecycle_stage", "'LEAD'"),
    ("contact", "lead_score", "0"),
    ("account_contact", "is_decision_maker", "false"),
    ("app_user", "active", "true"),
]


def upgrade() -> None:
    for table, column, default in DEFAULTS:
        op.execute(f"ALTER TABLE {table} ALTER COLUMN {column} SET DEFAULT {default}")


def downgrade() -> None:
    for table, column, _ in DEFAULTS:
        op.execute(f"ALTER TABLE {table} ALTER COLUMN {column} DROP DEFAULT")
