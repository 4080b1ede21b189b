"""Render functions declared STABLE, so that PostgreSQL inlines them

convert_to() is STABLE, and PostgreSQL inlines a SQL function only when the function is
declared no more strict about volatility than its body: declared IMMUTABLE, each call of
crm_base64url ran as a separate function call for every id and cursor in an answer.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

FUNCTIONS = ("crm_base64url(text)", "crm_global_id(text, uuid)", "crm_actor_id(text)")


def upgrade() -> None:
    for signature in FUNCTIONS:
        op.execute(f"ALTER FUNCTION {signature} STABLE")


def downgrade() -> None:
    for signature in FUNCTIONS:
        op.execute(f"ALTER FUNCTION {signature} IMMUTABLE")
