"""Where a webhook may be POSTed: the host is resolved here, every address checked, and the
connection made to the checked address itself, so that a DNS answer that changes between
the check and the connection (DNS rebinding) cannot lead a delivery inside the network.

The URL is rewritten to the address, the Host header keeps the name, and for https the
`sni_hostname` extension keeps the name for TLS (SNI and certificate checks). Redirects are
never followed: a 3xx is an answer like any other, and fails the attempt.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit, urlunsplit

import httpx

from domain.webhooks import WebhookRules, refusal


class Refused(Exception):
    """The target resolves to an address deliveries may not reach."""


async def checked_address(host: str, port: int, rules: WebhookRules) -> str:
    """The address to connect to for `host`: every address it resolves to must be allowed."""
    try:
        literal = ipaddress.ip_address(host.strip("[]"))
        addresses = [literal]
    except ValueError:
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(
                host, port, type=socket.SOCK_STREAM)
        except socket.gaierror as failure:
            raise Refused(f"{host} does not resolve ({failure.strerror})") from None
        addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
    if not addresses:
        raise Refused(f"{host} resolves to no address")
    if not rules.allow_private:
        for address in addresses:
            if (why := refusal(address)) is not None:
                raise Refused(f"{host} resolves to {address}, {why}")
    return str(addresses[0])


async def pinned_request(http: httpx.AsyncClient, url: str, body: bytes,
                         headers: dict[str, str], rules: WebhookRules) -> httpx.Response:
    """POST `body` to `url`, connected to the address checked for its host."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    address = await checked_address(parts.hostname, port, rules)
    netloc = f"[{address}]" if ":" in address else address
    if parts.port:
        netloc += f":{parts.port}"
    pinned = urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))
    host = parts.hostname if not parts.port else f"{parts.hostname}:{parts.port}"
    extensions = {"sni_hostname": parts.hostname} if parts.scheme == "https" else {}
    return await http.post(pinned, content=body, headers={**headers, "host": host},
                           extensions=extensions)
