"""Contacts through the API: create, read, update with versions, archive, and bad input."""

from __future__ import annotations

import pytest

from tests.demo import CUSTOMER, SALES2_USER, TERRITORY_DACH

CONTACT = """
query($id: ID!) {
  contact(id: $id) {
    id version firstName lastName lifecycleStage leadScore archivedAt
    emails { address primary label } phones { number primary label }
    address { street city country } owner { email } territory { name }
  }
}"""
UPDATE = """
mutation($input: ContactUpdateInput!) {
  contactUpdate(input: $input) {
    contact { id version firstName lastName phones { number } leadScore }
    errors { field code message }
  }
}"""
CUSTOMER_UPDATE = """
mutation($input: ContactUpdateInput!) {
  contactUpdate(input: $input) { contact { firstName version } errors { field code message } }
}"""
ARCHIVE = """
mutation($input: ArchiveInput!) {
  contactArchive(input: $input) { contact { id archivedAt version } errors { field code } }
}"""
AUDIT = """
query($id: ID!) {
  auditTrail(recordId: $id, first: 10) {
    edges { node { action actor recordType changes { field before after } } }
  }
}"""
CREATE = """
mutation($input: ContactCreateInput!) {
  contactCreate(input: $input) { contact { id } errors { field code message } }
}"""
LIST = """
query($filter: ContactFilter) { contacts(first: 100, filter: $filter) { totalCount nodes { id } } }"""


async def test_create_contact_normalises_channels_and_defaults_owner(gql, factories):
    # given a new contact with messy emails, a national phone number and a country
    created = await factories.contact(
        "sales", firstName="  Ada ", lastName="Lovelace",
        emails=[{"address": "a.l@Example.ORG", "label": "work"},
                {"address": "ada@home.example.com", "primary": True}],
        phones=[{"number": "020 7946 0958"}], address={"city": "London", "country": "gb"})
    # when it is read back
    contact = (await gql.ok("admin", CONTACT, {"id": created["id"]}))["contact"]
    # then names are trimmed, the primary email comes first, the phone is E.164
    assert contact["firstName"] == "Ada"
    assert [e["address"] for e in contact["emails"]] == ["ada@home.example.com", "a.l@example.org"]
    assert [e["primary"] for e in contact["emails"]] == [True, False]
    assert contact["phones"] == [{"number": "+442079460958", "primary": True, "label": None}]
    assert contact["address"]["country"] == "GB"
    assert contact["owner"]["email"] == "sales@example.com"
    assert contact["version"] == 1 and contact["lifecycleStage"] == "LEAD"


async def test_update_contact_with_current_version_bumps_it_and_audits(gql, factories):
    # given a contact at version 1
    created = await factories.contact()
    # when an update carries version 1
    data = await gql.ok("admin", UPDATE, {"input": {
        "id": created["id"], "version": 1, "firstName": "Grace", "leadScore": 70}})
    # then it applies, the version is 2, and the audit trail has the before and after
    payload = data["contactUpdate"]
    assert payload["errors"] == []
    assert payload["contact"]["version"] == 2 and payload["contact"]["firstName"] == "Grace"
    trail = (await gql.ok("admin", AUDIT, {"id": created["id"]}))["auditTrail"]["edges"]
    latest = trail[0]["node"]
    assert latest["action"] == "update"
    assert {c["field"]: (c["before"], c["after"]) for c in latest["changes"]} == {
        "firstName": ("Test", "Grace"), "leadScore": (0, 70)}
    assert trail[-1]["node"]["action"] == "create"


async def test_update_contact_with_stale_version_is_refused_and_writes_nothing(gql, factories):
    # given a contact that someone else already changed (version 2)
    created = await factories.contact()
    await gql.ok("admin", UPDATE, {"input": {"id": created["id"], "version": 1, "lastName": "A"}})
    # when an update still carries version 1
    data = await gql.ok("admin", UPDATE, {"input": {
        "id": created["id"], "version": 1, "lastName": "B"}})
    # then it is refused with STALE_VERSION and the stored name is unchanged
    assert data["contactUpdate"]["contact"] is None
    assert [(e["field"], e["code"]) for e in data["contactUpdate"]["errors"]] == [
        ("version", "STALE_VERSION")]
    contact = (await gql.ok("admin", CONTACT, {"id": created["id"]}))["contact"]
    assert contact["lastName"] == "A" and contact["version"] == 2


@pytest.mark.parametrize("role, email", [("service", "service@example.com"),
                                         ("sales", "sales@example.com")])
async def test_the_creator_owns_a_new_contact_even_if_it_may_not_assign_owners(
        gql, factories, role, email):
    # given service, which creates contacts but may not hand them to an owner
    created = await factories.contact(role, lastName="Owned")
    # then the contact is its creator's
    contact = (await gql.ok("admin", CONTACT, {"id": created["id"]}))["contact"]
    assert contact["owner"]["email"] == email
    # and naming an owner stays refused to service
    if role == "service":
        named = await gql.ok(role, CREATE, {"input": {"lastName": "Handed", "owner": SALES2_USER}})
        assert [e["code"] for e in named["contactCreate"]["errors"]] == ["FORBIDDEN"]


