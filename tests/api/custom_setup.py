"""Shared set-up for the custom field tests: definitions made through the API, and required
ones retired after each test.

Every test shares one database, and a required custom field stops each create of its kind
that lacks its value: a test that leaves one behind would break the creates of the tests
after it. `required_fields_retired` retires them when the test ends.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import pytest

_n = itertools.count(1)
DEFINE = """mutation($input: CustomFieldCreateInput!) { customFieldCreate(input: $input) {
  customField { id kind name label type required group options version }
  errors { field code message } } }"""
RETIRE = """mutation($input: ArchiveInput!) { customFieldArchive(input: $input) {
  customField { archivedAt } errors { field code } } }"""
LIVE = """query($after: String) { customFields(first: 100, after: $after) {
  nodes { id version required } pageInfo { endCursor hasNextPage } } }"""


def unique(stem: str) -> str:
    return f"{stem}{next(_n)}"


async def define(gql, kind="CONTACT", role="admin", **values) -> dict:
    data = await gql.ok(role, DEFINE, {"input": {"kind": kind, "label": "A field", **values}})
    assert data["customFieldCreate"]["errors"] == [], data
    return data["customFieldCreate"]["customField"]


@pytest.fixture(autouse=True)
async def required_fields_retired(gql):
    """Every live required custom field is retired after the test."""
    yield
    after = None
    while True:
        page = (await gql.ok("admin", LIVE, {"after": after}))["customFields"]
        for field in page["nodes"]:
            if field["required"]:
                retired = await gql.ok("admin", RETIRE, {"input": {
                    "id": field["id"], "version": field["version"]}})
                assert retired["customFieldArchive"]["errors"] == [], retired
        if not page["pageInfo"]["hasNextPage"]:
            return
        after = page["pageInfo"]["endCursor"]


@dataclass(frozen=True)
class Kind:
    """A kind custom fields extend, as its create and update mutations write it."""

    name: str  # CONTACT: the kind of a custom field
    field: str  # contact: the payload's field, and the mutations' stem
    plural: str  # contacts: its list
    role: str  # a role that creates and updates it, and writes its custom group
    change: dict  # a built-in change its update makes
    bad: dict  # a built-in value its update refuses

    @property
    def type(self) -> str:
        return self.field[0].upper() + self.field[1:]


KINDS = (
    Kind("CONTACT", "contact", "contacts", "sales", {"firstName": "Changed"}, {"leadScore": 101}),
    Kind("ACCOUNT", "account", "accounts", "sales", {"industry": "Changed"}, {"website": "not a site"}),
    Kind("OPPORTUNITY", "opportunity", "opportunities", "sales", {"name": "Changed"}, {"probability": 101}),
    Kind("LEAD", "lead", "leads", "marketing", {"title": "Changed"}, {"score": 101}),
    Kind("CASE", "case", "cases", "service", {"subject": "Changed"}, {"subject": ""}),
)
SHOWN = "id version customFields { name value }"
CREATE = {k.name: f"""mutation($input: {k.type}CreateInput!) {{ {k.field}Create(input: $input) {{
  {k.field} {{ {SHOWN} }} errors {{ field code message }} }} }}""" for k in KINDS}
UPDATE = {k.name: f"""mutation($input: {k.type}UpdateInput!) {{ {k.field}Update(input: $input) {{
  {k.field} {{ {SHOWN} }} errors {{ field code message }} }} }}""" for k in KINDS}
READ = {k.name: f"""query($id: ID!) {{ node(id: $id) {{ ... on {k.type} {{ {SHOWN} }} }} }}"""
        for k in KINDS}
FOUND = {k.name: f"""query($filter: {k.type}Filter) {{ {k.plural}(filter: $filter) {{
  nodes {{ id }} }} }}""" for k in KINDS}
TRAIL = """query($id: ID!) { auditTrail(recordId: $id, first: 1) {
  nodes { action changes { field before after } } } }"""


async def new_input(kind: Kind, factories) -> dict:
    """The built-in values a new record of the kind needs, made by its role."""
    n = next(_n)
    if kind.name == "CONTACT":
        return {"lastName": f"Valued{n}"}
    if kind.name == "ACCOUNT":
        return {"name": f"Valued Account {n}"}
    if kind.name == "OPPORTUNITY":
        return {"name": f"Valued deal {n}",
                "account": (await factories.account(role="sales"))["id"]}
    if kind.name == "LEAD":
        return {"lastName": f"Valued{n}", "email": f"valued{n}@lead.example.com"}
    return {"subject": f"Valued case {n}", "contact": (await factories.contact())["id"]}


def values(**by_name) -> list[dict]:
    """The customFields list of an input."""
    return [{"name": name, "value": value} for name, value in by_name.items()]
