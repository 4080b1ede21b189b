"""Tag: a label with a colour for one kind of record; its queries and mutations."""

from __future__ import annotations

from typing import Annotated

import strawberry

from api.resolvers.common import mutate, mutate_any, save_record
from api.resolvers.plain import record_list
from api.schema import forms
from api.schema.declared_fields import declared
from api.schema.errors import UserError, forbidden_field
from api.schema.fields import check_readable, node_id, record_type
from api.schema.filters import order_input
from api.schema.ids import parse_id, parse_typed_id
from api.schema.operational.inputs import ArchiveInput, payload_errors_field, unset
from api.schema.record_inputs import record_filter, record_order_field
from api.schema.relay import (
    Connection,
    Node,
    Record,
    arg,
)
from domain.services.records import archive_record
from domain.services.tags import TAG, TAGGABLE, set_tags
from domain.tags import TaggableKind
from persistence.tags import TAG as TAG_RECORD

Kind = strawberry.enum(TaggableKind, name="TaggableKind",
                       description="The kinds of record that carry tags; each has its own tags.")


@record_type("Tag")
@strawberry.type(description="A label with a colour that records of one kind carry.")
@declared(TAG_RECORD)
class Tag(Record):
    id: strawberry.ID = node_id("Tag")

    @strawberry.field(description="How many records you may see carry it.",
                      metadata=forms.compiled(forms.CarrierCount("tags")))
    async def count(self, info: strawberry.Info) -> int | None:
        check_readable(info)
        kind = self.data["kind"]
        if not info.context.access.can_read(kind, "tags"):
            raise forbidden_field(kind, "tags")
        return await info.context.loaders.carrier_counts("tags").load((kind, self.data["id"]))


TagFilter = record_filter(TAG_RECORD, Tag)
TagOrder = order_input(record_order_field(TAG_RECORD), "TagOrder")


@strawberry.input(description="A new tag of one kind of record.")
class TagCreateInput:
    kind: Kind = strawberry.field(description="The kind of record it labels; it never changes.")
    name: str = strawberry.field(description="Name, at most 50 characters, unique within the "
                                             "kind whatever the case.")
    colour: str | None = unset("`#RRGGBB`; grey (#9E9E9E) unless given.")


@strawberry.input(description="A tag's new name or colour, at the version read.")
class TagRenameInput:
    id: strawberry.ID = strawberry.field(description="The tag.")
    version: int = strawberry.field(description="The version you last read.")
    name: str | None = unset("The new name, unique within the kind whatever the case.")
    colour: str | None = unset("The new colour, `#RRGGBB`.")


@strawberry.input(description="A record and tags of its kind, to give it or take off it.")
class TaggingInput:
    record: strawberry.ID = strawberry.field(
        description="A contact, account, opportunity, lead or case.")
    tags: list[strawberry.ID] = strawberry.field(description="1 to 50 tags of its kind.")


@strawberry.type(description="The result of tag or untag.")
class TaggingPayload:
    record: Node | None = strawberry.field(default=None,
                                           description="The record, with its tags as they are now.")
    errors: list[UserError] = payload_errors_field()


@strawberry.type(description="The result of a tag mutation.")
class TagPayload:
    tag: Tag | None = strawberry.field(default=None, description="The tag as it is now.")
    errors: list[UserError] = payload_errors_field()


@strawberry.type
class TagQueries:
    tags: Connection[Tag] = record_list(
        "Tag", node=Tag, filter_input=TagFilter, order_input=TagOrder, plural="tags",
        description="Tags you may see, e.g. of one kind; first/last run from 1 to 100 "
                    "(default 20).")


@strawberry.type
class TagMutations:
    @strawberry.mutation(description="Add a tag to a kind's vocabulary. Admin and marketing.")
    async def tag_create(self, info: strawberry.Info,
                         input: Annotated[TagCreateInput, arg("The new tag.")]) -> TagPayload:
        return await save_record(info, TAG, input, TagPayload, "tag")

    @strawberry.mutation(description="Rename a tag or change its colour; the records carrying "
                                     "it keep it. Admin and marketing.")
    async def tag_rename(self, info: strawberry.Info,
                         input: Annotated[TagRenameInput, arg("The tag and its changes.")]
                         ) -> TagPayload:
        return await save_record(info, TAG, input, TagPayload, "tag")

    @strawberry.mutation(description="Give a record tags of its kind; those it carries stay. "
                                     "Needs write access to the record's tags.")
    async def tag(self, info: strawberry.Info,
                  input: Annotated[TaggingInput, arg("The record and the tags.")]
                  ) -> TaggingPayload:
        return await _tagging(info, input, tagged=True)

    @strawberry.mutation(description="Take tags off a record; those it lacks change nothing.")
    async def untag(self, info: strawberry.Info,
                    input: Annotated[TaggingInput, arg("The record and the tags.")]
                    ) -> TaggingPayload:
        return await _tagging(info, input, tagged=False)

    @strawberry.mutation(description="Retire a tag: records no longer show it and it can no "
                                     "longer be given; its name is free again. Admin and "
                                     "marketing.")
    async def tag_archive(self, info: strawberry.Info,
                          input: Annotated[ArchiveInput, arg("The tag.")]) -> TagPayload:
        ctx = info.context
        return await mutate(info, TagPayload, "tag", "Tag", lambda: archive_record(
            TAG, parse_id(input.id, "Tag"), input.version, ctx.uow(), ctx.access))


async def _tagging(info: strawberry.Info, input: TaggingInput, tagged: bool) -> TaggingPayload:
    ctx = info.context

    async def action():
        record_type, record_id = parse_typed_id(input.record, TAGGABLE, "record")
        tag_ids = [parse_id(tag, "Tag", "tags") for tag in input.tags]
        return record_type, await set_tags(record_type, record_id, tag_ids, tagged, ctx.uow(),
                                           ctx.access)

    return await mutate_any(info, TaggingPayload, "record", action)
