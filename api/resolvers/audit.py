"""auditTrail: the history of a record, for admins."""

from __future__ import annotations

import strawberry

from api.resolvers.common import decode_query_id, page_of
from api.schema.fields import check_readable
from api.schema.operational.audit import AuditEntry
from api.schema.reads import Reads
from api.schema.relay import After, Before, Connection, First, Last, NodeId
from domain.filters import AnyOf, Condition, Op, OrderTerm


@strawberry.type
class AuditQueries:
    @strawberry.field(description="Changes to a record and its notes, consents and links, newest "
                                  "first. Admins only.",
                      extensions=[Reads(always=("AuditEntry.recordId", "AuditEntry.at"))])
    async def audit_trail(self, info: strawberry.Info, record_id: NodeId,
                          first: First = None, after: After = None,
                          last: Last = None, before: Before = None,
                          ) -> Connection[AuditEntry] | None:
        check_readable(info, "AuditEntry", "changes")
        _, raw = decode_query_id(record_id)
        about = AnyOf((Condition("recordId", Op.EQ, raw), Condition("parentId", Op.EQ, raw)))
        return await page_of(info, "AuditEntry", (first, after, last, before), about,
                             [OrderTerm("at", descending=True)], include_archived=True)
