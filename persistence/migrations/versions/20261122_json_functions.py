"""SQL functions that render ids, times and cursors exactly as the API writes them

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

FUNCTIONS = {
    "crm_base64url(value text)": """
        RETURNS text LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
        AS $$ SELECT rtrim(translate(encode(convert_to(value, 'UTF8'), 'base64'),
                                     E'+/\\n', '-_'), '=') $$""",
    # The API's global id: base64url of "Type:uuid", without padding.
    "crm_global_id(kind text, id uuid)": """
        RETURNS text LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
        AS $$ SELECT crm_base64url(kind || ':' || id::text) $$""",
    # Rows keep their author as "Type:uuid"; "System" has no id.
    "crm_actor_id(actor text)": """
        RETURNS text LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
        AS $$ SELECT CASE WHEN strpos(actor, ':') > 0 THEN crm_base64url(actor) END $$""",
    # The DateTime scalar's form: UTC, microseconds, Z.
    "crm_time(at timestamptz)": """
        RETURNS text LANGUAGE sql STABLE STRICT PARALLEL SAFE
        AS $$ SELECT to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') $$""",
    # Cursor times travel as whole microseconds since the epoch.
    "crm_micros(at timestamptz)": """
        RETURNS bigint LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
        AS $$ SELECT (extract(epoch FROM at) * 1000000)::bigint $$""",
}


def upgrade() -> None:
    for signature, body in FUNCTIONS.items():
        op.execute(f"CREATE OR REPLACE FUNCTION {signature} {body}")


def downgrade() -> None:
    for signature in reversed(FUNCTIONS):
        op.execute(f"DROP FUNCTION IF EXISTS {signature}")
