"""The access policy: the one place that says who may read or write what.

Three tables, read top to bottom like the README's policy table:
- FIELDS: role x field group -> R (read), RW (read and write) or - (nothing);
- RECORDS: role x type -> the record rule for reading / for writing;
- ACTIONS: which roles may create or archive whole records of a type.

Everything else derives from them: the SQL projection and WHERE clause of each
query, the checks on every write, `me { permissions }`, and the tests.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

from domain.access import Access, Action, ActorRef, RecordRule, Role

# The roles of the tables below, in column order. A capture form is no role of the tables:
# it may capture leads (ACTIONS) and nothing else.
ROLES = (Role.ADMIN, Role.SALES, Role.MARKETING, Role.SERVICE, Role.ANALYST, Role.PARTNER,
         Role.CUSTOMER)

# Which fields of each type make up a group; a field belongs to exactly one group.
GROUPS: Mapping[str, tuple[str, ...]] = {
    "Contact.meta": ("id", "version", "createdAt", "updatedAt", "archivedAt"),
    "Contact.provenance": ("createdBy", "updatedBy"),
    "Contact.names": ("firstName", "lastName"),
    "Contact.identity": ("accounts", "territory"),
    "Contact.channels": ("emails", "phones", "address"),
    "Contact.sales": ("owner", "lifecycleStage", "leadScore"),
    "Contact.consents": ("consents",),
    "Contact.notes": ("notes",),
    "Account.meta": ("id", "version", "createdAt", "updatedAt", "archivedAt"),
    "Account.provenance": ("createdBy", "updatedBy"),
    "Account.identity": (
        "name", "legalName", "industry", "size", "website", "parent", "territory", "contacts",
    ),
    "Account.sales": ("owner", "tier"),
    "Account.notes": ("notes",),
    "Account.opportunities": ("opportunities",),
    "AccountContact.identity": ("jobTitle", "isDecisionMaker"),
    "Consent.all": ("id", "channel", "purpose", "status", "recordedAt", "source", "version"),
    "Note.all": ("id", "body", "author", "createdAt", "updatedAt", "version"),
    "User.all": ("id", "email", "name", "role", "territory", "active", "version"),
    "Territory.name": ("id", "name", "version"),
    "Territory.structure": ("parent", "children"),
    "Partner.all": ("id", "name", "version"),
    "Partner.registrations": ("registrations",),
    "Opportunity.meta": ("id", "version", "createdAt", "updatedAt", "archivedAt"),
    "Opportunity.provenance": ("createdBy", "updatedBy"),
    "Opportunity.deal": (
        "name", "account", "pipeline", "stage", "probability", "closeDate", "stageEnteredAt",
        "closedAt", "closeReason", "source", "campaign",
    ),
    "Opportunity.amounts": ("amount", "currency"),
    "Opportunity.sales": ("owner", "territory"),
    "Opportunity.registration": ("partner", "registration"),
    "Opportunity.history": ("stageHistory",),
    "Opportunity.contacts": ("contactRoles",),
    "StageChange.all": ("id", "at", "actor", "fromStage", "toStage"),
    "OpportunityContactRole.all": ("id", "version", "contact", "role"),
    "Pipeline.all": ("id", "name", "kind", "position", "stages", "version", "createdAt",
                     "updatedAt", "archivedAt", "createdBy", "updatedBy"),
    "Stage.all": ("id", "name", "position", "probability", "kind", "pipeline", "version"),
    "Lead.meta": ("id", "version", "createdAt", "updatedAt", "archivedAt"),
    "Lead.provenance": ("createdBy", "updatedBy"),
    "Lead.person": ("firstName", "lastName", "title"),
    "Lead.channels": ("email", "phone"),
    "Lead.company": ("company", "industry", "size", "country", "website"),
    "Lead.qualification": ("source", "campaign", "status", "score", "lastCapturedAt",
                           "captures"),
    "Lead.sales": ("owner", "territory"),
    "Lead.conversion": ("convertedAt", "convertedContact", "convertedAccount",
                        "convertedOpportunity"),
    "LeadCapture.all": ("id", "at", "form", "payload"),
    "CaptureForm.all": ("id", "name", "source", "active", "version", "createdAt", "updatedAt",
                        "archivedAt", "createdBy", "updatedBy"),
    "AssignmentRule.all": ("id", "position", "country", "industry", "size", "territory",
                           "version", "createdAt", "updatedAt", "archivedAt", "createdBy",
                           "updatedBy"),
    "Activity.meta": ("id", "version", "createdAt", "updatedAt", "archivedAt"),
    "Activity.provenance": ("createdBy", "updatedBy"),
    "Activity.message": ("kind", "at", "subject", "body", "case", "visibility"),
    "Activity.work": (
        "occurredAt", "contact", "account", "lead", "opportunity", "owner",
        "direction", "durationSeconds", "outcome", "callScript", "messageId", "startsAt",
        "endsAt", "location", "attendees", "dueAt", "reminderAt", "priority", "status",
        "assignee",
    ),
    "Attendee.all": ("id", "user", "contact"),
    "CallScript.all": ("id", "name", "questions", "version", "createdAt", "updatedAt",
                       "archivedAt", "createdBy", "updatedBy"),
    "Product.all": ("id", "sku", "name", "family", "category", "active", "version",
                    "createdAt", "updatedAt", "archivedAt", "createdBy", "updatedBy"),
    "PriceBook.all": ("id", "name", "isStandard", "active", "entries", "version", "createdAt",
                      "updatedAt", "archivedAt", "createdBy", "updatedBy"),
    "PriceBookEntry.all": ("id", "version", "product", "currency", "unitPrice"),
    "Order.meta": ("id", "version", "createdAt", "updatedAt", "archivedAt"),
    "Order.provenance": ("createdBy", "updatedBy"),
    "Order.all": ("number", "account", "contact", "priceBook", "currency", "status", "orderedAt",
                  "lines", "subtotal", "discountTotal", "total", "owner", "territory"),
    "OrderLine.all": ("id", "position", "product", "quantity", "unitPrice", "discountPercent",
                      "total"),
    "AuditEntry.all": ("id", "at", "actor", "action", "recordId", "recordType", "changes"),
    "Case.meta": ("id", "version", "createdAt", "updatedAt", "archivedAt"),
    "Case.provenance": ("createdBy", "updatedBy"),
    "Case.request": ("subject", "description", "type", "product", "channel"),
    "Case.state": ("number", "contact", "account", "priority", "status", "openedAt",
                   "resolvedAt", "closedAt", "previousCase"),
    "Case.conversation": ("comments", "articles"),
    "Case.handling": ("assignee", "queue", "timeEntries", "timeSpentMinutes"),
    "Case.sla": ("slaPolicy", "firstResponseAt", "firstResponseMinutes", "firstResponseDueAt",
                 "firstResponseRiskAt", "resolutionMinutes", "resolutionDueAt",
                 "resolutionRiskAt", "slaPausedSince", "slaPausedMinutes", "atRisk",
                 "breached", "escalations"),
    "CaseQueue.all": ("id", "name", "description", "active", "version", "createdAt",
                      "updatedAt", "archivedAt", "createdBy", "updatedBy"),
    "TimeEntry.all": ("id", "version", "at", "minutes", "user", "note"),
    "CaseEscalation.all": ("id", "at", "metric", "level", "action"),
    "CaseArticle.all": ("id", "article", "linkedAt"),
    "BusinessCalendar.all": ("id", "name", "timeZone", "hours", "holidays", "version",
                             "createdAt", "updatedAt", "archivedAt", "createdBy", "updatedBy"),
    "SlaPolicy.all": ("id", "name", "calendar", "targets", "atRiskPercent", "accountTier",
                      "product", "position", "breachAction", "escalationQueue",
                      "escalationUser", "active", "version", "createdAt", "updatedAt",
                      "archivedAt", "createdBy", "updatedBy"),
    "Article.meta": ("id", "version", "createdAt", "updatedAt", "archivedAt"),
    "Article.provenance": ("createdBy", "updatedBy"),
    "Article.content": ("title", "body", "category", "tags", "language", "visibility"),
    "Article.publication": ("status", "publishedAt"),
    "Article.feedback": ("helpfulCount", "notHelpfulCount"),
    "Article.versions": ("versions",),
    "ArticleVersion.all": ("id", "number", "title", "body", "category", "tags", "language",
                           "visibility", "savedAt", "savedBy"),
}

# Fields that hold a copy of another type's field: whoever reads the copy must read the
# original, or its value would reach a caller who may not read it (checked at import).
COPIES: Mapping[str, str] = {
    "StageChange.fromStage": "Opportunity.stage",
    "StageChange.toStage": "Opportunity.stage",
    **{f"ArticleVersion.{f}": f"Article.{f}"
       for f in ("title", "body", "category", "tags", "language", "visibility")},
}

# Roles, in column order: admin sales marketing service analyst partner customer
FIELDS = """
Contact.meta                R   R   R   R   R   R   R
Contact.provenance          R   R   R   R   R   -   -
Contact.names               RW  RW  R   RW  R   R   RW
Contact.identity            RW  RW  R   RW  R   R   R
Contact.channels            RW  RW  R   RW  -   R   RW
Contact.sales               RW  RW  R   R   R   -   -
Contact.consents            RW  R   RW  R   R   -   RW
Contact.notes               RW  RW  -   RW  -   -   -
Account.meta                R   R   R   R   R   R   R
Account.provenance          R   R   R   R   R   -   -
Account.identity            RW  RW  R   RW  R   R   R
Account.sales               RW  RW  R   R   R   -   -
Account.notes               RW  RW  -   RW  -   -   -
Account.opportunities       R   R   R   R   R   R   -
AccountContact.identity     RW  RW  R   RW  R   R   R
Consent.all                 R   R   R   R   R   -   R
Note.all                    R   R   -   R   -   -   -
User.all                    RW  R   R   R   R   -   -
Territory.name              RW  R   R   R   R   R   R
Territory.structure         RW  R   R   R   R   -   -
Partner.all                 RW  R   R   R   R   R   -
Partner.registrations       RW  R   R   R   R   R   -
Opportunity.meta            R   R   R   R   R   R   -
Opportunity.provenance      R   R   R   R   R   -   -
Opportunity.deal            RW  RW  R   R   R   R   -
Opportunity.amounts         RW  RW  -   -   R   R   -
Opportunity.sales           RW  RW  R   R   R   -   -
Opportunity.registration    R   R   R   R   R   R   -
Opportunity.history         R   R   R   R   R   -   -
Opportunity.contacts        RW  RW  R   R   R   -   -
StageChange.all             R   R   R   R   R   -   -
OpportunityContactRole.all  R   R   R   R   R   -   -
Pipeline.all                R   R   R   R   R   R   -
Stage.all                   R   R   R   R   R   R   -
Lead.meta                   R   R   R   R   R   -   -
Lead.provenance             R   R   R   R   R   -   -
Lead.person                 RW  RW  RW  R   R   -   -
Lead.channels               RW  RW  RW  R   -   -   -
Lead.company                RW  RW  RW  R   R   -   -
Lead.qualification          RW  RW  RW  R   R   -   -
Lead.sales                  RW  RW  RW  R   R   -   -
Lead.conversion             R   R   R   R   R   -   -
LeadCapture.all             R   R   R   R   R   -   -
CaptureForm.all             RW  R   R   R   R   -   -
AssignmentRule.all          RW  R   R   R   R   -   -
Activity.meta               R   R   R   R   R   -   R
Activity.provenance         R   R   R   R   R   -   -
Activity.message            RW  RW  R   RW  R   -   R
Activity.work               RW  RW  R   RW  R   -   -
Attendee.all                R   R   R   R   R   -   -
CallScript.all              RW  R   R   R   R   -   -
Product.all                 RW  R   R   R   R   R   R
PriceBook.all               RW  R   R   R   R   -   -
PriceBookEntry.all          R   R   R   R   R   -   -
Order.meta                  R   R   R   R   R   -   R
Order.provenance            R   R   R   R   R   -   -
Order.all                   RW  RW  R   R   R   -   R
OrderLine.all               R   R   R   R   R   -   R
AuditEntry.all              R   -   -   -   -   -   -
Case.meta                   R   R   -   R   R   R   R
Case.provenance             R   R   -   R   R   -   -
Case.request                RW  R   -   RW  R   R   RW
Case.state                  RW  R   -   RW  R   R   R
Case.conversation           RW  R   -   RW  R   -   RW
Case.handling               RW  R   -   RW  R   -   -
Case.sla                    R   R   -   R   R   -   -
CaseQueue.all               RW  R   R   R   R   -   -
TimeEntry.all               R   R   -   R   R   -   -
CaseEscalation.all          R   R   -   R   R   -   -
CaseArticle.all             R   R   -   R   R   -   R
BusinessCalendar.all        RW  R   R   R   R   -   -
SlaPolicy.all               RW  R   R   R   R   -   -
Article.meta                R   R   R   R   R   R   R
Article.provenance          R   R   R   R   R   -   -
Article.content             RW  R   R   RW  R   R   R
Article.publication         RW  R   R   RW  R   R   R
Article.feedback            R   R   R   R   R   R   R
Article.versions            R   R   R   R   R   -   -
ArticleVersion.all          R   R   R   R   R   -   -
"""

# read/write record rule per type; "-" means none.
RECORDS = """
Contact     all/all  all/owned_or_territory  all/all  all/all  all/-  partner/partner  self/self
Account     all/all  all/owned_or_territory  all/all  all/all  all/-  partner/partner  linked_to_self/-
User        all/all  all/-                   all/-    all/-    all/-  -/-              -/-
Territory   all/all  all/-                   all/-    all/-    all/-  all/-            all/-
Partner     all/all  all/-                   all/-    all/-    all/-  partner/-        -/-
Opportunity all/all  all/owned_or_territory  all/-    all/-    all/-  partner/-        -/-
Pipeline    all/-    all/-                   all/-    all/-    all/-  all/-            -/-
Stage       all/-    all/-                   all/-    all/-    all/-  all/-            -/-
Lead        all/all  all/owned_or_territory  all/all  all/-    all/-  -/-              -/-
CaptureForm all/all  all/-                   all/-    all/-    all/-  -/-              -/-
AssignmentRule all/all all/-                 all/-    all/-    all/-  -/-              -/-
Activity    all/all  all/owned_or_territory  all/-    all/all  all/-  -/-              self/-
CallScript  all/all  all/-                   all/-    all/-    all/-  -/-              -/-
Product     all/all  all/-                   all/-    all/-    all/-  all/-            all/-
PriceBook   all/all  all/-                   all/-    all/-    all/-  -/-              -/-
Order       all/all  all/owned_or_territory  all/-    all/-    all/-  -/-              self/-
AuditEntry  all/-    -/-                     -/-      -/-      -/-    -/-              -/-
Case        all/all  all/-                   -/-      all/all  all/-  partner/-        self/self
CaseQueue   all/all  all/-                   all/-    all/-    all/-  -/-              -/-
BusinessCalendar all/all all/-               all/-    all/-    all/-  -/-              -/-
SlaPolicy   all/all  all/-                   all/-    all/-    all/-  -/-              -/-
Article     all/all  all/-                   all/-    all/all  all/-  partner/-        public/-
"""

ACTIONS = """
Contact.create   admin sales service
Contact.archive  admin sales service
Account.create   admin sales service
Account.archive  admin sales
User.create      admin
Territory.create admin
Partner.create   admin
Opportunity.create   admin sales
Opportunity.archive  admin sales
Opportunity.register partner
Opportunity.approve  admin sales
Lead.create          admin sales marketing
Lead.archive         admin sales marketing
Lead.assign          admin sales marketing
Lead.convert         admin sales
Lead.capture         capture
CaptureForm.create   admin
CaptureForm.archive  admin
AssignmentRule.create  admin
AssignmentRule.archive admin
Activity.create      admin sales service
Activity.archive     admin sales service
CallScript.create    admin
Product.create       admin
Product.archive      admin
PriceBook.create     admin
Order.create         admin sales
Order.archive        admin
Case.create          admin service customer
Case.archive         admin
Case.report          admin sales service analyst
Case.escalate        admin
CaseQueue.create     admin
CaseQueue.archive    admin
BusinessCalendar.create  admin
SlaPolicy.create     admin
SlaPolicy.archive    admin
Article.create       admin service
Article.archive      admin service
"""

# A partner reaches a type only with the matching scope in its token.
PARTNER_SCOPES: Mapping[str, tuple[str, str | None]] = {
    "Contact": ("contacts:read", "contacts:write"),
    "Account": ("accounts:read", "accounts:write"),
    "Opportunity": ("opportunities:read", "opportunities:write"),
    "Case": ("cases:read", None),  # partners read cases, never write them
}
KNOWN_SCOPES = frozenset(s for pair in PARTNER_SCOPES.values() for s in pair if s)

@dataclass(frozen=True)
class RoleGrant:
    """The fields, rules and actions one role holds, before any token scopes apply."""

    readable: Mapping[str, frozenset[str]]
    writable: Mapping[str, frozenset[str]]
    read_rules: Mapping[str, RecordRule]
    write_rules: Mapping[str, RecordRule]
    actions: Mapping[str, frozenset[Action]]


def _rows(table: str) -> list[list[str]]:
    return [line.split() for line in table.strip().splitlines()]


def _field_table() -> dict[Role, tuple[dict, dict]]:
    grants: dict[Role, tuple[dict, dict]] = {role: ({}, {}) for role in Role}
    for group, *cells in _rows(FIELDS):
        type_name = group.split(".")[0]
        for role, cell in zip(ROLES, cells, strict=True):
            readable, writable = grants[role]
            if "R" in cell:
                readable.setdefault(type_name, set()).update(GROUPS[group])
            if "W" in cell:
                writable.setdefault(type_name, set()).update(GROUPS[group])
    return grants


def _record_table() -> dict[Role, tuple[dict, dict]]:
    rules: dict[Role, tuple[dict, dict]] = {role: ({}, {}) for role in Role}
    for type_name, *cells in _rows(RECORDS):
        for role, cell in zip(ROLES, cells, strict=True):
            read, write = (RecordRule(p) if p != "-" else RecordRule.NONE for p in cell.split("/"))
            rules[role][0][type_name] = read
            rules[role][1][type_name] = write
    return rules


def _action_table() -> dict[Role, dict[str, set[Action]]]:
    actions: dict[Role, dict[str, set[Action]]] = {role: {} for role in Role}
    for key, *roles in _rows(ACTIONS):
        type_name, action = key.split(".")
        for role in roles:
            actions[Role(role)].setdefault(type_name, set()).add(Action(action))
    return actions


@cache
def declared_fields() -> dict[str, frozenset[str]]:
    """Every field the groups name, per type."""
    declared: dict[str, set[str]] = {}
    for group, fields in GROUPS.items():
        declared.setdefault(group.split(".")[0], set()).update(fields)
    return {t: frozenset(f) for t, f in declared.items()}


@cache
def grant_for(role: Role) -> RoleGrant:
    """The role's grant as declared in the tables above."""
    readable, writable = _field_table()[role]
    read_rules, write_rules = _record_table()[role]
    return RoleGrant(
        readable={t: frozenset(f) for t, f in readable.items()},
        writable={t: frozenset(f) for t, f in writable.items()},
        read_rules=read_rules,
        write_rules=write_rules,
        actions={t: frozenset(a) for t, a in _action_table()[role].items()},
    )


