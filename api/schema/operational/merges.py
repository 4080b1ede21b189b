"""contactMerge, accountMerge and mergeUndo, and the RecordMerge they leave behind."""

from __future__ import annotations

from typing import Annotated, Any, Generic, TypeVar

import strawberry
from strawberry.scalars import JSON

from api.resolvers.common import reread
from api.schema.declared_fields import declared
from api.schema.errors import UserError, user_errors
from api.schema.fields import check_readable, node_id, record_type
from api.schema.ids import parse_id, to_global_id
from api.schema.operational.accounts import Account
from api.schema.operational.contacts import Contact
from api.schema.operational.inputs import payload_errors_field
from api.schema.relay import Record, arg, is_node_type
from domain import accounts, contacts
from domain.errors import DomainError
from domain.services.merge import MergePlan, merge_records, undo_merge
from persistence.merge_references import references_to
from persistence.merges import RECORD_MERGE

REFERENCES = {"Contact": contacts.REFERENCES, "Account": accounts.REFERENCES}
TABLES = {"Contact": "contact", "Account": "account"}


def _row_id(record_type: str | None, raw: Any) -> strawberry.ID:
    """A global id for a row of a node type; the plain id for a link (a tagging)."""
    if record_type is not None and is_node_type(record_type):
        return strawberry.ID(to_global_id(record_type, raw))
    return strawberry.ID(str(raw))


@strawberry.type(description="The references of one kind that a merge moved to the survivor.")
class MovedReferences:
    kind: str = strawberry.field(description="Table and column, e.g. `activity.contact_id`.")
    record_type: str | None = strawberry.field(
        description="The record type of the rows, when they are records of their own.")
    count: int = strawberry.field(description="How many rows moved to the survivor.")
    ids: list[strawberry.ID] = strawberry.field(description="The rows that moved.")
    archived_ids: list[strawberry.ID] = strawberry.field(
        description="Rows the survivor already had an equal of (the same tag, account or "
                    "follower): they stay on their merged record, archived.")


@record_type("RecordMerge")
@strawberry.type(description="A merge of contacts or accounts: the survivor, the records "
                             "merged into it, and the references moved; mergeUndo reverses it.")
@declared(RECORD_MERGE)
class RecordMerge(Record):
    id: strawberry.ID = node_id("RecordMerge")

    @strawberry.field(description="Global id of the record that survived.")
    def survivor(self, info: strawberry.Info) -> strawberry.ID | None:
        check_readable(info)
        return strawberry.ID(to_global_id(self.data["recordType"], self.data["survivor"]))

    @strawberry.field(description="Global ids of the records merged into it, now archived.")
    def merged(self, info: strawberry.Info) -> list[strawberry.ID] | None:
        check_readable(info)
        return [strawberry.ID(to_global_id(self.data["recordType"], i))
                for i in self.data["merged"]]

    @strawberry.field(description="The references moved, per kind.")
    def references(self, info: strawberry.Info) -> list[MovedReferences] | None:
        check_readable(info)
        done = self.data["references"] or {}
        types = {r.kind: r.record_type for r in references_to(TABLES[self.data["recordType"]])}
        archived = {f"{e['table']}.{e.get('column')}": e["ids"] for e in done.get("archived", [])}
        kinds = [f"{m['table']}.{m['column']}" for m in done.get("moved", [])]
        moved = {kind: m["ids"] for kind, m in zip(kinds, done.get("moved", []), strict=True)}
        return [MovedReferences(kind=kind, record_type=types.get(kind),
                                count=len(moved.get(kind, [])),
                                ids=[_row_id(types.get(kind), i) for i in moved.get(kind, [])],
                                archived_ids=[_row_id(types.get(kind), i)
                                              for i in archived.get(kind, [])])
                for kind in dict.fromkeys([*kinds, *archived])]


@strawberry.type(description="One field of the merged record: its value and where it came from.")
class MergedField:
    field: str = strawberry.field(description="The field, e.g. `lastName` or "
                                              "`customFields.segment`.")
    value: JSON | None = strawberry.field(description="Its value after the merge.")
    source: strawberry.ID | None = strawberry.field(
        name="from", description="The record the value comes from; null when none has one.")


@strawberry.input(description="Which record's value a field takes.")
class FieldChoice:
    field: str = strawberry.field(description="The field, e.g. `lastName` or "
                                              "`customFields.segment`.")
    source: strawberry.ID = strawberry.field(name="from", description="One of the records.")


