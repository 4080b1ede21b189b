"""AuditEntry: who changed what and when, with each field's before and after."""

from __future__ import annotations

import strawberry
from strawberry.scalars import JSON

from api.schema import forms
from api.schema.declared_fields import declared
from api.schema.fields import actor, check_readable, node_id, record_type
from api.schema.ids import to_global_id
from api.schema.relay import Node
from domain import accounts, activities, contacts
from persistence.audit import AUDIT_ENTRY

# Reference fields hold raw ids in the log; clients get global ids, as everywhere else.
REFERENCES = {"Contact": contacts.REFERENCES, "Account": accounts.REFERENCES,
              "AccountContact": {"account": "Account"}, "Activity": activities.REFERENCES}


@strawberry.type(description="One field's value before and after a change.")
class FieldChange:
    field: str = strawberry.field(description="The field, as named in the API.")
    before: JSON | None = strawberry.field(description="The value before; null if it had none.")
    after: JSON | None = strawberry.field(description="The value after; null if it has none.")


def _global(record_type: str, field: str, value):
    target = REFERENCES.get(record_type, {}).get(field)
    return to_global_id(target, value) if target and value else value


@record_type("AuditEntry")
@strawberry.type(description="One change to one record, written with the change itself.")
@declared(AUDIT_ENTRY)
class AuditEntry(Node):
    data: strawberry.Private[dict]

    id: strawberry.ID = node_id("AuditEntry")
    actor: strawberry.ID | None = actor("Global id of who made it.")

    @strawberry.field(description="Global id of the changed record.",
                      metadata=forms.compiled(forms.RecordGlobalId()))
    def record_id(self, info: strawberry.Info) -> strawberry.ID | None:
        check_readable(info)
        return strawberry.ID(to_global_id(self.data["recordType"], self.data["recordId"]))

    @strawberry.field(description="Each changed field with its before and after.",
                      metadata=forms.compiled(forms.Changes(REFERENCES)))
    def changes(self, info: strawberry.Info) -> list[FieldChange] | None:
        check_readable(info)
        kind = self.data["recordType"]
        return [FieldChange(field=f, before=_global(kind, f, v["before"]),
                            after=_global(kind, f, v["after"]))
                for f, v in sorted(self.data["changes"].items())]