def _scoped_rules(rules: Mapping[str, RecordRule], scopes: frozenset[str], index: int) -> dict:
    scoped = dict(rules)
    for type_name, pair in PARTNER_SCOPES.items():
        if pair[index] not in scopes:
            scoped[type_name] = RecordRule.NONE
    return scoped


def access_for(
    role: Role,
    actor: ActorRef,
    *,
    user_id=None,
    partner_id=None,
    contact_id=None,
    scopes: frozenset[str] = frozenset(),
) -> Access:
    """Resolve the policy for one principal; a partner is narrowed to its token's scopes."""
    grant = grant_for(role)
    read_rules, write_rules = grant.read_rules, grant.write_rules
    actions = grant.actions
    if role is Role.PARTNER:
        read_rules = _scoped_rules(read_rules, scopes, 0)
        write_rules = _scoped_rules(write_rules, scopes, 1)
        actions = {t: a for t, a in actions.items()
                   if t not in PARTNER_SCOPES or PARTNER_SCOPES[t][1] in scopes}
    return Access(
        role=role,
        actor=actor,
        readable=grant.readable,
        writable=grant.writable,
        read_rules=read_rules,
        write_rules=write_rules,
        actions=actions,
        user_id=user_id,
        partner_id=partner_id,
        contact_id=contact_id,
        scopes=scopes,
        declared=declared_fields(),
    )


