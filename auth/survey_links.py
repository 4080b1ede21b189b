"""Signed survey links: a token that lets whoever holds it answer one invitation, without a
login, as the invited contact and for nothing else.

A token is `sv1.<payload>.<mac>`: the payload (base64url) holds the invitation's id, its
contact's id and the moment the link expires; the MAC is an HMAC-SHA256 of `sv1.<payload>`
under a key derived (HKDF-SHA256) from the configured signing key with a label of its own, as
webhook secrets are sealed (auth/webhook_secrets.py), so no other key of the server signs
links. The token is not single-use by itself: the invitation is, since it is answered once.
"""

from __future__ import annotations

import hmac
import struct
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from hashlib import sha256

from joserfc.util import urlsafe_b64decode, urlsafe_b64encode

from auth.keys import derived_key
from domain.errors import DomainError, ErrorCode

LINK_INFO = b"crm survey links: HMAC-SHA256"
PREFIX = "sv1"
PAYLOAD = struct.Struct(">16s16sq")  # invitation id, contact id, expiry in Unix seconds


@dataclass(frozen=True, slots=True)
class SurveyLink:
    """What a verified token says."""

    invitation_id: uuid.UUID
    contact_id: uuid.UUID
    expires_at: datetime


def _mac(root, signed: str) -> bytes:
    return hmac.new(derived_key(root, LINK_INFO), signed.encode(), sha256).digest()


def _b64(data: bytes) -> str:
    return urlsafe_b64encode(data).decode()


def _unb64(text: str) -> bytes:
    return urlsafe_b64decode(text.encode())


def sign(root, invitation_id: uuid.UUID, contact_id: uuid.UUID, expires_at: datetime) -> str:
    """A token for one invitation of one contact, good until `expires_at`."""
    payload = _b64(PAYLOAD.pack(invitation_id.bytes, contact_id.bytes,
                                int(expires_at.timestamp())))
    signed = f"{PREFIX}.{payload}"
    return f"{signed}.{_b64(_mac(root, signed))}"


def _forged() -> DomainError:
    return DomainError.one("token", ErrorCode.INVALID,
                           "This survey link is not valid: it was changed or never issued.")


def verify(root, token: str, now: datetime) -> SurveyLink:
    """What the token says, if this server signed it and it has not expired: INVALID when
    forged or malformed, EXPIRED when past its time."""
    prefix, _, rest = token.partition(".")
    payload, _, mac = rest.partition(".")
    if prefix != PREFIX or not payload or not mac:
        raise _forged()
    expected = _mac(root, f"{PREFIX}.{payload}")
    try:
        valid = hmac.compare_digest(_unb64(mac), expected)
        invitation, contact, expires = PAYLOAD.unpack(_unb64(payload)) if valid else (0, 0, 0)
    except (ValueError, struct.error):
        raise _forged() from None
    if not valid:
        raise _forged()
    link = SurveyLink(uuid.UUID(bytes=invitation), uuid.UUID(bytes=contact),
                      datetime.fromtimestamp(expires, UTC))
    if link.expires_at <= now:
        raise DomainError.one("token", ErrorCode.EXPIRED, "This survey link has expired.")
    return link
