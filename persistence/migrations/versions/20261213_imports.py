"""Imports: the job with its file, the rows it rejected and the records it wrote; and the
external id of contacts and accounts, unique among live records

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-11
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel
from sqlalchemy.dialects import postgresql

revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('import_job',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('updated_by', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('filename', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.Column('file', sa.LargeBinary(), nullable=False),
    sa.Column('options', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('mapping', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('headers', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=True),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('rows_read', sa.Integer(), server_default='0', nullable=False),
    sa.Column('created_count', sa.Integer(), server_default='0', nullable=False),
    sa.Column('updated_count', sa.Integer(), server_default='0', nullable=False),
    sa.Column('skipped_count', sa.Integer(), server_default='0', nullable=False),
    sa.Column('rejected_count', sa.Integer(), server_default='0', nullable=False),
    sa.Column('progress_line', sa.Integer(), server_default='0', nullable=False),
    sa.Column('error', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("kind IN ('CONTACTS', 'ACCOUNTS')", name=op.f('ck_import_job_kind')),
    sa.CheckConstraint("status IN ('PENDING', 'RUNNING', 'DONE', 'FAILED', 'UNDONE')", name=op.f('ck_import_job_status')),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_import_job_user_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_job'))
    )
    op.create_index('ix_import_job_created_at_id', 'import_job', ['created_at', 'id'], unique=False)
    op.create_index(op.f('ix_import_job_user_id'), 'import_job', ['user_id'], unique=False)
    op.create_table('import_record',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=True), nullable=False),
    sa.Column('job_id', sa.Uuid(), nullable=False),
    sa.Column('record_type', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('record_id', sa.Uuid(), nullable=False),
    sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('before', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['job_id'], ['import_job.id'], name=op.f('fk_import_record_job_id_import_job')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_record'))
    )
    op.create_index('ix_import_record_job_id_record_id', 'import_record', ['job_id', 'record_id'], unique=False)
    op.create_table('import_row_error',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=True), nullable=False),
    sa.Column('job_id', sa.Uuid(), nullable=False),
    sa.Column('line', sa.Integer(), nullable=False),
    sa.Column('column', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.Column('value', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('message', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('cells', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.ForeignKeyConstraint(['job_id'], ['import_job.id'], name=op.f('fk_import_row_error_job_id_import_job')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_row_error'))
    )
    op.create_index('ix_import_row_error_job_id_line', 'import_row_error', ['job_id', 'line'], unique=False)
    op.add_column('account', sa.Column('external_id', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True))
    op.create_index('uq_account_external_id', 'account', ['external_id'], unique=True, postgresql_where=sa.text('archived_at IS NULL'))
    op.add_column('contact', sa.Column('external_id', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True))
    op.create_index('uq_contact_external_id', 'contact', ['external_id'], unique=True, postgresql_where=sa.text('archived_at IS NULL'))


def downgrade() -> None:
    op.drop_index('uq_contact_external_id', table_name='contact', postgresql_where=sa.text('archived_at IS NULL'))
    op.drop_column('contact', 'external_id')
    op.drop_index('uq_account_external_id', table_name='account', postgresql_where=sa.text('archived_at IS NULL'))
    op.drop_column('account', 'external_id')
    op.drop_index('ix_import_row_error_job_id_line', table_name='import_row_error')
    op.drop_table('import_row_error')
    op.drop_index('ix_import_record_job_id_record_id', table_name='import_record')
    op.drop_table('import_record')
    op.drop_index(op.f('ix_import_job_user_id'), table_name='import_job')
    op.drop_index('ix_import_job_created_at_id', table_name='import_job')
    op.drop_table('import_job')
