"""How a record shows its custom field values: one typed entry per value the caller reads."""

from __future__ import annotations

import strawberry
from strawberry.scalars import JSON

from domain.custom_fields import CustomFieldType

FieldType = strawberry.enum(CustomFieldType, description="What a custom field holds.")


@strawberry.type(description="A value of one custom field of a record.")
class CustomFieldValue:
    name: str = strawberry.field(description="The field's name, its key in filters.")
    label: str = strawberry.field(description="The field's label.")
    type: FieldType = strawberry.field(description="What it holds, and so how `value` reads: "
                                                   "text for TEXT, URL, EMAIL, PHONE and "
                                                   "SINGLE_SELECT; a number for NUMBER; a "
                                                   "decimal in a string for DECIMAL; "
                                                   "`YYYY-MM-DD` for DATE; true or false for "
                                                   "BOOLEAN; a list of options for "
                                                   "MULTI_SELECT.")
    value: JSON = strawberry.field(description="The value, as `type` says. A value that no "
                                               "longer fits a changed definition is shown as "
                                               "it was stored.")


def custom_values(items: list[dict]) -> list[CustomFieldValue]:
    return [CustomFieldValue(name=i["name"], label=i["label"], type=CustomFieldType(i["type"]),
                             value=i["value"]) for i in items]
