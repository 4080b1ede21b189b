"""The token endpoint's HTTP side: read the form, fetch the client, let Authlib answer.

Failed client authentications are counted per client id and per client address: from the
11th within a minute, either way, the endpoint answers 429 until the count falls, even to
the right secret, so that guessing gains nothing. Successful requests are not counted. The
counters live in each server process (see api/ratelimit.py).
"""

from __future__ import annotations

import contextlib
from urllib.parse import parse_qsl

from authlib.oauth2.rfc6749.errors import InsecureTransportError
from authlib.oauth2.rfc6749.util import extract_basic_authorization
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from api.ratelimit import RateLimit, RateLimitExceeded
from auth.oauth2 import PartnerClient, PartnerTokenServer, TokenRequest
from auth.tokens import TokenService
from persistence import identities

MAX_FORM_BYTES = 10_000
FAILURES_ALLOWED = "10/minute"
MAX_CLIENT_ID_CHARS = 64  # as stored; a longer id is no client's, and is counted cut short


class FailedClientAuth:
    """Failed client authentications, per client id and per client address."""

    def __init__(self) -> None:
        self.by_client = RateLimit(FAILURES_ALLOWED, "failed client authentications")
        self.by_address = RateLimit(FAILURES_ALLOWED, "failed client authentications")

    def _keys(self, client_id: str | None, address: str | None):
        if client_id:
            yield self.by_client, ("client", client_id[:MAX_CLIENT_ID_CHARS])
        if address:
            yield self.by_address, ("address", address)

    def retry_after(self, client_id: str | None, address: str | None) -> int | None:
        """Seconds to wait when either count is at its limit; None when neither is."""
        waits = [limit.retry_after(*key) for limit, key in self._keys(client_id, address)
                 if limit.exceeded(*key)]
        return max(waits) if waits else None

    def count(self, client_id: str | None, address: str | None) -> None:
        for limit, key in self._keys(client_id, address):
            with contextlib.suppress(RateLimitExceeded):  # already at the limit: stays there
                limit.hit(*key)


def _invalid(description: str, error: str = "invalid_request", status: int = 400) -> Response:
    headers = {"Cache-Control": "no-store", "Pragma": "no-cache"}
    if status == 401:
        headers["WWW-Authenticate"] = f'Basic error="{error}", error_description="{description}"'
    return JSONResponse({"error": error, "error_description": description}, status,
                        headers=headers)


def _too_many(retry_after: int) -> Response:
    return JSONResponse(
        {"error": "slow_down", "error_description": "Too many failed client authentications: "
                                                    f"retry in {retry_after} seconds."}, 429,
        headers={"Retry-After": str(retry_after), "Cache-Control": "no-store",
                 "Pragma": "no-cache"})


async def token_endpoint(request: Request, tokens: TokenService, engine: AsyncEngine,
                         failures: FailedClientAuth) -> Response:
    address = request.client.host if request.client else None
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        return _invalid("Send the token request as application/x-www-form-urlencoded.")
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        return _invalid("The request is too large.")
    try:
        pairs = parse_qsl(body.decode(), keep_blank_values=True, strict_parsing=bool(body))
    except (UnicodeDecodeError, ValueError):
        return _invalid("The form body cannot be read.")
    form = dict(pairs)
    if len(form) != len(pairs):  # RFC 6749: parameters must not repeat
        return _invalid("A parameter is repeated.")
    headers = request.headers
    try:
        client_id, readable = extract_basic_authorization(headers)[0] or form.get("client_id"), True
    except (UnicodeDecodeError, ValueError):
        client_id, readable = None, False
    retry_after = failures.retry_after(client_id, address)
    if retry_after is not None:
        return _too_many(retry_after)
    if not readable:
        failures.count(None, address)
        return _invalid("The Basic credentials cannot be read.", "invalid_client", 401)
    row = None
    if client_id:
        async with engine.connect() as conn:
            row = await identities.partner_client(conn, client_id)
    try:
        token_request = TokenRequest(str(request.url), headers, form)
    except InsecureTransportError:
        return _invalid("The token endpoint answers over HTTPS only. Behind a proxy that ends "
                        "TLS, let the server trust the proxy's X-Forwarded-Proto "
                        "(FORWARDED_ALLOW_IPS).")
    await tokens.ring.fresh()  # sign with the newest key of the ring
    server = PartnerTokenServer(tokens, PartnerClient(row) if row else None)
    status, body, response_headers = server.create_token_response(token_request)
    if body.get("error") == "invalid_client":
        failures.count(client_id, address)
    return JSONResponse(body, status, headers=response_headers)
