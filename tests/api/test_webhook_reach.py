"""What an endpoint hears is what its acting user or partner client may read: a partner's
endpoint never hears of another partner's records, a field the acting role cannot read is
not in the payload, and a deactivated acting user stops the deliveries."""

from __future__ import annotations

import itertools
import json
import uuid

from api.schema.ids import from_global_id, to_global_id
from auth.secrets import hash_secret, new_client_credentials
from persistence.directory import create_partner_client
from persistence.seed.generator import stable_id
from tests.api.webhooks_setup import (
    arrived,
    make_contact,
    make_endpoint,
    messages_about,
    received_for,
)

_n = itertools.count(1)
REGISTER = """mutation($input: PartnerRegistrationInput!) { partnerRegister(input: $input) {
  errors { code } } }"""
RENAME = """mutation($input: ContactUpdateInput!) { contactUpdate(input: $input) {
  contact { id } errors { code } } }"""
USER_CREATE = """mutation($input: UserCreateInput!) { userCreate(input: $input) {
  user { id version } errors { code } } }"""
USER_UPDATE = """mutation($input: UserUpdateInput!) { userUpdate(input: $input) {
  user { active } errors { code } } }"""


async def _partner_client(app, partner: str) -> str:
    client_id, secret = new_client_credentials()
    async with app.state.engine.begin() as conn:
        await create_partner_client(conn, stable_id("partner", partner), client_id,
                                    hash_secret(secret), ["contacts:read"])
    return client_id


async def _registered(gql, partner: str, name: str) -> dict:
    contact = await make_contact(gql, name)
    partner_id = to_global_id("Partner", stable_id("partner", partner))
    result = await gql.ok("admin", REGISTER, {"input": {"partnerId": partner_id,
                                                        "recordId": contact["id"]}})
    assert result["partnerRegister"]["errors"] == []
    return contact


async def _rename(gql, contact: dict, name: str) -> None:
    current = await gql.ok("admin", "query($id: ID!) { contact(id: $id) { version } }",
                           {"id": contact["id"]})
    result = await gql.ok("admin", RENAME, {"input": {
        "id": contact["id"], "version": current["contact"]["version"], "firstName": name}})
    assert result["contactUpdate"]["errors"] == []


async def test_partner_endpoint_never_hears_another_partners_records(app, gql, principals,
                                                                     receiver, worker):
    # given a contact registered to each of two partners, an endpoint acting as a client of
    # the first, and one acting as the admin, both hearing contact updates
    ours = await _registered(gql, "Demo Partner", "Ours")
    theirs = await _registered(gql, "Northwind Resellers", "Theirs")
    updates = [{"type": "Contact", "action": "update"}]
    payload, secret = await make_endpoint(
        gql, receiver.url, updates, partner_client=await _partner_client(app, "Demo Partner"))
    endpoint_id = payload["webhookEndpoint"]["id"]
    _, control = await make_endpoint(gql, receiver.url, updates,
                                     acting_user=principals["admin"].user_id)
    # when the other partner's contact changes, then ours
    await _rename(gql, theirs, "Theirs2")
    await _rename(gql, ours, "Ours2")
    # then ours is heard, read as the partner reads it
    [(body, _)] = await arrived(receiver, ours["id"], secret)
    event = json.loads(body)
    assert event["type"] == "Contact.update" and event["data"]["record"]["firstName"] == "Ours2"
    # and the other partner's contact, dispatched before it and heard by the admin's
    # endpoint, made no message for the partner's
    assert await arrived(receiver, theirs["id"], control)
    assert received_for(receiver, theirs["id"], secret) == []
    assert await messages_about(gql, endpoint_id, theirs["id"]) == []


async def test_field_the_acting_role_cannot_read_is_not_in_the_payload(gql, principals,
                                                                      receiver, worker):
    # given the same events heard as an analyst (who may not read a contact's channels) and
    # as an admin
    _, as_analyst = await make_endpoint(gql, receiver.url,
                                        acting_user=principals["analyst"].user_id)
    _, as_admin = await make_endpoint(gql, receiver.url, acting_user=principals["admin"].user_id)
    # when a contact with an email is created
    contact = await make_contact(gql, "Channels", emails=[
        {"address": f"channels{next(_n)}@example.com", "primary": True}])
    # then the admin's payload has the email, the analyst's neither the value nor its name
    [(body, _)] = await arrived(receiver, contact["id"], as_admin)
    assert b"@example.com" in body
    [(body, _)] = await arrived(receiver, contact["id"], as_analyst)
    data = json.loads(body)["data"]
    assert data["record"]["firstName"] == "Channels" and "emails" not in data["record"]
    assert "emails" not in data["fields"] and b"@example.com" not in body


async def test_deactivated_acting_user_stops_deliveries(gql, principals, receiver, worker):
    # given an endpoint acting as a service user, and one acting as the admin beside it
    created = await gql.ok("admin", USER_CREATE, {"input": {
        "email": f"hook{uuid.uuid4().hex[:8]}@example.com", "name": "Integration",
        "role": "SERVICE"}})
    user = created["userCreate"]["user"]
    payload, secret = await make_endpoint(gql, receiver.url,
                                          acting_user=from_global_id(user["id"])[1])
    endpoint_id = payload["webhookEndpoint"]["id"]
    _, control = await make_endpoint(gql, receiver.url, acting_user=principals["admin"].user_id)
    before = await make_contact(gql, "Before")
    assert await arrived(receiver, before["id"], secret)
    # when the user is deactivated, and a contact created
    result = await gql.ok("admin", USER_UPDATE, {"input": {
        "id": user["id"], "version": user["version"], "active": False}})
    assert result["userUpdate"]["user"]["active"] is False
    after = await make_contact(gql, "After")
    # then the admin's endpoint hears it, and the user's makes no message of it
    assert await arrived(receiver, after["id"], control)
    assert received_for(receiver, after["id"], secret) == []
    assert await messages_about(gql, endpoint_id, after["id"]) == []
