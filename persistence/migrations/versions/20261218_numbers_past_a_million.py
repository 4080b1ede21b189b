"""Order and case numbers keep every digit past 999,999: SO-1000000 instead of a six-digit cut
that repeats an earlier number

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-18
"""

from alembic import op

revision = '0030'
down_revision = '0029'
branch_labels = None
depends_on = None

# At least six digits, zero-padded, and all of them beyond: lpad alone cuts a longer number.
NUMBERED = """
CREATE FUNCTION crm_numbered(prefix text, sequence regclass) RETURNS text
LANGUAGE sql VOLATILE PARALLEL UNSAFE
AS $$ SELECT prefix || lpad(n::text, greatest(6, length(n::text)), '0') FROM nextval(sequence) n $$
"""
DEFAULTS = {("sales_order", "SO-", "order_number"), ("service_case", "CS-", "case_number")}


def upgrade() -> None:
    op.execute(NUMBERED)
    for table, prefix, sequence in DEFAULTS:
        op.execute(f"ALTER TABLE {table} ALTER COLUMN number "
                   f"SET DEFAULT crm_numbered('{prefix}', '{sequence}')")


def downgrade() -> None:
    for table, prefix, sequence in DEFAULTS:
        op.execute(f"ALTER TABLE {table} ALTER COLUMN number "
                   f"SET DEFAULT '{prefix}' || lpad(nextval('{sequence}')::text, 6, '0')")
    op.execute("DROP FUNCTION crm_numbered(text, regclass)")
