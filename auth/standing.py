"""A verified subject's standing now: the principal it is in the database, or a TokenError.

A signature proves who a token was issued to, not that its subject may still act. Each
request therefore checks the subject against the database: a staff user exists, is active and
not archived, and acts in the role of its row (the token's role claim is not trusted); a
partner is not archived and, for a token from an OAuth client, the client is not revoked; a
customer's contact is not archived (a merged contact's token acts as the contact it was
merged into); a capture form is active. Each subject is read at most
once per `ttl` seconds per process (concurrent requests share one read), so a revocation
applies to every process within `ttl` seconds plus one read.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Any

from auth.principal import Principal
from auth.secrets import hash_secret
from auth.tokens import Claimed, TokenError
from domain.access import Role
from persistence import identities
from persistence.db import Reader

CACHE_SIZE = 10_000


class SubjectCache:
    """Values read per subject, kept `ttl` seconds from the start of their read."""

    def __init__(self, ttl: float, size: int = CACHE_SIZE) -> None:
        self.ttl = ttl
        self.size = size
        self.loads = 0  # reads from the database, for tests and measurements
        self._entries: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()
        self._pending: dict[Hashable, asyncio.Task] = {}

    async def get(self, key: Hashable, load: Callable[[], Awaitable[Any]]) -> Any:
        entry = self._entries.get(key)
        if entry is not None and entry[0] > time.monotonic():
            return entry[1]
        task = self._pending.get(key)
        if task is None:
            task = asyncio.ensure_future(self._load(key, load))
            self._pending[key] = task
            task.add_done_callback(lambda done: self._settled(key, done))
        # A request that gives up must not cancel the read the others wait for.
        return await asyncio.shield(task)

    async def _load(self, key: Hashable, load: Callable[[], Awaitable[Any]]) -> Any:
        started = time.monotonic()
        self.loads += 1
        value = await load()
        previous = self._entries.get(key)
        if previous is not None and previous[1] == value:
            # the same standing as before: keep the object, which caches and their keys hold
            value = previous[1]
        if self.ttl > 0:
            self._entries[key] = (started + self.ttl, value)
            self._entries.move_to_end(key)
            if len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return value

    def _settled(self, key: Hashable, task: asyncio.Task) -> None:
        if self._pending.get(key) is task:
            del self._pending[key]
        if not task.cancelled():
            task.exception()  # retrieved here, so that no waiter left is no warning


class Standing:
    """Resolves verified subjects to the principals they are now."""

    def __init__(self, reader: Reader, ttl: float) -> None:
        self.reader = reader
        self.cache = SubjectCache(ttl)

    @property
    def loads(self) -> int:
        return self.cache.loads

    async def own(self, claimed: Claimed) -> Principal:
        """The principal of one of this server's tokens."""
        principal = claimed.principal
        if principal.role.is_staff:
            return await self._user(principal.user_id, principal.issuer)
        if principal.role is Role.PARTNER:
            client_id = claimed.client_id
            if not await self.cache.get(("Partner", principal.partner_id, client_id), lambda: (
                    identities.partner_may_act(self.reader, principal.partner_id, client_id))):
                raise TokenError("The token's partner is archived, or its client is revoked.")
            return principal
        if principal.role is Role.CUSTOMER:
            return await self._contact(principal.contact_id, principal)
        if not await self.cache.get(("CaptureForm", principal.form_id), lambda: (
                identities.capture_form_may_act(self.reader, principal.form_id))):
            raise TokenError("The token's capture form is inactive or archived.")
        return principal

    async def _user(self, user_id: uuid.UUID, issuer: str | None) -> Principal:
        async def load() -> Principal | None:
            user = await identities.active_user(self.reader, user_id)
            return None if user is None else Principal.staff(Role(user["role"]), user["id"],
                                                             issuer=issuer)

        # The principal itself is kept: a request in between reads make no new one.
        principal = await self.cache.get(("User", user_id, issuer), load)
        if principal is None:
            raise TokenError("The token's user does not exist, is inactive or is archived.")
        return principal

    async def _contact(self, contact_id: uuid.UUID, principal: Principal) -> Principal:
        acting_as = await self.cache.get(("Contact", contact_id), lambda: (
            identities.contact_acting_as(self.reader, contact_id)))
        if acting_as is None:
            raise TokenError("The token's customer contact is archived.")
        if acting_as != contact_id:  # merged into another contact: the token acts as that one
            return Principal.customer(acting_as, scopes=principal.scopes,
                                      issuer=principal.issuer)
        return principal

    async def staff_by_email(self, email: str | None, issuer: str) -> Principal:
        """A trusted issuer's staff member: the active user with this email, in its role."""
        user = None
        if email:
            user = await self.cache.get(("UserEmail", email.lower()), lambda: (
                identities.active_user_by_email(self.reader, email)))
        if user is None:
            raise TokenError("No active staff user matches this token.")
        return Principal.staff(Role(user["role"]), user["id"], issuer=issuer)

    async def customer_by_identity(self, issuer: str, subject: str,
                                   email: str | None) -> Principal:
        """A trusted issuer's customer: the contact its portal identity names."""
        contact_id = await self.cache.get(("PortalIdentity", issuer, subject, email), lambda: (
            identities.contact_for_identity(self.reader, issuer, subject, email)))
        if contact_id is None:
            raise TokenError("No customer matches this token.")
        return Principal.customer(contact_id, issuer=issuer)

    async def capture_key(self, key: str) -> Principal:
        """A capture form's key: the active form that holds it."""
        key_hash = hash_secret(key)
        form_id = await self.cache.get(("CaptureKey", key_hash), lambda: (
            identities.capture_form_by_key(self.reader, key_hash)))
        if form_id is None:
            raise TokenError("The capture form key is unknown, replaced, or its form inactive.")
        return Principal.capture(form_id)
