"""RFM scores: one row per contact or account that bought, written by the analytics refresh

Revision ID: 0028
Revises: 0025
Create Date: 2026-12-16
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0028'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('rfm_score',
    sa.Column('record_id', sa.Uuid(), nullable=False),
    sa.Column('record_type', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('last_order_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recency_days', sa.Integer(), nullable=False),
    sa.Column('frequency', sa.Integer(), nullable=False),
    sa.Column('monetary', sa.Numeric(precision=16, scale=2), nullable=False),
    sa.Column('currency', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
    sa.Column('r', sa.SmallInteger(), nullable=False),
    sa.Column('f', sa.SmallInteger(), nullable=False),
    sa.Column('m', sa.SmallInteger(), nullable=False),
    sa.Column('segment', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('record_id', name=op.f('pk_rfm_score'))
    )
    op.create_index('ix_rfm_score_record_type_segment', 'rfm_score', ['record_type', 'segment'],
                    unique=False)


def downgrade() -> None:
    op.drop_index('ix_rfm_score_record_type_segment', table_name='rfm_score')
    op.drop_table('rfm_score')
