"""Fixtures shared by the tests of persistence against PostgreSQL."""

from __future__ import annotations

import pytest

from persistence.db import make_engine


@pytest.fixture(scope="module")
async def engine(database_url):
    """An engine over the test database for one module, disposed after it."""
    engine = make_engine(database_url, pool_size=4)
    yield engine
    await engine.dispose()
