"""Duplicate detection's store over dicts: people and companies with their keys, as the
caller sees them, and the dismissed pairs."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from domain.duplicates import Company, Person
from domain.match_keys import AccountKeys, ContactKeys, company_name_key, name_key


class FakeDuplicates:
    def __init__(self) -> None:
        self.people: dict[uuid.UUID, Person] = {}
        self.companies: dict[uuid.UUID, Company] = {}
        self.dismissed: set[tuple[str, uuid.UUID, uuid.UUID]] = set()

    def _apart(self, type_name: str, a: uuid.UUID, b: uuid.UUID | None) -> bool:
        return b is None or (type_name, min(a, b), max(a, b)) not in self.dismissed

    async def person(self, id: uuid.UUID) -> Person | None:
        return self.people.get(id)

    async def company(self, id: uuid.UUID) -> Company | None:
        return self.companies.get(id)

    async def people_like(self, keys: ContactKeys, companies: Iterable[uuid.UUID] = (),
                          subject: uuid.UUID | None = None) -> list[tuple[uuid.UUID, Person]]:
        companies = set(companies)
        return [(id, p) for id, p in self.people.items()
                if id != subject and self._apart("Contact", id, subject) and (
                    set(keys.emails) & (p.emails or set()) or set(keys.phones) & (p.phones or set())
                    or companies & (p.companies or set())
                    or (keys.name and keys.name == name_key(p.first_name, p.last_name)))]

    async def companies_like(self, keys: AccountKeys, subject: uuid.UUID | None = None
                             ) -> list[tuple[uuid.UUID, Company]]:
        return [(id, c) for id, c in self.companies.items()
                if id != subject and self._apart("Account", id, subject) and (
                    (keys.domain and keys.domain == c.domain)
                    or (keys.name and keys.name == company_name_key(c.name)))]

    async def subject_keys(self, type_name: str, id: uuid.UUID
                           ) -> tuple[ContactKeys | AccountKeys, list[uuid.UUID]] | None:
        if type_name == "Account":
            c = self.companies.get(id)
            return None if c is None else (AccountKeys(c.domain, company_name_key(c.name)), [])
        p = self.people.get(id)
        if p is None:
            return None
        keys = ContactKeys(tuple(p.emails or ()), tuple(p.phones or ()),
                           name_key(p.first_name, p.last_name))
        return keys, list(p.companies or ())

    async def hold(self, keys: Iterable[str]) -> None:
        self.held = sorted(set(keys))

    async def dismiss(self, type_name: str, a: uuid.UUID, b: uuid.UUID) -> bool:
        key = (type_name, min(a, b), max(a, b))
        fresh = key not in self.dismissed
        self.dismissed.add(key)
        return fresh
