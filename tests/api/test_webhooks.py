"""Webhooks end to end: endpoints managed over GraphQL by admins only, a worker in this
process dispatching and delivering to a real HTTP receiver on 127.0.0.1, and each delivery
verified with standardwebhooks as a receiver would."""

from __future__ import annotations

import asyncio
import contextlib
import socket

import pytest
import uvicorn
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from api.jobs import build_worker
from api.schema.ids import to_global_id
from tests.jobs import eventually, running

CREATE = """mutation($input: WebhookEndpointCreateInput!) { webhookEndpointCreate(input: $input) {
  secret errors { field code } webhookEndpoint { id version active url } } }"""
UPDATE = """mutation($input: WebhookEndpointUpdateInput!) { webhookEndpointUpdate(input: $input) {
  errors { field code } webhookEndpoint { id version active disabledReason } } }"""
ROTATE = """mutation($input: WebhookSecretRotateInput!) { webhookSecretRotate(input: $input) {
  secret errors { code } webhookEndpoint { version previousSecretUntil } } }"""
ENDPOINT = """query($id: ID!) { webhookEndpoint(id: $id) { active disabledReason version
  messages(first: 50) { nodes { messageId status attemptCount eventType
    attempts { number responseStatus error } } } } }"""
REPLAY = """mutation($e: ID!, $m: String!) { webhookReplay(endpointId: $e, messageId: $m) {
  queued errors { code } } }"""
ARCHIVE = """mutation($input: ArchiveInput!) { webhookEndpointArchive(input: $input) {
  errors { code } } }"""
CONTACT = """mutation($input: ContactCreateInput!) { contactCreate(input: $input) {
  contact { id } errors { code } } }"""


class Receiver:
    """A webhook receiver: records each request, and answers as `answers` says (a status,
    or "hang")."""

    def __init__(self) -> None:
        self.received: list[tuple[bytes, dict]] = []
        self.answers: list = []

    async def hook(self, request: Request) -> Response:
        body = await request.body()
        self.received.append((body, dict(request.headers)))
        answer = self.answers.pop(0) if self.answers else 200
        if answer == "hang":
            await asyncio.sleep(30)
        return Response(b"ok", answer if answer != "hang" else 200)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
