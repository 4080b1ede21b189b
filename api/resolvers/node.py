"""node and nodes: any object by its global id."""

from __future__ import annotations

import asyncio
from typing import Annotated

import strawberry

from api.resolvers.common import decode_query_id
from api.schema import forms
from api.schema.errors import coded_error
from api.schema.fields import wrap
from api.schema.relay import Node, NodeId, arg, is_node_type
from domain.errors import ErrorCode

MAX_NODES = 100


async def _load(info: strawberry.Info, global_id: str):
    type_name, raw = decode_query_id(global_id)
    if not is_node_type(type_name):
        return None
    return wrap(type_name, await info.context.loaders.by_id(type_name).load(raw))


IdsArg = Annotated[list[strawberry.ID], arg("Global ids, at most 100.")]


@strawberry.type
class NodeQueries:
    @strawberry.field(description="Any object by global id; null when there is none you may see.",
                      metadata=forms.compiled(forms.ById()))
    async def node(self, info: strawberry.Info, id: NodeId) -> Node | None:
        return await _load(info, id)

    @strawberry.field(description="Several objects by global id, in the order asked (at most 100).",
                      metadata=forms.compiled(forms.ByIds()))
    async def nodes(self, info: strawberry.Info, ids: IdsArg) -> list[Node | None]:
        if len(ids) > MAX_NODES:
            raise coded_error(f"Ask for at most {MAX_NODES} ids.", ErrorCode.INVALID.value,
                              argument="ids")
        return list(await asyncio.gather(*(_load(info, i) for i in ids)))
