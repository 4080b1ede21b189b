"""A small graphql-transport-ws client, speaking the protocol as a browser's client would."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
from collections.abc import AsyncIterator

import websockets

PROTOCOL = "graphql-transport-ws"
_ids = itertools.count(1)


class Socket:
    """One connection: connection_init with a token, then subscriptions by id."""

    def __init__(self, connection) -> None:
        self.connection = connection

    async def subscribe(self, query: str, variables: dict | None = None) -> str:
        sid = str(next(_ids))
        await self.send({"id": sid, "type": "subscribe",
                         "payload": {"query": query, "variables": variables or {}}})
        return sid

    async def send(self, message: dict) -> None:
        await self.connection.send(json.dumps(message))

    async def receive(self, timeout: float = 5) -> dict:
        """The next message other than a ping (which is answered)."""
        while True:
            message = json.loads(await asyncio.wait_for(self.connection.recv(), timeout))
            if message["type"] == "ping":
                await self.send({"type": "pong"})
                continue
            return message

    async def nothing_within(self, seconds: float) -> bool:
        try:
            message = await self.receive(seconds)
        except TimeoutError:
            return True
        raise AssertionError(f"expected nothing, got {message}")


@contextlib.asynccontextmanager
async def connect(http_url: str, token: str | None, *, origin: str | None = None,
                  acknowledged: bool = True) -> AsyncIterator[Socket]:
    """A socket on the server's /graphql; with `acknowledged`, after its connection_ack."""
    url = http_url.replace("http://", "ws://") + "/graphql"
    headers = {"Origin": origin} if origin else None
    async with websockets.connect(url, subprotocols=[PROTOCOL], additional_headers=headers,
                                  open_timeout=5) as connection:
        socket = Socket(connection)
        payload = {"Authorization": f"Bearer {token}"} if token else {}
        await socket.send({"type": "connection_init", "payload": payload})
        if acknowledged:
            ack = await socket.receive()
            assert ack["type"] == "connection_ack", ack
        yield socket
