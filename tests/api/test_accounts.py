"""Accounts through the API: create, update, hierarchy, archive, and bad input."""

from __future__ import annotations

from tests.demo import SALES2_USER, TERRITORY_DACH, TERRITORY_NORTH_AMERICA

ACCOUNT = """query($id: ID!) { account(id: $id) {
  id version name legalName industry size website parent { id } owner { email } } }"""
UPDATE = """mutation($input: AccountUpdateInput!) {
  accountUpdate(input: $input) { account { id version name parent { id } website }
  errors { field code message } } }"""
ARCHIVE = """mutation($input: ArchiveInput!) {
  accountArchive(input: $input) { account { archivedAt } errors { field code } } }"""
CREATE = """mutation($input: AccountCreateInput!) {
  accountCreate(input: $input) { account { id website size } errors { field code message } } }"""


async def test_create_account_normalises_website_and_defaults_owner(gql):
    data = await gql.ok("sales", CREATE, {"input": {
        "name": "Umbrella Corp", "website": "umbrella.example.com", "size": "LARGE"}})
    payload = data["accountCreate"]
    assert payload["errors"] == []
    assert payload["account"]["website"] == "https://umbrella.example.com"
    account = (await gql.ok("admin", ACCOUNT, {"id": payload["account"]["id"]}))["account"]
    assert account["owner"]["email"] == "sales@example.com" and account["size"] == "LARGE"


async def test_create_account_with_bad_input_reports_each_field(gql):
    data = await gql.ok("admin", CREATE, {"input": {"name": "  ", "website": "not a url"}})
    assert sorted((e["field"], e["code"]) for e in data["accountCreate"]["errors"]) == [
        ("name", "REQUIRED"), ("website", "INVALID")]


async def test_parent_account_cannot_form_a_loop(gql, factories):
    # given a holding with a subsidiary
    holding = await factories.account()
    subsidiary = await factories.account(parent=holding["id"])
    # when the holding is made a child of its own subsidiary, or of itself
    loop = await gql.ok("admin", UPDATE, {"input": {
        "id": holding["id"], "version": 1, "parent": subsidiary["id"]}})
    itself = await gql.ok("admin", UPDATE, {"input": {
        "id": holding["id"], "version": 1, "parent": holding["id"]}})
    # then both are INVALID on parent, and the holding still has no parent
    for data in (loop, itself):
        assert [(e["field"], e["code"]) for e in data["accountUpdate"]["errors"]] == [
            ("parent", "INVALID")]
    assert (await gql.ok("admin", ACCOUNT, {"id": holding["id"]}))["account"]["parent"] is None


async def test_stale_account_update_is_refused(gql, factories):
    account = await factories.account()
    await gql.ok("admin", UPDATE, {"input": {"id": account["id"], "version": 1, "name": "First"}})
    stale = await gql.ok("admin", UPDATE, {"input": {"id": account["id"], "version": 1,
                                                     "name": "Second"}})
    assert [e["code"] for e in stale["accountUpdate"]["errors"]] == ["STALE_VERSION"]
    assert (await gql.ok("admin", ACCOUNT, {"id": account["id"]}))["account"]["name"] == "First"


async def test_archiving_an_account_needs_the_archive_permission(gql, factories):
    account = await factories.account()
    service = await gql.ok("service", ARCHIVE, {"input": {"id": account["id"], "version": 1}})
    assert [e["code"] for e in service["accountArchive"]["errors"]] == ["FORBIDDEN"]
    admin = await gql.ok("admin", ARCHIVE, {"input": {"id": account["id"], "version": 1}})
    assert admin["accountArchive"]["errors"] == []
    assert admin["accountArchive"]["account"]["archivedAt"]


async def test_sales_may_not_create_an_account_it_could_not_write(gql):
    # an account owned by someone else, outside the caller's territory, would be out of reach
    data = await gql.ok("sales", CREATE, {"input": {"name": "Elsewhere", "owner": SALES2_USER}})
    assert [e["code"] for e in data["accountCreate"]["errors"]] == ["FORBIDDEN"]
    found = await gql.ok("admin", '{ accounts(filter: {name: {eq: "Elsewhere"}}) { totalCount } }')
    assert found["accounts"]["totalCount"] == 0


MOVE = """mutation($input: AccountUpdateInput!) { accountUpdate(input: $input) {
  account { version territory { name } } errors { field code } } }"""


async def test_moving_an_account_moves_its_write_rule_for_sales(gql, factories):
    # given an account in DACH, owned by the admin: EMEA's sales user may write it
    account = await factories.account(territory=TERRITORY_DACH)
    ok = await gql.ok("sales", MOVE, {"input": {"id": account["id"], "version": 1,
                                                "industry": "Retail"}})
    assert ok["accountUpdate"]["errors"] == []
    # when an admin moves it to North America
    moved = await gql.ok("admin", MOVE, {"input": {"id": account["id"], "version": 2,
                                                   "territory": TERRITORY_NORTH_AMERICA}})
    assert moved["accountUpdate"]["account"]["territory"]["name"] == "North America"
    # then EMEA's sales user may no longer write it, and the Americas' sales user may
    denied = await gql.ok("sales", MOVE, {"input": {"id": account["id"], "version": 3,
                                                    "industry": "Media"}})
    assert [e["code"] for e in denied["accountUpdate"]["errors"]] == ["FORBIDDEN"]
    allowed = await gql.ok("sales2", MOVE, {"input": {"id": account["id"], "version": 3,
                                                      "industry": "Media"}})
    assert allowed["accountUpdate"]["errors"] == []
