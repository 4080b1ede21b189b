"""Every record type of the CRM, in one explicit list, and every other table with the reason no
client reads it as a record type. A new record type is added here and nowhere else: the
registries below, auth/policy.py's field groups, the Node types of the schema, Alembic and
the seed order are derived from this list, and check_declarations() refuses a table that is
in neither list.
"""

from __future__ import annotations

from persistence.accounts import ACCOUNT
from persistence.activities import ACTIVITY, ATTENDEE, CALL_SCRIPT, CalendarFeedRow
from persistence.audit import AUDIT_ENTRY
from persistence.cases import CASE, CASE_ARTICLE, CASE_QUEUE, ESCALATION, TIME_ENTRY
from persistence.changes import CHANGE_FEED
from persistence.consents import CONSENT
from persistence.contacts import ACCOUNT_CONTACT, CONTACT
from persistence.custom_fields import CUSTOM_FIELD
from persistence.declaration import Children, InternalTable, RecordType
from persistence.duplicate_pairs import DUPLICATE_TABLES
from persistence.feed_cursors import FEED_CURSORS
from persistence.imports import IMPORT_JOB, IMPORT_RECORDS, IMPORT_ROW_ERRORS
from persistence.jobs import QUEUE_TABLES
from persistence.knowledge import ARTICLE, ARTICLE_VERSION, ArticleFeedbackRow
from persistence.leads import ASSIGNMENT_RULE, CAPTURE_FORM, LEAD, LEAD_CAPTURE, RoundRobinRow
from persistence.lifetime import LIFETIME_TABLES
from persistence.merges import RECORD_MERGE
from persistence.notes import NOTE
from persistence.notifications import FOLLOWS, NOTIFICATION
from persistence.opportunities import (
    OPPORTUNITY,
    OPPORTUNITY_CONTACT,
    PIPELINE,
    STAGE,
    STAGE_CHANGE,
)
from persistence.orders import ORDER, ORDER_LINE, PRICE_BOOK, PRICE_BOOK_ENTRY, PRODUCT
from persistence.partners import (
    PARTNER,
    PartnerAccountRow,
    PartnerClientRow,
    PartnerContactRow,
)
from persistence.portal import PortalIdentityRow
from persistence.purchase_rollups import PURCHASE_ROLLUPS
from persistence.rfm import RFM_SCORES
from persistence.signing_keys import SigningKeyRow
from persistence.sla import CALENDAR, SLA_POLICY
from persistence.spec import Spec
from persistence.surveys import SURVEY, SURVEY_INVITATION, SURVEY_RESPONSE
from persistence.tags import TAG, TAGGINGS
from persistence.territories import TERRITORY
from persistence.users import USER
from persistence.webhooks import WEBHOOK_ATTEMPT, WEBHOOK_ENDPOINT, WEBHOOK_MESSAGE

RECORD_TYPES: tuple[RecordType, ...] = (
    CONTACT, ACCOUNT, ACCOUNT_CONTACT, CONSENT, NOTE, USER, TERRITORY, PARTNER, AUDIT_ENTRY,
    OPPORTUNITY, STAGE_CHANGE, OPPORTUNITY_CONTACT, PIPELINE, STAGE,
    LEAD, LEAD_CAPTURE, CAPTURE_FORM, ASSIGNMENT_RULE,
    ACTIVITY, ATTENDEE, CALL_SCRIPT,
    PRODUCT, PRICE_BOOK, PRICE_BOOK_ENTRY, ORDER, ORDER_LINE,
    CASE, CASE_QUEUE, TIME_ENTRY, ESCALATION, CASE_ARTICLE, CALENDAR, SLA_POLICY,
    ARTICLE, ARTICLE_VERSION,
    TAG, CUSTOM_FIELD, NOTIFICATION,
    WEBHOOK_ENDPOINT, WEBHOOK_MESSAGE, WEBHOOK_ATTEMPT,
    RECORD_MERGE,
    IMPORT_JOB,
    SURVEY, SURVEY_INVITATION, SURVEY_RESPONSE,
)

INTERNAL_TABLES: tuple[InternalTable, ...] = (
    TAGGINGS,
    RFM_SCORES,
    PURCHASE_ROLLUPS,
    *LIFETIME_TABLES,
    CHANGE_FEED,
    IMPORT_ROW_ERRORS,
    IMPORT_RECORDS,
    FEED_CURSORS,
    FOLLOWS,
    InternalTable(SigningKeyRow.__table__, "token signing keys, sealed; only auth reads them"),
    InternalTable(PartnerClientRow.__table__,
                  "OAuth2 client credentials; listed and rotated by the crm command"),
    InternalTable(PartnerAccountRow.__table__,
                  "which accounts a partner reaches: read by the partner record rule",
                  pairs=("partner_id", "account_id")),
    InternalTable(PartnerContactRow.__table__,
                  "which contacts a partner reaches: read by the partner record rule",
                  pairs=("partner_id", "contact_id")),
    InternalTable(PortalIdentityRow.__table__,
                  "a customer's login subject and its contact: read when a token is checked"),
    InternalTable(CalendarFeedRow.__table__,
                  "a hash of a user's calendar feed secret; the feed itself is iCalendar"),
    InternalTable(ArticleFeedbackRow.__table__,
                  "one vote per reader and article; an article shows only the counts"),
    InternalTable(RoundRobinRow.__table__,
                  "the assignment rules' turn within a territory; nobody reads it"),
    *DUPLICATE_TABLES,
)

# Tables that are nobody's declaration: the job queue's, which pgqueuer defines, reads and
# writes with its own SQL (persistence/jobs.py), and migration 0016 creates from its DDL. No
# SQLModel row describes them, so the start-up check never meets them, and Alembic's
# comparison leaves them out by name (migrations/env.py) instead of proposing to drop them.
FOREIGN_TABLES: tuple[str, ...] = QUEUE_TABLES

BY_NAME: dict[str, RecordType] = {r.name: r for r in RECORD_TYPES}
SPECS: dict[str, Spec] = {r.name: r.spec for r in RECORD_TYPES}
# A parent's field -> the plain list of child records it holds.
CHILD_RELATIONS: dict[str, Children] = {
    f.name: f.children for r in RECORD_TYPES for f in r.fields.values() if f.children}
# "Type.group" -> its field names, for auth/policy.py.
FIELD_GROUPS: dict[str, tuple[str, ...]] = {
    group: names for r in RECORD_TYPES for group, names in r.policy_groups.items()}
# "Type.field" -> the "Type.field" it holds a copy of.
COPIES: dict[str, str] = {
    f"{r.name}.{f.name}": f.copy_of for r in RECORD_TYPES for f in r.fields.values()
    if f.copy_of}



def carriers(relation: str) -> tuple[str, ...]:
    """The record types that list records through the link table of `relation` (the kinds of
    record that carry tags)."""
    return tuple(r.name for r in RECORD_TYPES if relation in r.spec.through)
