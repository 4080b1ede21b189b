"""uvicorn's HTTP protocol, sending each response in one write to the socket.

Why it exists: uvicorn writes a response's status line and headers as soon as the app sends
`http.response.start`, then the body as a second write, and asyncio sends each at once: two
`send` calls, and two TCP segments, per answer. A GraphQL answer is a few hundred bytes, so
those syscalls were a measurable share of a small query's cost. Here the writes of one turn
of the event loop are joined and sent at the end of it; the bytes on the wire are the same.
A large write (a file) is not held back, so memory and flow control stay as uvicorn has them.
"""

from __future__ import annotations

import asyncio

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

# Writes up to this size are held until the end of the loop's turn; larger ones go at once.
HELD_BYTES = 16 * 1024


class CoalescedTransport:
    """A transport whose small writes within one turn of the event loop leave in one send."""

    __slots__ = ("_transport", "_loop", "_held", "_size")

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport, self._loop = transport, loop
        self._held: list[bytes] = []
        self._size = 0

    def write(self, data: bytes) -> None:
        if self._size + len(data) > HELD_BYTES:
            self.flush()
            self._transport.write(data)
            return
        if not self._held:
            self._loop.call_soon(self.flush)
        self._held.append(data)
        self._size += len(data)

    def writelines(self, lines) -> None:
        for data in lines:
            self.write(data)

    def flush(self) -> None:
        """Send what is held, in the order it was written."""
        if self._held:
            data = b"".join(self._held)
            self._held, self._size = [], 0
            self._transport.write(data)

    def write_eof(self) -> None:
        self.flush()
        self._transport.write_eof()

    def close(self) -> None:
        self.flush()  # asyncio sends what it buffered before it closes
        self._transport.close()

    def abort(self) -> None:
        self._held, self._size = [], 0
        self._transport.abort()

    def get_write_buffer_size(self) -> int:
        return self._size + self._transport.get_write_buffer_size()

    def __getattr__(self, name: str):
        return getattr(self._transport, name)


class CoalescingHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol over a CoalescedTransport."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(CoalescedTransport(transport, self.loop))  # type: ignore[arg-type]
