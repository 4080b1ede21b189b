"""From an Authorization header to a verified principal, or a TokenError (HTTP 401)."""

from __future__ import annotations

import time
from collections import OrderedDict

from auth.principal import Principal
from auth.secrets import is_capture_key
from auth.standing import Standing
from auth.tokens import (
    Claimed,
    TokenError,
    TokenService,
    UnknownKeyError,
    unverified_claims,
    unverified_header,
)
from auth.trusted import JwksCache, TrustedIssuer

CACHE_SIZE = 4096


class Authenticator:
    """Accepts this server's tokens, capture-form keys and the trusted issuers' tokens, for
    subjects that may still act."""

    def __init__(self, tokens: TokenService, trusted: dict[str, TrustedIssuer],
                 jwks: JwksCache, standing: Standing) -> None:
        self.tokens = tokens
        self.trusted = trusted
        self.jwks = jwks
        self.standing = standing
        # Verified own tokens, until they expire: saves a signature check per request. What
        # their subjects may do is not kept here: `standing` reads it again every few seconds.
        self._verified: OrderedDict[str, Claimed] = OrderedDict()

    async def authenticate(self, authorization: str | None) -> Principal:
        if not authorization:
            raise TokenError("An access token is required: send Authorization: Bearer <token>.")
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise TokenError("Send the access token as Authorization: Bearer <token>.")
        token = token.strip()
        if is_capture_key(token):
            return await self.standing.capture_key(token)
        cached = self._verified.get(token)
        if cached is not None and cached.expires > time.time():
            if self.tokens.ring.stale():  # a key retired at once reaches cached tokens too
                await self.tokens.ring.reload()
            if self.tokens.ring.accepts(cached.kid):
                return await self.standing.own(cached)
        issuer = unverified_claims(token).get("iss")
        if not isinstance(issuer, str):
            raise TokenError("The token names no issuer.")
        if issuer == self.tokens.issuer:
            claimed = await self._verify_own(token)
            self._remember(token, claimed)
            return await self.standing.own(claimed)
        if issuer in self.trusted:
            return await self._external(token, self.trusted[issuer])
        raise TokenError("The token's issuer is not trusted.")

    async def _verify_own(self, token: str) -> Claimed:
        await self.tokens.ring.fresh()
        try:
            return self.tokens.verify(token)
        except UnknownKeyError:
            # A key added by a rotation this process has not seen yet: read the ring once.
            if not await self.tokens.ring.reload_for(unverified_header(token).get("kid")):
                raise
        return self.tokens.verify(token)

    def _remember(self, token: str, claimed: Claimed) -> None:
        self._verified[token] = claimed
        if len(self._verified) > CACHE_SIZE:
            self._verified.popitem(last=False)

    async def _external(self, token: str, issuer: TrustedIssuer) -> Principal:
        claims = await self.jwks.verify(token, issuer)
        email = claims.get(issuer.email_claim)
        if claims.get("email_verified") is False or not isinstance(email, str):
            email = None  # an unverified email proves nothing
        if issuer.principal == "staff":
            return await self.standing.staff_by_email(email, issuer.issuer)
        return await self.standing.customer_by_identity(issuer.issuer, str(claims["sub"]), email)
