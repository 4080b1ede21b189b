"""Use cases of webhook endpoints: create, change, rotate the secret, replay messages."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta

from domain.access import Access, Action
from domain.errors import DomainError, ErrorCode, Problems
from domain.ports import SecretSealer, UnitOfWork
from domain.services.records import (
    RecordKind,
    check_references,
    lock_at_version,
    require_action,
    require_create,
    require_writable_fields,
    update_audited,
    validated_by_use_case,
)
from domain.webhooks import MAX_GRACE, WebhookRules, check_events, check_url

TYPE = "WebhookEndpoint"
# For archiving, which validates nothing.
KIND = RecordKind(TYPE, validated_by_use_case, {"actingUser": "User"})
EDITABLE = ("url", "events", "active", "actingUser", "partnerClient")


def _validate(values: dict, *, creating: bool, stored: dict | None, rules: WebhookRules,
              record_types: Iterable[str]) -> dict:
    problems, clean = Problems(), {}
    if creating:
        problems.require(values, "url", "events")
    if values.get("url") is not None:
        problems.check(values, clean, "url", lambda v: check_url(v, rules))
    if values.get("events") is not None:
        problems.check(values, clean, "events", lambda v: check_events(v, record_types))
    for name in ("active", "actingUser", "partnerClient"):
        if name in values:
            clean[name] = values[name]
    problems.raise_if_any()
    acting = {**(stored or {}), **clean}
    if (acting.get("actingUser") is None) == (acting.get("partnerClient") is None):
        raise DomainError.one("actingUser", ErrorCode.INVALID,
                              "An endpoint acts as exactly one of a staff user (actingUser) "
                              "or a partner client (partnerClient).")
    return clean


def _kind(rules: WebhookRules, record_types: Iterable[str]) -> RecordKind:
    names = tuple(record_types)
    return RecordKind(TYPE, lambda values, creating, stored=None: _validate(
        values, creating=creating, stored=stored, rules=rules, record_types=names),
        {"actingUser": "User"})


async def _check_client(uow: UnitOfWork, clean: dict) -> None:
    client = clean.get("partnerClient")
    if client is not None and not await uow.webhooks.client_usable(client):
        raise DomainError.one("partnerClient", ErrorCode.NOT_FOUND,
                              "No usable partner client has this id (revoked or unknown).")


async def create_endpoint(values: dict, uow: UnitOfWork, access: Access, sealer: SecretSealer,
                          rules: WebhookRules, record_types: Iterable[str]
                          ) -> tuple[uuid.UUID, str]:
    """Add an endpoint with a fresh signing secret; the id and the secret, shown this once."""
    require_create(access, TYPE, values)
    kind = _kind(rules, record_types)
    clean = kind.validate(values, creating=True)
    secret = sealer.new_secret()
    async with uow:
        await check_references(kind, clean, uow)
        await _check_client(uow, clean)
        # The row needs a sealed secret before its id is known; the real one is bound to it.
        endpoint_id = await uow.records.insert(TYPE, {**clean, "secretSealed": b""},
                                               granted=("secretSealed",))
        await uow.webhooks.set_secret(endpoint_id, sealer.seal(endpoint_id, secret), None)
        await uow.audit.record(TYPE, endpoint_id, "create",
                               {f: (None, v) for f, v in clean.items()})
        await uow.commit()
    return endpoint_id, secret


async def update_endpoint(id: uuid.UUID, version: int, values: dict, uow: UnitOfWork,
                          access: Access, rules: WebhookRules, record_types: Iterable[str]
                          ) -> uuid.UUID:
    """Change an endpoint at its version; making it active again clears why it was disabled."""
    require_writable_fields(access, TYPE, values)
    kind = _kind(rules, record_types)
    async with uow:
        locked = await lock_at_version(uow, TYPE, id, version, EDITABLE)
        clean = kind.validate(values, creating=False, stored=locked.values)
        await check_references(kind, clean, uow, own_id=id)
        await _check_client(uow, clean)
        granted = ()
        if clean.get("active") and not locked.values.get("active"):
            clean |= {"disabledReason": None, "failingSince": None}
            granted = ("disabledReason", "failingSince")
        await update_audited(uow, TYPE, id, locked.values, clean, "update", granted)
        await uow.commit()
    return id


async def rotate_secret(id: uuid.UUID, version: int, grace: timedelta, now: datetime,
                        uow: UnitOfWork, access: Access, sealer: SecretSealer
                        ) -> tuple[uuid.UUID, str]:
    """A new signing secret, shown this once; the previous one signs too for `grace`."""
    require_writable_fields(access, TYPE, ("url",))
    if grace < timedelta(0) or grace > MAX_GRACE:
        raise DomainError.one("graceSeconds", ErrorCode.INVALID,
                              f"From 0 to {int(MAX_GRACE.total_seconds())} seconds.")
    secret = sealer.new_secret()
    async with uow:
        await lock_at_version(uow, TYPE, id, version)
        until = now + grace if grace else None
        await uow.webhooks.set_secret(id, sealer.seal(id, secret), until)
        await uow.records.update(TYPE, id, {"previousSecretUntil": until},
                                 granted=("previousSecretUntil",))
        await uow.audit.record(TYPE, id, "rotate_secret", {"previousSecretUntil": (None, until)})
        await uow.commit()
    return id, secret


async def replay(endpoint_id: uuid.UUID, message_id: str | None, since: datetime | None,
                 uow: UnitOfWork, access: Access) -> int:
    """Send one message again, or every message of the endpoint made since a time, with the
    same `webhook-id`; how many were queued."""
    require_writable_fields(access, TYPE, ("url",))
    require_action(access, TYPE, Action.CREATE)
    async with uow:
        locked = await uow.records.lock(TYPE, endpoint_id, ("active",))
        if locked is None:
            raise DomainError.one("id", ErrorCode.NOT_FOUND, "No such webhook endpoint.")
        queued = await uow.webhooks.replay(endpoint_id, message_id, since)
        if message_id is not None and not queued:
            raise DomainError.one("messageId", ErrorCode.NOT_FOUND, "No such message.")
        await uow.commit()
    return queued
