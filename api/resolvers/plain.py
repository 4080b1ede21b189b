"""The queries and mutations of a plain record type: one by id, a filtered list, and create,
update and archive through the generic use cases. Accounts and contacts are such types.

The resolvers are made per type, so their annotations must be the types themselves: this
module does not postpone annotations, as strawberry reads them when the schema is built.
"""

import uuid
from typing import Annotated

import strawberry

from api.resolvers.common import get_record, list_records, mutate
from api.schema import forms
from api.schema.ids import parse_id
from api.schema.operational.inputs import ArchiveInput, field_values
from api.schema.relay import After, Before, Connection, First, IncludeArchived, Last, NodeId, arg
from domain.access import Access
from domain.ports import UnitOfWork
from domain.services.records import RecordKind, archive_record, create_record, update_record


def record_list(type_name: str, *, node: type, filter_input: type, order_input: type,
                plural: str, description: str, references: dict[str, str] | None = None):
    """The list field of a record type: its records the caller may see, under the client's
    filter, order and archive choice, on the compiled path or the resolvers alike."""
    references = dict(references or {})
    FilterArg = Annotated[filter_input | None, arg(f"Which {plural} to list.")]
    OrderArg = Annotated[list[order_input] | None,
                         arg("Sort keys, most significant first; default: createdAt.")]

    async def listed(self, info: strawberry.Info, first: First = None, after: After = None,
                     last: Last = None, before: Before = None, filter: FilterArg = None,
                     order_by: OrderArg = None, include_archived: IncludeArchived = False,
                     ) -> Connection[node]:
        return await list_records(info, type_name, first=first, after=after, last=last,
                                  before=before, filter=filter, order_by=order_by,
                                  references=references, include_archived=include_archived)

    return strawberry.field(resolver=listed, description=description,
                            metadata=forms.compiled(forms.Listing(type_name, references)))


def plain_record_resolvers(kind: RecordKind, *, node: type, filter_input: type,
                           order_input: type, create_input: type, update_input: type,
                           payload: type, name: str, plural: str, article: str
                           ) -> tuple[type, type]:
    """The `<Type>Queries` and `<Type>Mutations` strawberry types of a plain record type;
    `name` is its field name (account), `plural` its list's (accounts), `article` a or an."""
    type_name, references, one = kind.type_name, dict(kind.references), f"{article} {name}"
    CreateArg = Annotated[create_input, arg(f"The new {name}.")]
    UpdateArg = Annotated[update_input, arg(f"The {name}, its version, and the fields to change.")]
    ArchiveArg = Annotated[ArchiveInput, arg(f"The {name} and its version.")]

    async def by_id(self, info: strawberry.Info, id: NodeId) -> node | None:
        return await get_record(info, type_name, id)

    async def create(self, info: strawberry.Info, input: CreateArg) -> payload:
        ctx = info.context

        async def creating() -> uuid.UUID:
            values = field_values(input, references)
            # Only inputs that offer allowDuplicate are checked (contacts and accounts).
            allow_duplicate = values.pop("allowDuplicate", True)
            return await create_record(kind, values, ctx.uow(), ctx.access,
                                       allow_duplicate=allow_duplicate)
        return await mutate(info, payload, name, type_name, creating)

    async def run_update(input: UpdateArg, uow: UnitOfWork, access: Access) -> uuid.UUID:
        # The compiled write path (api/compiled_writes.py) runs this very use case.
        return await update_record(kind, parse_id(input.id, type_name), input.version,
                                   field_values(input, references), uow, access)

    async def update(self, info: strawberry.Info, input: UpdateArg) -> payload:
        ctx = info.context
        return await mutate(info, payload, name, type_name,
                            lambda: run_update(input, ctx.uow(), ctx.access))

    async def archive(self, info: strawberry.Info, input: ArchiveArg) -> payload:
        ctx = info.context
        return await mutate(info, payload, name, type_name, lambda: archive_record(
            kind, parse_id(input.id, type_name), input.version, ctx.uow(), ctx.access))

    queries = type(f"{type_name}Queries", (), {
        name: strawberry.field(
            resolver=by_id, description=f"{one.capitalize()} by id; null when there is none "
                                        f"you may see.",
            metadata=forms.compiled(forms.ById(type_name))),
        plural: record_list(
            type_name, node=node, filter_input=filter_input, order_input=order_input,
            plural=plural, references=references,
            description=f"{plural.capitalize()} you may see; first/last run from 1 to 100 "
                        f"(default 20)."),
    })
    mutations = type(f"{type_name}Mutations", (), {
        f"{name}_create": strawberry.mutation(resolver=create, description=f"Create {one}."),
        f"{name}_update": strawberry.mutation(
            resolver=update, description=f"Change {one}; `version` must be the one you last "
                                         f"read.",
            metadata=forms.compiled(forms.Update(type_name, name, run_update))),
        f"{name}_archive": strawberry.mutation(
            resolver=archive, description=f"Archive {one}: it leaves lists but keeps its "
                                          f"history."),
    })
    return strawberry.type(queries), strawberry.type(mutations)
