"""CRM_JWT_PRIVATE_KEY as operators write it: a PEM from openssl, or a JWK."""

from __future__ import annotations

import json
import warnings

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from joserfc.jwk import ECKey

from auth.keys import KeyConfigError, load_configured_key

PEM = serialization.Encoding.PEM


def private_pem(key) -> str:
    return key.private_bytes(PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


@pytest.mark.parametrize("make", [lambda: ec.generate_private_key(ec.SECP256R1()),
                                  ed25519.Ed25519PrivateKey.generate], ids=["P-256", "Ed25519"])
def test_a_pem_private_key_is_read_without_warnings(make):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        key = load_configured_key(private_pem(make()))
    assert key.is_private and key.kid


def test_a_jwk_is_read():
    jwk = ECKey.generate_key("P-256", private=True).as_dict(private=True)
    assert load_configured_key(json.dumps(jwk)).is_private


@pytest.mark.parametrize("text", [
    private_pem(rsa.generate_private_key(public_exponent=65537, key_size=2048)),
    private_pem(ec.generate_private_key(ec.SECP384R1())),
    ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
        PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode(),
    "not a key",
], ids=["RSA", "P-384", "public", "garbage"])
def test_other_keys_are_refused_naming_the_variable(text):
    with pytest.raises(KeyConfigError, match="CRM_JWT_PRIVATE_KEY"):
        load_configured_key(text)
