"""me."""

from __future__ import annotations

import strawberry

from api.schema.collaborative.viewer import Viewer, permissions


@strawberry.type
class ViewerQueries:
    @strawberry.field(description="Who you are and what you may read and write.")
    def me(self, info: strawberry.Info) -> Viewer:
        ctx = info.context
        return Viewer(role=ctx.principal.role, scopes=sorted(ctx.principal.scopes),
                      permissions=permissions(ctx.access))
