"""The key ring without a database: sealing under the configured key, and which key signs,
verifies or is retired for a given set of rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from cryptography.exceptions import InvalidTag
from joserfc.jwk import ECKey, OKPKey

from auth.keyring import KeyRing, new_key_like, seal, unseal
from auth.keys import with_kid

NOW = datetime.now(UTC)


def _root():
    return with_kid(ECKey.generate_key("P-256", private=True))


def _row(root, key, *, retires_at=None, created_at=NOW, sealed=True) -> dict:
    return {"kid": key.kid, "public_jwk": key.as_dict(private=False),
            "sealed_private_jwk": seal(root, key) if sealed else None,
            "created_at": created_at, "retires_at": retires_at}


def test_seal_round_trips_under_the_same_configured_key():
    root, key = _root(), new_key_like(_root())
    assert unseal(root, key.kid, seal(root, key)).as_dict(private=True) == key.as_dict(private=True)


def test_sealed_key_does_not_open_under_another_key_or_kid():
    root, key = _root(), new_key_like(_root())
    sealed = seal(root, key)
    with pytest.raises(InvalidTag):
        unseal(_root(), key.kid, sealed)
    with pytest.raises(InvalidTag):
        unseal(root, "another-kid", sealed)


def test_new_keys_are_of_the_configured_kind():
    assert isinstance(new_key_like(with_kid(OKPKey.generate_key("Ed25519", private=True))), OKPKey)
    assert new_key_like(_root()).curve_name == "P-256"


def test_newest_unretired_key_signs_and_the_earlier_ones_verify_until_they_retire():
    root = _root()
    newest, earlier, retired = (new_key_like(root) for _ in range(3))
    ring = KeyRing(root)
    ring.apply([
        _row(root, newest),
        _row(root, earlier, retires_at=NOW + timedelta(hours=1), created_at=NOW - timedelta(days=1)),
        _row(root, retired, retires_at=NOW - timedelta(seconds=1), created_at=NOW - timedelta(days=2)),
        _row(root, root, retires_at=NOW + timedelta(hours=1), created_at=NOW - timedelta(days=3),
             sealed=False),
    ])
    assert ring.signer.kid == newest.kid
    assert [ring.accepts(k.kid) for k in (newest, earlier, retired, root)] == [True, True, False, True]
    assert sorted(k["kid"] for k in ring.jwks()["keys"]) == sorted([newest.kid, earlier.kid, root.kid])
    assert not ring.accepts("unknown") and not ring.knows("unknown")


def test_a_key_sealed_under_another_configured_key_verifies_but_does_not_sign():
    root, stranger = _root(), _root()
    foreign = new_key_like(stranger)
    ring = KeyRing(root)
    ring.apply([_row(stranger, foreign)])
    assert ring.signer is root
    assert ring.accepts(foreign.kid) and ring.accepts(root.kid)


def test_the_configured_key_signs_and_verifies_when_no_other_key_can_even_if_retired():
    root = _root()
    ring = KeyRing(root)
    ring.apply([_row(root, root, retires_at=NOW - timedelta(days=1), sealed=False)])
    assert ring.signer is root and ring.accepts(root.kid)
