"""Webhooks end to end: endpoints managed over GraphQL by admins only, a worker in this
process dispatching and delivering to a real HTTP receiver on 127.0.0.1, and each delivery
verified with standardwebhooks as a receiver would; a receiver that fails, answers 410 or
hangs."""

from __future__ import annotations

import pytest
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from api.schema.ids import to_global_id
from tests.api.webhooks_setup import (
    CREATE,
    WORKER_TIMEOUT,
    archive_others,
    arrived,
    endpoint_state,
    make_contact,
    make_endpoint,
    messages_about,
)
from tests.jobs import eventually

ROTATE = """mutation($input: WebhookSecretRotateInput!) { webhookSecretRotate(input: $input) {
  secret errors { code } webhookEndpoint { version previousSecretUntil } } }"""
REPLAY = """mutation($e: ID!, $m: String!) { webhookReplay(endpointId: $e, messageId: $m) {
  queued errors { code } } }"""


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
        payload, _ = await make_endpoint(gql, url, acting_user=principals["admin"].user_id)
        assert [e["code"] for e in payload["errors"]] == ["INVALID"], url


async def test_webhook_delivered_signed_and_verifiable(gql, principals, receiver, worker):
    # given an endpoint on the local receiver
    payload, secret = await make_endpoint(gql, receiver.url,
                                          acting_user=principals["admin"].user_id)
    assert secret.startswith("whsec_") and payload["webhookEndpoint"]["active"]
    # when a contact is created
    contact = (await make_contact(gql, "Signed"))["id"]
    # then one delivery arrives, and its signature verifies as a receiver checks it
    [(body, headers)] = await arrived(receiver, contact, secret)
    event = Webhook(secret).verify(body, headers)
    assert event["type"] == "Contact.create"
    assert event["data"]["recordId"] == contact and event["data"]["record"]["firstName"] == "Signed"
    assert headers["webhook-id"].startswith("msg_")
    with pytest.raises(WebhookVerificationError):
        Webhook("whsec_" + "A" * 43 + "=").verify(body, headers)


async def _settled(gql, endpoint_id: str, record_id: str, status: str = "DELIVERED") -> dict:
    async def found():
        return [m for m in await messages_about(gql, endpoint_id, record_id)
                if m["status"] == status]
    [message] = await eventually(found, within=20)
    return message


async def test_webhook_retried_after_500_with_the_same_id(gql, principals, receiver, worker):
    # given an endpoint whose receiver fails once
    payload, secret = await make_endpoint(gql, receiver.url,
                                          acting_user=principals["admin"].user_id)
    endpoint_id = payload["webhookEndpoint"]["id"]
    await archive_others(gql, endpoint_id)
    receiver.answers[:] = [500]
    contact = (await make_contact(gql, "Retried"))["id"]
    # then the second attempt (5 s later) succeeds with the same webhook-id
    (_, first), (body, second) = await arrived(receiver, contact, secret, 2, within=20)
    assert first["webhook-id"] == second["webhook-id"]
    Webhook(secret).verify(body, second)
    # and the log keeps both attempts
    message = await _settled(gql, endpoint_id, contact)
    assert [a["responseStatus"] for a in message["attempts"]] == [500, 200]
    assert message["attemptCount"] == 2 and message["messageId"] == first["webhook-id"]
    # and a replay sends it once more, with its id
    replay = await gql.ok("admin", REPLAY, {"e": endpoint_id, "m": message["messageId"]})
    assert replay["webhookReplay"]["queued"] == 1
    replayed = await arrived(receiver, contact, secret, 3)
    assert replayed[2][1]["webhook-id"] == message["messageId"]


async def test_webhook_410_disables_the_endpoint(gql, principals, receiver, worker):
    payload, _ = await make_endpoint(gql, receiver.url, acting_user=principals["admin"].user_id)
    endpoint_id = payload["webhookEndpoint"]["id"]
    await archive_others(gql, endpoint_id)
    receiver.answers[:] = [410]
    contact = (await make_contact(gql, "Gone"))["id"]

    async def disabled():
        found = await endpoint_state(gql, endpoint_id)
        return not found["active"] and found
    endpoint = await eventually(disabled)
    assert endpoint and "410" in endpoint["disabledReason"]
    message = await _settled(gql, endpoint_id, contact, "FAILED")
    assert [a["responseStatus"] for a in message["attempts"]] == [410]
    # and its owner is told in their notifications
    told = (await gql.ok("admin", """{ notifications(first: 20) { nodes {
        kind recordType recordId fields } } }"""))["notifications"]["nodes"]
    assert {"kind": "CHANGE", "recordType": "WebhookEndpoint", "recordId": endpoint_id,
            "fields": ["active", "disabledReason"]} in told


async def test_webhook_hanging_receiver_times_out_then_is_retried(gql, principals, receiver,
                                                                  worker):
    # given an endpoint whose receiver hangs (longer than the worker's 1 s timeout) once
    payload, secret = await make_endpoint(gql, receiver.url,
                                          acting_user=principals["admin"].user_id)
    endpoint_id = payload["webhookEndpoint"]["id"]
    await archive_others(gql, endpoint_id)
    receiver.answers[:] = ["hang"]
    contact = (await make_contact(gql, "Hanging"))["id"]
    # then the first attempt is cut at the timeout, and the retry delivers the same id
    (_, first), (_, second) = await arrived(receiver, contact, secret, 2, within=20)
    assert first["webhook-id"] == second["webhook-id"]
    message = await _settled(gql, endpoint_id, contact)
    timed_out, delivered = message["attempts"]
    assert timed_out["responseStatus"] is None and "no answer within 1 s" in timed_out["error"]
    assert WORKER_TIMEOUT * 1000 <= timed_out["durationMs"] < WORKER_TIMEOUT * 1000 + 1500
    assert delivered["responseStatus"] == 200


async def test_webhook_rotation_signs_with_both_secrets(gql, principals, receiver, worker):
    payload, old = await make_endpoint(gql, receiver.url, acting_user=principals["admin"].user_id)
    rotated = await gql.ok("admin", ROTATE, {"input": {
        "id": payload["webhookEndpoint"]["id"], "version": payload["webhookEndpoint"]["version"]}})
    new = rotated["webhookSecretRotate"]["secret"]
    assert new != old and rotated["webhookSecretRotate"]["webhookEndpoint"]["previousSecretUntil"]
    contact = (await make_contact(gql, "Rotated"))["id"]
    [(body, headers)] = await arrived(receiver, contact, old)
    Webhook(new).verify(body, headers)
    Webhook(old).verify(body, headers)
