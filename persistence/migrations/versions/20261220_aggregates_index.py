"""An index that holds what an aggregate of one territory's live contacts reads: their
territory and stage, and their owner, lead score and creation time

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-17
"""

import sqlalchemy as sa
from alembic import op

revision = '0032'
down_revision = '0031'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_contact_territory_aggregates', 'contact',
                    ['territory_id', 'lifecycle_stage'], unique=False,
                    postgresql_include=['owner_id', 'lead_score', 'created_at'],
                    postgresql_where=sa.text('archived_at IS NULL'))


def downgrade() -> None:
    op.drop_index('ix_contact_territory_aggregates', table_name='contact')