@pytest.mark.parametrize("field, value, error_field", [
    ("emails", [{"address": "not-an-email"}], "emails[0].address"),
    ("emails", [{"address": "a@b.example.com"}, {"address": "x@@y"}], "emails[1].address"),
    ("phones", [{"number": "+44 12"}], "phones[0].number"),
    ("phones", [{"number": "555-0100"}], "phones[0].number"),
    ("leadScore", 101, "leadScore"),
    ("address", {"country": "XX"}, "address.country"),
])
async def test_create_contact_with_invalid_field_reports_it_and_writes_nothing(
        gql, field, value, error_field):
    # given an input with one invalid field and a unique last name
    last_name = f"Invalid{abs(hash((field, str(value)))) % 10**8}"
    # when the contact is created
    data = await gql.ok("admin", CREATE, {"input": {"lastName": last_name, field: value}})
    # then INVALID names the field, and no such contact exists
    assert [(e["field"], e["code"]) for e in data["contactCreate"]["errors"]] == [
        (error_field, "INVALID")]
    found = await gql.ok("admin", LIST, {"filter": {"lastName": {"eq": last_name}}})
    assert found["contacts"]["totalCount"] == 0


async def test_create_contact_without_last_name_is_required(gql):
    data = await gql.ok("admin", CREATE, {"input": {"firstName": "Only"}})
    assert [(e["field"], e["code"]) for e in data["contactCreate"]["errors"]] == [
        ("lastName", "REQUIRED")]


@pytest.mark.parametrize("field, value, code", [
    ("owner", "VXNlcjowMDAwMDAwMC0wMDAwLTAwMDAtMDAwMC0wMDAwMDAwMDAwMDA", "NOT_FOUND"),
    ("territory", "VGVycml0b3J5OjAwMDAwMDAwLTAwMDAtMDAwMC0wMDAwLTAwMDAwMDAwMDAwMA",
     "NOT_FOUND"),
    ("owner", TERRITORY_DACH, "NOT_FOUND"),  # an id of the wrong type
    ("owner", "garbage", "INVALID"),
])
async def test_create_contact_with_unknown_reference_is_refused(gql, field, value, code):
    data = await gql.ok("admin", CREATE, {"input": {"lastName": "Ref", field: value}})
    assert [(e["field"], e["code"]) for e in data["contactCreate"]["errors"]] == [(field, code)]


async def test_update_unknown_contact_is_not_found(gql):
    missing = "Q29udGFjdDowMDAwMDAwMC0wMDAwLTAwMDAtMDAwMC0wMDAwMDAwMDAwMDA"
    data = await gql.ok("admin", UPDATE, {"input": {"id": missing, "version": 1, "lastName": "X"}})
    assert [(e["field"], e["code"]) for e in data["contactUpdate"]["errors"]] == [
        ("id", "NOT_FOUND")]


async def test_archive_contact_hides_it_from_lists_but_not_from_lookup(gql, factories):
    # given a contact
    created = await factories.contact(lastName="Archivable")
    # when it is archived at its version
    data = await gql.ok("admin", ARCHIVE, {"input": {"id": created["id"], "version": 1}})
    # then it has archivedAt and version 2, lists leave it out, lookups still find it
    archived = data["contactArchive"]["contact"]
    assert archived["archivedAt"] is not None and archived["version"] == 2
    listed = await gql.ok("admin", LIST, {"filter": {"lastName": {"eq": "Archivable"}}})
    assert created["id"] not in [n["id"] for n in listed["contacts"]["nodes"]]
    assert (await gql.ok("admin", CONTACT, {"id": created["id"]}))["contact"]["id"] == created["id"]
    # and archiving twice is a conflict
    again = await gql.ok("admin", ARCHIVE, {"input": {"id": created["id"], "version": 2}})
    assert [e["code"] for e in again["contactArchive"]["errors"]] == ["CONFLICT"]


async def test_customer_updates_own_names_but_not_lead_score(gql):
    # given the customer's own contact
    contact = (await gql.ok("customer", "{ contact(id: \"%s\") { version } }" % CUSTOMER))
    version = contact["contact"]["version"]
    # when the customer changes their first name and, separately, their lead score
    names = await gql.ok("customer", CUSTOMER_UPDATE, {"input": {
        "id": CUSTOMER, "version": version, "firstName": "Kasey"}})
    score = await gql.ok("customer", CUSTOMER_UPDATE, {"input": {
        "id": CUSTOMER, "version": version + 1, "leadScore": 100}})
    # then the names go through and the lead score is FORBIDDEN on that field
    assert names["contactUpdate"]["errors"] == []
    assert names["contactUpdate"]["contact"]["firstName"] == "Kasey"
    assert [(e["field"], e["code"]) for e in score["contactUpdate"]["errors"]] == [
        ("leadScore", "FORBIDDEN")]


async def test_sales_cannot_change_contacts_outside_own_records_and_territory(gql, factories):
    # given a contact owned by the Americas sales user, in North America
    created = await factories.contact(owner=SALES2_USER)
    # when the EMEA sales user changes it
    data = await gql.ok("sales", UPDATE, {"input": {
        "id": created["id"], "version": 1, "firstName": "Nope"}})
    # then it is FORBIDDEN, while the owner may
    assert [e["code"] for e in data["contactUpdate"]["errors"]] == ["FORBIDDEN"]
    own = await gql.ok("sales2", UPDATE, {"input": {
        "id": created["id"], "version": 1, "firstName": "Yes"}})
    assert own["contactUpdate"]["errors"] == []


async def test_sales_may_change_contacts_in_territory_descendants(gql, factories):
    # given a contact owned by someone else but in DACH, below the EMEA sales user's territory
    created = await factories.contact(owner=SALES2_USER, territory=TERRITORY_DACH)
    # when the EMEA sales user changes it
    data = await gql.ok("sales", UPDATE, {"input": {
        "id": created["id"], "version": 1, "firstName": "Allowed"}})
    # then it applies
    assert data["contactUpdate"]["errors"] == []
    assert data["contactUpdate"]["contact"]["firstName"] == "Allowed"
