"""Webhook signing secrets: made here, shown once, and kept only sealed.

A secret is sealed with AES-256-GCM under a key derived (HKDF-SHA256) from the configured
signing key, as the key ring seals its keys (auth/keyring.py), under a label of its own, so
that neither sealing key opens the other's. The endpoint's id is authenticated with the
secret: a sealed secret copied onto another endpoint does not open.
"""

from __future__ import annotations

import base64
import os
import uuid

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from auth.keys import derived_key

SEAL_INFO = b"crm webhook secrets: AES-256-GCM"
NONCE_BYTES = 12
SECRET_BYTES = 32
PREFIX = "whsec_"


def new_secret() -> str:
    """A fresh `whsec_` secret: 32 random bytes in base64, as the Standard Webhooks spec has it."""
    return PREFIX + base64.b64encode(os.urandom(SECRET_BYTES)).decode()


def _sealer(root) -> AESGCM:
    return AESGCM(derived_key(root, SEAL_INFO))


def seal(root, endpoint_id: uuid.UUID, secret: str) -> bytes:
    """The secret encrypted under the root key, bound to its endpoint."""
    nonce = os.urandom(NONCE_BYTES)
    return nonce + _sealer(root).encrypt(nonce, secret.encode(), endpoint_id.bytes)


def unseal(root, endpoint_id: uuid.UUID, sealed: bytes) -> str:
    """The secret `seal` sealed; cryptography's InvalidTag when another root sealed it."""
    return _sealer(root).decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:],
                                 endpoint_id.bytes).decode()
