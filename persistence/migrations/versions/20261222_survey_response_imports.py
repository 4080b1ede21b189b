"""Imports of survey responses: the import job's kind may be SURVEY_RESPONSES

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-22
"""

from alembic import op

revision = '0034'
down_revision = '0033'
branch_labels = None
depends_on = None


def _kinds(*kinds: str) -> None:
    listed = ", ".join(f"'{kind}'" for kind in kinds)
    op.execute("ALTER TABLE import_job DROP CONSTRAINT ck_import_job_kind")
    op.execute(f"ALTER TABLE import_job ADD CONSTRAINT ck_import_job_kind CHECK (kind IN ({listed}))")


def upgrade() -> None:
    _kinds('CONTACTS', 'ACCOUNTS', 'SURVEY_RESPONSES')


def downgrade() -> None:
    op.execute("DELETE FROM import_job WHERE kind = 'SURVEY_RESPONSES'")
    _kinds('CONTACTS', 'ACCOUNTS')
