"""How a record shows its custom field values, one typed entry per value the caller reads,
and how an input gives them: the same list in customValuesSet and in the create and update
mutations of each kind that custom fields extend."""

from __future__ import annotations

import strawberry
from strawberry import UNSET
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


@strawberry.input(description="A custom value to set on a record.")
class CustomValueInput:
    name: str = strawberry.field(description="The custom field's name.")
    value: JSON | None = strawberry.field(description="The value, as the field's type reads "
                                                      "(see CustomFieldValue.type); null "
                                                      "clears it.")


def given_values(values: list[CustomValueInput]) -> dict:
    """The values by name, as the use cases take them."""
    return {v.name: v.value for v in values}


def custom_values_input(*, creating: bool):
    """The optional `customFields` of a kind's create or update input."""
    if creating:
        description = ("Custom values to set, each once, checked as customValuesSet checks "
                       "them; every required custom field whose group you write must be "
                       "given.")
    else:
        description = ("Custom values to change, each once, merged into the record's: null "
                       "clears one, and the others stay as they are. Checked as "
                       "customValuesSet checks them.")
    return strawberry.field(default=UNSET, description=description)


def custom_values(items: list[dict]) -> list[CustomFieldValue]:
    return [CustomFieldValue(name=i["name"], label=i["label"], type=CustomFieldType(i["type"]),
                             value=i["value"]) for i in items]
