"""From an Authorization header to a verified principal, or a TokenError (HTTP 401)."""

from __future__ import annotations

import time
from collections import OrderedDict

from sqlalchemy.ext.asyncio import AsyncEngine

from auth.principal import Principal
from auth.tokens import TokenError, TokenService, unverified_claims
from auth.trusted import JwksCache, TrustedIssuer
from domain.access import Role
from persistence import identities

CACHE_SIZE = 4096


class Authenticator:
    """Accepts this server's tokens and those of the trusted issuers."""

    def __init__(self, tokens: TokenService, trusted: dict[str, TrustedIssuer],
                 jwks: JwksCache, engine: AsyncEngine) -> None:
        self.tokens = tokens
        self.trusted = trusted
        self.jwks = jwks
        self.engine = engine
        # Verified own tokens, until they expire: saves a signature check per request.
        self._verified: OrderedDict[str, tuple[Principal, float]] = OrderedDict()

    async def authenticate(self, authorization: str | None) -> Principal:
        if not authorization:
            raise TokenError("An access token is required: send Authorization: Bearer <token>.")
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise TokenError("Send the access token as Authorization: Bearer <token>.")
        token = token.strip()
        cached = self._verified.get(token)
        if cached and cached[1] > time.time():
            return cached[0]
        claims = unverified_claims(token)
        issuer = claims.get("iss")
        if not isinstance(issuer, str):
            raise TokenError("The token names no issuer.")
        if issuer == self.tokens.issuer:
            principal = self.tokens.principal(token)
            self._remember(token, principal, claims)
            return principal
        if issuer in self.trusted:
            return await self._external(token, self.trusted[issuer])
        raise TokenError("The token's issuer is not trusted.")

    def _remember(self, token: str, principal: Principal, claims: dict) -> None:
        self._verified[token] = (principal, float(claims["exp"]))
        if len(self._verified) > CACHE_SIZE:
            self._verified.popitem(last=False)

    async def _external(self, token: str, issuer: TrustedIssuer) -> Principal:
        claims = await self.jwks.verify(token, issuer)
        email = claims.get(issuer.email_claim)
        if claims.get("email_verified") is False:
            email = None  # an unverified email proves nothing
        async with self.engine.connect() as conn:
            if issuer.principal == "staff":
                user = await identities.active_user_by_email(conn, email) if email else None
                if user is None:
                    raise TokenError("No active staff user matches this token.")
                return Principal.staff(Role(user["role"]), user["id"], issuer=issuer.issuer)
            contact_id = await identities.contact_for_identity(
                conn, issuer.issuer, str(claims["sub"]), email)
        if contact_id is None:
            raise TokenError("No customer matches this token.")
        return Principal.customer(contact_id, issuer=issuer.issuer)
