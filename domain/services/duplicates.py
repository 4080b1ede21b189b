"""Duplicate use cases: the candidates of a record, the check before creating one, and the
dismissal of a pair as "not a duplicate"."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from domain.access import Access, Action
from domain.duplicates import DEFAULT_THRESHOLD, FLOOR, Company, Match, Person, score_companies, score_people
from domain.errors import DomainError, ErrorCode, Problem, forbidden, not_found
from domain.ids import to_global_id
from domain.match_keys import account_keys, contact_keys
from domain.ports import DuplicateStore as DuplicateFinder
from domain.ports import UnitOfWork

CHECKED_TYPES = ("Contact", "Account")
MAX_NAMED = 5  # candidates named in a DUPLICATE error, best first


class DuplicateFound(DomainError):
    """A new record that likely exists already: the candidates, best first."""

    def __init__(self, type_name: str, candidates: list[tuple[uuid.UUID, Match]]) -> None:
        self.type_name = type_name
        self.candidates = candidates
        named = ", ".join(f"{to_global_id(type_name, id)} ({match.score:.2f})"
                          for id, match in candidates[:MAX_NAMED])
        super().__init__(Problem(None, ErrorCode.DUPLICATE,
                                 f"This {type_name.lower()} likely exists already: {named}. "
                                 f"Set allowDuplicate to create it anyway."))


def _ranked(found: list[tuple[uuid.UUID, Match]], min_score: float
            ) -> list[tuple[uuid.UUID, Match]]:
    kept = [(id, match) for id, match in found if match.score >= min_score]
    return sorted(kept, key=lambda item: (-item[1].score, item[0]))


async def duplicates_of(type_name: str, id: uuid.UUID, finder: DuplicateFinder,
                        min_score: float = FLOOR) -> list[tuple[uuid.UUID, Match]] | None:
    """The records the caller may read that likely duplicate one it may read, best first;
    None when it may not read the record."""
    subject = await finder.subject_keys(type_name, id)
    if subject is None:
        return None
    keys, companies = subject
    if type_name == "Contact":
        me = await finder.person(id)
        others = await finder.people_like(keys, companies, subject=id)
        return _ranked([(other, score_people(me, them)) for other, them in others], min_score)
    me = await finder.company(id)
    others = await finder.companies_like(keys, subject=id)
    return _ranked([(other, score_companies(me, them)) for other, them in others], min_score)


async def likely_duplicates(type_name: str, clean: dict[str, Any], finder: DuplicateFinder,
                            companies: Iterable[uuid.UUID] = ()
                            ) -> list[tuple[uuid.UUID, Match]]:
    """Readable records that a new record of these (validated) values would likely
    duplicate, best first."""
    if type_name == "Contact":
        keys = contact_keys(clean.get("firstName"), clean.get("lastName"),
                            clean.get("emails"), clean.get("phones"))
        await finder.hold([*keys.emails, *keys.phones, *([keys.name] if keys.name else [])])
        me = Person(clean.get("firstName"), clean.get("lastName"), frozenset(keys.emails),
                    frozenset(keys.phones), frozenset(companies))
        others = await finder.people_like(keys, companies)
        return _ranked([(o, score_people(me, them)) for o, them in others], DEFAULT_THRESHOLD)
    keys = account_keys(clean.get("name"), clean.get("website"))
    await finder.hold([f"account:{k}" for k in (keys.domain, keys.name) if k])
    me = Company(clean.get("name"), keys.domain)
    others = await finder.companies_like(keys)
    return _ranked([(o, score_companies(me, them)) for o, them in others], DEFAULT_THRESHOLD)


async def refuse_duplicates(type_name: str, clean: dict[str, Any], finder: DuplicateFinder,
                            companies: Iterable[uuid.UUID] = ()) -> None:
    """DUPLICATE, naming the candidates the caller may read, when the new record likely
    exists already."""
    if type_name in CHECKED_TYPES and (
            found := await likely_duplicates(type_name, clean, finder, companies)):
        raise DuplicateFound(type_name, found)


async def dismiss_pair(type_name: str, a: uuid.UUID, b: uuid.UUID, uow: UnitOfWork,
                       access: Access) -> tuple[uuid.UUID, uuid.UUID]:
    """Mark two records, both writable by the caller, as not duplicates of each other, for
    good; audited on both."""
    if not access.can(type_name, Action.DEDUPE):
        raise forbidden(None, f"You may not dismiss duplicates of {type_name} records.")
    if a == b:
        raise DomainError.one("b", ErrorCode.INVALID, "A record is no duplicate of itself.")
    async with uow:
        for field, id in (("a", a), ("b", b)):
            locked = await uow.records.lock(type_name, id, ())
            if locked is None or locked.archived:
                raise not_found(field, type_name)
            if not locked.writable:
                raise forbidden(field, f"You may not change this {type_name}.")
        if await uow.duplicates.dismiss(type_name, a, b):
            for this, other in ((a, b), (b, a)):
                await uow.audit.record(type_name, this, "dismiss_duplicate",
                                       {"notDuplicateOf": (None, str(other))})
        await uow.commit()
    return a, b
