"""Client secrets: random, shown once, stored only as a hash."""

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
