"""Subscriptions: records as they change, over WebSocket (graphql-transport-ws on /graphql).

Each event of the change feed names a record and never its values; a subscription reads the
record again through its subscriber's own access, with fresh loaders, before it sends
anything. A record the subscriber may not see sends nothing, as if it had not changed.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncGenerator, Callable
from datetime import datetime
from typing import Annotated

import strawberry

from api.live import LiveHub
from api.resolvers.common import arguments_checked, decode_query_id
from api.schema.errors import coded_error
from api.schema.fields import wrap
from api.schema.ids import parse_id, to_global_id
from api.schema.operational.activities import Activity
from api.schema.operational.cases import Case
from api.schema.relay import Node, arg, is_node_type
from domain.errors import ErrorCode
from persistence import changes
from persistence.calendar import TIMELINE_TYPES, on_timeline
from persistence.changes import ChangeEvent

After = Annotated[int | None, arg(
    "The `seq` of the last event received: the events since then are sent first, then the "
    "new ones. Unset: only events from now on.")]


@strawberry.type(description="A record created, changed or archived, as you may read it now.")
class RecordChange:
    seq: int = strawberry.field(description="The event's number in the change feed; give the "
                                            "last one received as `after` when reconnecting.")
    action: str = strawberry.field(description="What happened, as in the audit trail: create, "
                                               "update, archive, link, tag, convert, …")
    record_type: str = strawberry.field(description="The type of the record.")
    record_id: strawberry.ID = strawberry.field(description="The record's global id.")
    fields: list[str] = strawberry.field(description="The changed fields that you may read; "
                                                     "never their values.")
    at: datetime = strawberry.field(description="When the change was committed.")
    record: Node | None = strawberry.field(description="The record now, as you may read it.")


def _live(info: strawberry.Info) -> LiveHub:
    return info.context.live


async def batches(info: strawberry.Info, wants: Callable[[ChangeEvent], bool],
                  after: int | None) -> AsyncGenerator[list[ChangeEvent], None]:
    """The events `wants`, from after `after` if given, then as they come, each once, in
    batches of those that arrived together (one transaction's, say): a subscription that
    sends a record's state sends it once per batch."""
    ctx = info.context
    with _live(info).watching(wants) as watch:
        last = after
        if after is not None:
            oldest = await changes.oldest(ctx.reader)
            if oldest is not None and after < oldest - 1:
                raise coded_error(f"Events after {after} are no longer kept; the oldest is "
                                  f"{oldest}. Read the records afresh, then subscribe without "
                                  "`after`.", ErrorCode.INVALID.value, argument="after")
            while batch := await changes.events_after(ctx.reader, last):
                last = batch[-1].seq
                if wanted := [e for e in batch if wants(e)]:
                    yield wanted
        while True:
            arrived = [await watch.next(), *watch.waiting()]
            if fresh := [e for e in arrived if last is None or e.seq > last]:
                yield fresh


async def _record(info: strawberry.Info, type_name: str, record_id: uuid.UUID):
    """The record as the subscriber may read it now, or None: fresh loaders for each event."""
    info.context.refresh()
    return wrap(type_name, await info.context.loaders.by_id(type_name).load(record_id))


async def _news(info: strawberry.Info, case_id: uuid.UUID, batch: list[ChangeEvent]) -> bool:
    """Whether the batch changed the case or added something to it that the subscriber may
    read: an internal comment is no news to a customer."""
    for event in batch:
        if event.record_id == case_id or await _record(
                info, event.record_type, event.record_id) is not None:
            return True
    return False


def _ids(global_ids: list[strawberry.ID] | None) -> set[uuid.UUID]:
    return {decode_query_id(i)[1] for i in global_ids or ()}


def _types(names: list[str] | None) -> set[str]:
    unknown = [n for n in names or () if not is_node_type(n)]
    if unknown:
        raise coded_error(f"No record type is named {', '.join(unknown)}.",
                          ErrorCode.INVALID.value, argument="types")
    return set(names or ())


@strawberry.type(description="Live events over WebSocket: graphql-transport-ws on /graphql, "
                             "the token in connection_init's payload as `Authorization`.")
class Subscription:
    @strawberry.subscription(description="Records of the given types or ids as they are "
                                         "created, changed or archived.")
    async def record_changed(
        self, info: strawberry.Info,
        types: Annotated[list[str] | None, arg("Only records of these types, e.g. Contact.")] = None,
        ids: Annotated[list[strawberry.ID] | None, arg("Only these records.")] = None,
        after: After = None,
    ) -> AsyncGenerator[RecordChange, None]:
        kinds, records = _types(types), _ids(ids)

        def wants(e: ChangeEvent) -> bool:
            return (is_node_type(e.record_type) and (not kinds or e.record_type in kinds)
                    and (not records or e.record_id in records))

        access = info.context.access
        async for batch in batches(info, wants, after):
            for event in batch:
                record = await _record(info, event.record_type, event.record_id)
                if record is None:
                    continue
                yield RecordChange(
                    seq=event.seq, action=event.action, record_type=event.record_type,
                    record_id=to_global_id(event.record_type, event.record_id),
                    fields=[f for f in event.fields if access.can_read(event.record_type, f)],
                    at=event.at, record=record)

    @strawberry.subscription(description="A case each time it or its conversation changes: "
                                         "for the service console, and for a customer on "
                                         "their own cases.")
    async def case_updated(self, info: strawberry.Info,
                           id: Annotated[strawberry.ID, arg("The case.")],
                           after: After = None) -> AsyncGenerator[Case, None]:
        with arguments_checked():
            case_id = parse_id(id, "Case")

        def wants(e: ChangeEvent) -> bool:
            return e.record_id == case_id or e.parent_id == case_id

        async for batch in batches(info, wants, after):
            if await _news(info, case_id, batch):
                case = await _record(info, "Case", case_id)
                if case is not None:
                    yield case

    @strawberry.subscription(description="Activities as they are added to a record's "
                                         "timeline (an account's includes its contacts' and "
                                         "deals').")
    async def timeline_added(self, info: strawberry.Info,
                             record_id: Annotated[strawberry.ID, arg("The record.")],
                             after: After = None) -> AsyncGenerator[Activity, None]:
        type_name, raw = decode_query_id(record_id)
        if type_name not in TIMELINE_TYPES:
            raise coded_error(f"A {type_name} has no timeline.", ErrorCode.INVALID.value,
                              argument="recordId")

        def wants(e: ChangeEvent) -> bool:
            return e.record_type == "Activity" and e.action == "create"

        ctx = info.context
        async for batch in batches(info, wants, after):
            for event in batch:
                if await on_timeline(ctx.reader, ctx.access, type_name, raw, event.record_id):
                    activity = await _record(info, "Activity", event.record_id)
                    if activity is not None:
                        yield activity

