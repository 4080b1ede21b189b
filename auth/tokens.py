"""Signing and verifying access tokens (JWT, ES256 or EdDSA) with joserfc, Authlib's JOSE library."""

from __future__ import annotations

import base64
import json
import time
import uuid
from dataclasses import dataclass

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from auth.keys import ALGORITHMS, public_jwks
from auth.principal import Principal
from domain.access import ActorRef, Role

OWN_ALGORITHMS = ["ES256", "EdDSA"]
TRUSTED_ALGORITHMS = ["ES256", "EdDSA", "RS256", "PS256"]
LEEWAY_SECONDS = 30
# The kind of subject each non-staff role must carry; staff tokens name a User.
SUBJECT_TYPES = {Role.PARTNER: "Partner", Role.CUSTOMER: "Contact", Role.CAPTURE: "CaptureForm"}


class TokenError(Exception):
    """The token cannot be accepted; the message is safe to show to the caller."""


def unverified_claims(token: str) -> dict:
    """Peek at the claims to find the issuer; nothing here is trusted until verified."""
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError) as exc:
        raise TokenError("The token is not a JWT.") from exc
    if not isinstance(claims, dict):
        raise TokenError("The token is not a JWT.")
    return claims


def verify_signed(token: str, keys: KeySet, algorithms: list[str], issuer: str,
                  audience: str) -> dict:
    """Check signature, issuer, audience, expiry and not-before; return the claims."""
    try:
        decoded = jwt.decode(token, keys, algorithms=algorithms)
        jwt.JWTClaimsRegistry(
            leeway=LEEWAY_SECONDS,
            iss={"essential": True, "value": issuer},
            aud={"essential": True, "value": audience},
            exp={"essential": True},
            sub={"essential": True},
        ).validate(decoded.claims)
    except JoseError as exc:
        raise TokenError(f"The token was rejected: {exc.error}.") from exc
    except (ValueError, TypeError) as exc:
        raise TokenError("The token is malformed.") from exc
    return decoded.claims


@dataclass
class TokenService:
    """Issues this server's tokens and turns them back into principals."""

    key: object
    issuer: str
    audience: str
    default_ttl: int = 3600

    @property
    def keys(self) -> KeySet:
        return KeySet([self.key])

    def jwks(self) -> dict:
        return public_jwks(self.key)

    def issue(self, principal: Principal, *, ttl: int | None = None,
              client_id: str | None = None) -> str:
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": str(principal.actor),
            "role": principal.role.value,
            "iat": now,
            "nbf": now,
            "exp": now + (ttl or self.default_ttl),
            "jti": uuid.uuid4().hex,
        }
        if principal.scopes:
            claims["scope"] = " ".join(sorted(principal.scopes))
        if client_id:
            claims["client_id"] = client_id
        header = {"alg": ALGORITHMS[self.key.key_type], "kid": self.key.kid}
        return jwt.encode(header, claims, self.key, algorithms=OWN_ALGORITHMS)

    def principal(self, token: str) -> Principal:
        """Verify a token this server issued and read the principal from its claims."""
        claims = verify_signed(token, self.keys, OWN_ALGORITHMS, self.issuer, self.audience)
        try:
            role = Role(claims["role"])
            actor = ActorRef.parse(claims["sub"])
        except (KeyError, ValueError) as exc:
            raise TokenError("The token does not name a known role and subject.") from exc
        if actor.id is None or actor.type != SUBJECT_TYPES.get(role, "User"):
            raise TokenError("The token's subject does not match its role.")
        if role is Role.PARTNER:
            scopes = frozenset(str(claims.get("scope", "")).split())
            return Principal.partner(actor.id, scopes, issuer=self.issuer)
        if role is Role.CUSTOMER:
            return Principal.customer(actor.id, issuer=self.issuer)
        if role is Role.CAPTURE:
            return Principal.capture(actor.id, issuer=self.issuer)
        return Principal.staff(role, actor.id, issuer=self.issuer)
