"""The mutations, cases and records of tests/api/test_compiled_writes.py: each case builds the
variables of one plain update, on the compiled write path and on the resolvers alike."""

from __future__ import annotations

from api.schema.ids import to_global_id
from tests.demo import (
    DEMO_LEAD,
    SALES2_USER,
    TERRITORY_DACH,
    UNREGISTERED_CONTACT,
)

ROLES = ("admin", "sales", "sales2", "marketing", "service", "analyst", "partner", "customer")

PAYLOAD = """__typename
  contact { __typename id version firstName lastName createdAt updatedBy
            emails { address primary } address { city country } }
  errors { __typename field code message }"""
CONTACT_UPDATE = f"""mutation($input: ContactUpdateInput!) {{
  contactUpdate(input: $input) {{ {PAYLOAD} }} }}"""
SALES_FIELDS = """mutation($input: ContactUpdateInput!) { contactUpdate(input: $input) {
  contact { id version lifecycleStage leadScore owner { name } territory { name } }
  errors { field code message } } }"""
# The contact's accounts list their contacts, the written one among them: read after the write.
OWN_TYPE_BELOW = """mutation($input: ContactUpdateInput!) { contactUpdate(input: $input) {
  contact { firstName accounts(first: 3) { totalCount nodes { name
    contacts(first: 5) { nodes { firstName } } } } }
  errors { code } } }"""
SHAPES = """mutation Rename($input: ContactUpdateInput!) {
  renamed: contactUpdate(input: $input) { ...Answer kind: __typename
    problems: errors { c: code ... on UserError { field } } } }
fragment Answer on ContactPayload { person: contact { ...Names ... on Contact { v: version } } }
fragment Names on Contact { given: firstName family: lastName }"""
TWO_FIELDS = """mutation($input: ContactUpdateInput!, $other: ContactUpdateInput!) {
  one: contactUpdate(input: $input) { contact { version } errors { code } }
  two: contactUpdate(input: $other) { contact { version } errors { code } } }"""
BAD_VARIABLE = """mutation($version: Int!) { contactUpdate(input: {id: "x", version: $version}) {
  errors { code } } }"""
ACCOUNT_UPDATE = """mutation($input: AccountUpdateInput!) { accountUpdate(input: $input) {
  __typename account { id version name industry size website owner { name } }
  errors { field code message } } }"""
LEAD_UPDATE = """mutation($input: LeadUpdateInput!) { leadUpdate(input: $input) {
  lead { id version firstName lastName company status score owner { name } email }
  errors { field code message } } }"""
FORM_UPDATE = """mutation($input: CaptureFormUpdateInput!) { captureFormUpdate(input: $input) {
  form { __typename id version name source active } errors { field code message } } }"""
FORM_CREATE = """mutation($input: CaptureFormCreateInput!) { captureFormCreate(input: $input) {
  form { id } errors { code } } }"""
CONTACT_360 = """query($id: ID!) { contact(id: $id) { updatedAt } }"""


def names(first: str):
    return lambda record, version: {"input": {"id": record, "version": version,
                                              "firstName": first, "lastName": "Parity"}}


def stale(record, version):
    return {"input": {"id": record, "version": version - 1, "firstName": "Late"}}


def channels(record, version):
    return {"input": {"id": record, "version": version, "emails": [
        {"address": "ONE@Parity.example.com", "primary": True, "label": "work"},
        {"address": "two@parity.example.com"}], "address": {"city": "Graz", "country": "AT"}}}


def phones(record, version):  # read against the stored address: the transactional path
    return {"input": {"id": record, "version": version, "phones": [{"number": "0316 123456"}]}}


def sales_fields(record, version):
    return {"input": {"id": record, "version": version, "lifecycleStage": "CUSTOMER",
                      "leadScore": 77}}


def invalid(record, version):
    return {"input": {"id": record, "version": version, "leadScore": 500, "firstName": ""}}


def reassigned(record, version):  # a reference set: the transactional path
    return {"input": {"id": record, "version": version, "owner": SALES2_USER,
                      "territory": TERRITORY_DACH}}


def unchanged(record, version):
    return {"input": {"id": record, "version": version, "lastName": "Unchanged"}}


def malformed(record, version):
    return {"input": {"id": "not-an-id", "version": version, "firstName": "X"}}


def missing(record, version):
    return {"input": {"id": to_global_id("Contact", "0" * 8 + "-0000-4000-8000-" + "0" * 12),
                      "version": 1, "firstName": "X"}}


def both(record, version):
    return {"input": {"id": record, "version": version, "firstName": "A"},
            "other": {"id": record, "version": version + 1, "firstName": "B"}}


def wrong_type(record, version):
    return {"version": "one"}


def account_fields(record, version):
    return {"input": {"id": record, "version": version, "name": "Parity Account",
                      "industry": "Software", "size": "MEDIUM", "website": "https://parity.example"}}


# (mutation, its variables from the record's id and version, the record: the role's own
# contact or account, or a demo record only some roles reach)
def lead_fields(record, version):  # validated against the stored status: read first
    return {"input": {"id": record, "version": version, "company": "Parity GmbH",
                      "score": 55, "status": "WORKING"}}


def form_fields(record, version):
    return {"input": {"id": record, "version": version, "name": "Parity form",
                      "source": "EVENT", "active": False}}


def form_taken_name(record, version):  # a unique name: CONFLICT from the statement itself
    return {"input": {"id": record, "version": version, "name": "Parity other form"}}


CASES = [
    (CONTACT_UPDATE, names("Ada"), "Contact"),
    (CONTACT_UPDATE, stale, "Contact"),
    (CONTACT_UPDATE, channels, "Contact"),
    (CONTACT_UPDATE, phones, "Contact"),
    (CONTACT_UPDATE, invalid, "Contact"),
    (CONTACT_UPDATE, unchanged, "Contact"),
    (CONTACT_UPDATE, malformed, "Contact"),
    (CONTACT_UPDATE, missing, "Contact"),
    (CONTACT_UPDATE, names("Eve"), UNREGISTERED_CONTACT),
    (SALES_FIELDS, sales_fields, "Contact"),
    (SALES_FIELDS, reassigned, "Contact"),
    (OWN_TYPE_BELOW, names("Bea"), "Contact"),
    (SHAPES, names("Cy"), "Contact"),
    (TWO_FIELDS, both, "Contact"),
    (BAD_VARIABLE, wrong_type, "Contact"),
    (ACCOUNT_UPDATE, account_fields, "Account"),
    (LEAD_UPDATE, lead_fields, DEMO_LEAD),
    (LEAD_UPDATE, stale, DEMO_LEAD),
    (FORM_UPDATE, form_fields, "CaptureForm"),
    (FORM_UPDATE, form_taken_name, "CaptureForm"),
]
TABLES = {"Contact": "contact", "Account": "account", "Lead": "lead",
          "CaptureForm": "capture_form"}
