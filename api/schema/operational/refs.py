"""Lazy references between the operational types, which import each other in circles."""

from __future__ import annotations

from typing import Annotated

import strawberry


def _lazy(name: str, module: str):
    return Annotated[name, strawberry.lazy(f"api.schema.operational.{module}")]


AccountRef = _lazy("Account", "accounts")
ArticleRef = _lazy("Article", "knowledge")
CaseQueueRef = _lazy("CaseQueue", "cases")
CaseRef = _lazy("Case", "cases")
ContactRef = _lazy("Contact", "contacts")
LeadRef = _lazy("Lead", "leads")
OpportunityRef = _lazy("Opportunity", "opportunities")
PartnerRef = _lazy("Partner", "partners")
TerritoryRef = _lazy("Territory", "territories")
UserRef = _lazy("User", "users")
