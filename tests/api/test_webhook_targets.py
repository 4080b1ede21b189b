"""No SSRF: with CRM_WEBHOOK_ALLOW_PRIVATE_NETWORKS off, a delivery to a name or address on
loopback is refused before any connection, and the refusal is in the delivery log; with it
on, the same receiver is reached through the checked address, the Host header keeping the
name."""

from __future__ import annotations

import httpx
import pytest

from api.jobs import build_worker
from api.webhook_targets import Refused, pinned_request
from domain.webhooks import WebhookRules
from tests.api.webhooks_setup import (
    make_contact,
    make_endpoint,
    messages_about,
    received_for,
)
from tests.jobs import eventually, running


@pytest.fixture(scope="module")
async def strict_worker(app, settings, database_url):
    """A worker in this process with the setting off, as in production."""
    strict = settings.model_copy(update={"crm_webhook_allow_private_networks": False,
                                         "crm_webhook_timeout": 1.0})
    async with running(build_worker(strict, database_url, app.state.engine)):
        yield


async def test_loopback_target_refused_with_the_setting_off(gql, principals, receiver,
                                                            strict_worker):
    # given an endpoint on the local receiver, named by a name that resolves to loopback
    url = receiver.url.replace("127.0.0.1", "localhost")
    payload, secret = await make_endpoint(gql, url, acting_user=principals["admin"].user_id)
    endpoint_id = payload["webhookEndpoint"]["id"]
    # when a contact is created
    contact = (await make_contact(gql, "Refused"))["id"]

    # then the attempt is refused without a connection, logged, and left for a retry
    async def attempted():
        found = [m for m in await messages_about(gql, endpoint_id, contact) if m["attempts"]]
        return found and found[0]
    message = await eventually(attempted)
    [attempt] = message["attempts"]
    assert attempt["responseStatus"] is None
    assert attempt["error"].startswith("refused: localhost resolves to ")
    assert "loopback" in attempt["error"]
    assert message["status"] == "PENDING"
    assert received_for(receiver, contact, secret) == []


async def test_pinned_request_reaches_loopback_only_with_the_setting_on(receiver):
    url = receiver.url.replace("127.0.0.1", "localhost")
    async with httpx.AsyncClient(timeout=5, follow_redirects=False) as http:
        with pytest.raises(Refused, match="loopback"):
            await pinned_request(http, url, b"{}", {}, WebhookRules(allow_private=False))
        before = len(receiver.received)
        response = await pinned_request(http, url, b"{}", {}, WebhookRules(allow_private=True))
    assert response.status_code == 200
    assert len(receiver.received) == before + 1
    assert receiver.received[-1][1]["host"] == url.split("/")[2]
