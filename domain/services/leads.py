"""Lead use cases: capture, assignment by rules and round robin, and conversion."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import datetime

from domain import accounts, contacts
from domain.access import Access, Action
from domain.errors import DomainError, ErrorCode, forbidden
from domain.leads import (
    REFERENCES,
    LeadLifecycle,
    round_robin_pick,
    territory_for,
    validate_assignment_rule,
    validate_capture_form,
    validate_lead,
)
from domain.opportunities import DEFAULT_CURRENCY, OpportunitySource, validate_opportunity
from domain.ports import UnitOfWork
from domain.services.duplicates import refuse_duplicates
from domain.services.links import upsert_link
from domain.services.opportunities import open_deal
from domain.services.records import (
    RecordKind,
    insert_audited,
    lock_at_version,
    lock_writable,
    require_action,
    stateless,
    update_audited,
)

TYPE = "Lead"
LEAD_FIELDS = ("firstName", "lastName", "email", "phone", "title", "company", "industry",
               "size", "country", "website", "status", "owner", "territory")


def _validate(values: dict, *, creating: bool, stored: dict | None = None) -> dict:
    if stored:
        LeadLifecycle.of(stored).check_changeable()
    return validate_lead(values, creating=creating)


LEAD = RecordKind(TYPE, _validate, REFERENCES, context_fields=("status", "country"))
CAPTURE_FORM = RecordKind("CaptureForm", stateless(validate_capture_form), {})
ASSIGNMENT_RULE = RecordKind("AssignmentRule", stateless(validate_assignment_rule),
                             {"territory": "Territory"})


async def _assignment(uow: UnitOfWork, lead: dict) -> dict:
    """Territory by the first matching rule, owner by the territory's round robin."""
    territory = territory_for(await uow.leads.rules(), lead)
    if territory is None:
        return {}
    users = await uow.leads.sales_users(territory)
    owner = round_robin_pick(users, await uow.leads.next_turn(territory)) if users else None
    return {"territory": territory, "owner": owner}


async def capture_lead(values: dict, uow: UnitOfWork, access: Access) -> tuple[uuid.UUID, bool]:
    """A form submits a lead; the same email within a day adds a capture to the existing lead.

    Returns the lead and whether it is a duplicate: one this same form captured within the
    day. A lead another form captured takes the capture all the same, but is not reported,
    so that no form learns what another captured.
    """
    require_action(access, TYPE, Action.CAPTURE)
    clean = validate_lead(values, creating=True, capture=True)
    payload = {f: v for f, v in clean.items() if v is not None}
    async with uow:
        form = await uow.leads.form(access.actor.id)
        if form is None or not form["active"]:
            raise forbidden(None, "This capture form is no longer active.")
        recent = await uow.leads.recent_by_email(clean["email"], access.actor.id)
        if recent is not None:
            existing, same_form = recent
            await uow.leads.add_capture(existing, access.actor.id, payload)
            await uow.audit.record(TYPE, existing, "capture", {"form": (None, form["name"])})
            await uow.commit()
            return existing, same_form
        clean.setdefault("source", form["source"])
        clean |= await _assignment(uow, clean)
        # The capture action, not the field policy, grants what a form writes.
        lead_id = await insert_audited(uow, TYPE, clean, granted=clean.keys())
        await uow.leads.add_capture(lead_id, access.actor.id, payload)
        await uow.commit()
    return lead_id, False


async def assign_lead(id: uuid.UUID, version: int, uow: UnitOfWork, access: Access) -> uuid.UUID:
    """Run the assignment rules on a lead again: a new territory, and the next owner in it."""
    require_action(access, TYPE, Action.ASSIGN)
    async with uow:
        locked = await lock_at_version(uow, TYPE, id, version, ("country", "industry", "size",
                                                                "status", "owner", "territory"))
        LeadLifecycle.of(locked.values).check_changeable()
        assigned = await _assignment(uow, locked.values)
        if not assigned:
            raise DomainError.one("id", ErrorCode.NOT_FOUND, "No assignment rule matches this lead.")
        await update_audited(uow, TYPE, id, locked.values, assigned, "assign")
        await uow.commit()
    return id


def _contact_values(lead: dict) -> dict:
    values = {"firstName": lead.get("firstName"), "lastName": lead.get("lastName"),
              "lifecycleStage": "PROSPECT"}
    if lead.get("email"):
        values["emails"] = [(lead["email"], True, None)]
    if lead.get("phone"):
        values["phones"] = [(lead["phone"], True, None)]
    if lead.get("country"):
        values["address"] = {"street": None, "city": None, "region": None, "postal_code": None,
                             "country": lead["country"]}
    return contacts.validate_contact(values, creating=True)


def _require_linkable(access: Access, type_name: str, linking_field: str,
                      field_name: str) -> None:
    """Converting into an existing record links it: the caller must write its links."""
    if not access.can_write(type_name, linking_field):
        raise forbidden(field_name, f"You may not link this {type_name}.")


