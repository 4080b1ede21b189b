"""Subscriptions through the real protocol: graphql-transport-ws on one server process,
writes over HTTP on another, both over the session's database."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus

from api.schema.ids import from_global_id
from auth.principal import Principal
from domain.access import Role
from tests.factories import Factories
from tests.graphql import GraphQLClient
from tests.processes import served
from tests.ws import connect

CHANGED = """subscription($ids: [ID!], $types: [String!], $after: Int) {
  recordChanged(ids: $ids, types: $types, after: $after) {
    seq action recordType recordId fields
    record { id ... on Contact { firstName emails { address } } }
  } }"""
CASE_UPDATED = """subscription($id: ID!) { caseUpdated(id: $id) {
  id status comments { body visibility } } }"""
TIMELINE_ADDED = """subscription($id: ID!) { timelineAdded(recordId: $id) { id subject } }"""
UPDATE = """mutation($input: ContactUpdateInput!) { contactUpdate(input: $input) {
  contact { version } errors { field code } } }"""
CASE_CREATE = """mutation($input: CaseCreateInput!) { caseCreate(input: $input) {
  case { id version } errors { field code } } }"""
REPLY = """mutation($input: CaseReplyInput!) { caseReply(input: $input) {
  case { version } errors { field code } } }"""
ACTIVITY_LOG = """mutation($input: ActivityLogInput!) { activityLog(input: $input) {
  activity { id } errors { field code } } }"""


@pytest.fixture(scope="module")
def writer_url(database_url, crm_home, tmp_path_factory):
    """A second server process: what it writes reaches the subscribers of the first."""
    env = {"DATABASE_URL": database_url, "CRM_HOME": str(crm_home), "CRM_ENV": "dev",
           "CRM_ESCALATION_INTERVAL": "0", "CRM_RATE_LIMIT": "off",
           "CRM_AUTH_FAILURE_LIMIT": "off", "CRM_CORS_ORIGINS": "https://app.example.com"}
    with served(env, tmp_path_factory.mktemp("writer") / "server.log") as url:
        yield url


@pytest.fixture
async def writer(writer_url, tokens):
    async with httpx.AsyncClient(base_url=writer_url, timeout=10) as client:
        yield GraphQLClient(client, tokens)


async def frame(socket, sid: str, timeout: float = 5) -> dict:
    payload = await next_payload(socket, sid, timeout)
    assert "errors" not in payload, payload
    return payload["data"]


async def next_payload(socket, sid: str, timeout: float = 5) -> dict:
    message = await socket.receive(timeout)
    assert message["type"] == "next" and message["id"] == sid, message
    return message["payload"]


async def rename(writer, contact: dict, version: int, name: str, **more) -> int:
    data = await writer.ok("admin", UPDATE, {"input": {
        "id": contact["id"], "version": version, "firstName": name, **more}})
    assert data["contactUpdate"]["errors"] == []
    return data["contactUpdate"]["contact"]["version"]


async def test_a_write_on_one_process_reaches_a_subscriber_on_another(
        live_server, writer, tokens):
    contact = await Factories(writer).contact()
    async with connect(live_server, tokens["sales"]) as socket:
        sid = await socket.subscribe(CHANGED, {"ids": [contact["id"]]})
        await asyncio.sleep(0.3)  # the subscription is registered once its task runs
        await rename(writer, contact, 1, "Live")
        change = (await frame(socket, sid))["recordChanged"]
    assert change["action"] == "update" and change["fields"] == ["firstName"]
    assert change["record"]["firstName"] == "Live" and change["recordId"] == contact["id"]


async def test_fields_and_records_the_subscriber_may_not_read_are_not_sent(
        live_server, writer, tokens):
    contact = await Factories(writer).contact()
    async with connect(live_server, tokens["analyst"]) as analyst, \
            connect(live_server, tokens["customer"]) as customer:
        seen = await analyst.subscribe(CHANGED, {"ids": [contact["id"]]})
        unseen = await customer.subscribe(CHANGED, {"types": ["Contact"]})
        await asyncio.sleep(0.3)
        # when a name and an email change together
        await rename(writer, contact, 1, "Both", emails=[{"address": "both@example.com"}])
        payload = await next_payload(analyst, seen)
        # then analysts hear of the name only (they read no channels; asking for the
        # emails is refused as in any query), and the customer, who reaches only their own
        # contact, hears nothing at all
        assert payload["data"]["recordChanged"]["fields"] == ["firstName"]
        assert [(e["path"], e["extensions"]["code"]) for e in payload["errors"]] == [
            (["recordChanged", "record", "emails"], "FORBIDDEN")]
        assert await customer.nothing_within(1.5)
    assert unseen


async def test_reconnecting_with_the_last_seq_sends_what_was_missed(
        live_server, writer, tokens):
    contact = await Factories(writer).contact()
    async with connect(live_server, tokens["admin"]) as socket:
        sid = await socket.subscribe(CHANGED, {"ids": [contact["id"]]})
        await asyncio.sleep(0.3)
        version = await rename(writer, contact, 1, "First")
        last = (await frame(socket, sid))["recordChanged"]["seq"]
    # while disconnected, two more writes
    version = await rename(writer, contact, version, "Second")
    await rename(writer, contact, version, "Third")
    async with connect(live_server, tokens["admin"]) as socket:
        sid = await socket.subscribe(CHANGED, {"ids": [contact["id"]], "after": last})
        missed = [(await frame(socket, sid))["recordChanged"] for _ in range(2)]
    assert [m["record"]["firstName"] for m in missed] == ["Third", "Third"]
    assert [m["seq"] for m in missed] == sorted(m["seq"] for m in missed)
    assert missed[0]["seq"] > last


async def test_a_customer_follows_their_own_case_and_no_one_elses(
        live_server, writer, tokens):
    mine = (await writer.ok("customer", CASE_CREATE, {"input": {"subject": "Live help"}}))[
        "caseCreate"]["case"]
    async with connect(live_server, tokens["customer"]) as customer, \
            connect(live_server, tokens["other_partner"]) as stranger:
        sid = await customer.subscribe(CASE_UPDATED, {"id": mine["id"]})
        other = await stranger.subscribe(CASE_UPDATED, {"id": mine["id"]})
        await asyncio.sleep(0.3)
        for body, visibility in (("Looking into it", "INTERNAL"), ("Fixed", "CUSTOMER")):
            data = await writer.ok("service", REPLY, {"input": {
                "case": mine["id"], "body": body, "visibility": visibility}})
            assert data["caseReply"]["errors"] == []
        # then the customer hears once, of the reply it may read, and never of the
        # internal comment; a stranger hears nothing of a case it cannot see
        seen = (await frame(customer, sid))["caseUpdated"]
        assert [c["body"] for c in seen["comments"]] == ["Fixed"]
        assert await customer.nothing_within(1)
        assert await stranger.nothing_within(0.1)
    assert other


async def test_timeline_added_sends_new_activities_of_the_record(live_server, writer, tokens):
    contact = await Factories(writer).contact()
    async with connect(live_server, tokens["sales"]) as socket:
        sid = await socket.subscribe(TIMELINE_ADDED, {"id": contact["id"]})
        await asyncio.sleep(0.3)
        made = await writer.ok("admin", ACTIVITY_LOG, {"input": {
            "kind": "CALL", "subject": "Called back", "contact": contact["id"]}})
        assert made["activityLog"]["errors"] == []
        added = (await frame(socket, sid))["timelineAdded"]
    assert added == {"id": made["activityLog"]["activity"]["id"], "subject": "Called back"}


async def test_a_socket_without_a_valid_token_is_closed_with_4403(live_server):
    for token in (None, "not-a-token"):
        async with connect(live_server, token, acknowledged=False) as socket:
            with pytest.raises(ConnectionClosed) as closed:
                await socket.receive()
            assert closed.value.rcvd.code == 4403


async def test_queries_mutations_and_oversized_documents_are_refused_over_websocket(
        live_server, tokens):
    deep = "subscription { recordChanged { record { " + "id " * 1 + "} } }"
    async with connect(live_server, tokens["admin"]) as socket:
        for query in ("{ me { role } }", "mutation { __typename }",
                      "subscription { nope }", deep.replace("id ", "id " + "a: id " * 20)):
            sid = await socket.subscribe(query)
            message = await socket.receive()
            assert message["type"] == "error" and message["id"] == sid, message


async def test_a_subscription_sent_over_http_is_refused(http, tokens):
    response = await http.post("/graphql", json={"query": CHANGED},
                               headers={"Authorization": f"Bearer {tokens['admin']}"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


async def test_browsers_connect_only_from_allowed_origins(writer_url, tokens):
    async with connect(writer_url, tokens["admin"], origin="https://app.example.com"):
        pass
    with pytest.raises(InvalidStatus) as refused:
        async with connect(writer_url, tokens["admin"], origin="https://evil.example.com"):
            pass
    assert refused.value.response.status_code == 403


USER_CREATE = """mutation($input: UserCreateInput!) { userCreate(input: $input) {
  user { id version } errors { field code } } }"""
USER_UPDATE = """mutation($input: UserUpdateInput!) { userUpdate(input: $input) {
  errors { field code } } }"""


async def test_a_revoked_subject_loses_its_socket_within_seconds(live_server, writer, app):
    created = (await writer.ok("admin", USER_CREATE, {"input": {
        "email": f"live-{uuid.uuid4().hex[:8]}@example.com", "name": "Live",
        "role": "SALES"}}))["userCreate"]["user"]
    token = app.state.tokens.issue(Principal.staff(Role.SALES, from_global_id(created["id"])[1]))
    async with connect(live_server, token) as socket:
        await socket.subscribe(CHANGED, {"types": ["Contact"]})
        # when an admin deactivates the user
        await writer.ok("admin", USER_UPDATE, {"input": {
            "id": created["id"], "version": created["version"], "active": False}})
        # then the server closes the socket as forbidden, within the standing cache's time
        with pytest.raises(ConnectionClosed) as closed:
            while True:
                await socket.receive(8)
    assert closed.value.rcvd.code == 4403


async def test_a_connection_holds_a_limited_number_of_subscriptions(live_server, tokens):
    async with connect(live_server, tokens["admin"]) as socket:
        for _ in range(20):  # CRM_WS_MAX_SUBSCRIPTIONS' default
            await socket.subscribe(CHANGED, {"types": ["Contact"]})
        one_too_many = await socket.subscribe(CHANGED, {"types": ["Contact"]})
        refused = await socket.receive()
    assert refused["type"] == "error" and refused["id"] == one_too_many
