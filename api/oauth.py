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


async def token_endpoint(request: Request, tokens: TokenService, engine: AsyncEngine) -> Response:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        return JSONResponse({"error": "invalid_request", "error_description":
                             "Send the token request as application/x-www-form-urlencoded."}, 400)
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        return JSONResponse({"error": "invalid_request", "error_description": "Too large."}, 400)
    try:
        pairs = parse_qsl(body.decode(), keep_blank_values=True, strict_parsing=bool(body))
    except (UnicodeDecodeError, ValueError):
        return JSONResponse({"error": "invalid_request", "error_description":
                             "The form body cannot be read."}, 400)
    form = dict(pairs)
    if len(form) != len(pairs):  # RFC 6749: parameters must not repeat
        return JSONResponse({"error": "invalid_request", "error_description":
                             "A parameter is repeated."}, 400)
    headers = request.headers
    client_id = extract_basic_authorization(headers)[0] or form.get("client_id")
    row = None
    if client_id:
        async with engine.connect() as conn:
            row = await identities.partner_client(conn, client_id)
    server = PartnerTokenServer(tokens, PartnerClient(row) if row else None)
    status, body, response_headers = server.create_token_response(
        TokenRequest(str(request.url), headers, form))
    return JSONResponse(body, status, headers=response_headers)
