"""The token endpoint's HTTP side: read the form, fetch the client, let Authlib answer."""

from __future__ import annotations

from urllib.parse import parse_qsl

from authlib.oauth2.rfc6749.util import extract_basic_authorization
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from auth.oauth2 import PartnerClient, PartnerTokenServer, TokenRequest
from auth.tokens import TokenService
from persistence import identities

MAX_FORM_BYTES = 10_000


def _invalid(description: str, error: str = "invalid_request", status: int = 400) -> Response:
    headers = {"Cache-Control": "no-store", "Pragma": "no-cache"}
    if status == 401:
        headers["WWW-Authenticate"] = f'Basic error="{error}", error_description="{description}"'
    return JSONResponse({"error": error, "error_description": description}, status,
                        headers=headers)


async def token_endpoint(request: Request, tokens: TokenService, engine: AsyncEngine) -> Response:
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
        basic_id = extract_basic_authorization(headers)[0]
    except (UnicodeDecodeError, ValueError):
        return _invalid("The Basic credentials cannot be read.", "invalid_client", 401)
    client_id = basic_id or form.get("client_id")
    row = None
    if client_id:
        async with engine.connect() as conn:
            row = await identities.partner_client(conn, client_id)
    await tokens.ring.fresh()  # sign with the newest key of the ring
    server = PartnerTokenServer(tokens, PartnerClient(row) if row else None)
    status, body, response_headers = server.create_token_response(
        TokenRequest(str(request.url), headers, form))
    return JSONResponse(body, status, headers=response_headers)
