"""Client secrets and capture-form keys: random, shown once, stored only as a hash."""

from __future__ import annotations

import hashlib
import hmac
import secrets

PREFIX = "sha256$"


def new_client_credentials() -> tuple[str, str]:
    """A fresh (client_id, client_secret) pair."""
    return "pc_" + secrets.token_hex(12), secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    # A 256-bit random secret needs no slow hash: guessing it is already infeasible.
    return PREFIX + hashlib.sha256(secret.encode()).hexdigest()


def secret_matches(secret: str, stored: str) -> bool:
    return hmac.compare_digest(hash_secret(secret), stored)


# A capture form's key is sent as its bearer token; the prefix tells it from a JWT.
CAPTURE_KEY_PREFIX = "cfk_"


def new_capture_key() -> str:
    """A fresh key for a capture form: random, shown once, stored only as its hash."""
    return CAPTURE_KEY_PREFIX + secrets.token_urlsafe(32)


def is_capture_key(token: str) -> bool:
    return token.startswith(CAPTURE_KEY_PREFIX)
