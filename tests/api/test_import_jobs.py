"""importJob(id) through HTTP: the member of staff who started an import reads it, admins read
any, and nobody else learns it exists."""

from __future__ import annotations

import asyncio

import pytest

from api.schema.ids import to_global_id
from domain.import_jobs import ImportKind
from persistence.db import Transaction, make_engine
from persistence.import_store import create_job

IMPORT_JOB = """query($id: ID!) { importJob(id: $id) {
  id kind status filename rowsRead createdCount rejectedCount progressLine
  user { email } mapping } }"""


@pytest.fixture(scope="module")
def job_of_sales(database_url, principals) -> str:
    """A PENDING import that the demo's first sales user started."""
    async def make() -> str:
        engine = make_engine(database_url, pool_size=1)
        try:
            async with Transaction(engine) as tx:
                job_id = await create_job(tx, principals["sales"].access(), ImportKind.CONTACTS.value,
                                          "people.csv", b"Last name\nSmith\n", {},
                                          {"Last name": "lastName"}, ["Last name"])
                await tx.commit()
            return to_global_id("ImportJob", job_id)
        finally:
            await engine.dispose()

    return asyncio.run(make())


@pytest.mark.parametrize("role", ["sales", "admin"])
async def test_import_job_read_by_its_importer_and_admins(gql, job_of_sales, role):
    job = (await gql.ok(role, IMPORT_JOB, {"id": job_of_sales}))["importJob"]
    assert job["kind"] == "CONTACTS" and job["status"] == "PENDING"
    assert job["filename"] == "people.csv" and job["progressLine"] == 0
    assert job["user"]["email"] == "sales@example.com"
    assert job["mapping"] == {"Last name": "lastName"}


@pytest.mark.parametrize("role", ["sales2", "marketing", "analyst", "partner", "customer"])
async def test_import_job_hidden_from_everyone_else(gql, job_of_sales, role):
    result = await gql(role, IMPORT_JOB, {"id": job_of_sales})
    assert result.data == {"importJob": None}, result.errors
