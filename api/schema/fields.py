"""Field resolvers that apply the field policy, shared by every object type.

A field the caller may not read resolves to null with a FORBIDDEN error at its
path. Its value was never selected in the first place: these checks decide what
to *report*, persistence already decided what to *fetch*.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import strawberry

from api.schema import forms, registered
from api.schema.adapter import field_name, parent_type_name
from api.schema.errors import forbidden_field
from api.schema.ids import actor_global_id, to_global_id

# GraphQL type name -> strawberry class, filled by @record_type, used to wrap loaded rows.
TYPES: dict[str, type] = {}


def record_type(type_name: str):
    """Register a strawberry class as the view of rows of `type_name`."""
    def register(cls):
        TYPES[type_name] = cls
        setattr(registered, type_name, cls)
        return cls
    return register


def wrap(type_name: str, row: dict | None):
    return None if row is None else TYPES[type_name](data=row)


def check_readable(info: strawberry.Info, type_name: str | None = None,
                   name: str | None = None) -> None:
    type_name = type_name or parent_type_name(info)
    name = name or field_name(info)
    if not info.context.access.can_read(type_name, name):
        raise forbidden_field(type_name, name)


def column(description: str, convert: Callable[[Any], Any] | None = None,
           type_name: str | None = None, form: forms.Form | None = None):
    """A field read from the row under the same name; `type_name` names the policy type when
    it differs from the GraphQL type (edges carry the fields of the link they stand for).

    `form` tells the compiled read path how the column renders: a plain value unless given,
    e.g. forms.Text() for a decimal, or forms.Json(many=True) for a JSON list of objects.
    """
    def resolve(root, info: strawberry.Info):
        check_readable(info, type_name)
        value = root.data.get(field_name(info))
        return value if convert is None or value is None else convert(value)

    return strawberry.field(resolver=resolve, description=description,
                            metadata=forms.compiled(form or forms.Value(policy=type_name)))


def reference(target: str, description: str, key: str | None = None):
    """A to-one relation: the row holds the target's id, a loader fetches the target."""
    async def resolve(root, info: strawberry.Info):
        check_readable(info)
        target_id = root.data.get(key or field_name(info))
        if target_id is None:
            return None
        return wrap(target, await info.context.loaders.by_id(target).load(target_id))

    return strawberry.field(resolver=resolve, description=description,
                            metadata=forms.compiled(forms.Reference(target)))


def child_list(relation: str, target: str, description: str):
    """A plain list of child records along one of persistence's CHILD_RELATIONS."""
    async def resolve(root, info: strawberry.Info):
        check_readable(info)
        rows = await info.context.loaders.children(relation).load(root.data["id"])
        return [wrap(target, r) for r in rows]

    return strawberry.field(resolver=resolve, description=description,
                            metadata=forms.compiled(forms.Children(relation)))


def node_id(type_name: str):
    def resolve(root) -> strawberry.ID:
        return strawberry.ID(to_global_id(type_name, root.data["id"]))

    return strawberry.field(resolver=resolve, description="Opaque global id; use it with node(id).",
                            metadata=forms.compiled(forms.GlobalId()))


def actor(description: str):
    """createdBy / updatedBy: the global id of the user, partner or contact who acted."""
    return column(description, convert=actor_global_id, form=forms.Actor())
