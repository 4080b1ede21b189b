"""Expected failures, carried as data with a stable code."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ErrorCode(StrEnum):
    """Stable codes that clients switch on."""

    INVALID = "INVALID"
    REQUIRED = "REQUIRED"
    NOT_FOUND = "NOT_FOUND"
    FORBIDDEN = "FORBIDDEN"
    STALE_VERSION = "STALE_VERSION"
    CONFLICT = "CONFLICT"
    INVALID_TRANSITION = "INVALID_TRANSITION"  # a status move its state machine forbids
    DUPLICATE = "DUPLICATE"  # the record likely exists already; allowDuplicate overrides
    EXPIRED = "EXPIRED"  # a survey invitation, or its link, past its time
    ALREADY_ANSWERED = "ALREADY_ANSWERED"  # a survey invitation answered before: links are single-use


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a request, tied to the input field it concerns."""

    field: str | None
    code: ErrorCode
    message: str


class DomainError(Exception):
    """A request that cannot be carried out; it carries every problem found."""

    def __init__(self, *problems: Problem) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = list(problems)

    @classmethod
    def one(cls, field: str | None, code: ErrorCode, message: str) -> DomainError:
        return cls(Problem(field, code, message))


def not_found(field: str | None = "id", what: str = "record") -> DomainError:
    return DomainError.one(field, ErrorCode.NOT_FOUND, f"No {what} with this id.")


def forbidden(field: str | None, message: str) -> DomainError:
    return DomainError.one(field, ErrorCode.FORBIDDEN, message)


class Problems:
    """Collects problems while validating, so a client learns all of them at once."""

    def __init__(self) -> None:
        self.items: list[Problem] = []

    def add(self, field: str | None, code: ErrorCode, message: str) -> None:
        self.items.append(Problem(field, code, message))

    def absorb(self, error: DomainError) -> None:
        self.items.extend(error.problems)

    def check(self, values: dict, out: dict, field: str, clean) -> None:
        """If `field` is being set, store `clean(value)` in `out`, or note why it failed."""
        if field in values:
            try:
                out[field] = clean(values[field])
            except DomainError as exc:
                self.absorb(exc)

    def require(self, values: dict, *fields: str) -> None:
        """REQUIRED for each field left out or empty that no other problem is reported on."""
        for field in fields:
            if values.get(field) is None and not any(p.field == field for p in self.items):
                self.add(field, ErrorCode.REQUIRED, f"{field} is required.")

    def raise_if_any(self) -> None:
        if self.items:
            raise DomainError(*self.items)
