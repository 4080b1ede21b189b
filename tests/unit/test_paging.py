"""Paging arguments and cursors, without a database."""

from __future__ import annotations

import base64

import orjson
import pytest

from domain.errors import DomainError
from domain.paging import page_request
from persistence.contacts import CONTACT
from persistence.paging import column_key, decode_cursor, encode_cursor

KEYS = [column_key("lastName", "t", CONTACT.spec.table.c.last_name),
        column_key("leadScore", "t", CONTACT.spec.table.c.lead_score, descending=True),
        column_key("id", "t", CONTACT.spec.table.c.id)]
CREATED = column_key("createdAt", "t", CONTACT.spec.table.c.created_at)


@pytest.mark.parametrize("kwargs, field", [
    ({"first": 0}, "first"), ({"first": 101}, "first"), ({"last": 1000}, "last"),
    ({"first": 1, "last": 1}, "last"), ({"after": "a", "before": "b"}, "before"),
])
def test_page_request_refuses_out_of_range_sizes(kwargs, field):
    with pytest.raises(DomainError) as caught:
        page_request(**kwargs)
    assert caught.value.problems[0].field == field


def test_page_request_defaults_to_twenty_forward():
    request = page_request()
    assert (request.size, request.backward) == (20, False)
    assert page_request(last=5).backward


def test_cursor_round_trips_typed_values():
    import uuid

    values = ["O'Brien", 42, uuid.uuid4()]
    assert decode_cursor(encode_cursor(KEYS, values), KEYS, "after") == values


def test_cursor_of_another_ordering_is_refused():
    other = [KEYS[0].reversed(), *KEYS[1:]]
    cursor = encode_cursor(other, ["A", 1, "00000000-0000-0000-0000-000000000000"])
    with pytest.raises(DomainError):
        decode_cursor(cursor, KEYS, "after")


@pytest.mark.parametrize("payload", [
    ["fingerprint", "A", 1, "x"],  # wrong fingerprint
    None,  # not a list
    ["?", 1, 2],  # too short
])
def test_forged_cursors_are_refused(payload):
    cursor = base64.urlsafe_b64encode(orjson.dumps(payload)).decode()
    with pytest.raises(DomainError):
        decode_cursor(cursor, KEYS, "after")


def test_cursor_with_values_of_the_wrong_type_is_refused():
    good = orjson.loads(base64.urlsafe_b64decode(encode_cursor(KEYS, ["A", 1, "0" * 32]) + "=="))
    good[2] = "not a number"
    with pytest.raises(DomainError):
        decode_cursor(base64.urlsafe_b64encode(orjson.dumps(good)).decode(), KEYS, "after")


@pytest.mark.parametrize(("key", "value"), [
    (CREATED, 9 * 10**18),  # microseconds past year 9999
    (CREATED, -9 * 10**18),
    (KEYS[1], 2**31),  # beyond a PostgreSQL integer
    (KEYS[1], -2**31 - 1),
])
def test_cursor_with_a_value_its_column_cannot_hold_is_refused(key, value):
    keys = [key, KEYS[-1]]
    forged = orjson.loads(base64.urlsafe_b64decode(encode_cursor(keys, [None, "0" * 32]) + "=="))
    forged[1] = value
    with pytest.raises(DomainError):
        decode_cursor(base64.urlsafe_b64encode(orjson.dumps(forged)).decode(), keys, "after")
