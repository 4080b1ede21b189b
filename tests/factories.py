"""Test data made through the API, one factory per entity, unique on every call."""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tests.graphql import GraphQLClient

_serial = itertools.count(1)

CONTACT_CREATE = """
mutation($input: ContactCreateInput!) {
  contactCreate(input: $input) { contact { id version lastName } errors { field code message } }
}"""
ACCOUNT_CREATE = """
mutation($input: AccountCreateInput!) {
  accountCreate(input: $input) { account { id version name } errors { field code message } }
}"""
LINK = """
mutation($input: AccountContactLinkInput!) {
  accountContactLink(input: $input) { contact { id } errors { field code message } }
}"""
NOTE = """
mutation($input: NoteCreateInput!) {
  noteCreate(input: $input) { note { id body } errors { field code message } }
}"""


class Factories:
    def __init__(self, gql: GraphQLClient) -> None:
        self.gql = gql

    async def _create(self, role: str, mutation: str, field: str, kind: str, values: dict) -> dict:
        data = await self.gql.ok(role, mutation, {"input": values})
        payload = data[field]
        assert payload["errors"] == [], payload["errors"]
        return payload[kind]

    async def contact(self, role: str = "admin", **values) -> dict:
        n = next(_serial)
        values = {"firstName": "Test", "lastName": f"Person{n:05d}",
                  "emails": [{"address": f"person{n}@factory.example.com"}], **values}
        return await self._create(role, CONTACT_CREATE, "contactCreate", "contact", values)

    async def account(self, role: str = "admin", **values) -> dict:
        values = {"name": f"Factory Account {next(_serial):05d}", **values}
        return await self._create(role, ACCOUNT_CREATE, "accountCreate", "account", values)

    async def link(self, account_id: str, contact_id: str, role: str = "admin", **values) -> dict:
        values = {"accountId": account_id, "contactId": contact_id, **values}
        return await self._create(role, LINK, "accountContactLink", "contact", values)

    async def note(self, record_id: str, body: str = "A note.", role: str = "admin") -> dict:
        values = {"recordId": record_id, "body": body}
        return await self._create(role, NOTE, "noteCreate", "note", values)
