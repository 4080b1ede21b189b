"""The policy holds in persistence whoever calls it: aggregates count only what the caller
reads, a type seen only through its parent cannot be read on its own, and a store refuses to
write a field the caller may not write."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import date

import pytest

from domain.access import RecordRule
from domain.errors import DomainError, ErrorCode
from persistence.db import Reader
from persistence.loaders import Loaders
from persistence.service_stats import service_stats
from persistence.spec import ReachedWithoutParent, read_sql
from persistence.sql import Builder
from persistence.uow import SPECS, UnitOfWork

FROM, TO = date(2000, 1, 1), date(2100, 1, 1)


@pytest.fixture(scope="module")
def reader(engine):
    return Reader(engine)


async def test_service_stats_count_only_the_cases_the_caller_reads(reader, principals):
    # given an analyst, and the same analyst under the customer's rule for cases
    analyst = principals["analyst"].access()
    customer = principals["customer"].access()
    own_cases = dataclasses.replace(analyst, read_rules={**analyst.read_rules,
                                                         "Case": RecordRule.SELF},
                                    contact_id=customer.contact_id)
    # when both ask for the figures
    everything, _ = await service_stats(reader, analyst, FROM, TO, "TYPE")
    own, _ = await service_stats(reader, own_cases, FROM, TO, "TYPE")
    # then the narrower rule counts fewer cases, and none with no rule at all
    assert 0 < own["cases"] < everything["cases"]
    nothing = dataclasses.replace(analyst, read_rules={**analyst.read_rules,
                                                       "Case": RecordRule.NONE})
    assert (await service_stats(reader, nothing, FROM, TO, "TYPE"))[0]["cases"] == 0


@pytest.mark.parametrize("type_name", ["StageChange", "OrderLine", "TimeEntry",
                                       "ArticleVersion", "LeadCapture"])
def test_a_type_seen_through_its_parent_cannot_be_read_on_its_own(type_name, principals):
    access = principals["admin"].access()
    with pytest.raises(ReachedWithoutParent, match=f"{type_name} is read only along"):
        read_sql(SPECS[type_name], access, "t", Builder())
    assert read_sql(SPECS[type_name], access, "t", Builder(), parent_checked=True) == "(TRUE)"


async def test_loading_a_child_type_by_id_is_refused(reader, principals):
    loaders = Loaders(reader, principals["admin"].access())
    with pytest.raises(ReachedWithoutParent):
        await loaders.by_id("OrderLine").load(uuid.uuid4())


async def test_the_store_refuses_a_field_the_caller_may_not_write(engine, principals):
    # given service, who writes a contact's names but only reads its lead score
    uow = UnitOfWork(engine, principals["service"].access())
    async with uow:
        # when a use case would write both
        with pytest.raises(DomainError) as raised:
            await uow.records.insert("Contact", {"lastName": "Stored", "leadScore": 5})
    # then the store refuses the lead score, field by field
    assert [(p.field, p.code) for p in raised.value.problems] == [
        ("leadScore", ErrorCode.FORBIDDEN)]


async def test_the_store_takes_what_the_use_case_grants_and_derived_fields(engine, principals):
    uow = UnitOfWork(engine, principals["service"].access())
    async with uow:
        # a value the use case names as its own is written
        new_id = await uow.records.insert("Contact", {"lastName": "Granted", "leadScore": 5},
                                          granted=("leadScore",))
        assert new_id is not None
        # and a field only use cases write (the SLA clock) needs no write access to its group
        case_id = await uow.records.tx.value("SELECT id FROM service_case LIMIT 1", ())
        assert await uow.records.update("Case", case_id, {"atRisk": True}) > 0
    # leaving without commit rolls both back
