"""The blocking keys stay right on every write path: creation, the one-statement update, the
compiled write path, the transactional update, and lead conversion."""

from __future__ import annotations

import itertools

import asyncpg
import pytest

from api.schema.ids import from_global_id
from domain.match_keys import name_key

_n = itertools.count(1)

UPDATE = """mutation($input: ContactUpdateInput!) { contactUpdate(input: $input) {
  contact { id version } errors { code } } }"""
UPDATE_ACCOUNT = """mutation($input: AccountUpdateInput!) { accountUpdate(input: $input) {
  account { id version } errors { code } } }"""
KEYS = "SELECT name_key, email_keys, phone_keys FROM contact WHERE id = $1"
ACCOUNT_KEYS = "SELECT name_key, domain_key FROM account WHERE id = $1"


@pytest.fixture
async def db(database_url):
    conn = await asyncpg.connect(database_url)
    yield conn
    await conn.close()


async def _keys(db, sql: str, global_id: str) -> dict:
    return dict(await db.fetchrow(sql, from_global_id(global_id)[1]))


async def test_contact_keys_follow_each_update_on_the_compiled_path(gql, factories, db):
    await _follow_each_update(gql, factories, db)


async def test_contact_keys_follow_each_update_on_the_resolvers(resolver_gql, factories, db):
    await _follow_each_update(resolver_gql, factories, db)


async def _follow_each_update(gql, factories, db) -> None:
    contact = await factories.contact(firstName="Anna", lastName=f"Berg{next(_n)}",
                                      emails=[{"address": f"Anna.B{next(_n)}@Keys.example"}],
                                      phones=[{"number": "+49 30 1234567"}])
    keys = await _keys(db, KEYS, contact["id"])
    assert keys["name_key"] == "BRK|A" and keys["phone_keys"] == ["49301234567"]
    assert keys["email_keys"][0].islower()
    # when only the given name changes (one statement), then only the initial changes
    version = contact["version"]
    for values, expected in (({"firstName": "Olga"}, "BRK|O"),
                             ({"lastName": "Иванова"}, "IFNF|O"),
                             ({"firstName": None, "lastName": "Smith"}, "SM0|"),
                             ({"phones": [{"number": "+33 6 12 34 56 78"}]}, "SM0|")):
        data = await gql.ok("admin", UPDATE, {"input": {"id": contact["id"], "version": version,
                                                        **values}})
        assert data["contactUpdate"]["errors"] == []
        version = data["contactUpdate"]["contact"]["version"]
        assert (await _keys(db, KEYS, contact["id"]))["name_key"] == expected, values
    assert (await _keys(db, KEYS, contact["id"]))["phone_keys"] == ["33612345678"]


async def test_contact_keys_of_a_custom_value_update_take_the_transactional_path(
        gql, factories, db):
    contact = await factories.contact(firstName="Anna", lastName="Kowalski")
    await gql.ok("admin", UPDATE, {"input": {"id": contact["id"], "version": 1,
                                             "lastName": "Nowak", "customFields": []}})
    assert (await _keys(db, KEYS, contact["id"]))["name_key"] == name_key("Anna", "Nowak")


async def test_account_keys_follow_name_and_website(gql, factories, db):
    account = await factories.account(name=f"Keys {next(_n)} GmbH",
                                      website="https://www.shop.keys-gmbh.de")
    keys = await _keys(db, ACCOUNT_KEYS, account["id"])
    assert keys["domain_key"] == "keys-gmbh.de" and keys["name_key"].startswith("keys ")
    data = await gql.ok("admin", UPDATE_ACCOUNT, {"input": {
        "id": account["id"], "version": 1, "name": "ООО Ромашка", "website": "romashka.ru"}})
    assert data["accountUpdate"]["errors"] == []
    assert await _keys(db, ACCOUNT_KEYS, account["id"]) == {"name_key": "romashka",
                                                            "domain_key": "romashka.ru"}
