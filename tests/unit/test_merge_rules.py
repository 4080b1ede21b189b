"""The merge's rules on plain values: survivorship, unions, consents, unique keys, undo's
check; and that every column holding record ids is known to the merge."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from domain.errors import DomainError
from domain.merge import (
    Candidate,
    Pointer,
    check_choices,
    check_ids,
    refuse_changed,
    settle,
    survivorship,
)
from persistence.merge_references import references_to, unlisted_record_id_columns

S, A, B = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
FIELDS = ("firstName", "lastName", "emails", "customFields")
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def everyone(**more) -> list[Candidate]:
    return [Candidate(S, {"firstName": None, "lastName": "Kept", "customFields": {"tier": "x"},
                          "emails": [{"address": "a@x.com", "primary": True}]}, "2026-01-01"),
            Candidate(A, {"firstName": "Old", "lastName": "A", "customFields": {"size": 1},
                          "emails": [{"address": "A@X.COM", "primary": True}]}, "2026-01-02"),
            Candidate(B, {"firstName": "New", "lastName": "B", "customFields": {"size": 2},
                          "emails": [{"address": "b@x.com", "primary": True}]}, "2026-01-03")]


def test_survivorship_takes_the_survivors_values_else_the_newest():
    out = survivorship(everyone(), S, FIELDS, {}, lambda f: True, ("tier", "size"))
    assert out.values["lastName"] == "Kept" and out.sources["lastName"] == S
    assert out.values["firstName"] == "New" and out.sources["firstName"] == B
    assert out.values["customFields"] == {"tier": "x", "size": 2}


def test_survivorship_unites_emails_without_duplicates_and_one_primary():
    out = survivorship(everyone(), S, FIELDS, {}, lambda f: True)
    assert [(e["address"], e["primary"]) for e in out.values["emails"]] == [
        ("a@x.com", True), ("b@x.com", False)]


def test_survivorship_keeps_the_survivors_value_of_a_field_the_caller_may_not_carry():
    out = survivorship(everyone(), S, FIELDS, {}, lambda f: f != "firstName")
    assert out.values["firstName"] is None and out.sources["firstName"] == S


def test_survivorship_follows_a_choice():
    out = survivorship(everyone(), S, FIELDS, {"lastName": A}, lambda f: True)
    assert out.values["lastName"] == "A" and out.sources["lastName"] == A


def test_check_choices_refuses_a_field_the_caller_may_not_carry():
    with pytest.raises(DomainError) as caught:
        check_choices({"firstName": A}, {S, A}, FIELDS, (), lambda f: f != "firstName")
    assert caught.value.problems[0].code == "FORBIDDEN"


@pytest.mark.parametrize("merged", [[], [uuid.uuid4() for _ in range(50)], [S], [A, A]])
def test_check_ids_refuses_fewer_than_two_more_than_fifty_or_repeats(merged):
    with pytest.raises(DomainError):
        check_ids(S, merged)


def test_settle_keeps_the_survivors_row_of_a_key_and_archives_the_merged_one():
    own, twin, other = (Pointer(uuid.uuid4(), S, (b"t1",), updated_at=T0),
                        Pointer(uuid.uuid4(), A, (b"t1",), updated_at=T0),
                        Pointer(uuid.uuid4(), B, (b"t2",), updated_at=T0))
    out = settle([twin, own, other], S, keyed=True)
    assert out.moved == [other] and out.archived == [twin]


def test_settle_gives_the_survivor_the_most_restrictive_consent():
    own = Pointer(uuid.uuid4(), S, (b"email",), updated_at=T0, status="GRANTED")
    withdrawn = Pointer(uuid.uuid4(), A, (b"email",), updated_at=T0 - timedelta(days=1),
                        status="WITHDRAWN")
    out = settle([own, withdrawn], S, keyed=True)
    assert out.answered == [(own, withdrawn)] and out.archived == [withdrawn] and not out.moved


def test_settle_revives_the_survivors_archived_row_when_a_merged_one_is_live():
    own = Pointer(uuid.uuid4(), S, (b"vip",), archived=True, updated_at=T0)
    live = Pointer(uuid.uuid4(), A, (b"vip",), updated_at=T0)
    out = settle([own, live], S, keyed=True)
    assert out.revived == [own] and out.archived == [live]


def test_refuse_changed_refuses_when_a_version_moved_on():
    refuse_changed({"a": 2}, {"a": 2})
    with pytest.raises(DomainError):
        refuse_changed({"a": 2, "b": 3}, {"a": 2, "b": 4})


def test_every_record_id_column_is_moved_by_merges_or_is_history():
    assert unlisted_record_id_columns() == []


def test_references_come_from_the_foreign_keys():
    kinds = {r.kind for r in references_to("contact")}
    assert {"activity.contact_id", "opportunity_contact.contact_id", "portal_identity.contact_id",
            "lead.converted_contact_id", "service_case.contact_id", "sales_order.contact_id",
            "tagging.record_id", "follow.record_id", "note.record_id"} <= kinds