async def receiver():
    hooks = Receiver()
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(
        Starlette(routes=[Route("/hook", hooks.hook, methods=["POST"])]),
        host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    task = asyncio.create_task(server.serve())
    await eventually(lambda: asyncio.sleep(0, server.started))
    hooks.url = f"http://127.0.0.1:{port}/hook"
    yield hooks
    server.should_exit = True
    with contextlib.suppress(Exception):
        await asyncio.wait_for(task, 5)


@pytest.fixture(scope="module")
async def worker(app, settings, database_url):
    allowed = settings.model_copy(update={"crm_webhook_allow_private_networks": True,
                                          "crm_webhook_timeout": 1.0})
    async with running(build_worker(allowed, database_url, app.state.engine)):
        yield


async def _endpoint(gql, principals, url, events=None, role="admin") -> tuple[dict, str]:
    result = await gql(role, CREATE, {"input": {
        "url": url, "events": events or [{"type": "Contact", "action": "create"}],
        "actingUser": to_global_id("User", principals["admin"].user_id)}})
    payload = result.data and result.data["webhookEndpointCreate"]
    return payload, payload and payload["secret"]


async def _archive_others(gql, keep: str) -> None:
    """Only `keep` listens afterwards, so the receiver's scripted answers go to it."""
    listed = await gql.ok("admin", "{ webhookEndpoints { nodes { id version } } }")
    for node in listed["webhookEndpoints"]["nodes"]:
        if node["id"] != keep:
            await gql.ok("admin", ARCHIVE, {"input": node})


async def _contact(gql, name: str) -> str:
    data = await gql.ok("admin", CONTACT, {"input": {"firstName": name, "lastName": "Hook"}})
    return data["contactCreate"]["contact"]["id"]


def _signed(secret: str, body: bytes, headers: dict) -> bool:
    try:
        Webhook(secret).verify(body, headers)
    except Exception:
        return False
    return True


def _for(receiver: Receiver, record_id: str, secret: str) -> list[tuple[bytes, dict]]:
    """What the receiver got about the record for the endpoint of this secret."""
    return [(b, h) for b, h in receiver.received
            if record_id.encode() in b and _signed(secret, b, h)]


async def test_webhook_endpoint_create_denied_to_non_admins(gql, principals, receiver):
    # when sales tries to add an endpoint
    result = await gql("sales", CREATE, {"input": {
        "url": receiver.url, "events": [{"type": "Contact"}],
        "actingUser": to_global_id("User", principals["sales"].user_id)}})
    # then nothing is written, and the list is empty to it
    assert "FORBIDDEN" in [e["code"] for e in result.data["webhookEndpointCreate"]["errors"]]
    listed = await gql("sales", "{ webhookEndpoints { nodes { id } } }")
    assert not (listed.data and listed.data["webhookEndpoints"]["nodes"])


async def test_webhook_endpoint_create_refuses_bad_urls(gql, principals):
    for url in ("ftp://example.com/x", "http:///nohost", "not a url"):
        payload, _ = await _endpoint(gql, principals, url)
        assert [e["code"] for e in payload["errors"]] == ["INVALID"], url


async def test_webhook_delivered_signed_and_verifiable(gql, principals, receiver, worker):
    # given an endpoint on the local receiver
    payload, secret = await _endpoint(gql, principals, receiver.url)
    assert secret.startswith("whsec_") and payload["webhookEndpoint"]["active"]
    # when a contact is created
    contact = await _contact(gql, "Signed")
    # then one delivery arrives, and its signature verifies as a receiver checks it
    assert await eventually(lambda: asyncio.sleep(0, _for(receiver, contact, secret)))
    body, headers = _for(receiver, contact, secret)[0]
    event = Webhook(secret).verify(body, headers)
    assert event["type"] == "Contact.create"
    assert event["data"]["recordId"] == contact and event["data"]["record"]["firstName"] == "Signed"
    assert headers["webhook-id"].startswith("msg_")
    with pytest.raises(WebhookVerificationError):
        Webhook("whsec_" + "A" * 43 + "=").verify(body, headers)


async def test_webhook_retried_after_500_with_the_same_id(gql, principals, receiver, worker):
    # given an endpoint whose receiver fails once
    payload, secret = await _endpoint(gql, principals, receiver.url)
    await _archive_others(gql, payload["webhookEndpoint"]["id"])
    receiver.answers[:] = [500]
    contact = await _contact(gql, "Retried")
    # then the second attempt (5 s later) succeeds with the same webhook-id
    assert await eventually(lambda: asyncio.sleep(0, len(_for(receiver, contact, secret)) >= 2),
                            within=20)
    (_, first), (body, second) = _for(receiver, contact, secret)[:2]
    assert first["webhook-id"] == second["webhook-id"]
    Webhook(secret).verify(body, second)
    endpoint_id = payload["webhookEndpoint"]["id"]

    async def delivered():
        found = await gql.ok("admin", ENDPOINT, {"id": endpoint_id})
        return [m for m in found["webhookEndpoint"]["messages"]["nodes"]
                if m["status"] == "DELIVERED"]
    found = await eventually(delivered)
    [message] = found
    assert [a["responseStatus"] for a in message["attempts"]] == [500, 200]
    # and a replay sends it once more, with its id
    replay = await gql.ok("admin", REPLAY, {"e": endpoint_id, "m": message["messageId"]})
    assert replay["webhookReplay"]["queued"] == 1
    assert await eventually(lambda: asyncio.sleep(0, len(_for(receiver, contact, secret)) >= 3))
    assert _for(receiver, contact, secret)[2][1]["webhook-id"] == message["messageId"]


async def test_webhook_410_disables_the_endpoint(gql, principals, receiver, worker):
    payload, _ = await _endpoint(gql, principals, receiver.url)
    endpoint_id = payload["webhookEndpoint"]["id"]
    await _archive_others(gql, endpoint_id)
    receiver.answers[:] = [410]
    await _contact(gql, "Gone")

    async def disabled():
        found = await gql.ok("admin", ENDPOINT, {"id": endpoint_id})
        return not found["webhookEndpoint"]["active"] and found["webhookEndpoint"]
    endpoint = await eventually(disabled)
    assert "410" in endpoint["disabledReason"]
    receiver.answers.clear()


async def test_webhook_rotation_signs_with_both_secrets(gql, principals, receiver, worker):
    payload, old = await _endpoint(gql, principals, receiver.url)
    secret = old
    rotated = await gql.ok("admin", ROTATE, {"input": {
        "id": payload["webhookEndpoint"]["id"], "version": payload["webhookEndpoint"]["version"]}})
    new = rotated["webhookSecretRotate"]["secret"]
    assert new != old and rotated["webhookSecretRotate"]["webhookEndpoint"]["previousSecretUntil"]
    contact = await _contact(gql, "Rotated")
    assert await eventually(lambda: asyncio.sleep(0, _for(receiver, contact, secret)))
    body, headers = _for(receiver, contact, secret)[0]
    Webhook(new).verify(body, headers)
    Webhook(old).verify(body, headers)
