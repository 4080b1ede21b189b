"""Opportunity use cases: create, change (stages included), move a stage's deals, register,
approve, contact roles."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import datetime

from domain.access import Access, Action
from domain.errors import DomainError, ErrorCode, not_found
from domain.opportunities import (
    REFERENCES,
    STAGE_FIELDS,
    ContactRole,
    DealProgress,
    OpportunitySource,
    Registration,
    Stage,
    StageKind,
    validate_opportunity,
)
from domain.ports import UnitOfWork
from domain.services.custom_values import CustomValues
from domain.services.records import (
    RecordKind,
    check_references,
    create_checked,
    insert_audited,
    lock_at_version,
    lock_writable,
    require_action,
    require_create,
    require_writable_fields,
    update_audited,
    validated_by_use_case,
)

TYPE = "Opportunity"
KIND = RecordKind(TYPE, validated_by_use_case, REFERENCES)
# What a partner may say about a deal it registers.
REGISTRATION_FIELDS = ("account", "name", "amount", "currency", "closeDate")


def _enterable(target: Stage | None, field: str) -> Stage:
    """A stage a deal may move into: one that exists and is not archived."""
    if target is None:
        raise not_found(field, "Stage")
    if target.archived:
        raise DomainError.one(field, ErrorCode.INVALID,
                              "This stage is archived: deals no longer move into it.")
    return target


async def _target_stage(uow: UnitOfWork, clean: dict) -> Stage:
    """The stage named in the input, or the first of the named (or default) pipeline."""
    if "stage" in clean:
        return _enterable(await uow.opportunities.stage(clean["stage"]), "stage")
    target = await uow.opportunities.first_stage(clean.get("pipeline"))
    if target is None:
        raise DomainError.one("pipeline", ErrorCode.NOT_FOUND, "No pipeline with stages to start in.")
    return target


async def open_deal(uow: UnitOfWork, clean: dict, now: datetime,
                    granted: Collection[str] = ()) -> uuid.UUID:
    """Insert a validated deal in its starting stage, with its first history entry and audit;
    what the stage and the account fill in is the use case's to write, besides `granted`."""
    given = set(clean)
    target = await _target_stage(uow, clean)
    clean |= DealProgress().move_to(target, now, clean)
    if clean.get("territory") is None:
        clean["territory"] = await uow.records.territory_of("Account", clean["account"])
    new_id = await insert_audited(uow, TYPE, clean, parent_id=clean["account"],
                                  granted=(set(clean) - given) | set(granted))
    await uow.opportunities.stage_changed(new_id, None, target.id)
    return new_id


async def create_opportunity(values: dict, uow: UnitOfWork, access: Access, now: datetime
                             ) -> uuid.UUID:
    """Open a deal on an account, in the given stage or the first stage of its pipeline."""
    custom = CustomValues(TYPE, values, creating=True)
    values = custom.values
    require_create(access, TYPE, values)
    clean = custom.validated(lambda: validate_opportunity(values, creating=True))
    if clean.get("owner") is None and access.user_id:
        clean["owner"] = access.user_id
    return await create_checked(KIND, clean, uow, lambda clean: open_deal(uow, clean, now),
                                custom)


async def update_opportunity(id: uuid.UUID, version: int, values: dict, uow: UnitOfWork,
                             access: Access, now: datetime) -> uuid.UUID:
    """Change a deal; a new stage is kept in its history, and won or lost needs a reason."""
    custom = CustomValues(TYPE, values, creating=False)
    values = custom.values
    require_writable_fields(access, TYPE, values)
    clean = custom.validated(lambda: validate_opportunity(values, creating=False))
    async with uow:
        locked = await lock_at_version(uow, TYPE, id, version, {*values, *STAGE_FIELDS})
        clean |= await custom.checked(uow, id)
        stored = locked.values
        await check_references(KIND, clean, uow)
        moving = any(f in clean and clean[f] != stored[f] for f in ("stage", "pipeline"))
        clearing_reason = "closeReason" in clean and not clean["closeReason"]
        # The current stage matters only to a move, or to a reason being taken away.
        if moving or clearing_reason:
            deal = DealProgress(await uow.opportunities.stage(stored["stage"]),
                                stored.get("closeReason"))
            if moving:
                clean |= deal.move_to(await _target_stage(uow, clean), now, clean)
            else:
                deal.check_reason_kept(clean)
        if "stage" in await update_audited(uow, TYPE, id, stored, clean, "update"):
            await uow.opportunities.stage_changed(id, stored["stage"], clean["stage"])
        await uow.commit()
    return id


