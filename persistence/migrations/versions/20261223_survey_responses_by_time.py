"""An index of live survey responses by the time they were given, which customerKpis reads a
window of

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-23
"""

import sqlalchemy as sa
from alembic import op

revision = '0035'
down_revision = '0034'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_survey_response_responded', 'survey_response', ['responded_at'],
                    unique=False, postgresql_where=sa.text('archived_at IS NULL'))


def downgrade() -> None:
    op.drop_index('ix_survey_response_responded', table_name='survey_response')
