"""Relay pagination arguments, checked before any query runs."""

from __future__ import annotations

from dataclasses import dataclass

from domain.errors import DomainError, ErrorCode

MAX_PAGE = 100
DEFAULT_PAGE = 20


@dataclass(frozen=True, slots=True)
class PageRequest:
    """A validated page: how many rows, from which cursor, in which direction."""

    size: int
    cursor: str | None = None
    backward: bool = False
    with_total: bool = False


def page_request(first: int | None = None, after: str | None = None, last: int | None = None,
                 before: str | None = None, *, with_total: bool = False) -> PageRequest:
    """Turn first/after/last/before into one request; a size outside 1..100 is an error."""
    if first is not None and last is not None:
        raise DomainError.one("last", ErrorCode.INVALID, "Give either first or last, not both.")
    if after is not None and before is not None:
        raise DomainError.one("before", ErrorCode.INVALID, "Give either after or before, not both.")
    if (last is not None or before is not None) and (first is not None or after is not None):
        raise DomainError.one("last", ErrorCode.INVALID,
                              "Page forward with first/after or backward with last/before.")
    backward = last is not None or before is not None
    size = last if backward else first
    name = "last" if backward else "first"
    if size is None:
        size = DEFAULT_PAGE
    if not 1 <= size <= MAX_PAGE:
        raise DomainError.one(name, ErrorCode.INVALID,
                              f"{name} must be between 1 and {MAX_PAGE}, not {size}.")
    return PageRequest(size, before if backward else after, backward, with_total)
