"""The access policy: the one place that says who may read or write what.

Three tables, read top to bottom like the README's policy table:
- FIELDS: role x field group -> R (read), RW (read and write) or - (nothing);
- RECORDS: role x type -> the record rule for reading / for writing;
- ACTIONS: which roles may create or archive whole records of a type.

Everything else derives from them (auth/grants.py): the SQL projection and WHERE clause
of each query, the checks on every write, `me { permissions }`, and the tests.
"""

from __future__ import annotations

from collections.abc import Mapping

from domain.access import Role
from persistence.record_types import FIELD_GROUPS

# The roles of the tables below, in column order. A capture form is no role of the tables:
# it may capture leads (ACTIONS) and nothing else.
ROLES = (Role.ADMIN, Role.SALES, Role.MARKETING, Role.SERVICE, Role.ANALYST, Role.PARTNER,
         Role.CUSTOMER)

# Which fields of each type make up a group, and which fields copy another type's field:
# both are declared with each record type (persistence/record_types.py).
GROUPS: Mapping[str, tuple[str, ...]] = FIELD_GROUPS

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
Contact.tags                RW  RW  RW  RW  R   -   -
Contact.custom              RW  RW  RW  RW  R   -   -
Contact.comments            RW  RW  RW  RW  R   -   -
Contact.analytics           R   R   R   -   R   -   -
Account.meta                R   R   R   R   R   R   R
Account.provenance          R   R   R   R   R   -   -
Account.identity            RW  RW  R   RW  R   R   R
Account.sales               RW  RW  R   R   R   -   -
Account.notes               RW  RW  -   RW  -   -   -
Account.tags                RW  RW  RW  RW  R   -   -
Account.custom              RW  RW  RW  RW  R   -   -
Account.comments            RW  RW  RW  RW  R   -   -
Account.analytics           R   R   R   -   R   -   -
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
Opportunity.tags            RW  RW  R   R   R   -   -
Opportunity.custom          RW  RW  R   R   R   -   -
Opportunity.comments        RW  RW  R   R   R   -   -
StageChange.all             R   R   R   R   R   -   -
OpportunityContactRole.all  R   R   R   R   R   -   -
Pipeline.all                RW  R   R   R   R   R   -
Stage.all                   RW  R   R   R   R   R   -
Lead.meta                   R   R   R   R   R   -   -
Lead.provenance             R   R   R   R   R   -   -
Lead.person                 RW  RW  RW  R   R   -   -
Lead.channels               RW  RW  RW  R   -   -   -
Lead.company                RW  RW  RW  R   R   -   -
Lead.qualification          RW  RW  RW  R   R   -   -
Lead.sales                  RW  RW  RW  R   R   -   -
Lead.conversion             R   R   R   R   R   -   -
Lead.tags                   RW  RW  RW  R   R   -   -
Lead.custom                 RW  RW  RW  R   R   -   -
Lead.comments               RW  RW  RW  R   R   -   -
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
Order.comments              RW  RW  R   R   R   -   -
OrderLine.all               R   R   R   R   R   -   R
AuditEntry.all              R   -   -   -   -   -   -
Case.meta                   R   R   -   R   R   R   R
Case.provenance             R   R   -   R   R   -   -
Case.request                RW  R   -   RW  R   R   RW
Case.state                  RW  R   -   RW  R   R   R
Case.conversation           RW  R   -   RW  R   -   RW
Case.handling               RW  R   -   RW  R   -   -
Case.sla                    R   R   -   R   R   -   -
Case.tags                   RW  R   -   RW  R   -   -
Case.custom                 RW  R   -   RW  R   -   -
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
Tag.all                     RW  R   RW  R   R   -   -
CustomField.all             RW  R   R   R   R   -   -
Notification.all            R   R   R   R   R   -   -
WebhookEndpoint.all         RW  -   -   -   -   -   -
WebhookMessage.all          R   -   -   -   -   -   -
WebhookAttempt.all          R   -   -   -   -   -   -
RecordMerge.all             R   R   -   R   -   -   -
ImportJob.all               R   R   R   R   -   -   -
Survey.meta                 R   R   R   R   R   -   R
Survey.provenance           R   R   R   R   R   -   -
Survey.content              RW  R   RW  RW  R   -   R
Survey.trigger              RW  R   RW  RW  R   -   -
SurveyInvitation.meta       R   R   R   R   R   -   R
SurveyInvitation.provenance R   R   R   R   R   -   -
SurveyInvitation.all        RW  R   RW  RW  R   -   R
SurveyResponse.meta         R   R   R   R   R   -   R
SurveyResponse.provenance   R   R   R   R   R   -   -
SurveyResponse.answers      RW  R   RW  RW  R   -   R
SurveyResponse.classification RW R  RW  RW  R   -   -
"""

# read/write record rule per type; "-" means none.
RECORDS = """
Contact     all/all  all/owned_or_territory  all/all  all/all  all/-  partner/partner  self/self
Account     all/all  all/owned_or_territory  all/all  all/all  all/-  partner/partner  linked_to_self/-
User        all/all  all/-                   all/-    all/-    all/-  -/-              -/-
Territory   all/all  all/-                   all/-    all/-    all/-  all/-            all/-
Partner     all/all  all/-                   all/-    all/-    all/-  partner/-        -/-
Opportunity all/all  all/owned_or_territory  all/-    all/-    all/-  partner/-        -/-
Pipeline    all/all  all/-                   all/-    all/-    all/-  all/-            -/-
Stage       all/all  all/-                   all/-    all/-    all/-  all/-            -/-
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
Article     all/all  all/-                   all/-    all/all  all/-  published_for_partners/- public/-
Tag         all/all  all/-                   all/all  all/-    all/-  -/-              -/-
CustomField all/all  all/-                   all/-    all/-    all/-  -/-              -/-
Notification self/self self/self       self/self self/self self/self -/-            -/-
WebhookEndpoint all/all -/-                 -/-      -/-      -/-    -/-              -/-
RecordMerge all/-    all/-                   -/-      all/-    -/-    -/-              -/-
ImportJob   all/all  self/self               self/self self/self -/-  -/-              -/-
Survey      all/all  all/-                   all/all  all/all  all/-  -/-              self/-
SurveyInvitation all/all all/-               all/all  all/all  all/-  -/-              self/-
SurveyResponse all/all all/-                 all/all  all/all  all/-  -/-              self/-
"""

ACTIONS = """
Contact.create   admin sales service
Contact.archive  admin sales service
Contact.dedupe   admin sales service
Account.create   admin sales service
Account.archive  admin sales
Contact.merge    admin sales service
Account.merge    admin sales
Account.dedupe   admin sales service
User.create      admin
Territory.create admin
Partner.create   admin
Opportunity.create   admin sales
Opportunity.archive  admin sales
Opportunity.register partner
Opportunity.approve  admin sales
Pipeline.create      admin
Pipeline.archive     admin
Stage.create         admin
Stage.archive        admin
Stage.move           admin
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
Tag.create           admin marketing
Tag.archive          admin marketing
CustomField.create   admin
CustomField.archive  admin
WebhookEndpoint.create   admin
WebhookEndpoint.archive  admin
ImportJob.create     admin sales marketing service
Survey.create        admin marketing service
Survey.archive       admin marketing service
SurveyInvitation.create  admin marketing service
SurveyResponse.create    admin marketing service
SurveyResponse.respond   customer
"""

# A partner reaches a type only with the matching scope in its token.
PARTNER_SCOPES: Mapping[str, tuple[str, str | None]] = {
    "Contact": ("contacts:read", "contacts:write"),
    "Account": ("accounts:read", "accounts:write"),
    "Opportunity": ("opportunities:read", "opportunities:write"),
    "Case": ("cases:read", None),  # partners read cases, never write them
}
KNOWN_SCOPES = frozenset(s for pair in PARTNER_SCOPES.values() for s in pair if s)
