"""A notification may be about a webhook endpoint: its owner is told when deliveries stop

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-01
"""

from alembic import op

revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None

COMMENTABLE = "'Contact', 'Account', 'Opportunity', 'Lead', 'Case', 'Order'"


def upgrade() -> None:
    op.drop_constraint(op.f('ck_notification_record_type'), 'notification', type_='check')
    op.create_check_constraint(op.f('ck_notification_record_type'), 'notification',
                               f"record_type IN ({COMMENTABLE}, 'WebhookEndpoint')")


def downgrade() -> None:
    op.execute("DELETE FROM notification WHERE record_type = 'WebhookEndpoint'")
    op.drop_constraint(op.f('ck_notification_record_type'), 'notification', type_='check')
    op.create_check_constraint(op.f('ck_notification_record_type'), 'notification',
                               f"record_type IN ({COMMENTABLE})")
