"""The fields of a GraphQL record type that its declaration describes on its own: a column, a
reference or a list of children with a `doc`. The class in api/schema writes by hand only what the declaration
cannot say (JSON shapes, connections, fields computed in Python)."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import String, TypeDecorator

from api.schema import forms
from api.schema.custom_values import CustomFieldValue, custom_values
from api.schema.fields import child_list, column, reference
from api.schema.registered import refer_to
from persistence.declaration import Field, RecordType, snake


def _derived(record: RecordType, field: Field):
    """(annotation, strawberry field) of one declared field."""
    if field.computed is not None:  # custom values, the one computed field there is
        return (list[CustomFieldValue] | None,
                column(field.doc, convert=custom_values, form=forms.Json(many=True)))
    if field.children is not None:
        target = field.children.type_name
        return (list[refer_to(target)] | None,
                child_list(field.name, target, field.doc))
    if field.target is not None:
        return refer_to(field.target) | None, reference(field.target, field.doc)
    if field.enum is not None:
        return field.enum | None, column(field.doc)
    held = held_type(record, field)
    return held | None, column(field.doc, form=forms.Text() if held is Decimal else None)


def held_type(record: RecordType, field: Field) -> type:
    """The Python type a column holds; JSON columns have none that GraphQL could show."""
    sql_type = record.table.c[field.column].type
    if isinstance(sql_type, TypeDecorator):  # SQLModel's AutoString: text, but says object
        sql_type = sql_type.impl_instance
    if isinstance(sql_type, String):
        return str
    try:
        return sql_type.python_type
    except NotImplementedError:
        raise TypeError(f"{record.name}.{field.name}: a JSON column needs its GraphQL type "
                        f"written by hand") from None


def declared(record: RecordType):
    """Add to a class, before strawberry.type reads it, every field of `record` that has a
    `doc` and that the class does not write itself, in the declaration's order."""
    def add(cls):
        own = dict(cls.__dict__.get("__annotations__", {}))
        annotations = {name: a for name, a in own.items() if name in ("data", "id")}
        for field in record.fields.values():
            name = snake(field.name)
            if name in own:
                if field.doc is not None:
                    raise TypeError(f"{record.name}.{field.name} is written twice: by its "
                                    f"declaration (it has a doc) and by {cls.__name__}")
                annotations[name] = own[name]
            elif field.doc is not None and (field.column or field.children) is not None:
                annotations[name], default = _derived(record, field)
                setattr(cls, name, default)
        cls.__annotations__ = {**annotations, **own}
        return cls
    return add
