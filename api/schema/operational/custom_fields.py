"""CustomField: what a company adds to a kind of record; its queries and mutations."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.scalars import JSON

from api.resolvers.common import mutate, mutate_any, reread
from api.resolvers.plain import record_list
from api.schema.custom_values import CustomValueInput, FieldType, given_values
from api.schema.declared_fields import declared
from api.schema.errors import UserError, user_errors
from api.schema.fields import column, node_id, record_type
from api.schema.filters import order_input
from api.schema.ids import parse_id, parse_typed_id, to_global_id
from api.schema.operational.inputs import ArchiveInput, field_values, payload_errors_field, unset
from api.schema.operational.tags import Kind
from api.schema.record_inputs import record_filter, record_order_field
from api.schema.relay import (
    Connection,
    Node,
    Record,
    arg,
)
from domain.errors import DomainError
from domain.services import custom_fields as use
from domain.services.records import archive_record
from domain.services.tags import TAGGABLE
from persistence.custom_fields import CUSTOM_FIELD

MISFITS_SHOWN = 1000


@record_type("CustomField")
@strawberry.type(description="A field a company added to a kind of record.")
@declared(CUSTOM_FIELD)
class CustomField(Record):
    id: strawberry.ID = node_id("CustomField")
    options: list[str] | None = column("The choices of a select, in order.")


CustomFieldFilter = record_filter(CUSTOM_FIELD, CustomField)
CustomFieldOrder = order_input(record_order_field(CUSTOM_FIELD), "CustomFieldOrder")


@strawberry.input(description="A new custom field of a kind of record.")
class CustomFieldCreateInput:
    kind: Kind = strawberry.field(description="The kind of record it extends.")
    name: str = strawberry.field(description="camelCase, at most 40 characters; fixed once "
                                             "created, and never taken again by another field "
                                             "of the kind.")
    label: str = strawberry.field(description="What frontends show.")
    type: FieldType = strawberry.field(description="What it holds.")
    required: bool | None = unset("Whether a record must keep a value (default false).")
    group: str | None = unset("The policy group of the kind it joins (default `custom`).")
    options: list[str] | None = unset("The choices of a select: 1 to 100, each once.")
    max_length: int | None = unset("The longest text it takes, 1 to 20,000.")
    minimum: str | None = unset("The least number it takes, as a decimal.")
    maximum: str | None = unset("The greatest number it takes, as a decimal.")


@strawberry.input(description="Changes to a custom field, at the version read; its stored "
                              "values are kept as they are.")
class CustomFieldUpdateInput:
    id: strawberry.ID = strawberry.field(description="The custom field.")
    version: int = strawberry.field(description="The version you last read.")
    label: str | None = unset("A new label.")
    type: FieldType | None = unset("A new type.")
    required: bool | None = unset("Whether a record must keep a value.")
    group: str | None = unset("Another policy group of its kind.")
    options: list[str] | None = unset("New choices of a select.")
    max_length: int | None = unset("The longest text it takes.")
    minimum: str | None = unset("The least number it takes; null for none.")
    maximum: str | None = unset("The greatest number it takes; null for none.")


@strawberry.type(description="A stored value that does not fit its field's definition as it "
                             "now is. It is kept as it was, never dropped: change it, or the "
                             "definition.")
class CustomFieldMisfit:
    record: strawberry.ID = strawberry.field(description="The record holding it.")
    value: JSON | None = strawberry.field(description="The value as stored; null when a "
                                                      "required field has none.")
    problem: str = strawberry.field(description="Why it does not fit.")


@strawberry.type(description="The result of a custom field mutation.")
class CustomFieldPayload:
    custom_field: CustomField | None = strawberry.field(default=None,
                                                        description="The field as it is now.")
    misfits: list[CustomFieldMisfit] = strawberry.field(
        default_factory=list, description="After a change: the values it no longer fits, the "
                                          "first 1,000 by record.")
    misfit_count: int = strawberry.field(default=0,
                                         description="How many values it no longer fits.")
    errors: list[UserError] = payload_errors_field()


@strawberry.input(description="A record, the version read, and the custom values to set.")
class CustomValuesInput:
    record: strawberry.ID = strawberry.field(
        description="A contact, account, opportunity, lead or case.")
    version: int = strawberry.field(description="The record's version you last read.")
    values: list[CustomValueInput] = strawberry.field(description="The values, each once.")


@strawberry.type(description="The result of customValuesSet.")
class CustomValuesPayload:
    record: Node | None = strawberry.field(default=None, description="The record as it is now.")
    errors: list[UserError] = payload_errors_field()


@strawberry.type
class CustomFieldQueries:
    custom_fields: Connection[CustomField] = record_list(
        "CustomField", node=CustomField, filter_input=CustomFieldFilter,
        order_input=CustomFieldOrder, plural="custom fields",
        description="The custom fields you may see, e.g. of one kind; first/last run from 1 "
                    "to 100 (default 20).")


@strawberry.type
class CustomFieldMutations:
    @strawberry.mutation(description="Add a custom field to a kind of record. Admins only.")
    async def custom_field_create(
            self, info: strawberry.Info,
            input: Annotated[CustomFieldCreateInput, arg("The new field.")]) -> CustomFieldPayload:
        ctx = info.context
        return await mutate(info, CustomFieldPayload, "custom_field", "CustomField",
                            lambda: use.define(_values(input), ctx.uow(), ctx.access))

    @strawberry.mutation(description="Change a custom field. Stored values are never changed "
                                      "or dropped: those that no longer fit are listed in "
                                      "`misfits`. Admins only.")
    async def custom_field_update(
            self, info: strawberry.Info,
            input: Annotated[CustomFieldUpdateInput, arg("The field and its changes.")]
    ) -> CustomFieldPayload:
        ctx = info.context
        try:
            field_id, misfits = await use.redefine(
                parse_id(input.id, "CustomField"), input.version, _values(input), ctx.uow(),
                ctx.access)
        except DomainError as exc:
            return CustomFieldPayload(errors=user_errors(exc))
        return CustomFieldPayload(
            custom_field=await reread(info, "CustomField", field_id), errors=[],
            misfit_count=len(misfits),
            misfits=[CustomFieldMisfit(record=strawberry.ID(to_global_id(m.record_type,
                                                                         m.record_id)),
                                       value=m.value, problem=m.problem)
                     for m in misfits[:MISFITS_SHOWN]])

    @strawberry.mutation(description="Retire a custom field: records stop showing it, and its "
                                      "values stay stored under its name, which no other field "
                                      "of the kind may take. Admins only.")
    async def custom_field_archive(
            self, info: strawberry.Info,
            input: Annotated[ArchiveInput, arg("The field.")]) -> CustomFieldPayload:
        ctx = info.context
        return await mutate(info, CustomFieldPayload, "custom_field", "CustomField",
                            lambda: archive_record(use.KIND, parse_id(input.id, "CustomField"),
                                                   input.version, ctx.uow(), ctx.access))

    @strawberry.mutation(description="Set or clear custom values of a record, at its version: "
                                      "each needs write access to its field's policy group.")
    async def custom_values_set(
            self, info: strawberry.Info,
            input: Annotated[CustomValuesInput, arg("The record and the values.")]
    ) -> CustomValuesPayload:
        ctx = info.context

        async def action():
            record_type, record_id = parse_typed_id(input.record, TAGGABLE, "record")
            return record_type, await use.set_values(record_type, record_id, input.version,
                                                     given_values(input.values), ctx.uow(),
                                                     ctx.access)

        return await mutate_any(info, CustomValuesPayload, "record", action)


def _values(data) -> dict:
    values = field_values(data, {})
    if values.get("kind") is not None:
        values["kind"] = values["kind"].value
    if values.get("type") is not None:
        values["type"] = values["type"].value
    return values