@strawberry.input(description="Records to merge into one survivor: two to fifty in all.")
class MergeInput:
    survivor: strawberry.ID = strawberry.field(description="The record that stays.")
    merged: list[strawberry.ID] = strawberry.field(
        description="The records merged into it; they are archived with mergedInto.")
    field_choices: list[FieldChoice] | None = strawberry.field(
        default=None, description="Per field, the record whose value wins over the default "
                                  "survivorship.")
    dry_run: bool = strawberry.field(
        default=False, description="Answer the merged record and the references that would "
                                   "move, writing nothing.")


def _fields(plan: MergePlan) -> list[MergedField]:
    refs = REFERENCES.get(plan.type_name, {})
    out = []
    for name, source in sorted(plan.sources.items()):
        value = plan.values.get(name) if "." not in name else \
            (plan.values.get("customFields") or {}).get(name.partition(".")[2])
        if name in refs and value:
            value = to_global_id(refs[name], value)
        out.append(MergedField(field=name, value=value, source=strawberry.ID(
            to_global_id(plan.type_name, source)) if source else None))
    return out


def _moved(plan: MergePlan) -> list[MovedReferences]:
    return [MovedReferences(kind=r.kind, record_type=r.record_type, count=len(r.moved),
                            ids=[_row_id(r.record_type, i) for i in r.moved],
                            archived_ids=[_row_id(r.record_type, i) for i in r.archived])
            for r in plan.references]


async def _merge(info: strawberry.Info, type_name: str, input: MergeInput) -> dict:
    ctx = info.context
    try:
        survivor = parse_id(input.survivor, type_name, "survivor")
        merged = [parse_id(m, type_name, f"merged[{i}]") for i, m in enumerate(input.merged)]
        choices = {c.field: parse_id(c.source, type_name, f"fieldChoices.{c.field}")
                   for c in input.field_choices or []}
        plan = await merge_records(type_name, survivor, merged, choices, input.dry_run,
                                   ctx.uow(), ctx.access)
    except DomainError as exc:
        return {"errors": user_errors(exc)}
    merge = None if plan.merge_id is None else await reread(info, "RecordMerge", plan.merge_id)
    return {"record": await reread(info, type_name, survivor), "merge": merge,
            "fields": _fields(plan), "references": _moved(plan), "errors": []}


Merged = TypeVar("Merged")


@strawberry.type(description="A merge: the survivor, the fields and the references.")
class MergePayload(Generic[Merged]):
    record: Merged | None = strawberry.field(
        default=None, description="The survivor as it is now (unchanged after a dry run).")
    merge: RecordMerge | None = strawberry.field(
        default=None, description="The merge, to undo it; null for a dry run.")
    fields: list[MergedField] = strawberry.field(
        default_factory=list, description="The merged record, field by field.")
    references: list[MovedReferences] = strawberry.field(
        default_factory=list, description="The references moved (or that would move).")
    errors: list[UserError] = payload_errors_field()


@strawberry.input(description="The merge to undo.")
class MergeUndoInput:
    id: strawberry.ID = strawberry.field(description="The RecordMerge.")


@strawberry.type(description="The result of undoing a merge.")
class MergeUndoPayload:
    merge: RecordMerge | None = strawberry.field(default=None, description="The merge, undone.")
    errors: list[UserError] = payload_errors_field()


MergeArg = Annotated[MergeInput, arg("The survivor, the records merged, choices, dry run.")]
UndoArg = Annotated[MergeUndoInput, arg("The merge.")]


@strawberry.type
class MergeMutations:
    @strawberry.mutation(description="Merge contacts into one survivor (or plan it, dryRun).")
    async def contact_merge(self, info: strawberry.Info,
                            input: MergeArg) -> MergePayload[Contact]:
        return MergePayload[Contact](**await _merge(info, "Contact", input))

    @strawberry.mutation(description="Merge accounts into one survivor (or plan it, dryRun).")
    async def account_merge(self, info: strawberry.Info,
                            input: MergeArg) -> MergePayload[Account]:
        return MergePayload[Account](**await _merge(info, "Account", input))

    @strawberry.mutation(description="Undo a merge while none of its records changed since.")
    async def merge_undo(self, info: strawberry.Info, input: UndoArg) -> MergeUndoPayload:
        ctx = info.context
        try:
            merge_id = parse_id(input.id, "RecordMerge")
            await undo_merge(merge_id, ctx.uow(), ctx.access)
        except DomainError as exc:
            return MergeUndoPayload(errors=user_errors(exc))
        return MergeUndoPayload(merge=await reread(info, "RecordMerge", merge_id), errors=[])
