"""A token is only as good as its subject is now: every request checks the user, partner,
client, contact or capture form in the database (through a cache of a fraction of a second
here, CRM_PRINCIPAL_CACHE_TTL), so deactivation, a role change or archiving applies to tokens
already issued."""

from __future__ import annotations

import asyncio
import itertools
import uuid

import pytest
from sqlalchemy import text

from api.schema.ids import from_global_id
from auth.principal import Principal
from auth.secrets import hash_secret, new_client_credentials
from domain.access import Role
from persistence.directory import create_partner_client
from persistence.seed.generator import stable_id
from tests.conftest import REVOCATION_TTL

_n = itertools.count(1)

ME = "{ me { role } contacts(first: 1) { totalCount } }"
USER_CREATE = """mutation($input: UserCreateInput!) { userCreate(input: $input) {
  user { id version } errors { field code } } }"""
USER_UPDATE = """mutation($input: UserUpdateInput!) { userUpdate(input: $input) {
  user { version } errors { field code } } }"""
PARTNER = """mutation($input: PartnerInput!) { partnerSave(input: $input) {
  partner { id } errors { field code } } }"""
CONTACT_ARCHIVE = """mutation($input: ArchiveInput!) { contactArchive(input: $input) {
  errors { code } } }"""
CUSTOMER_ME = "{ me { role principal { ... on Contact { id } } } }"
CONTACT_CREATE = """mutation($input: ContactCreateInput!) { contactCreate(input: $input) {
  contact { id } errors { code } } }"""
FORM = """mutation($input: CaptureFormCreateInput!) { captureFormCreate(input: $input) {
  form { id version } errors { code } } }"""
FORM_UPDATE = """mutation($input: CaptureFormUpdateInput!) { captureFormUpdate(input: $input) {
  errors { code } } }"""
CAPTURE = """mutation($input: LeadCaptureInput!) { leadCapture(input: $input) {
  accepted errors { code } } }"""


@pytest.fixture
def quick(revocation_app, revocation_gql):
    """The app whose standing cache lasts REVOCATION_TTL seconds, and a client over it."""
    return revocation_app, revocation_gql


async def _as(quick, token: str, query: str, variables: dict | None = None):
    return await quick[1]("", query, variables, token=token)


def _assert_refused(result) -> None:
    assert result.status == 401, result.body
    assert result.error_codes() == ["UNAUTHENTICATED"] and result.data is None


async def _user(gql, role: str) -> tuple[str, uuid.UUID]:
    created = (await gql.ok("admin", USER_CREATE, {"input": {
        "email": f"standing{next(_n)}-{uuid.uuid4().hex[:6]}@example.com",
        "name": "Standing", "role": role}}))["userCreate"]
    assert created["errors"] == []
    return created["user"]["id"], from_global_id(created["user"]["id"])[1]


async def _after_the_cache(quick) -> None:
    await asyncio.sleep(REVOCATION_TTL + 0.1)


async def test_deactivated_users_old_token_is_refused_for_reads_and_writes(quick, gql):
    # given a sales user whose token reads and writes
    user_id, raw_id = await _user(gql, "SALES")
    token = quick[0].state.tokens.issue(Principal.staff(Role.SALES, raw_id))
    assert (await _as(quick, token, ME)).status == 200
    made = await _as(quick, token, CONTACT_CREATE, {"input": {"lastName": "Before"}})
    assert made.data["contactCreate"]["errors"] == []
    # when an admin deactivates the user
    await gql.ok("admin", USER_UPDATE, {"input": {"id": user_id, "version": 1, "active": False}})
    await _after_the_cache(quick)
    # then the same token neither reads nor writes
    _assert_refused(await _as(quick, token, ME))
    _assert_refused(await _as(quick, token, CONTACT_CREATE, {"input": {"lastName": "After"}}))


async def test_role_change_applies_without_a_new_token(quick, gql):
    # given an analyst's token (analysts write nothing)
    user_id, raw_id = await _user(gql, "ANALYST")
    token = quick[0].state.tokens.issue(Principal.staff(Role.ANALYST, raw_id))
    assert (await _as(quick, token, ME)).data["me"]["role"] == "ANALYST"
    # when an admin makes the user a sales rep
    await gql.ok("admin", USER_UPDATE, {"input": {"id": user_id, "version": 1, "role": "SALES"}})
    await _after_the_cache(quick)
    # then the old token acts as sales: it reads as sales and may create a contact
    assert (await _as(quick, token, ME)).data["me"]["role"] == "SALES"
    made = await _as(quick, token, CONTACT_CREATE, {"input": {"lastName": "Promoted"}})
    assert made.data["contactCreate"]["errors"] == []


