"""auditTrail: the history of a record, for admins."""

from __future__ import annotations

import uuid

import strawberry

from api.resolvers.common import decode_query_id, page_of
from api.schema import forms
from api.schema.fields import check_readable
from api.schema.operational.audit import AuditEntry
from api.schema.reads import Reads
from api.schema.relay import After, Before, Connection, First, Last, NodeId
from domain.filters import AnyOf, Condition, Filter, Op, OrderTerm

TRAIL = forms.Trail(order=(OrderTerm("at", descending=True),))


def trail_filter(record_id: uuid.UUID) -> Filter:
    """The entries about a record, and about what belongs to it (its notes, say)."""
    return AnyOf((Condition("recordId", Op.EQ, record_id),
                  Condition("parentId", Op.EQ, record_id)))


@strawberry.type
class AuditQueries:
    @strawberry.field(description="Changes to a record and its notes, consents and links, newest "
                                  "first. Admins only.",
                      extensions=[Reads(always=("AuditEntry.recordId", "AuditEntry.at"))],
                      metadata=forms.compiled(TRAIL))
    async def audit_trail(self, info: strawberry.Info, record_id: NodeId,
                          first: First = None, after: After = None,
                          last: Last = None, before: Before = None,
                          ) -> Connection[AuditEntry] | None:
        check_readable(info, "AuditEntry", "changes")
        _, raw = decode_query_id(record_id)
        return await page_of(info, "AuditEntry", (first, after, last, before), trail_filter(raw),
                             list(TRAIL.order), include_archived=True)
