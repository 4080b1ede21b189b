"""Fixtures shared by the tests of persistence against PostgreSQL."""

from __future__ import annotations

import pytest

from persistence.db import make_engine
from tests.databases import own_database


@pytest.fixture(scope="module")
async def engine(database_url):
    """An engine over the test database for one module, disposed after it."""
    engine = make_engine(database_url, pool_size=4)
    yield engine
    await engine.dispose()


@pytest.fixture(scope="module")
def queue_url(server_url):
    """A migrated database of the module's own, for tests that run the job queue."""
    with own_database(server_url, "crm_jobs", migrated=True) as url:
        yield url


@pytest.fixture(scope="module")
async def queue_engine(queue_url):
    engine = make_engine(queue_url, pool_size=4)
    yield engine
    await engine.dispose()