def uncopied(role: Role) -> list[str]:
    """The copies (COPIES) a role reads without reading their originals."""
    readable = grant_for(role).readable

    def reads(name: str) -> bool:
        type_name, field_name = name.split(".")
        return field_name in readable.get(type_name, ())

    return sorted(copy for copy, original in COPIES.items() if reads(copy) and not reads(original))


def _check_consistency() -> None:
    """Refuse at import a policy that grants writing a field without reading it, or reading a
    copy of a field without reading the field."""
    for role in ROLES:
        grant = grant_for(role)
        for type_name, fields in grant.writable.items():
            unread = fields - grant.readable.get(type_name, frozenset())
            if unread:
                raise ValueError(f"policy: {role} may write {type_name}.{sorted(unread)} unread")
        if uncopied(role):
            raise ValueError(f"policy: {role} reads {uncopied(role)} without their originals")


_check_consistency()


def markdown_table() -> str:
    """The field table as it appears in the README, one row per group."""
    header = "| field group | " + " | ".join(r.value for r in ROLES) + " |"
    lines = [header, "|---" * (len(ROLES) + 1) + "|"]
    for group, *cells in _rows(FIELDS):
        lines.append(f"| {group} | " + " | ".join(c if c != "-" else "–" for c in cells) + " |")
    return "\n".join(lines)
