"""Surveys, the invitations to answer them and the responses, with their answers as JSONB

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-15
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel
from sqlalchemy.dialects import postgresql

revision = '0031'
down_revision = '0030'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('survey',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('updated_by', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('questions', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('trigger', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('every_days', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), server_default='true', nullable=False),
    sa.CheckConstraint("(trigger = 'EVERY_N_DAYS') = (every_days IS NOT NULL)", name=op.f('ck_survey_every_days')),
    sa.CheckConstraint("kind IN ('NPS', 'CSAT', 'CES', 'SERVQUAL', 'CUSTOM')", name=op.f('ck_survey_kind')),
    sa.CheckConstraint("trigger IN ('CASE_RESOLVED', 'ORDER_FULFILLED', 'EVERY_N_DAYS', 'MANUAL')", name=op.f('ck_survey_trigger')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey'))
    )
    op.create_index('ix_survey_name_id', 'survey', ['name', 'id'], unique=False)
    op.create_table('survey_invitation',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('updated_by', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('survey_id', sa.Uuid(), nullable=False),
    sa.Column('contact_id', sa.Uuid(), nullable=False),
    sa.Column('case_id', sa.Uuid(), nullable=True),
    sa.Column('order_id', sa.Uuid(), nullable=True),
    sa.Column('product_id', sa.Uuid(), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('responded_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('PENDING', 'RESPONDED', 'EXPIRED')", name=op.f('ck_survey_invitation_status')),
    sa.CheckConstraint('num_nonnulls(case_id, order_id, product_id) <= 1', name=op.f('ck_survey_invitation_about')),
    sa.ForeignKeyConstraint(['case_id'], ['service_case.id'], name=op.f('fk_survey_invitation_case_id_service_case')),
    sa.ForeignKeyConstraint(['contact_id'], ['contact.id'], name=op.f('fk_survey_invitation_contact_id_contact')),
    sa.ForeignKeyConstraint(['order_id'], ['sales_order.id'], name=op.f('fk_survey_invitation_order_id_sales_order')),
    sa.ForeignKeyConstraint(['product_id'], ['product.id'], name=op.f('fk_survey_invitation_product_id_product')),
    sa.ForeignKeyConstraint(['survey_id'], ['survey.id'], name=op.f('fk_survey_invitation_survey_id_survey')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_invitation'))
    )
    op.create_index('ix_survey_invitation_contact_created', 'survey_invitation', ['contact_id', 'created_at', 'id'], unique=False)
    op.create_index('ix_survey_invitation_created_id', 'survey_invitation', ['created_at', 'id'], unique=False)
    op.create_index('ix_survey_invitation_pending_expires', 'survey_invitation', ['expires_at'], unique=False, postgresql_where=sa.text("status = 'PENDING'"))
    op.create_index('ix_survey_invitation_survey_contact_created', 'survey_invitation', ['survey_id', 'contact_id', 'created_at'], unique=False)
    op.create_index('uq_survey_invitation_about', 'survey_invitation', ['survey_id', 'contact_id', sa.literal_column('coalesce(case_id, order_id, product_id)')], unique=True, postgresql_where=sa.text('num_nonnulls(case_id, order_id, product_id) > 0'))
    op.create_table('survey_response',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('updated_by', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('survey_id', sa.Uuid(), nullable=False),
    sa.Column('contact_id', sa.Uuid(), nullable=False),
    sa.Column('invitation_id', sa.Uuid(), nullable=True),
    sa.Column('case_id', sa.Uuid(), nullable=True),
    sa.Column('order_id', sa.Uuid(), nullable=True),
    sa.Column('product_id', sa.Uuid(), nullable=True),
    sa.Column('answers', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('score', sa.Integer(), nullable=True),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('comment_class', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
    sa.Column('classified_by', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
    sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('responded_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("channel IN ('PORTAL', 'LINK', 'STAFF', 'IMPORT')", name=op.f('ck_survey_response_channel')),
    sa.CheckConstraint("classified_by IN ('AUTO', 'STAFF')", name=op.f('ck_survey_response_classified_by')),
    sa.CheckConstraint("comment_class IN ('ERROR', 'WISH', 'QUESTION')", name=op.f('ck_survey_response_comment_class')),
    sa.CheckConstraint('num_nonnulls(case_id, order_id, product_id) <= 1', name=op.f('ck_survey_response_about')),
    sa.ForeignKeyConstraint(['case_id'], ['service_case.id'], name=op.f('fk_survey_response_case_id_service_case')),
    sa.ForeignKeyConstraint(['contact_id'], ['contact.id'], name=op.f('fk_survey_response_contact_id_contact')),
    sa.ForeignKeyConstraint(['invitation_id'], ['survey_invitation.id'], name=op.f('fk_survey_response_invitation_id_survey_invitation')),
    sa.ForeignKeyConstraint(['order_id'], ['sales_order.id'], name=op.f('fk_survey_response_order_id_sales_order')),
    sa.ForeignKeyConstraint(['product_id'], ['product.id'], name=op.f('fk_survey_response_product_id_product')),
    sa.ForeignKeyConstraint(['survey_id'], ['survey.id'], name=op.f('fk_survey_response_survey_id_survey')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_response')),
    sa.UniqueConstraint('invitation_id', name=op.f('uq_survey_response_invitation_id'))
    )
    op.create_index('ix_survey_response_contact_responded', 'survey_response', ['contact_id', 'responded_at', 'id'], unique=False)
    op.create_index('ix_survey_response_created_id', 'survey_response', ['created_at', 'id'], unique=False)
    op.create_index('ix_survey_response_survey_responded', 'survey_response', ['survey_id', 'responded_at', 'id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_survey_response_survey_responded', table_name='survey_response')
    op.drop_index('ix_survey_response_created_id', table_name='survey_response')
    op.drop_index('ix_survey_response_contact_responded', table_name='survey_response')
    op.drop_table('survey_response')
    op.drop_index('uq_survey_invitation_about', table_name='survey_invitation', postgresql_where=sa.text('num_nonnulls(case_id, order_id, product_id) > 0'))
    op.drop_index('ix_survey_invitation_survey_contact_created', table_name='survey_invitation')
    op.drop_index('ix_survey_invitation_pending_expires', table_name='survey_invitation', postgresql_where=sa.text("status = 'PENDING'"))
    op.drop_index('ix_survey_invitation_created_id', table_name='survey_invitation')
    op.drop_index('ix_survey_invitation_contact_created', table_name='survey_invitation')
    op.drop_table('survey_invitation')
    op.drop_index('ix_survey_name_id', table_name='survey')
    op.drop_table('survey')
