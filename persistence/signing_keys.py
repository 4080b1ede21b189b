"""The signing-key ring: keys added by `crm key rotate`, shared by every server process."""

from __future__ import annotations

import uuid
from datetime import datetime

import orjson
from sqlalchemy import LargeBinary
from sqlmodel import Field

from persistence.base import Stamped, jsonb, utc_column
from persistence.db import Reader, Transaction
from persistence.sql import Builder


class SigningKeyRow(Stamped, table=True):
    """One signing key: its public JWK in the clear, its private JWK sealed (AES-GCM under a
    key derived from the configured key). The configured key itself gets a row without a
    private part once a rotation retires it."""

    __tablename__ = "signing_key"

    kid: str = Field(max_length=100, unique=True)
    public_jwk: dict = Field(default_factory=dict, **jsonb())
    sealed_private_jwk: bytes | None = Field(default=None, sa_type=LargeBinary)
    # Tokens signed with it are refused from this time on; null: not scheduled.
    retires_at: datetime | None = Field(default=None, **utc_column(nullable=True,
                                                                    server_default=None))


# Newest first; a rotation also gives the configured key its row, at the same time: the key
# it added comes first.
RING = ("SELECT kid, public_jwk, sealed_private_jwk, created_at, retires_at FROM signing_key "
        "ORDER BY created_at DESC, retires_at IS NULL DESC, kid")


async def ring(reader: Reader | Transaction) -> list[dict]:
    """Every key of the ring, newest first."""
    rows = await reader.rows(RING, ())
    return [{**row, "public_jwk": _json(row["public_jwk"])} for row in rows]


def _json(value):
    return orjson.loads(value) if isinstance(value, str | bytes) else value


async def add(tx: Transaction, kid: str, public_jwk: dict, sealed: bytes,
              retire_others_at: datetime, configured: tuple[str, dict]) -> None:
    """Add a new signing key; every earlier key, the configured one (kid, public JWK)
    included, retires at `retire_others_at` unless it retires sooner already."""
    # One rotation at a time: two at once could each leave the other's key unscheduled.
    await tx.value("SELECT pg_advisory_xact_lock(hashtext('signing_key'))", ())
    await tx.value("UPDATE signing_key SET retires_at = $1, updated_at = now(), "
                   "version = version + 1 WHERE retires_at IS NULL OR retires_at > $1",
                   (retire_others_at,))
    await _insert(tx, *configured, None, retire_others_at, skip_existing=True)
    await _insert(tx, kid, public_jwk, sealed, None, skip_existing=False)


async def _insert(tx: Transaction, kid: str, public_jwk: dict, sealed: bytes | None,
                  retires_at: datetime | None, *, skip_existing: bool) -> None:
    b = Builder()
    conflict = " ON CONFLICT (kid) DO NOTHING" if skip_existing else ""
    await tx.value(
        f"INSERT INTO signing_key (id, kid, public_jwk, sealed_private_jwk, retires_at, "
        f"created_by, updated_by) VALUES ({b.bind(uuid.uuid4())}, {b.bind(kid)}, "
        f"{b.bind(orjson.dumps(public_jwk).decode())}::jsonb, {b.bind(sealed)}, "
        f"{b.bind(retires_at)}, 'System', 'System'){conflict}", b.params)
