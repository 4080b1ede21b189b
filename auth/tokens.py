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

from auth.keyring import KeyRing
from auth.keys import ALGORITHMS, CLOCK_LEEWAY_SECONDS, MAX_TOKEN_LIFETIME
from auth.principal import Principal
from domain.access import ActorRef, Role

OWN_ALGORITHMS = ["ES256", "EdDSA"]
TRUSTED_ALGORITHMS = ["ES256", "EdDSA", "RS256", "PS256"]
LEEWAY_SECONDS = CLOCK_LEEWAY_SECONDS
# The kind of subject each non-staff role must carry; staff tokens name a User.
SUBJECT_TYPES = {Role.PARTNER: "Partner", Role.CUSTOMER: "Contact", Role.CAPTURE: "CaptureForm"}


class TokenError(Exception):
    """The token cannot be accepted; the message is safe to show to the caller."""


class UnknownKeyError(TokenError):
    """The token names a key id this process does not know (yet)."""


def _unverified_part(token: str, index: int) -> dict:
    try:
        part = token.split(".")[index]
        value = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    except (IndexError, ValueError) as exc:
        raise TokenError("The token is not a JWT.") from exc
    if not isinstance(value, dict):
        raise TokenError("The token is not a JWT.")
    return value


def unverified_claims(token: str) -> dict:
    """Peek at the claims to find the issuer; nothing here is trusted until verified."""
    return _unverified_part(token, 1)


def unverified_header(token: str) -> dict:
    """Peek at the header to find the key id; nothing here is trusted until verified."""
    return _unverified_part(token, 0)


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


@dataclass(frozen=True)
class Claimed:
    """What a verified token of this server says: the principal as issued (its standing in
    the database is checked on each request), its client, its key and its expiry."""

    principal: Principal
    client_id: str | None
    kid: str | None
    expires: float


@dataclass
class TokenService:
    """Issues this server's tokens, signed with the newest key of the ring, and verifies them."""

    key: object  # the configured key, the root of the ring
    issuer: str
    audience: str
    default_ttl: int = 3600
    ring: KeyRing | None = None

    def __post_init__(self) -> None:
        if self.ring is None:
            self.ring = KeyRing(self.key)

    @property
    def keys(self) -> KeySet:
        return self.ring.keys()

    def jwks(self) -> dict:
        return self.ring.jwks()

    def issue(self, principal: Principal, *, ttl: int | None = None,
              client_id: str | None = None) -> str:
        ttl = ttl or self.default_ttl
        if not 0 < ttl <= MAX_TOKEN_LIFETIME:
            raise ValueError(f"a token lives from 1 to {MAX_TOKEN_LIFETIME} seconds, not {ttl}")
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": str(principal.actor),
            "role": principal.role.value,
            "iat": now,
            "nbf": now,
            "exp": now + ttl,
            "jti": uuid.uuid4().hex,
        }
        if principal.scopes:
            claims["scope"] = " ".join(sorted(principal.scopes))
        if client_id:
            claims["client_id"] = client_id
        signer = self.ring.signer
        header = {"alg": ALGORITHMS[signer.key_type], "kid": signer.kid}
        return jwt.encode(header, claims, signer, algorithms=OWN_ALGORITHMS)

    def verify(self, token: str) -> Claimed:
        """Verify a token this server issued and read what it claims."""
        kid = unverified_header(token).get("kid")
        if not self.ring.knows(kid):
            raise UnknownKeyError("The token was rejected: invalid_key_id.")
        if not self.ring.accepts(kid):
            raise TokenError("The key that signed the token has been retired.")
        claims = verify_signed(token, self.keys, OWN_ALGORITHMS, self.issuer, self.audience)
        lifetime = claims["exp"] - claims.get("iat", 0)
        if lifetime > MAX_TOKEN_LIFETIME + LEEWAY_SECONDS:
            raise TokenError(f"The token lives longer than {MAX_TOKEN_LIFETIME} seconds.")
        return Claimed(_claimed_principal(claims, self.issuer), claims.get("client_id"), kid,
                       float(claims["exp"]))


def _claimed_principal(claims: dict, issuer: str) -> Principal:
    try:
        role = Role(claims["role"])
        actor = ActorRef.parse(claims["sub"])
    except (KeyError, ValueError) as exc:
        raise TokenError("The token does not name a known role and subject.") from exc
    if actor.id is None or actor.type != SUBJECT_TYPES.get(role, "User"):
        raise TokenError("The token's subject does not match its role.")
    if role is Role.PARTNER:
        scopes = frozenset(str(claims.get("scope", "")).split())
        return Principal.partner(actor.id, scopes, issuer=issuer)
    if role is Role.CUSTOMER:
        return Principal.customer(actor.id, issuer=issuer)
    if role is Role.CAPTURE:
        return Principal.capture(actor.id, issuer=issuer)
    return Principal.staff(role, actor.id, issuer=issuer)
