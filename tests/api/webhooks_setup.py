"""Shared set-up for the webhook tests: a real HTTP receiver on 127.0.0.1 in the test
process, a worker in the test process (private targets allowed, 1 s timeout), endpoints and
contacts made through the API, and what the receiver got for an endpoint, checked as a
receiver checks it."""

from __future__ import annotations

import asyncio
import contextlib
import socket

import pytest
import uvicorn
from standardwebhooks import Webhook
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from api.jobs import build_worker
from api.schema.ids import to_global_id
from tests.jobs import eventually, running

CREATE = """mutation($input: WebhookEndpointCreateInput!) { webhookEndpointCreate(input: $input) {
  secret errors { field code } webhookEndpoint { id version active url } } }"""
ENDPOINT = """query($id: ID!) { webhookEndpoint(id: $id) { active disabledReason version
  messages(first: 50) { nodes { messageId status attemptCount eventType payload
    attempts { number responseStatus error durationMs } } } } }"""
ARCHIVE = """mutation($input: ArchiveInput!) { webhookEndpointArchive(input: $input) {
  errors { code } } }"""
CONTACT = """mutation($input: ContactCreateInput!) { contactCreate(input: $input) {
  contact { id version } errors { code } } }"""
# Seconds a "hang" answer keeps the receiver silent: longer than the worker's timeout here.
HANG_SECONDS = 3
WORKER_TIMEOUT = 1.0


class Receiver:
    """A webhook receiver: records each request, and answers as `answers` says (a status,
    or "hang"), then 200; each answer waits `delay` seconds first."""

    def __init__(self) -> None:
        self.received: list[tuple[bytes, dict]] = []
        self.answers: list = []
        self.delay = 0.0
        self.url = ""

    async def hook(self, request: Request) -> Response:
        body = await request.body()
        self.received.append((body, dict(request.headers)))
        answer = self.answers.pop(0) if self.answers else 200
        if answer == "hang":
            await asyncio.sleep(HANG_SECONDS)
            answer = 200
        if self.delay:
            await asyncio.sleep(self.delay)
        return Response(b"ok", answer)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.asynccontextmanager
async def receiving(hooks: Receiver, port: int | None = None):
    """`hooks` served on 127.0.0.1 during the block (a free port unless one is given)."""
    port = port or free_port()
    server = uvicorn.Server(uvicorn.Config(
        Starlette(routes=[Route("/hook", hooks.hook, methods=["POST"])]),
        host="127.0.0.1", port=port, log_level="warning", lifespan="off",
        timeout_graceful_shutdown=1))
    task = asyncio.create_task(server.serve())
    await eventually(lambda: asyncio.sleep(0, server.started))
    hooks.url = f"http://127.0.0.1:{port}/hook"
    try:
        yield hooks
    finally:
        server.should_exit = True
        with contextlib.suppress(Exception):
            await asyncio.wait_for(task, 5)


@pytest.fixture(scope="module")
async def receiver():
    async with receiving(Receiver()) as hooks:
        yield hooks


@pytest.fixture(scope="module")
async def worker(app, settings, database_url):
    """A worker in this process for the module: private targets allowed, a 1 s timeout."""
    allowed = settings.model_copy(update={"crm_webhook_allow_private_networks": True,
                                          "crm_webhook_timeout": WORKER_TIMEOUT})
    async with running(build_worker(allowed, database_url, app.state.engine)):
        yield


async def make_endpoint(gql, url: str, events=None, *, acting_user=None,
                        partner_client: str | None = None, role: str = "admin"
                        ) -> tuple[dict, str | None]:
    """The create payload and the secret it showed; acting as `acting_user` (a user id) or
    `partner_client`."""
    source = {"partnerClient": partner_client} if partner_client else {
        "actingUser": to_global_id("User", acting_user)}
    result = await gql(role, CREATE, {"input": {
        "url": url, "events": events or [{"type": "Contact", "action": "create"}], **source}})
    payload = result.data and result.data["webhookEndpointCreate"]
    return payload, payload and payload["secret"]


async def archive_others(gql, keep: str) -> None:
    """Only `keep` listens afterwards, so the receiver's scripted answers go to it."""
    listed = await gql.ok("admin", "{ webhookEndpoints { nodes { id version } } }")
    for node in listed["webhookEndpoints"]["nodes"]:
        if node["id"] != keep:
            await gql.ok("admin", ARCHIVE, {"input": node})


async def make_contact(gql, name: str, **fields) -> dict:
    data = await gql.ok("admin", CONTACT, {"input": {"firstName": name, "lastName": "Hook",
                                                    **fields}})
    return data["contactCreate"]["contact"]


async def endpoint_state(gql, endpoint_id: str) -> dict:
    return (await gql.ok("admin", ENDPOINT, {"id": endpoint_id}))["webhookEndpoint"]


async def messages_about(gql, endpoint_id: str, record_id: str) -> list[dict]:
    """The endpoint's messages whose payload names the record."""
    nodes = (await endpoint_state(gql, endpoint_id))["messages"]["nodes"]
    return [m for m in nodes if record_id in str(m["payload"])]


def signed(secret: str, body: bytes, headers: dict) -> bool:
    try:
        Webhook(secret).verify(body, headers)
    except Exception:
        return False
    return True


def received_for(receiver: Receiver, record_id: str, secret: str) -> list[tuple[bytes, dict]]:
    """What the receiver got about the record for the endpoint of this secret."""
    return [(b, h) for b, h in receiver.received
            if record_id.encode() in b and signed(secret, b, h)]


async def arrived(receiver: Receiver, record_id: str, secret: str, count: int = 1,
                  within: float = 15) -> list[tuple[bytes, dict]]:
    """At least `count` requests about the record for this endpoint, waited for."""
    async def enough():
        found = received_for(receiver, record_id, secret)
        return found if len(found) >= count else None
    return await eventually(enough, within=within) or []
