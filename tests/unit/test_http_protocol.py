"""The server sends a response's head and body in one write, in order, and holds nothing back
past the end of the event loop's turn, a close, or a large write."""

from __future__ import annotations

import asyncio

from api.http_protocol import HELD_BYTES, CoalescedTransport


class RecordingTransport:
    """What reaches the socket: each write, and when the transport was closed."""

    def __init__(self) -> None:
        self.sent: list[bytes | str] = []

    def write(self, data: bytes) -> None:
        self.sent.append(data)

    def close(self) -> None:
        self.sent.append("closed")

    def get_write_buffer_size(self) -> int:
        return 0

    def get_extra_info(self, name: str):
        return ("127.0.0.1", 8000) if name == "sockname" else None


async def test_a_head_and_body_written_in_one_turn_leave_in_one_send():
    transport = RecordingTransport()
    coalesced = CoalescedTransport(transport, asyncio.get_running_loop())
    coalesced.write(b"HTTP/1.1 200 OK\r\n\r\n")
    coalesced.write(b'{"data":{}}')
    assert transport.sent == [] and coalesced.get_write_buffer_size() == 30
    await asyncio.sleep(0)
    assert transport.sent == [b'HTTP/1.1 200 OK\r\n\r\n{"data":{}}']


async def test_a_close_sends_what_is_held_first():
    transport = RecordingTransport()
    coalesced = CoalescedTransport(transport, asyncio.get_running_loop())
    coalesced.write(b"HTTP/1.1 413 Payload Too Large\r\n\r\n")
    coalesced.close()
    assert transport.sent == [b"HTTP/1.1 413 Payload Too Large\r\n\r\n", "closed"]
    await asyncio.sleep(0)
    assert len(transport.sent) == 2


async def test_a_large_write_is_not_held_and_keeps_its_order():
    transport = RecordingTransport()
    coalesced = CoalescedTransport(transport, asyncio.get_running_loop())
    body = b"x" * HELD_BYTES
    coalesced.write(b"head")
    coalesced.write(body)
    assert transport.sent == [b"head", body]
    await asyncio.sleep(0)
    assert transport.sent == [b"head", body]


async def test_everything_else_is_the_transports():
    transport = RecordingTransport()
    coalesced = CoalescedTransport(transport, asyncio.get_running_loop())
    assert coalesced.get_extra_info("sockname") == ("127.0.0.1", 8000)
