"""Custom values in creates and updates follow the policy group each field joined, role by
role: a group the caller writes takes them, one it only reads is FORBIDDEN, and one it does
not read does not exist for it (NOT_FOUND). A required field binds only those who write it."""

from __future__ import annotations

import pytest

from tests.api.custom_setup import (
    CREATE,
    KINDS,
    READ,
    UPDATE,
    define,
    required_fields_retired,
    unique,
    values,
)
from tests.demo import CUSTOMER

__all__ = ["required_fields_retired"]  # retires the required fields a test leaves
CONTACT, CASE = KINDS[0], KINDS[4]
CUSTOMER_CASE = """mutation($input: CaseCreateInput!) { caseCreate(input: $input) {
  case { id } errors { field code message } } }"""

# What each role's contactUpdate gets for a field in Contact.custom, .sales and .notes.
CONTACT_UPDATES = {
    "admin": (None, None, None),
    "sales": (None, None, None),
    "marketing": (None, "FORBIDDEN", "NOT_FOUND"),  # reads sales, not notes
    "service": (None, "FORBIDDEN", None),  # reads sales, writes notes
    "customer": ("NOT_FOUND", "NOT_FOUND", "NOT_FOUND"),  # its own contact: none of them
}


def problems(payload: dict) -> list[tuple[str, str]]:
    return sorted((e["field"], e["code"]) for e in payload["errors"])


async def contact_fields(gql) -> tuple[str, str, str]:
    """A number field in each of Contact.custom, Contact.sales and Contact.notes."""
    names = (unique("plain"), unique("quota"), unique("private"))
    for name, group in zip(names, ("custom", "sales", "notes"), strict=True):
        await define(gql, name=name, type="NUMBER", group=group)
    return names


@pytest.mark.parametrize("role", list(CONTACT_UPDATES))
async def test_contact_update_takes_custom_values_by_the_group_each_joined(gql, factories,
                                                                          role):
    names = await contact_fields(gql)
    contact = CUSTOMER if role == "customer" else (await factories.contact(
        role="sales" if role == "sales" else "admin"))["id"]
    version = (await gql.ok("admin", READ["CONTACT"], {"id": contact}))["node"]["version"]
    given = values(**{name: 5 for name in names})
    done = (await gql.ok(role, UPDATE["CONTACT"], {"input": {
        "id": contact, "version": version, "customFields": given}}))["contactUpdate"]
    expected = sorted((f"customFields.{name}", code)
                      for name, code in zip(names, CONTACT_UPDATES[role], strict=True) if code)
    assert problems(done) == expected
    after = (await gql.ok("admin", READ["CONTACT"], {"id": contact}))["node"]
    if expected:  # refused: nothing written, not even the values it may write
        assert after["version"] == version
        assert not {v["name"] for v in after["customFields"]} & set(names)
    else:
        assert after["version"] == version + 1
        assert {v["name"]: v["value"] for v in after["customFields"]} == dict.fromkeys(names, 5)


@pytest.mark.parametrize("role, refusal", [
    ("analyst", ("id", "FORBIDDEN")),  # reads every contact, changes none
    ("partner", ("id", "NOT_FOUND")),  # sees only its partner's contacts
])
async def test_a_role_that_may_not_change_the_contact_sets_no_custom_value(gql, factories,
                                                                         role, refusal):
    plain = unique("plain")
    await define(gql, name=plain, type="NUMBER")
    contact = (await factories.contact())["id"]
    done = (await gql.ok(role, UPDATE["CONTACT"], {"input": {
        "id": contact, "version": 1, "customFields": values(**{plain: 1})}}))["contactUpdate"]
    assert problems(done) == [refusal]
    read = (await gql.ok("admin", READ["CONTACT"], {"id": contact}))["node"]
    assert read["version"] == 1 and read["customFields"] == []


@pytest.mark.parametrize("role", ["admin", "sales"])
async def test_contact_create_takes_custom_values_of_every_group_its_role_writes(gql, role):
    names = await contact_fields(gql)
    done = (await gql.ok(role, CREATE["CONTACT"], {"input": {
        "lastName": unique("ByRole"), "customFields": values(**dict.fromkeys(names, 7))}})
            )["contactCreate"]
    assert done["errors"] == []
    assert {v["name"]: v["value"] for v in done["contact"]["customFields"]} == \
        dict.fromkeys(names, 7)


