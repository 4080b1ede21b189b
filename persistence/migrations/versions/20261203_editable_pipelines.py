"""Editable pipelines: the names of pipelines, and of stages within a pipeline, are unique
among the live ones only, so that an archived name may be taken again

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03
"""

from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_constraint(op.f('uq_pipeline_name'), 'pipeline', type_='unique')
    op.create_index('uq_pipeline_name', 'pipeline', ['name'], unique=True, postgresql_where=sa.text('archived_at IS NULL'))
    op.drop_constraint(op.f('uq_pipeline_stage_pipeline_id_name'), 'pipeline_stage', type_='unique')
    op.create_index('uq_pipeline_stage_pipeline_id_name', 'pipeline_stage', ['pipeline_id', 'name'], unique=True, postgresql_where=sa.text('archived_at IS NULL'))


def downgrade() -> None:
    # Fails while an archived pipeline or stage shares its name with another: rename one first.
    op.drop_index('uq_pipeline_stage_pipeline_id_name', table_name='pipeline_stage', postgresql_where=sa.text('archived_at IS NULL'))
    op.create_unique_constraint(op.f('uq_pipeline_stage_pipeline_id_name'), 'pipeline_stage', ['pipeline_id', 'name'])
    op.drop_index('uq_pipeline_name', table_name='pipeline', postgresql_where=sa.text('archived_at IS NULL'))
    op.create_unique_constraint(op.f('uq_pipeline_name'), 'pipeline', ['name'])
