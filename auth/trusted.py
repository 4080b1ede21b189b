"""Tokens from external OIDC issuers, verified against their published JWKS."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Literal

import httpx
from joserfc.jwk import KeySet
from pydantic import BaseModel, Field, HttpUrl

from auth.tokens import TRUSTED_ALGORITHMS, TokenError, verify_signed

JWKS_TTL_SECONDS = 600
# An unknown key id triggers a refetch, at most this often, so forged kids cannot flood the IdP.
MIN_REFRESH_SECONDS = 30


class TrustedIssuer(BaseModel):
    """One entry of CRM_TRUSTED_ISSUERS."""

    issuer: str
    jwks_url: HttpUrl
    audience: str = "crm"
    # staff: the email claim names an active user; customer: the subject or email names a contact.
    principal: Literal["staff", "customer"] = "staff"
    email_claim: str = Field(default="email")


def parse_trusted_issuers(text: str | None) -> dict[str, TrustedIssuer]:
    """CRM_TRUSTED_ISSUERS is a JSON list of {issuer, jwks_url, audience?, principal?}."""
    if not text:
        return {}
    entries = [TrustedIssuer.model_validate(e) for e in json.loads(text)]
    return {e.issuer: e for e in entries}


@dataclass
class _Cached:
    keys: KeySet
    fetched_at: float


class JwksCache:
    """Fetches and caches each trusted issuer's key set."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http
        self._cache: dict[str, _Cached] = {}

    async def _fetch(self, issuer: TrustedIssuer) -> KeySet:
        try:
            response = await self.http.get(str(issuer.jwks_url), timeout=5.0)
            response.raise_for_status()
            keys = KeySet.import_key_set(response.json())
        except (httpx.HTTPError, ValueError, KeyError) as exc:
            raise TokenError(f"The keys of issuer {issuer.issuer} could not be fetched.") from exc
        self._cache[issuer.issuer] = _Cached(keys, time.monotonic())
        return keys

    async def keys(self, issuer: TrustedIssuer, *, refresh: bool = False) -> KeySet:
        cached = self._cache.get(issuer.issuer)
        age = time.monotonic() - cached.fetched_at if cached else None
        if cached and age < JWKS_TTL_SECONDS and not (refresh and age >= MIN_REFRESH_SECONDS):
            return cached.keys
        return await self._fetch(issuer)

    async def verify(self, token: str, issuer: TrustedIssuer) -> dict:
        """Verify against the cached keys, refetching once if the key id is new (rotation)."""
        try:
            keys = await self.keys(issuer)
            return verify_signed(token, keys, TRUSTED_ALGORITHMS, issuer.issuer, issuer.audience)
        except TokenError as first:
            if "key_id" not in str(first):
                raise
        keys = await self.keys(issuer, refresh=True)
        return verify_signed(token, keys, TRUSTED_ALGORITHMS, issuer.issuer, issuer.audience)
