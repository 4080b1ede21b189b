"""Use cases of custom fields: defining them, and setting a record's values."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from domain.access import Access
from domain.custom_fields import VALUES, definition_of, validate_definition
from domain.errors import DomainError, ErrorCode
from domain.ports import UnitOfWork
from domain.services.custom_values import CustomValues
from domain.services.records import (
    RecordKind,
    create_checked,
    insert_audited,
    lock_at_version,
    require_create,
    require_writable_fields,
    update_audited,
)

TYPE = "CustomField"
KIND = RecordKind(type_name=TYPE, validate=validate_definition, references={})
DEFINED = ("kind", "name", "type", "group", "required", "options", "maxLength", "minimum",
           "maximum")


@dataclass(frozen=True)
class Misfit:
    """A stored value that does not fit its definition as it now is: kept, and reported."""

    record_type: str
    record_id: uuid.UUID
    value: Any
    problem: str


def _check_group(uow: UnitOfWork, kind: str, group: str | None) -> None:
    if group is not None and group not in uow.custom_fields.groups(kind):
        raise DomainError.one("group", ErrorCode.INVALID,
                              f"{kind} has no policy group {group}: one of "
                              f"{', '.join(uow.custom_fields.groups(kind))}.")


async def define(values: dict, uow: UnitOfWork, access: Access) -> uuid.UUID:
    """Add a custom field to a kind of record."""
    require_create(access, TYPE, values)
    clean = validate_definition(values, creating=True)

    async def write(clean: dict) -> uuid.UUID:
        _check_group(uow, clean["kind"], clean["group"])
        return await insert_audited(uow, TYPE, clean)

    return await create_checked(KIND, clean, uow, write)


async def redefine(id: uuid.UUID, version: int, values: dict, uow: UnitOfWork,
                   access: Access) -> tuple[uuid.UUID, list[Misfit]]:
    """Change a definition; the stored values stay as they are, and those that no longer fit
    it (or that a required field lacks) are reported."""
    require_writable_fields(access, TYPE, values)
    async with uow:
        locked = await lock_at_version(uow, TYPE, id, version, DEFINED)
        clean = validate_definition(values, creating=False, stored=locked.values)
        stored = locked.values
        _check_group(uow, stored["kind"], clean.get("group"))
        await update_audited(uow, TYPE, id, stored, clean, "update")
        now = {**stored, **clean}
        definition = definition_of(now)
        kind = now["kind"]
        misfits = [Misfit(kind, record_id, value, problem)
                   for record_id, value in await uow.custom_fields.values(now["kind"], now["name"])
                   if (problem := definition.misfit(value))]
        if definition.required:
            misfits += [Misfit(kind, record_id, None, f"{definition.name} is required.")
                        for record_id in await uow.custom_fields.lacking(now["kind"], now["name"])]
        await uow.commit()
    return id, misfits


async def set_values(record_type: str, record_id: uuid.UUID, version: int,
                     given: dict[str, Any], uow: UnitOfWork, access: Access) -> uuid.UUID:
    """Set or clear (null) custom values of a record at the version read. Each needs write
    access to the group its definition joined; a field the caller does not read is unknown
    to it."""
    if not given:
        raise DomainError.one("values", ErrorCode.REQUIRED, "Name at least one custom field.")
    custom = CustomValues(record_type, {VALUES: given}, creating=False)
    async with uow:
        await lock_at_version(uow, record_type, record_id, version)
        await update_audited(uow, record_type, record_id, {}, await custom.checked(uow, record_id),
                             "update")
        await uow.commit()
    return record_id
