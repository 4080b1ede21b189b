"""Duplicate detection: blocking keys on contacts and accounts, candidate pairs, dismissals

The email and phone keys are generated columns over the JSONB lists, so that every write path
keeps them; the name keys need metaphone, which this PostgreSQL lacks (no fuzzystrmatch), so
the stores write them from Python, and this migration fills them for the rows that exist.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-01
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

from domain.match_keys import account_keys, name_key

revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None

# The keys as domain/match_keys.py computes them: emails trimmed and lower case, phones' digits.
# IMMUTABLE, as a generated column requires; both read only their argument.
FUNCTIONS = {
    "crm_email_keys(emails jsonb)": """
        RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE
        AS $$ SELECT coalesce(array_agg(DISTINCT k) FILTER (WHERE k <> ''), '{}')
              FROM jsonb_array_elements(CASE WHEN jsonb_typeof(emails) = 'array'
                                             THEN emails ELSE '[]' END) e,
                   lower(btrim(e ->> 'address')) k $$""",
    "crm_phone_keys(phones jsonb)": """
        RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE
        AS $$ SELECT coalesce(array_agg(DISTINCT k) FILTER (WHERE k <> ''), '{}')
              FROM jsonb_array_elements(CASE WHEN jsonb_typeof(phones) = 'array'
                                             THEN phones ELSE '[]' END) p,
                   regexp_replace(p ->> 'number', '[^0-9]', '', 'g') k $$""",
}
BATCH = 20_000


def _backfill(table: str, columns: str, keys) -> None:
    """Write the Python-computed keys of every row, a batch at a time."""
    bind = op.get_bind()
    rows = bind.execute(sa.text(f"SELECT id, {columns} FROM {table}")).all()
    for start in range(0, len(rows), BATCH):
        batch = rows[start:start + BATCH]
        ids, values = [r[0] for r in batch], [keys(*r[1:]) for r in batch]
        sets = ", ".join(f"{name} = v.{name}" for name in values[0]) if values else ""
        if not sets:
            return
        unnests = ", ".join(
            f"unnest(CAST(:{name} AS text[])) AS {name}" for name in values[0])
        bind.execute(
            sa.text(f"UPDATE {table} t SET {sets} FROM (SELECT unnest(CAST(:ids AS uuid[])) AS id, "
                    f"{unnests}) v WHERE t.id = v.id"),
            {"ids": ids, **{name: [v[name] for v in values] for name in values[0]}},
        )


def _contact_keys(first_name, last_name) -> dict:
    return {"name_key": name_key(first_name, last_name)}


def _account_keys(name, website) -> dict:
    keys = account_keys(name, website)
    return {"domain_key": keys.domain, "name_key": keys.name}


def upgrade() -> None:
    for signature, body in FUNCTIONS.items():
        op.execute(f"CREATE OR REPLACE FUNCTION {signature} {body}")
    op.create_table('duplicate_candidate',
    sa.Column('record_type', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('low_id', sa.Uuid(), nullable=False),
    sa.Column('high_id', sa.Uuid(), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('reasons', postgresql.ARRAY(sa.Text()), nullable=False),
    sa.Column('found_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("record_type IN ('Contact', 'Account')", name=op.f('ck_duplicate_candidate_record_type')),
    sa.CheckConstraint('low_id < high_id', name=op.f('ck_duplicate_candidate_ordered')),
    sa.PrimaryKeyConstraint('record_type', 'low_id', 'high_id', name=op.f('pk_duplicate_candidate'))
    )
    op.create_index('ix_duplicate_candidate_high_id', 'duplicate_candidate', ['high_id'], unique=False)
    op.create_index('ix_duplicate_candidate_queue', 'duplicate_candidate', ['record_type', 'score', 'low_id', 'high_id'], unique=False)
    op.create_table('duplicate_dismissal',
    sa.Column('record_type', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('low_id', sa.Uuid(), nullable=False),
    sa.Column('high_id', sa.Uuid(), nullable=False),
    sa.Column('dismissed_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('dismissed_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("record_type IN ('Contact', 'Account')", name=op.f('ck_duplicate_dismissal_record_type')),
    sa.CheckConstraint('low_id < high_id', name=op.f('ck_duplicate_dismissal_ordered')),
    sa.PrimaryKeyConstraint('record_type', 'low_id', 'high_id', name=op.f('pk_duplicate_dismissal'))
    )
    op.add_column('account', sa.Column('domain_key', sa.Text(), nullable=True))
    op.add_column('account', sa.Column('name_key', sa.Text(), nullable=True))
    op.create_index('ix_account_domain_key', 'account', ['domain_key'], unique=False)
    op.create_index('ix_account_name_key', 'account', ['name_key'], unique=False)
    op.add_column('contact', sa.Column('email_keys', postgresql.ARRAY(sa.Text()), sa.Computed('crm_email_keys(emails)', persisted=True), nullable=True))
    op.add_column('contact', sa.Column('phone_keys', postgresql.ARRAY(sa.Text()), sa.Computed('crm_phone_keys(phones)', persisted=True), nullable=True))
    op.add_column('contact', sa.Column('name_key', sa.Text(), nullable=True))
    op.create_index('ix_contact_email_keys', 'contact', ['email_keys'], unique=False, postgresql_using='gin')
    op.create_index('ix_contact_name_key', 'contact', ['name_key'], unique=False)
    op.create_index('ix_contact_phone_keys', 'contact', ['phone_keys'], unique=False, postgresql_using='gin')
    _backfill("contact", "first_name, last_name", _contact_keys)
    _backfill("account", "name, website", _account_keys)


def downgrade() -> None:
    op.drop_index('ix_contact_phone_keys', table_name='contact', postgresql_using='gin')
    op.drop_index('ix_contact_name_key', table_name='contact')
    op.drop_index('ix_contact_email_keys', table_name='contact', postgresql_using='gin')
    op.drop_column('contact', 'name_key')
    op.drop_column('contact', 'phone_keys')
    op.drop_column('contact', 'email_keys')
    op.drop_index('ix_account_name_key', table_name='account')
    op.drop_index('ix_account_domain_key', table_name='account')
    op.drop_column('account', 'name_key')
    op.drop_column('account', 'domain_key')
    op.drop_table('duplicate_dismissal')
    op.drop_index('ix_duplicate_candidate_queue', table_name='duplicate_candidate')
    op.drop_index('ix_duplicate_candidate_high_id', table_name='duplicate_candidate')
    op.drop_table('duplicate_candidate')
    for signature in reversed(FUNCTIONS):
        op.execute(f"DROP FUNCTION IF EXISTS {signature}")
