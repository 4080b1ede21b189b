"""Each new notification is announced to the API processes, for the notificationAdded
subscription: notifications are each user's own bookkeeping, not audited, so the change feed
does not carry them

The function is written here, not imported: a migration stays what it was when it ran.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-01
"""

from alembic import op

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None

# The recipient's and the notification's ids, and nothing of what it says.
TRIGGER_FUNCTION = """
CREATE FUNCTION crm_notification_notice() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('crm_notification', NEW.user_id::text || ' ' || NEW.id::text);
    RETURN NULL;
END $$
"""


def upgrade() -> None:
    op.execute(TRIGGER_FUNCTION)
    op.execute("CREATE TRIGGER notification_notice AFTER INSERT ON notification "
               "FOR EACH ROW EXECUTE FUNCTION crm_notification_notice()")


def downgrade() -> None:
    op.execute("DROP TRIGGER notification_notice ON notification")
    op.execute("DROP FUNCTION crm_notification_notice()")
