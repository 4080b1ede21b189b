"""JSON columns keyed by a type's fields show a caller only the keys it may read.

Only admins read the audit trail today, and they read every field; these tests give an
analyst the trail (which no role of the policy does) to show that its changes would then
carry no value of a field the analyst may not read.
"""

from __future__ import annotations

import dataclasses
import uuid

import pytest

from domain.access import RecordRule
from domain.filters import Condition, Op, OrderTerm
from domain.paging import page_request
from domain.services.contacts import CONTACT
from domain.services.records import create_record
from persistence.db import Reader
from persistence.loaders import Loaders
from persistence.queries import fetch_page
from persistence.uow import SPECS, UnitOfWork


@pytest.fixture(scope="module")
def analyst_with_trail(principals):
    """An analyst (no Contact.emails, Contact.phones or Contact.address) who reads the trail."""
    access = principals["analyst"].access()
    return dataclasses.replace(
        access,
        readable={**access.readable, "AuditEntry": access.declared["AuditEntry"]},
        read_rules={**access.read_rules, "AuditEntry": RecordRule.ALL})


@pytest.fixture(scope="module")
async def contact_id(engine, principals) -> uuid.UUID:
    admin = principals["admin"].access()
    return await create_record(CONTACT, {
        "lastName": "Keyed", "emails": [("keyed@example.com", True, None)],
        "leadScore": 7}, UnitOfWork(engine, admin), admin)


async def _changes(engine, access, contact_id) -> list[dict]:
    page = await fetch_page(Reader(engine), SPECS["AuditEntry"], access,
                            request=page_request(10, None, None, None),
                            order=[OrderTerm("at")],
                            filter=Condition("recordId", Op.EQ, contact_id))
    return [row["changes"] for row in page.rows]


async def test_audit_changes_hide_fields_the_caller_may_not_read(engine, analyst_with_trail,
                                                                 contact_id):
    # when the analyst reads the contact's creation entry
    changes = await _changes(engine, analyst_with_trail, contact_id)
    # then the emails are not among its keys, while the readable fields are
    assert len(changes) == 1
    assert "emails" not in changes[0]
    assert changes[0]["lastName"] == {"before": None, "after": "Keyed"}
    assert changes[0]["leadScore"] == {"before": None, "after": 7}


async def test_audit_changes_are_whole_for_an_admin(engine, principals, contact_id):
    changes = await _changes(engine, principals["admin"].access(), contact_id)
    assert "keyed@example.com" in str(changes[0]["emails"]["after"]), changes[0]["emails"]


async def test_audit_entry_by_id_hides_the_same_keys(engine, analyst_with_trail, contact_id):
    # given the entry's id, read as the admin would
    entry_id = (await fetch_page(
        Reader(engine), SPECS["AuditEntry"], analyst_with_trail,
        request=page_request(1, None, None, None),
        filter=Condition("recordId", Op.EQ, contact_id))).rows[0]["id"]
    # when the analyst loads it by id, as node(id) does
    row = await Loaders(Reader(engine), analyst_with_trail).by_id("AuditEntry").load(entry_id)
    # then the same keys are missing
    assert "emails" not in row["changes"] and "lastName" in row["changes"]
