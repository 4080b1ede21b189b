"""Opaque global ids: base64 of "Type:uuid", as the Relay spec expects. The domain reads them
too, because a comment's @mentions name users by the ids the API gives them."""

from __future__ import annotations

import base64
import binascii
import uuid


def to_global_id(type_name: str, raw: uuid.UUID | str) -> str:
    return base64.urlsafe_b64encode(f"{type_name}:{raw}".encode()).decode().rstrip("=")


def from_global_id(global_id: str) -> tuple[str, uuid.UUID]:
    """(type name, uuid); raises ValueError for anything that is not one of our ids."""
    try:
        text = base64.urlsafe_b64decode(global_id + "=" * (-len(global_id) % 4)).decode()
        type_name, _, raw = text.partition(":")
        return type_name, uuid.UUID(raw)
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise ValueError(f"{global_id!r} is not an id") from exc


def uuid_of(text: str, type_name: str) -> uuid.UUID:
    """The uuid of an id of `type_name` as the API gives it, or a bare UUID, as people copy
    either into a file or a command line; ValueError for anything else."""
    text = text.strip()
    try:
        found_type, found = from_global_id(text)
    except ValueError:
        return uuid.UUID(text)
    if found_type != type_name:
        raise ValueError(f"{text!r} is the id of a {found_type}, not of a {type_name}")
    return found
