"""References between the operational types, which import each other in circles: each resolves
to the class registered under the type's name when the schema is built (registered.refer_to)."""

from __future__ import annotations

from api.schema.registered import refer_to

AccountRef = refer_to("Account")
ArticleRef = refer_to("Article")
CaseQueueRef = refer_to("CaseQueue")
CaseRef = refer_to("Case")
ContactRef = refer_to("Contact")
LeadRef = refer_to("Lead")
OpportunityRef = refer_to("Opportunity")
PartnerRef = refer_to("Partner")
TerritoryRef = refer_to("Territory")
UserRef = refer_to("User")
