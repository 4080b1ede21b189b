"""Custom values given with a create or an update of a record, checked in its transaction.

Their definitions are read in the write's transaction, so checking them costs nothing before
it opens; until then the problems of the built-in values wait, so that a client learns every
problem of its input at once, at `customFields.<name>` beside the built-in fields'.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from domain.custom_fields import VALUES, CheckedValues, clean_values
from domain.errors import DomainError, Problems
from domain.ports import UnitOfWork
from domain.tags import TaggableKind

EXTENSIBLE = frozenset(kind.value for kind in TaggableKind)  # the kinds custom fields extend


class CustomValues:
    """The custom values an input gives (name -> value, under `customFields`), apart from its
    built-in `values`. A create of an extensible kind checks them even when none are given,
    since its required fields must be; an update giving none checks nothing, and writes as
    it did without them."""

    def __init__(self, type_name: str, values: dict[str, Any], *, creating: bool) -> None:
        self.type_name = type_name
        self.values = {f: v for f, v in values.items() if f != VALUES}
        self.given: dict[str, Any] = values.get(VALUES) or {}
        self.creating = creating
        self.active = type_name in EXTENSIBLE and (creating or bool(self.given))
        self.held = Problems()

    def validated(self, validate: Callable[[], dict]) -> dict:
        """validate()'s clean values; when custom values are to be checked, its problems
        wait for theirs (and the values are then empty)."""
        if not self.active:
            return validate()
        try:
            return validate()
        except DomainError as exc:
            self.held.absorb(exc)
            return {}

    async def checked(self, uow: UnitOfWork, record_id: uuid.UUID | None = None
                      ) -> dict[str, CheckedValues]:
        """In the write's transaction, after the record's lock when it exists: the problems
        held and those of the custom values, raised together; else the record's custom
        values to write, under `customFields` (nothing when there are none to check)."""
        if not self.active:
            return {}
        definitions = await uow.custom_fields.definitions(self.type_name)
        stored = ({} if record_id is None
                  else await uow.custom_fields.stored(self.type_name, record_id))
        merged = stored
        try:
            merged = clean_values(definitions, self.given, stored, creating=self.creating)
        except DomainError as exc:
            self.held.absorb(exc)
        self.held.raise_if_any()
        return {VALUES: CheckedValues(stored, merged)}
