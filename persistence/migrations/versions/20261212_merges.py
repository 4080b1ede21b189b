"""Merges: contacts and accounts keep mergedInto, a merge record keeps what undo needs, and
the columns a merge moves references along are indexed

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-01
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('record_merge',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('updated_by', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('record_type', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('survivor_id', sa.Uuid(), nullable=False),
    sa.Column('merged_ids', sa.ARRAY(sa.Uuid()), nullable=False),
    sa.Column('snapshots', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('moved', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('versions', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('undone_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("record_type IN ('Contact', 'Account')", name=op.f('ck_record_merge_record_type')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_record_merge'))
    )
    op.create_index('ix_record_merge_survivor_id_created_at', 'record_merge', ['survivor_id', 'created_at'], unique=False)
    op.add_column('account', sa.Column('merged_into_id', sa.Uuid(), nullable=True))
    op.create_index('ix_account_merged_into_id', 'account', ['merged_into_id'], unique=False, postgresql_where=sa.text('merged_into_id IS NOT NULL'))
    op.create_foreign_key(op.f('fk_account_merged_into_id_account'), 'account', 'account', ['merged_into_id'], ['id'])
    op.create_index('ix_activity_attendee_contact_id', 'activity_attendee', ['contact_id'], unique=False)
    op.add_column('contact', sa.Column('merged_into_id', sa.Uuid(), nullable=True))
    op.create_index('ix_contact_merged_into_id', 'contact', ['merged_into_id'], unique=False, postgresql_where=sa.text('merged_into_id IS NOT NULL'))
    op.create_foreign_key(op.f('fk_contact_merged_into_id_contact'), 'contact', 'contact', ['merged_into_id'], ['id'])
    op.create_index('ix_lead_converted_account_id', 'lead', ['converted_account_id'], unique=False, postgresql_where=sa.text('converted_account_id IS NOT NULL'))
    op.create_index('ix_lead_converted_contact_id', 'lead', ['converted_contact_id'], unique=False, postgresql_where=sa.text('converted_contact_id IS NOT NULL'))
    op.create_index('ix_notification_record_id', 'notification', ['record_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_notification_record_id', table_name='notification')
    op.drop_index('ix_lead_converted_contact_id', table_name='lead', postgresql_where=sa.text('converted_contact_id IS NOT NULL'))
    op.drop_index('ix_lead_converted_account_id', table_name='lead', postgresql_where=sa.text('converted_account_id IS NOT NULL'))
    op.drop_constraint(op.f('fk_contact_merged_into_id_contact'), 'contact', type_='foreignkey')
    op.drop_index('ix_contact_merged_into_id', table_name='contact', postgresql_where=sa.text('merged_into_id IS NOT NULL'))
    op.drop_column('contact', 'merged_into_id')
    op.drop_index('ix_activity_attendee_contact_id', table_name='activity_attendee')
    op.drop_constraint(op.f('fk_account_merged_into_id_account'), 'account', type_='foreignkey')
    op.drop_index('ix_account_merged_into_id', table_name='account', postgresql_where=sa.text('merged_into_id IS NOT NULL'))
    op.drop_column('account', 'merged_into_id')
    op.drop_index('ix_record_merge_survivor_id_created_at', table_name='record_merge')
    op.drop_table('record_merge')
