"""Opaque global ids (domain/ids.py) as arguments: parsed, checked for their type, reported."""

from __future__ import annotations

import uuid

from domain.errors import DomainError, ErrorCode
from domain.ids import from_global_id, to_global_id

__all__ = ["actor_global_id", "from_global_id", "parse_id", "parse_typed_id", "to_global_id"]


def parse_id(global_id: str, expected: str | tuple[str, ...], field: str = "id") -> uuid.UUID:
    """The uuid inside an id of the expected type; otherwise a NOT_FOUND or INVALID problem."""
    try:
        type_name, raw = from_global_id(global_id)
    except ValueError:
        raise DomainError.one(field, ErrorCode.INVALID, f"{global_id!r} is not a valid id.") from None
    allowed = (expected,) if isinstance(expected, str) else expected
    if type_name not in allowed:
        raise DomainError.one(field, ErrorCode.NOT_FOUND, f"No {' or '.join(allowed)} with this id.")
    return raw


def parse_typed_id(global_id: str, expected: tuple[str, ...],
                   field: str) -> tuple[str, uuid.UUID]:
    """(type, uuid) of an id that may be of any of the expected types, as parse_id checks it."""
    raw = parse_id(global_id, expected, field)
    return from_global_id(global_id)[0], raw


def actor_global_id(actor: str | None) -> str | None:
    """Rows keep their author as "User:uuid"; clients get that actor's global id."""
    if not actor or ":" not in actor:
        return None
    type_name, _, raw = actor.partition(":")
    return to_global_id(type_name, raw)