async def test_role_claim_of_a_token_is_not_trusted_for_staff(quick, principals):
    # given a token that claims admin for the analyst user
    analyst = principals["analyst"]
    token = quick[0].state.tokens.issue(Principal.staff(Role.ADMIN, analyst.user_id))
    # then the user's row decides: the caller is an analyst
    assert (await _as(quick, token, ME)).data["me"]["role"] == "ANALYST"


async def test_token_naming_a_user_that_does_not_exist_is_refused(quick):
    token = quick[0].state.tokens.issue(Principal.staff(Role.ADMIN, uuid.uuid4()))
    _assert_refused(await _as(quick, token, ME))


async def test_archived_partner_is_refused(quick, gql, app):
    # given a partner with a working token
    partner_id = (await gql.ok("admin", PARTNER, {"input": {"name": f"Gone {uuid.uuid4()}"}}))[
        "partnerSave"]["partner"]["id"]
    raw_id = from_global_id(partner_id)[1]
    token = quick[0].state.tokens.issue(Principal.partner(raw_id, ["accounts:read"]))
    assert (await _as(quick, token, "{ me { role } }")).status == 200
    # when the partner is archived
    async with app.state.engine.begin() as conn:
        await conn.execute(text("UPDATE partner SET archived_at = now() WHERE id = :id"),
                           {"id": raw_id})
    await _after_the_cache(quick)
    # then its token is refused
    _assert_refused(await _as(quick, token, "{ me { role } }"))


async def test_token_naming_a_partner_that_does_not_exist_is_refused(quick):
    token = quick[0].state.tokens.issue(Principal.partner(uuid.uuid4(), ["accounts:read"]))
    _assert_refused(await _as(quick, token, "{ me { role } }"))


async def test_tokens_of_a_deleted_partner_client_are_refused(quick, app):
    # given a token from the token endpoint, for a client of Demo Partner
    client_id, secret = new_client_credentials()
    async with app.state.engine.begin() as conn:
        await create_partner_client(conn, stable_id("partner", "Demo Partner"), client_id,
                                    hash_secret(secret), ["accounts:read"])
    response = await quick[1].http.post("/oauth/token", data={"grant_type": "client_credentials"},
                                        auth=(client_id, secret))
    token = response.json()["access_token"]
    assert (await _as(quick, token, "{ me { role } }")).status == 200
    # when the client is deleted from the database
    async with app.state.engine.begin() as conn:
        await conn.execute(text("DELETE FROM partner_client WHERE client_id = :id"),
                           {"id": client_id})
    await _after_the_cache(quick)
    # then its token no longer works, though its partner still may act
    _assert_refused(await _as(quick, token, "{ me { role } }"))


async def test_archived_customer_contact_is_refused(quick, gql, factories):
    # given a customer whose contact exists
    contact = await factories.contact()
    token = quick[0].state.tokens.issue(Principal.customer(from_global_id(contact["id"])[1]))
    assert (await _as(quick, token, CUSTOMER_ME)).data["me"]["principal"] == {"id": contact["id"]}
    # when the contact is archived
    archived = await gql.ok("admin", CONTACT_ARCHIVE, {"input": {"id": contact["id"],
                                                                 "version": contact["version"]}})
    assert archived["contactArchive"]["errors"] == []
    await _after_the_cache(quick)
    # then the customer's token is refused
    _assert_refused(await _as(quick, token, CUSTOMER_ME))


async def test_deactivated_capture_form_token_is_refused(quick, gql):
    # given a capture form and a token for it, as `crm token --role capture` prints
    form = (await gql.ok("admin", FORM, {"input": {"name": f"Standing form {uuid.uuid4()}"}}))[
        "captureFormCreate"]["form"]
    token = quick[0].state.tokens.issue(Principal.capture(from_global_id(form["id"])[1]))
    lead = {"lastName": "Early", "email": f"early{next(_n)}@example.com"}
    assert (await _as(quick, token, CAPTURE, {"input": lead})).data["leadCapture"]["accepted"]
    # when the form is deactivated
    await gql.ok("admin", FORM_UPDATE, {"input": {"id": form["id"], "version": form["version"],
                                                  "active": False}})
    await _after_the_cache(quick)
    # then the token no longer authenticates at all
    _assert_refused(await _as(quick, token, CAPTURE, {"input": lead}))


async def test_concurrent_requests_of_one_subject_read_its_standing_once(quick, gql):
    # given a user nobody has called as yet
    _, raw_id = await _user(gql, "SERVICE")
    token = quick[0].state.tokens.issue(Principal.staff(Role.SERVICE, raw_id))
    standing = quick[0].state.graphql.authenticator.standing
    before = standing.loads
    # when twenty requests with its token arrive at once
    results = await asyncio.gather(*(_as(quick, token, ME) for _ in range(20)))
    # then all are answered, and the user was read from the database once
    assert all(r.status == 200 for r in results)
    assert standing.loads == before + 1
