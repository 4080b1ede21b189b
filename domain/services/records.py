"""Use cases shared by every top-level record type: create, update, archive."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from domain.access import Access, Action
from domain.custom_fields import VALUES, CheckedValues
from domain.errors import DomainError, ErrorCode, Problem, forbidden, not_found
from domain.ports import Locked, UnitOfWork
from domain.services.custom_values import CustomValues
from domain.services.duplicates import refuse_duplicates


@dataclass(frozen=True)
class RecordKind:
    """How one record type is validated and what its reference fields point at."""

    type_name: str
    validate: Callable[..., dict]
    references: Mapping[str, str]
    # Stored fields that validation needs besides the ones being changed.
    context_fields: tuple[str, ...] = ()
    acyclic: tuple[str, ...] = field(default=())  # self-references that must not loop
    # The fields whose validation reads the context fields; None: every field's.
    context_for: tuple[str, ...] | None = None

    def needs_stored(self, values: Collection[str]) -> bool:
        """Validating these fields reads stored values, so the record must be read first."""
        if not self.context_fields:
            return False
        return self.context_for is None or any(f in values for f in self.context_for)


def stateless(validate: Callable[..., dict]) -> Callable[..., dict]:
    """A validator that needs no stored values, in the form RecordKind calls it."""
    def call(values: dict, *, creating: bool, stored: dict | None = None) -> dict:
        return validate(values, creating=creating)
    return call


def validated_by_use_case(values: dict, **_) -> dict:
    """For kinds whose use cases validate in their own way (a deal's stages, an order's lines):
    the kind then only names the references and the type."""
    return values


def require_action(access: Access, type_name: str, action: Action) -> None:
    if not access.can(type_name, action):
        raise forbidden(None, f"You may not {action.value} a {type_name}.")


def require_writable_fields(access: Access, type_name: str, fields) -> None:
    """Refuse, field by field, what the caller may not write; this needs no record."""
    denied = [f for f in fields if not access.can_write(type_name, f)]
    if denied:
        raise DomainError(*(Problem(f, ErrorCode.FORBIDDEN, f"You may not set {f}.") for f in denied))


def require_create(access: Access, type_name: str, fields) -> None:
    """The caller may create a record of the type with these fields."""
    require_action(access, type_name, Action.CREATE)
    require_writable_fields(access, type_name, fields)


async def lock_writable(uow: UnitOfWork, type_name: str, id: uuid.UUID, fields=(),
                        field_name: str = "id") -> Locked:
    """Lock a record the caller can see and write; an unseen record is NOT_FOUND."""
    locked = await uow.records.lock(type_name, id, fields)
    if locked is None:
        raise not_found(field_name, type_name)
    if not locked.writable:
        raise forbidden(field_name, f"You may not change this {type_name}.")
    return locked


async def lock_at_version(uow: UnitOfWork, type_name: str, id: uuid.UUID, version: int,
                          fields=()) -> Locked:
    """Lock a record the caller may write, at the version the caller last read."""
    locked = await lock_writable(uow, type_name, id, fields)
    if locked.version != version:
        raise DomainError.one(
            "version", ErrorCode.STALE_VERSION,
            f"The record is at version {locked.version}, not {version}: reload and retry.",
        )
    return locked


async def check_references(kind: RecordKind, values: dict, uow: UnitOfWork,
                           own_id: uuid.UUID | None = None) -> None:
    """Every id a record points at must be visible to the caller, and never loop."""
    problems = []
    for field_name, target in kind.references.items():
        ref = values.get(field_name)
        if ref is None:
            continue
        if not await uow.records.visible(target, [ref]):
            problems.append(Problem(field_name, ErrorCode.NOT_FOUND, f"No {target} with this id."))
        elif field_name in kind.acyclic and own_id is not None and (
            ref == own_id or own_id in await uow.records.ancestors(target, ref)
        ):
            problems.append(Problem(field_name, ErrorCode.INVALID,
                                    f"{field_name} would make the {target} its own ancestor."))
    if problems:
        raise DomainError(*problems)


def _with_custom(values: dict[str, Any], changes: dict[str, tuple[Any, Any]],
                 granted: Collection[str]) -> tuple[dict, dict, Collection[str]]:
    """The fields to write, their audit changes and the fields granted, once the checked
    custom values among `values` (CheckedValues) join them, when some changed."""
    custom = values.get(VALUES)
    if not isinstance(custom, CheckedValues):
        return {f: after for f, (_, after) in changes.items()}, changes, granted
    changes = {f: change for f, change in changes.items() if f != VALUES} | custom.changes()
    written = {f: after for f, (_, after) in changes.items()}
    if VALUES in changes:
        written[VALUES] = custom.merged
    return written, changes, {*granted, VALUES}


async def insert_audited(uow: UnitOfWork, type_name: str, clean: dict[str, Any], *,
                         parent_id: uuid.UUID | None = None, extra: dict | None = None,
                         granted: Collection[str] = ()) -> uuid.UUID:
    """Insert a validated record with its "create" audit entry, in the open transaction;
    `extra` adds changes that live outside the row, such as an order's lines, and `granted`
    names the fields the use case writes by its own right (see ports.RecordStore)."""
    written, changes, granted = _with_custom(
        clean, {f: (None, v) for f, v in clean.items()}, granted)
    new_id = await uow.records.insert(type_name, written, granted)
    await uow.audit.record(type_name, new_id, "create", changes | (extra or {}),
                           parent_id=parent_id)
    return new_id


async def update_audited(uow: UnitOfWork, type_name: str, id: uuid.UUID, stored: dict,
                         values: dict, action: str, granted: Collection[str] = ()
                         ) -> dict[str, tuple[Any, Any]]:
    """Write the values that differ from `stored`, with their audit entry, in the open
    transaction; the changes as (before, after) pairs, empty when nothing differed."""
    written, changes, granted = _with_custom(
        values, {f: (stored.get(f), v) for f, v in values.items() if stored.get(f) != v},
        granted)
    if changes:
        await uow.records.update(type_name, id, written, granted)
        await uow.audit.record(type_name, id, action, changes)
    return changes


async def create_checked(kind: RecordKind, clean: dict[str, Any], uow: UnitOfWork,
                         write: Callable[[dict], Awaitable[uuid.UUID]] | None = None,
                         custom: CustomValues | None = None,
                         granted: Collection[str] = (), *,
                         check_duplicates: bool = False) -> uuid.UUID:
    """Write a new record in one transaction: its custom values checked (and with them
    the problems they held), references checked, refused as a likely duplicate when asked
    to check, kept if the caller may change it; `granted` as insert_audited takes it."""
    async with uow:
        if custom is not None:
            clean = clean | await custom.checked(uow)
        await check_references(kind, clean, uow)
        if check_duplicates:
            await refuse_duplicates(kind.type_name, clean, uow.duplicates)
        if write is None:
            new_id = await insert_audited(uow, kind.type_name, clean, granted=granted)
        else:
            new_id = await write(clean)
        # A record its creator could not reach, or not change, lies outside its reach.
        created = await uow.records.lock(kind.type_name, new_id, ())
        if created is None or not created.writable:
            raise forbidden("id", f"You may not create this {kind.type_name}: it would lie "
                                  f"outside the records you may change.")
        await uow.commit()
    return new_id


async def create_record(kind: RecordKind, values: dict[str, Any], uow: UnitOfWork,
                        access: Access, *, allow_duplicate: bool = True) -> uuid.UUID:
    """Create a record with fields the caller may write; the caller must be able to write it
    after. Unless `allow_duplicate`, a contact or account that likely exists is refused."""
    custom = CustomValues(kind.type_name, values, creating=True)
    values = custom.values
    require_create(access, kind.type_name, values)
    clean = custom.validated(lambda: kind.validate(values, creating=True))
    granted: tuple[str, ...] = ()
    if "owner" in kind.references and clean.get("owner") is None and access.user_id:
        # The creator owns what it creates unless told otherwise, also when its role may not
        # hand records to others (service creates contacts but assigns no owner).
        clean["owner"], granted = access.user_id, ("owner",)
    return await create_checked(kind, clean, uow, custom=custom, granted=granted,
                                check_duplicates=not allow_duplicate)


async def _update_in_one_statement(kind: RecordKind, id: uuid.UUID, version: int,
                                   values: dict[str, Any], uow: UnitOfWork) -> bool:
    """The common update, when its validation needs no stored value and it points at no
    other record: one statement checks and writes all. False when it wrote nothing, or
    its values do not validate: the transactional path then reports the same errors, in
    the same order (the record's before its values'), as if it had run alone."""
    if kind.needs_stored(values):
        return False
    try:
        clean = kind.validate(values, creating=False)
    except DomainError:
        return False
    if any(clean.get(f) is not None for f in kind.references):
        return False
    return await uow.writes.update_at_version(kind.type_name, id, version, clean,
                                              "update") is not None


async def update_record(kind: RecordKind, id: uuid.UUID, version: int, values: dict[str, Any],
                        uow: UnitOfWork, access: Access) -> uuid.UUID:
    """Change the given fields of a record at the given version; unchanged fields are not
    audited. Custom values given take the locked path: they are merged into the stored ones."""
    custom = CustomValues(kind.type_name, values, creating=False)
    values = custom.values
    require_writable_fields(access, kind.type_name, values)
    if not custom.active and await _update_in_one_statement(kind, id, version, values, uow):
        return id
    async with uow:
        locked = await lock_at_version(uow, kind.type_name, id, version,
                                       {*values, *kind.context_fields})
        clean = custom.validated(
            lambda: kind.validate(values, creating=False, stored=locked.values))
        clean |= await custom.checked(uow, id)
        await check_references(kind, clean, uow, own_id=id)
        await update_audited(uow, kind.type_name, id, locked.values, clean, "update")
        await uow.commit()
    return id


async def archive_record(kind: RecordKind, id: uuid.UUID, version: int, uow: UnitOfWork,
                         access: Access, refuse: Callable[[Locked], None] | None = None,
                         reading: tuple[str, ...] = ()) -> uuid.UUID:
    """Archive a record instead of deleting it, since history refers to it; `refuse` may
    raise for a record, locked with the fields it is `reading`, that this way may not take."""
    require_action(access, kind.type_name, Action.ARCHIVE)
    async with uow:
        locked = await lock_at_version(uow, kind.type_name, id, version, reading)
        if refuse is not None:
            refuse(locked)
        if locked.archived:
            raise DomainError.one("id", ErrorCode.CONFLICT, f"This {kind.type_name} is already archived.")
        await uow.records.archive(kind.type_name, id)
        await uow.audit.record(kind.type_name, id, "archive", {"archived": (False, True)})
        await uow.commit()
    return id