async def _account_for(uow: UnitOfWork, access: Access, lead: dict, account_id, name,
                       check_duplicates: bool) -> uuid.UUID:
    if account_id is not None:
        _require_linkable(access, "Account", "contacts", "accountId")
        await lock_writable(uow, "Account", account_id, field_name="accountId")
        return account_id
    require_action(access, "Account", Action.CREATE)
    values = {"name": name or lead.get("company"), "industry": lead.get("industry"),
              "size": lead.get("size"), "website": lead.get("website")}
    clean = accounts.validate_account({k: v for k, v in values.items() if v is not None},
                                      creating=True)
    if check_duplicates:
        await refuse_duplicates("Account", clean, uow.duplicates)
    clean |= {"owner": lead.get("owner") or access.user_id, "territory": lead.get("territory")}
    new_id = await insert_audited(uow, "Account", clean)
    await lock_writable(uow, "Account", new_id, field_name="accountName")
    return new_id


async def _contact_for(uow: UnitOfWork, access: Access, lead: dict, contact_id,
                       account: uuid.UUID, check_duplicates: bool) -> uuid.UUID:
    if contact_id is not None:
        _require_linkable(access, "Contact", "accounts", "contactId")
        await lock_writable(uow, "Contact", contact_id, field_name="contactId")
        return contact_id
    require_action(access, "Contact", Action.CREATE)
    clean = _contact_values(lead)  # a lead without a last name is refused here
    if check_duplicates:  # the new contact will work at `account`
        await refuse_duplicates("Contact", clean, uow.duplicates, companies=[account])
    clean |= {"owner": lead.get("owner") or access.user_id, "territory": lead.get("territory")}
    new_id = await insert_audited(uow, "Contact", clean)
    await lock_writable(uow, "Contact", new_id, field_name="contactId")
    return new_id


async def _movable_activities(uow: UnitOfWork, lead_id: uuid.UUID) -> list[dict]:
    """The lead's activities, which converting moves: each must be one the caller may change."""
    activities = await uow.activities.lead_activities(lead_id)
    if not all(a["writable"] for a in activities):
        raise forbidden("id", "This lead has activities you may not change; converting it "
                              "would move them.")
    return activities


async def _move_activities(uow: UnitOfWork, lead_id: uuid.UUID, activities: list[dict],
                           contact: uuid.UUID, account: uuid.UUID) -> None:
    await uow.activities.move_lead_activities(lead_id, contact, account)
    for activity in activities:
        await uow.audit.record("Activity", activity["id"], "move", {
            "contact": (activity["contact"], contact), "account": (activity["account"], account)})


def _deal_values(deal: dict) -> dict:
    """The deal to open on conversion; its problems are reported under `opportunity.`."""
    try:
        clean = validate_opportunity(deal, creating=False)
        if not clean.get("name"):
            raise DomainError.one("name", ErrorCode.REQUIRED, "The deal needs a name.")
    except DomainError as exc:
        raise DomainError(*(replace(p, field=f"opportunity.{p.field}") for p in exc.problems)
                          ) from None
    return {"currency": DEFAULT_CURRENCY, **clean}


async def convert_lead(id: uuid.UUID, version: int, *, account_id: uuid.UUID | None,
                       account_name: str | None, contact_id: uuid.UUID | None,
                       deal: dict | None, uow: UnitOfWork, access: Access,
                       now: datetime, allow_duplicate: bool = False) -> uuid.UUID:
    """Turn a lead into a contact at an account, and optionally a deal, in one transaction;
    a new contact or account that likely exists already is refused, naming it, unless
    `allow_duplicate` (pass its id as contactId or accountId instead)."""
    require_action(access, TYPE, Action.CONVERT)
    deal_values = _deal_values(deal) if deal is not None else None
    async with uow:
        locked = await lock_at_version(uow, TYPE, id, version, LEAD_FIELDS)
        lead = locked.values
        lifecycle = LeadLifecycle.of(lead)
        lifecycle.check_convertible()
        activities = await _movable_activities(uow, id)
        account = await _account_for(uow, access, lead, account_id, account_name,
                                     not allow_duplicate)
        contact = await _contact_for(uow, access, lead, contact_id, account, not allow_duplicate)
        if await uow.links.get(account, contact) is None:
            await upsert_link(uow, account, contact, lead.get("title"), False)
        opportunity = None
        if deal_values is not None:
            require_action(access, "Opportunity", Action.CREATE)
            deal_values |= {"account": account, "source": OpportunitySource.LEAD.value,
                            "owner": lead.get("owner") or access.user_id}
            opportunity = await open_deal(uow, deal_values, now)
            await lock_writable(uow, "Opportunity", opportunity, field_name="opportunity")
        await _move_activities(uow, id, activities, contact, account)
        converted = lifecycle.convert(now, contact, account, opportunity)
        await uow.records.update(TYPE, id, converted)
        await uow.audit.record(TYPE, id, "convert", {f: (lead.get(f), v)
                                                     for f, v in converted.items()})
        await uow.commit()
    return id
