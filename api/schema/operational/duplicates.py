"""Duplicates: the likely duplicates of a record, the review queue, and dismissing a pair."""

from __future__ import annotations

import base64
import uuid
from enum import Enum
from typing import Annotated

import orjson
import strawberry

from api.schema.errors import UserError, coded_error, user_errors
from api.schema.fields import wrap
from api.schema.ids import parse_typed_id
from api.schema.operational.inputs import payload_errors_field
from api.schema.reads import Reads
from api.schema.relay import Node, PageInfo, arg
from domain.duplicates import DEFAULT_THRESHOLD, FLOOR, Reason
from domain.errors import DomainError, ErrorCode
from domain.services.duplicates import dismiss_pair, duplicates_of
from persistence.duplicate_store import DuplicateStore, candidate_page

MAX_FIRST = 100
# The stored scores come from these fields: only who may read them all reads the queue.
SCORED_FIELDS = {
    "CONTACT": ("Contact.firstName", "Contact.lastName", "Contact.emails", "Contact.phones",
                "Contact.accounts"),
    "ACCOUNT": ("Account.name", "Account.website"),
}

DuplicateReason = strawberry.enum(Reason, description=(
    "Why two records may be one: SAME_EMAIL, SAME_PHONE, SAME_COMPANY (linked to one account), "
    "SIMILAR_NAME, SAME_DOMAIN (accounts' websites). Only from fields you may read."))


@strawberry.enum(description="The kinds of record checked for duplicates.")
class DuplicateType(Enum):
    CONTACT = strawberry.enum_value("Contact", description="People.")
    ACCOUNT = strawberry.enum_value("Account", description="Organisations.")


@strawberry.type(description="A record that likely duplicates another, and why.")
class DuplicateCandidate:
    type_name: strawberry.Private[str]
    record_id: strawberry.Private[uuid.UUID]
    score: float = strawberry.field(description="0..1: how likely the two are one; "
                                                f"{DEFAULT_THRESHOLD} and above is likely.")
    reasons: list[DuplicateReason] = strawberry.field(description="The evidence, strongest first.")

    @strawberry.field(description="The candidate record; null if you may no longer read it.")
    async def record(self, info: strawberry.Info) -> Node | None:
        loaded = await info.context.loaders.by_id(self.type_name).load(self.record_id)
        return wrap(self.type_name, loaded)


@strawberry.type(description="Two records that likely are one, waiting for a review.")
class DuplicatePair:
    type_name: strawberry.Private[str]
    ids: strawberry.Private[tuple[uuid.UUID, uuid.UUID]]
    score: float = strawberry.field(description="0..1: how likely the two are one.")
    reasons: list[DuplicateReason] = strawberry.field(description="The evidence, strongest first.")

    @strawberry.field(description="The first record of the pair.")
    async def a(self, info: strawberry.Info) -> Node | None:
        return wrap(self.type_name, await info.context.loaders.by_id(self.type_name).load(
            self.ids[0]))

    @strawberry.field(description="The second record of the pair.")
    async def b(self, info: strawberry.Info) -> Node | None:
        return wrap(self.type_name, await info.context.loaders.by_id(self.type_name).load(
            self.ids[1]))


@strawberry.type(description="A pair in the review queue, and its cursor.")
class DuplicatePairEdge:
    cursor: str = strawberry.field(description="Opaque cursor of this pair.")
    node: DuplicatePair = strawberry.field(description="The pair.")


@strawberry.type(description="A page of the review queue, best pairs first.")
class DuplicatePairConnection:
    edges: list[DuplicatePairEdge] = strawberry.field(description="The pairs of this page.")
    page_info: PageInfo = strawberry.field(description="Where this page sits.")


@strawberry.input(description="Two records that are not duplicates of each other.")
class DuplicateDismissInput:
    a: strawberry.ID = strawberry.field(description="A contact or account.")
    b: strawberry.ID = strawberry.field(description="Another of the same type.")


@strawberry.type(description="The result of dismissing a pair.")
class DuplicateDismissPayload:
    dismissed: bool | None = strawberry.field(
        default=None, description="True once the pair is never proposed again.")
    errors: list[UserError] = payload_errors_field()


