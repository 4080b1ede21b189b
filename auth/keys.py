"""The server's signing key: configured, or generated into CRM_HOME on first run."""

from __future__ import annotations

import json
import os
from pathlib import Path

from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from joserfc.jwk import ECKey, KeySet, OKPKey, import_key
from joserfc.util import urlsafe_b64decode

KEY_FILE = "jwt-signing-key.json"
ALGORITHMS = {"EC": "ES256", "OKP": "EdDSA"}
# No token of this server lives longer: CRM_TOKEN_TTL and `crm token --ttl` are bounded by it,
# and a signing key retires this long after it stopped signing.
MAX_TOKEN_LIFETIME = 86_400
CLOCK_LEEWAY_SECONDS = 30


class KeyConfigError(ValueError):
    """The configured signing key cannot be used."""


def derived_key(root, info: bytes) -> bytes:
    """A 32-byte key for one purpose, derived (HKDF-SHA256) from the root signing key's private
    part under the purpose's own label: no two purposes share a key."""
    material = urlsafe_b64decode(root.as_dict(private=True)["d"].encode())
    return HKDF(SHA256(), 32, salt=None, info=info).derive(material)


def with_kid(key):
    """The key with its thumbprint as kid (unless it has one), its use and its algorithm."""
    data = key.as_dict(private=True)
    data.setdefault("kid", key.thumbprint())
    data["use"] = "sig"
    data["alg"] = ALGORITHMS[data["kty"]]
    return import_key(data)


def _pem_key(text: str):
    """A PEM key as the type it is: EC first, then Ed25519 (a PEM names no JWK key type)."""
    for key_type in (ECKey, OKPKey):
        try:
            return key_type.import_key(text)
        except Exception:  # noqa: BLE001, S112 - not a key of this type: try the next
            continue
    raise ValueError("not a PEM EC P-256 or Ed25519 private key")


def load_configured_key(text: str):
    """A key given as a JWK (JSON) or PEM; only ES256 (P-256) and EdDSA (Ed25519) are accepted."""
    try:
        key = import_key(json.loads(text)) if text.lstrip().startswith("{") else _pem_key(text)
    except Exception as exc:  # joserfc raises several types for unreadable keys
        raise KeyConfigError(f"CRM_JWT_PRIVATE_KEY is not a readable private key: {exc}") from exc
    if isinstance(key, ECKey) and key.curve_name != "P-256" or not isinstance(key, ECKey | OKPKey):
        raise KeyConfigError("CRM_JWT_PRIVATE_KEY must be an EC P-256 or Ed25519 private key.")
    if key.is_private is False:
        raise KeyConfigError("CRM_JWT_PRIVATE_KEY holds a public key; a private key is needed.")
    return with_kid(key)


def load_or_create_key(crm_home: Path):
    """Read the key from CRM_HOME, creating it (readable by the owner only) the first time."""
    path = crm_home / KEY_FILE
    if path.exists():
        return with_kid(import_key(json.loads(path.read_text())))
    crm_home.mkdir(parents=True, exist_ok=True)
    key = with_kid(ECKey.generate_key("P-256", private=True))
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(key.as_dict(private=True), handle)
    return key


def public_jwks(*keys) -> dict:
    """The JSON Web Key Set published at /.well-known/jwks.json."""
    return KeySet(list(keys)).as_dict(private=False)
