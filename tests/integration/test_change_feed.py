"""The change feed against PostgreSQL: an event for each audit entry, in the same
transaction, numbered in the order writes became visible, and heard by every listener."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from domain.services.contacts import CONTACT
from domain.services.records import create_record, update_record
from persistence import changes
from persistence.db import libpq_url
from persistence.feed_listener import FeedListener
from persistence.uow import UnitOfWork

AUDIT_INSERT = ("INSERT INTO audit_entry (id, record_type, record_id, action, changes, "
                "created_by, updated_by) VALUES ($1, 'Contact', $2, 'update', $3::jsonb, "
                "'User:test', 'User:test')")


@pytest.fixture(scope="module")
def access(principals):
    return principals["admin"].access()


@pytest.fixture
async def connect(database_url):
    opened: list[asyncpg.Connection] = []

    async def open_one() -> asyncpg.Connection:
        opened.append(await asyncpg.connect(libpq_url(database_url)))
        return opened[-1]

    yield open_one
    for connection in opened:
        await connection.close()


async def events_of(connection, record_id: uuid.UUID) -> list[asyncpg.Record]:
    return await connection.fetch(
        "SELECT seq, action, fields, actor, record_type FROM change_event "
        "WHERE record_id = $1 ORDER BY id", record_id)


async def test_each_audited_write_appends_one_event_with_field_names_only(
        engine, access, connect):
    # given a contact created and updated through the use cases
    contact_id = await create_record(CONTACT, {"lastName": "Feed", "firstName": "Ada"},
                                     UnitOfWork(engine, access), access)
    await update_record(CONTACT, contact_id, 1, {"firstName": "Grace"},
                        UnitOfWork(engine, access), access)
    # then the feed holds two events naming the changed fields, never their values
    events = await events_of(await connect(), contact_id)
    assert [e["action"] for e in events] == ["create", "update"]
    assert events[1]["fields"] == ["firstName"]
    assert events[0]["actor"] == events[1]["actor"] == str(access.actor)
    assert all("Grace" not in str(dict(e)) for e in events)


async def test_a_write_rolled_back_leaves_no_event(connect):
    connection = await connect()
    record_id = uuid.uuid4()
    # when an audit entry is written in a transaction that rolls back
    with pytest.raises(RuntimeError):
        async with connection.transaction():
            await connection.execute(AUDIT_INSERT, uuid.uuid4(), record_id, '{"a": 1}')
            raise RuntimeError("the write failed after its audit entry")
    # then no event was appended either
    assert await events_of(connection, record_id) == []


async def test_events_are_numbered_in_the_order_they_became_visible(connect):
    first, second, sequencer = await connect(), await connect(), await connect()
    early, late = uuid.uuid4(), uuid.uuid4()
    # given a transaction that writes first but commits last
    slow = first.transaction()
    await slow.start()
    await first.execute(AUDIT_INSERT, uuid.uuid4(), early, "{}")
    await second.execute(AUDIT_INSERT, uuid.uuid4(), late, "{}")
    # when the sequencer runs between the two commits, and again after the second
    await changes.sequence(sequencer)
    (before_commit,) = await events_of(sequencer, late)
    await slow.commit()
    await changes.sequence(sequencer)
    (after_commit,) = await events_of(sequencer, early)
    # then the later commit has the later number: a reader at the first one misses nothing
    assert after_commit["seq"] > before_commit["seq"]
    assert early in {e.record_id for e in await changes.read_after(
        sequencer, before_commit["seq"])}


async def test_concurrent_sequencers_number_without_gaps_or_repeats(connect):
    writer = await connect()
    sequencers = [await connect() for _ in range(3)]
    await changes.sequence(sequencers[0])
    start = await changes.newest(writer)
    record_id = uuid.uuid4()
    # when writes and three sequencers run at once
    for _ in range(30):
        await writer.execute(AUDIT_INSERT, uuid.uuid4(), record_id, "{}")
    await asyncio.gather(*(changes.sequence(s) for s in sequencers))
    # then every event has one number, and the numbers follow each other
    numbers = [e["seq"] for e in await events_of(writer, record_id)]
    assert None not in numbers
    newest = await changes.newest(writer)
    assert sorted(numbers) == list(range(newest - 29, newest + 1))
    assert newest - start >= 30


async def test_every_listener_hears_every_event_in_order(database_url, connect):
    url = libpq_url(database_url)
    heard: dict[str, list[int]] = {"a": [], "b": []}
    listeners = [FeedListener(url, sweep_seconds=5), FeedListener(url, sweep_seconds=5)]
    for name, listener in zip(heard, listeners, strict=True):
        async def read(events, name=name):
            heard[name].extend(e.seq for e in events)
        listener.add_reader(read)
        await listener.start()
    try:
        await asyncio.wait_for(asyncio.gather(*(lis.connected.wait() for lis in listeners)), 10)
        writer = await connect()
        record_id = uuid.uuid4()
        # when five writes commit, one at a time, on another connection
        for _ in range(5):
            await writer.execute(AUDIT_INSERT, uuid.uuid4(), record_id, "{}")
        numbers = await wait_for_numbers(writer, record_id, 5)
        # then both listeners hear them, in order, well before their sweep timers
        async def heard_all():
            while not all(set(numbers) <= set(h) for h in heard.values()):
                await asyncio.sleep(0.02)
        await asyncio.wait_for(heard_all(), 3)
        assert all(h == sorted(h) for h in heard.values())
    finally:
        for listener in listeners:
            await listener.stop()


async def wait_for_numbers(connection, record_id: uuid.UUID, count: int) -> list[int]:
    for _ in range(150):
        numbers = [e["seq"] for e in await events_of(connection, record_id)]
        if len(numbers) == count and None not in numbers:
            return numbers
        await asyncio.sleep(0.02)
    raise AssertionError("the events were not numbered within 3 s")


async def test_pruning_removes_old_numbered_events_only(engine, connect):
    connection = await connect()
    old, recent = uuid.uuid4(), uuid.uuid4()
    for record_id in (old, recent):
        await connection.execute(AUDIT_INSERT, uuid.uuid4(), record_id, "{}")
    await changes.sequence(connection)
    await connection.execute("UPDATE change_event SET at = $1 WHERE record_id = $2",
                             datetime.now(UTC) - timedelta(days=40), old)
    # when events older than 30 days are pruned
    removed = await changes.prune(engine, timedelta(days=30))
    # then the old event is gone and the recent one kept
    assert removed >= 1
    assert await events_of(connection, old) == []
    assert len(await events_of(connection, recent)) == 1
