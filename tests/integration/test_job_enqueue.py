"""Enqueueing against PostgreSQL: a job commits or rolls back with the business write on the
same transaction, waits for its execute_after, and a dedupe key queues it once."""

from __future__ import annotations

import time
import uuid
from datetime import timedelta

import pytest

from api.context import utc_now
from api.worker import Entrypoint, JobContext, Worker
from persistence.jobs import enqueue
from persistence.uow import UnitOfWork
from tests.jobs import eventually, fetch, job_row, running

ADD_TERRITORY = ("INSERT INTO territory (id, name, created_by, updated_by) "
                 "VALUES ($1, $2, 'System', 'System') RETURNING id")


@pytest.fixture(scope="module")
def access(principals):
    return principals["admin"].access()


async def territories(url: str, name: str) -> int:
    return len(await fetch(url, "SELECT 1 FROM territory WHERE name = $1", name))


async def test_enqueue_commits_with_the_business_write(queue_url, queue_engine, access):
    # given a unit of work that writes a territory and queues a job on its transaction
    name = f"Committed {uuid.uuid4()}"
    async with UnitOfWork(queue_engine, access) as uow:
        territory = await uow.transaction.value(ADD_TERRITORY, (uuid.uuid4(), name))
        job_id = await enqueue(uow.transaction, "test.record", {"territory": territory})
        # then nobody else sees the job before the commit
        assert await job_row(queue_url, job_id) is None
        await uow.commit()
    # and both are there after it, the payload as given
    row = await job_row(queue_url, job_id)
    assert row["status"] == "queued" and await territories(queue_url, name) == 1
    assert row["payload"] == f'{{"territory":"{territory}"}}'.encode()


async def test_enqueue_rolls_back_with_the_business_write(queue_url, queue_engine, access):
    # given a unit of work that writes and queues, then fails before its commit
    name = f"Rolled back {uuid.uuid4()}"
    with pytest.raises(RuntimeError):
        async with UnitOfWork(queue_engine, access) as uow:
            await uow.transaction.value(ADD_TERRITORY, (uuid.uuid4(), name))
            job_id = await enqueue(uow.transaction, "test.record", {"name": name})
            raise RuntimeError("the use case fails")
    # then neither the write nor the job exists
    assert await territories(queue_url, name) == 0 and await job_row(queue_url, job_id) is None


async def test_enqueue_on_a_sqlalchemy_connection_follows_its_transaction(queue_url, queue_engine):
    async with queue_engine.connect() as conn:
        transaction = await conn.begin()
        kept = await enqueue(conn, "test.record", {"n": 1})
        await transaction.commit()
        transaction = await conn.begin()
        dropped = await enqueue(conn, "test.record", {"n": 2})
        await transaction.rollback()
    assert (await job_row(queue_url, kept))["status"] == "queued"
    assert await job_row(queue_url, dropped) is None


async def test_a_dedupe_key_queues_a_job_once_without_failing_the_transaction(queue_url,
                                                                             queue_engine, access):
    key = f"contact-{uuid.uuid4()}"
    async with UnitOfWork(queue_engine, access) as uow:
        first = await enqueue(uow.transaction, "test.record", {"n": 1}, dedupe_key=key)
        second = await enqueue(uow.transaction, "test.record", {"n": 2}, dedupe_key=key)
        # the transaction goes on: a duplicate is no unique violation
        assert await uow.transaction.value("SELECT 1", ()) == 1
        await uow.commit()
    assert first is not None and second is None


async def test_execute_after_delays_the_first_attempt(queue_url, queue_engine):
    # given a worker that notes when it runs each job
    ran: dict[int, float] = {}

    async def note(context, job):
        ran[job.id] = time.monotonic()

    worker = Worker(queue_url, JobContext(queue_engine, utc_now),
                    [Entrypoint("test.delayed", note)], [], concurrency=2)
    async with running(worker):
        # when one job is queued for now and one for two seconds later
        async with queue_engine.connect() as conn, conn.begin():
            queued_at = time.monotonic()
            later = await enqueue(conn, "test.delayed", None, execute_after=timedelta(seconds=2))
            now = await enqueue(conn, "test.delayed", None)
        # then the first runs at once and the second not before its time
        assert await eventually(lambda: _ran(ran, later, now), within=10)
    assert ran[now] - queued_at < 1.5
    assert 2 <= ran[later] - queued_at < 6


async def _ran(ran: dict, *ids: int) -> bool:
    return all(i in ran for i in ids)