async def move_stage_deals(from_id: uuid.UUID, to_id: uuid.UUID, close_reason: str | None,
                           uow: UnitOfWork, access: Access, now: datetime) -> int:
    """Move every live deal of a stage to another live stage, each as opportunityUpdate would
    move it (history, stageEnteredAt, the new stage's probability, audit, version): all of
    them or none. `close_reason` goes to those without one when they enter a won or lost
    stage. How many moved."""
    require_action(access, "Stage", Action.MOVE)
    require_writable_fields(access, TYPE, ["stage", "pipeline", "probability"])
    if from_id == to_id:
        raise DomainError.one("to", ErrorCode.INVALID, "The deals are in this stage already.")
    given = {"closeReason": close_reason.strip()} if close_reason and close_reason.strip() else {}
    async with uow:
        # Deals before stages, the order in which opportunityUpdate locks them.
        ids = await uow.opportunities.deals_in(from_id)
        locked = [await lock_writable(uow, TYPE, id, STAGE_FIELDS, field_name="from") for id in ids]
        source = await uow.opportunities.stage(from_id)
        if source is None:
            raise not_found("from", "Stage")
        target = _enterable(await uow.opportunities.stage(to_id), "to")
        moved = 0
        for id, deal in zip(ids, locked, strict=True):
            stored = deal.values
            if stored["stage"] != from_id:  # moved by someone else since the list was read
                continue
            changes = DealProgress(source, stored.get("closeReason")).move_to(target, now, given)
            if given and target.kind is not StageKind.OPEN and not stored.get("closeReason"):
                changes |= given
            await update_audited(uow, TYPE, id, stored, changes, "update")
            await uow.opportunities.stage_changed(id, from_id, to_id)
            moved += 1
        await uow.commit()
    return moved


async def register_deal(values: dict, uow: UnitOfWork, access: Access, now: datetime
                        ) -> uuid.UUID:
    """A partner registers a deal on one of its accounts; it waits for sales to approve it."""
    require_action(access, TYPE, Action.REGISTER)
    unknown = set(values) - set(REGISTRATION_FIELDS)
    if unknown:
        raise DomainError.one(sorted(unknown)[0], ErrorCode.FORBIDDEN,
                              "A registration sets only account, name, amount, currency "
                              "and closeDate.")
    clean = validate_opportunity(values, creating=True)
    clean |= {"source": OpportunitySource.PARTNER.value, "partner": access.partner_id,
              "registration": Registration.PENDING.value}
    async with uow:
        if not await uow.records.visible("Account", [clean["account"]]):
            raise not_found("account", "Account")
        # The registration action, not the field policy, grants what a partner writes.
        new_id = await open_deal(uow, clean, now, granted=clean.keys())
        await uow.commit()
    return new_id


async def decide_registration(id: uuid.UUID, version: int, approve: bool, reason: str | None,
                              uow: UnitOfWork, access: Access) -> uuid.UUID:
    """Approve or reject a pending partner deal; an approved deal without owner gets the approver."""
    require_action(access, TYPE, Action.APPROVE)
    async with uow:
        locked = await lock_at_version(uow, TYPE, id, version, ("registration", "owner"))
        if locked.values.get("registration") != Registration.PENDING.value:
            raise DomainError.one("id", ErrorCode.CONFLICT, "This deal is not awaiting approval.")
        decided = Registration.APPROVED if approve else Registration.REJECTED
        changes = {"registration": (Registration.PENDING.value, decided.value)}
        if approve and locked.values.get("owner") is None and access.user_id:
            changes["owner"] = (None, access.user_id)
        if not approve and reason:
            changes["closeReason"] = (None, reason.strip()[:500])
        # The approve action, not the field policy, grants the decision and its owner.
        await uow.records.update(TYPE, id, {f: after for f, (_, after) in changes.items()},
                                 granted=changes.keys())
        await uow.audit.record(TYPE, id, decided.value.lower(), changes)
        await uow.commit()
    return id


async def set_contact_role(opportunity_id: uuid.UUID, contact_id: uuid.UUID,
                           role: ContactRole | None, uow: UnitOfWork, access: Access) -> uuid.UUID:
    """Give a contact a role in a deal, or take it away when `role` is None."""
    require_writable_fields(access, TYPE, ["contactRoles"])
    async with uow:
        await lock_writable(uow, TYPE, opportunity_id, field_name="opportunityId")
        if not await uow.records.visible("Contact", [contact_id]):
            raise not_found("contactId", "Contact")
        before = await uow.opportunities.contact_role(opportunity_id, contact_id)
        if role is None and before is None:
            raise DomainError.one("contactId", ErrorCode.NOT_FOUND,
                                  "The contact has no role in this deal.")
        value = role.value if role is not None else None
        row_id = await uow.opportunities.set_contact_role(opportunity_id, contact_id, value)
        await uow.audit.record("OpportunityContactRole", row_id or before["id"],
                               "update" if before else "create",
                               {"contact": (contact_id, contact_id),
                                "role": ((before or {}).get("role"), value)},
                               parent_id=opportunity_id)
        await uow.commit()
    return opportunity_id
