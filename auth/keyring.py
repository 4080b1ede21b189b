"""The ring of signing keys: the configured key, and the keys `crm key rotate` adds.

The configured key (CRM_JWT_PRIVATE_KEY, or the generated one in CRM_HOME) is the root.
Rotated keys live in PostgreSQL, so that every server process sees a rotation without a
redeploy; their private parts are sealed with AES-256-GCM under a key derived (HKDF-SHA256)
from the root, and never stored in the clear. The newest key that is not scheduled to retire
signs; every key not yet retired verifies and is published in the JWKS.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from joserfc.jwk import ECKey, KeySet, OKPKey, import_key

from auth.keys import (
    CLOCK_LEEWAY_SECONDS,
    MAX_TOKEN_LIFETIME,
    derived_key,
    public_jwks,
    with_kid,
)
from persistence import signing_keys
from persistence.db import Reader, Transaction

log = logging.getLogger("crm.keys")

# How stale a process's view of the ring may get: it reloads when it next needs a key.
RING_REFRESH_SECONDS = 10.0
# A token signed with a key this process does not know reloads the ring, at most this often.
MIN_RELOAD_SECONDS = 1.0
# After a rotation the previous key still signs until every process has reloaded the ring,
# and its last token lives MAX_TOKEN_LIFETIME: then it may go.
RETIRE_AFTER_SECONDS = int(RING_REFRESH_SECONDS) + MAX_TOKEN_LIFETIME + CLOCK_LEEWAY_SECONDS
SEAL_INFO = b"crm signing-key ring: AES-256-GCM"
NONCE_BYTES = 12


def _sealer(root) -> AESGCM:
    return AESGCM(derived_key(root, SEAL_INFO))


def seal(root, key) -> bytes:
    """The key's private JWK, encrypted under the root; its kid is authenticated with it."""
    nonce = os.urandom(NONCE_BYTES)
    plain = json.dumps(key.as_dict(private=True)).encode()
    return nonce + _sealer(root).encrypt(nonce, plain, key.kid.encode())


def unseal(root, kid: str, sealed: bytes):
    """The private key sealed by `seal`; InvalidTag when another root sealed it."""
    plain = _sealer(root).decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], kid.encode())
    return with_kid(import_key(json.loads(plain)))


def new_key_like(root):
    """A fresh signing key of the root's kind (EC P-256 or Ed25519)."""
    if isinstance(root, OKPKey):
        return with_kid(OKPKey.generate_key("Ed25519", private=True))
    return with_kid(ECKey.generate_key("P-256", private=True))


@dataclass(frozen=True)
class RingKey:
    key: object
    retires_at: datetime | None
    created_at: datetime | None = None

    def retired(self, now: datetime) -> bool:
        return self.retires_at is not None and self.retires_at <= now


class KeyRing:
    """One process's view of the signing keys, reloaded from the database when stale."""

    def __init__(self, root, reader: Reader | None = None) -> None:
        self.root = root
        self.reader = reader
        self.signer = root
        self._keys: dict[str, RingKey] = {root.kid: RingKey(root, None)}
        self._loaded_at: float | None = None
        self._loading: asyncio.Task | None = None

    def accepts(self, kid: str | None) -> bool:
        """Whether a token signed with this key may still be accepted."""
        entry = self._keys.get(kid) if kid else None
        if entry is None:
            return False
        return entry.key is self.signer or not entry.retired(datetime.now(UTC))

    def knows(self, kid: str | None) -> bool:
        return kid in self._keys

    def keys(self) -> KeySet:
        return KeySet([e.key for kid, e in self._keys.items() if self.accepts(kid)])

    def jwks(self) -> dict:
        return public_jwks(*self.keys().keys)

    def entries(self) -> list[tuple[str, RingKey]]:
        """Every key, newest first (the root, without a row of its own, last)."""
        return sorted(self._keys.items(), key=lambda item: (
            item[1].created_at is not None, item[1].created_at or datetime.min.replace(
                tzinfo=UTC)), reverse=True)

    def stale(self) -> bool:
        """Whether this process's view is older than RING_REFRESH_SECONDS."""
        return self.reader is not None and self._older_than(RING_REFRESH_SECONDS)

    async def fresh(self) -> None:
        """Reload the ring when this process's view is older than RING_REFRESH_SECONDS."""
        if self.stale():
            await self.reload()

    async def reload_for(self, kid: str | None) -> bool:
        """After a token with an unknown key id: reload (rate limited); whether it is known now."""
        if self.reader is not None and not self.knows(kid) and self._older_than(MIN_RELOAD_SECONDS):
            await self.reload()
        return self.knows(kid)

    def _older_than(self, seconds: float) -> bool:
        return self._loaded_at is None or time.monotonic() - self._loaded_at >= seconds

    async def reload(self) -> None:
        """Read the ring; concurrent callers share one read."""
        if self._loading is None:
            self._loading = asyncio.ensure_future(self._load())
        task = self._loading
        try:
            await asyncio.shield(task)
        finally:
            if self._loading is task and task.done():
                self._loading = None

    async def _load(self) -> None:
        try:
            self.apply(await signing_keys.ring(self.reader))
        except Exception:  # a missing table or a lost connection must not stop the root key
            log.warning("the signing-key ring could not be read; keeping the keys known",
                        exc_info=True)
        self._loaded_at = time.monotonic()

    def apply(self, rows: list[dict]) -> None:
        """Take the rows of the ring (newest first) as the keys of this process."""
        now = datetime.now(UTC)
        keys: dict[str, RingKey] = {}
        signer = None
        for row in rows:
            kid, retires_at = row["kid"], row["retires_at"]
            if kid == self.root.kid:
                keys[kid] = RingKey(self.root, retires_at, row["created_at"])
                continue
            key = None
            if signer is None and retires_at is None and row["sealed_private_jwk"]:
                try:
                    key = signer = unseal(self.root, kid, bytes(row["sealed_private_jwk"]))
                except (InvalidTag, ValueError):
                    log.warning("signing key %s was sealed under another configured key: it "
                                "verifies tokens but signs none", kid)
            public = key or import_key(row["public_jwk"])
            keys[kid] = RingKey(public, retires_at, row["created_at"])
        keys.setdefault(self.root.kid, RingKey(self.root, None))
        self._keys = keys
        self.signer = signer or self.root
        if signer is None and keys[self.root.kid].retired(now):
            log.warning("the configured signing key is retired, but no newer key can sign: "
                        "it signs again")


async def rotate(tx: Transaction, root, retire_after: int = RETIRE_AFTER_SECONDS):
    """Add a new signing key to the ring and schedule the retirement of the keys before it."""
    key = new_key_like(root)
    public_root = root.as_dict(private=False)
    await signing_keys.add(tx, key.kid, key.as_dict(private=False), seal(root, key),
                           datetime.now(UTC) + timedelta(seconds=retire_after),
                           (root.kid, public_root))
    return key