async def test_case_create_refuses_a_custom_value_of_a_group_service_only_reads(gql):
    # given Case fields in the custom group, which service writes, and the sla group,
    # which it only reads
    plain, clock = unique("plain"), unique("clock")
    await define(gql, kind="CASE", name=plain, type="TEXT")
    await define(gql, kind="CASE", name=clock, type="TEXT", group="sla")
    refused = (await gql.ok("service", CREATE["CASE"], {"input": {
        "subject": "Grouped", "contact": CUSTOMER,
        "customFields": values(**{plain: "p", clock: "c"})}}))["caseCreate"]
    assert refused["case"] is None
    assert problems(refused) == [(f"customFields.{clock}", "FORBIDDEN")]
    opened = (await gql.ok("service", CREATE["CASE"], {"input": {
        "subject": "Grouped", "contact": CUSTOMER, "customFields": values(**{plain: "p"})}})
              )["caseCreate"]
    assert opened["errors"] == []
    assert {v["name"]: v["value"] for v in opened["case"]["customFields"]} == {plain: "p"}


@pytest.mark.parametrize("role", ["marketing", "analyst"])
async def test_a_role_that_may_not_create_contacts_is_refused_with_custom_values(gql, role):
    plain = unique("plain")
    await define(gql, name=plain, type="NUMBER")
    done = (await gql.ok(role, CREATE["CONTACT"], {"input": {
        "lastName": unique("Refused"), "customFields": values(**{plain: 1})}}))["contactCreate"]
    assert done["contact"] is None and [e["code"] for e in done["errors"]] == ["FORBIDDEN"]


async def test_a_required_field_binds_only_the_roles_that_write_it(gql):
    # given required Case fields in the handling group, which service writes, and in the
    # sla group, which it only reads
    handled, clock = unique("handled"), unique("clock")
    await define(gql, kind="CASE", name=handled, type="TEXT", group="handling", required=True)
    await define(gql, kind="CASE", name=clock, type="TEXT", group="sla", required=True)
    # then service must give the one it writes, and cannot be asked for the other
    missing = (await gql.ok("service", CREATE["CASE"], {"input": {
        "subject": "Required", "contact": CUSTOMER}}))["caseCreate"]
    assert problems(missing) == [(f"customFields.{handled}", "REQUIRED")]
    given = (await gql.ok("service", CREATE["CASE"], {"input": {
        "subject": "Required", "contact": CUSTOMER,
        "customFields": values(**{handled: "h"})}}))["caseCreate"]
    assert given["errors"] == []


async def test_a_customer_opens_a_case_with_the_custom_values_of_its_request(gql):
    # given Case fields in the request (customers write it), state (they read it) and
    # handling (they do not read it) groups, the last one required
    asked, state, handled = unique("asked"), unique("state"), unique("handled")
    await define(gql, kind="CASE", name=asked, type="TEXT", group="request")
    await define(gql, kind="CASE", name=state, type="TEXT", group="state")
    await define(gql, kind="CASE", name=handled, type="TEXT", group="handling", required=True)
    # when the customer gives all three, two do not exist for it or are not its to set
    refused = (await gql.ok("customer", CUSTOMER_CASE, {"input": {
        "subject": "Broken", "customFields": values(**{asked: "a", state: "s", handled: "h"})}})
               )["caseCreate"]
    assert problems(refused) == sorted([(f"customFields.{state}", "FORBIDDEN"),
                                        (f"customFields.{handled}", "NOT_FOUND")])
    # and the one of its request is set, the required field it cannot write standing aside
    opened = (await gql.ok("customer", CUSTOMER_CASE, {"input": {
        "subject": "Broken", "customFields": values(**{asked: "a"})}}))["caseCreate"]
    assert opened["errors"] == []
    read = (await gql.ok("service", READ["CASE"], {"id": opened["case"]["id"]}))["node"]
    assert {v["name"]: v["value"] for v in read["customFields"]} == {asked: "a"}
    # while service, which writes the handling group, must give the required field
    service = (await gql.ok(CASE.role, CREATE["CASE"], {"input": {
        "subject": "Broken", "contact": CUSTOMER}}))["caseCreate"]
    assert problems(service) == [(f"customFields.{handled}", "REQUIRED")]