def _cursor(score: float, low: uuid.UUID, high: uuid.UUID) -> str:
    return base64.urlsafe_b64encode(orjson.dumps([score, str(low), str(high)])).decode()


def _position(cursor: str | None) -> tuple[float, uuid.UUID, uuid.UUID] | None:
    if cursor is None:
        return None
    try:
        score, low, high = orjson.loads(base64.urlsafe_b64decode(cursor.encode()))
        return float(score), uuid.UUID(low), uuid.UUID(high)
    except (ValueError, TypeError) as exc:
        raise coded_error("Not a cursor of this list.", ErrorCode.INVALID.value,
                          argument="after") from exc


def _check_score(min_score: float) -> None:
    if not 0 <= min_score <= 1:
        raise coded_error("minScore runs from 0 to 1.", ErrorCode.INVALID.value,
                          argument="minScore")


RecordArg = Annotated[strawberry.ID, arg("A contact or an account.")]
MinScoreArg = Annotated[float, arg("Leave out candidates scoring less (0..1).")]
TypeArg = Annotated[DuplicateType, arg("Contacts or accounts.")]
FirstArg = Annotated[int, arg(f"How many pairs, 1 to {MAX_FIRST}.")]
AfterArg = Annotated[str | None, arg("Start after this cursor.")]


@strawberry.type
class DuplicateQueries:
    @strawberry.field(description="The records you may read that likely duplicate this one, "
                                  "best first; scores and reasons use only fields you may "
                                  "read. Null when you may not read the record.")
    async def duplicates(self, info: strawberry.Info, record_id: RecordArg,
                         min_score: MinScoreArg = FLOOR) -> list[DuplicateCandidate] | None:
        _check_score(min_score)
        ctx = info.context
        try:
            type_name, id = parse_typed_id(record_id, ("Contact", "Account"), "recordId")
        except DomainError:
            return None
        found = await duplicates_of(type_name, id, DuplicateStore(ctx.reader, ctx.access),
                                    min_score)
        if found is None:
            return None
        return [DuplicateCandidate(type_name=type_name, record_id=other, score=match.score,
                                   reasons=list(match.reasons)) for other, match in found]

    @strawberry.field(description="The review queue: pairs found by the duplicate scans, of "
                                  "which you may read both records, best first. Needs read "
                                  "access to every field the scores come from.",
                      extensions=[Reads(values={"type": SCORED_FIELDS})])
    async def duplicate_candidates(self, info: strawberry.Info, type: TypeArg,
                                   min_score: MinScoreArg = DEFAULT_THRESHOLD,
                                   first: FirstArg = 20, after: AfterArg = None
                                   ) -> DuplicatePairConnection:
        ctx, type_name = info.context, type.value
        _check_score(min_score)
        if not 1 <= first <= MAX_FIRST:
            raise coded_error(f"first runs from 1 to {MAX_FIRST}.", ErrorCode.INVALID.value,
                              argument="first")
        pairs, more = await candidate_page(ctx.reader, ctx.access, type_name, min_score, first,
                                           _position(after))
        edges = [DuplicatePairEdge(
            cursor=_cursor(p.score, p.low_id, p.high_id),
            node=DuplicatePair(type_name=type_name, ids=(p.low_id, p.high_id), score=p.score,
                               reasons=[Reason(r) for r in p.reasons])) for p in pairs]
        return DuplicatePairConnection(edges=edges, page_info=PageInfo(
            has_next_page=more, has_previous_page=after is not None,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None))


@strawberry.type
class DuplicateMutations:
    @strawberry.mutation(description="Mark two contacts (or two accounts) as not duplicates, "
                                     "for good: no scan or query proposes the pair again. "
                                     "Needs the dedupe permission and write access to both.")
    async def duplicate_dismiss(self, info: strawberry.Info,
                                input: Annotated[DuplicateDismissInput, arg("The pair.")]
                                ) -> DuplicateDismissPayload:
        ctx = info.context
        try:
            type_name, a = parse_typed_id(input.a, ("Contact", "Account"), "a")
            _, b = parse_typed_id(input.b, (type_name,), "b")
            await dismiss_pair(type_name, a, b, ctx.uow(), ctx.access)
        except DomainError as exc:
            return DuplicateDismissPayload(errors=user_errors(exc))
        return DuplicateDismissPayload(dismissed=True, errors=[])

