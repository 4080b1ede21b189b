"""A `crm worker` killed with SIGKILL in the middle of webhook deliveries loses nothing: a
successor delivers every message, and a message sent twice carries the same webhook-id. An
endpoint hears nothing of what happened before it was created, though the dispatcher ran
after."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

import pytest

from api.schema.ids import from_global_id
from tests.api.webhooks_setup import (
    Receiver,
    archive_others,
    make_contact,
    make_endpoint,
    receiving,
    signed,
)
from tests.e2e.test_worker_processes import stop, worker_process
from tests.jobs import eventually, fetch

CRM = str(Path(sys.executable).parent / "crm")
pytestmark = pytest.mark.e2e
CONTACTS = 40


async def _statuses(url: str, endpoint_id: str) -> dict[str, int]:
    rows = await fetch(url, "SELECT status, count(*) FROM webhook_message WHERE endpoint_id = $1 "
                            "GROUP BY status", from_global_id(endpoint_id)[1])
    return {row[0]: row[1] for row in rows}


async def test_worker_killed_mid_deliveries_loses_nothing(gql, principals, database_url,
                                                          crm_home, tmp_path):
    # given a receiver that takes half a second per request, the only endpoint listening,
    # and contacts created while no worker runs, one of them before the endpoint
    hooks = Receiver()
    hooks.delay = 0.5
    async with receiving(hooks):
        earlier = (await make_contact(gql, "Earlier"))["id"]
        payload, secret = await make_endpoint(gql, hooks.url,
                                              acting_user=principals["admin"].user_id)
        endpoint_id = payload["webhookEndpoint"]["id"]
        await archive_others(gql, endpoint_id)
        contacts = [(await make_contact(gql, f"Killed{i}"))["id"] for i in range(CONTACTS)]
        env = {"DATABASE_URL": database_url, "CRM_HOME": str(crm_home),
               "CRM_WEBHOOK_ALLOW_PRIVATE_NETWORKS": "true", "CRM_ESCALATION_SCHEDULE": "off",
               "CRM_WORKER_HEARTBEAT_TIMEOUT": "2"}
        # when a worker is killed with SIGKILL while deliveries are under way
        with worker_process([CRM, "worker"], env, tmp_path / "killed.log") as killed:
            assert await eventually(lambda: asyncio.sleep(0, len(hooks.received) >= 5),
                                    within=60), (tmp_path / "killed.log").read_text()
            killed.kill()
            killed.wait(10)
        at_kill = len(hooks.received)
        assert at_kill < CONTACTS
        # then a successor delivers every message
        with worker_process([CRM, "worker"], env, tmp_path / "successor.log") as successor:
            async def all_delivered():
                return await _statuses(database_url, endpoint_id) == {"DELIVERED": CONTACTS}
            assert await eventually(all_delivered, within=60), await _statuses(
                database_url, endpoint_id)
            assert stop(successor) == 0
    # and each contact was received, signed, under one webhook-id however often it was sent
    ids: dict[str, set[str]] = {}
    for body, headers in hooks.received:
        assert signed(secret, body, headers)
        record = json.loads(body)["data"]["recordId"]
        ids.setdefault(record, set()).add(headers["webhook-id"])
    assert set(ids) == set(contacts) and earlier not in ids
    assert all(len(found) == 1 for found in ids.values())
    # and the requests in flight when the worker died were sent again
    assert len(hooks.received) > CONTACTS
