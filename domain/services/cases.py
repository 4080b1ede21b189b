"""Case use cases: open a case, change it, move its status, reply, and log time.

Every change to a case's SLA clock happens here, in the same transaction as the change
that causes it: a priority change recomputes the due times, pending the customer pauses
the clock, a reply from staff stops the first-response clock, resolving stops the other.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from domain.access import Access, Role
from domain.activities import ActivityKind
from domain.cases import (
    REFERENCES,
    CaseChannel,
    CaseLifecycle,
    Visibility,
    validate_case,
    validate_queue,
    validate_reply,
    validate_time_entry,
)
from domain.errors import DomainError, ErrorCode, forbidden, not_found
from domain.ports import UnitOfWork
from domain.services.records import (
    RecordKind,
    check_references,
    create_checked,
    insert_audited,
    lock_at_version,
    lock_writable,
    require_create,
    require_writable_fields,
    stateless,
    update_audited,
    validated_by_use_case,
)
from domain.sla import SlaPolicy, validate_calendar, validate_sla_policy

TYPE = "Case"
KIND = RecordKind(TYPE, validated_by_use_case, REFERENCES)
QUEUE = RecordKind("CaseQueue", stateless(validate_queue), {})
CALENDAR = RecordKind("BusinessCalendar", validate_calendar, {},
                      context_fields=("timeZone", "hours", "holidays"))
SLA_POLICY = RecordKind("SlaPolicy", stateless(validate_sla_policy), {
    "calendar": "BusinessCalendar", "product": "Product", "escalationQueue": "CaseQueue",
    "escalationUser": "User"})


async def policy_of(uow: UnitOfWork, state: dict) -> SlaPolicy | None:
    return await uow.sla.policy(state["slaPolicy"]) if state.get("slaPolicy") else None


async def _open(uow: UnitOfWork, clean: dict, now: datetime, supplied: set[str]) -> uuid.UUID:
    """Insert a case with its SLA policy and due times, and its audit entry; the fields the
    caller did not supply (a customer's own contact, the defaults) are the use case's."""
    policy = await uow.sla.matching(clean.get("product"), clean.get("account"))
    clean |= CaseLifecycle.opening(clean["priority"], clean.get("openedAt") or now, policy)
    return await insert_audited(uow, TYPE, clean, granted=set(clean) - supplied)


async def create_case(values: dict, uow: UnitOfWork, access: Access, now: datetime
                      ) -> uuid.UUID:
    """Open a case; a customer opens one for itself, through the portal."""
    customer = access.role is Role.CUSTOMER
    if customer:
        values = {**values, "contact": access.contact_id}
        values.setdefault("channel", CaseChannel.PORTAL.value)
    supplied = {f for f in values if f != "contact" or not customer}
    require_create(access, TYPE, supplied)
    clean = validate_case(values, creating=True)
    opened = values.get("openedAt")
    if opened is not None:
        if opened > now:
            raise DomainError.one("openedAt", ErrorCode.INVALID,
                                  "A case cannot open in the future.")
        clean["openedAt"] = opened
    return await create_checked(KIND, clean, uow,
                                lambda clean: _open(uow, clean, now, supplied))


async def update_case(id: uuid.UUID, version: int, values: dict, uow: UnitOfWork,
                      access: Access) -> uuid.UUID:
    """Change a case's fields; a new priority or product recomputes its due times."""
    require_writable_fields(access, TYPE, values)
    clean = validate_case(values, creating=False)
    async with uow:
        await lock_at_version(uow, TYPE, id, version)
        await check_references(KIND, clean, uow, own_id=id)
        state = await uow.cases.state(id)
        merged = {**state, **clean}
        if merged["priority"] != state["priority"] or merged["product"] != state["product"]:
            policy = (await uow.sla.matching(merged["product"], merged["account"])
                      if merged["product"] != state["product"] else await policy_of(uow, state))
            clean |= {"slaPolicy": policy.id if policy else None}
            clean |= CaseLifecycle.of(merged, policy).due_times()
        await update_audited(uow, TYPE, id, state, clean, "update")
        await uow.commit()
    return id


async def change_status(id: uuid.UUID, version: int, status: str, uow: UnitOfWork,
                        access: Access, now: datetime) -> uuid.UUID:
    """Move a case along its state machine. Reopening a case resolved more than seven days
    ago, or a closed one, opens a linked follow-up case instead; its id is returned."""
    require_writable_fields(access, TYPE, ["status"])
    async with uow:
        await lock_at_version(uow, TYPE, id, version)
        state = await uow.cases.state(id)
        if CaseLifecycle.of(state).follows_up(status, now):
            result = await _follow_up(uow, id, state, now)
        else:
            case = CaseLifecycle.of(state, await policy_of(uow, state))
            await update_audited(uow, TYPE, id, state, case.move_to(status, now), "status")
            result = id
        await uow.commit()
    return result


async def _follow_up(uow: UnitOfWork, id: uuid.UUID, state: dict, now: datetime
                     ) -> uuid.UUID:
    carried = ("contact", "account", "subject", "type", "priority", "channel", "assignee",
               "queue", "product")
    clean = {f: state[f] for f in carried if state.get(f) is not None}
    clean |= {"previousCase": id, "description": f"Follow-up of {state['number']}."}
    # Carried over from the case the caller may reopen: nothing of it comes from the input.
    return await _open(uow, clean, now, supplied=set())


async def reply(case_id: uuid.UUID, body, visibility, uow: UnitOfWork, access: Access,
                now: datetime) -> uuid.UUID:
    """Add a message to a case. A customer's messages are customer-visible and move a case
    pending the customer back to OPEN; the first customer-visible reply from staff is the
    first response."""
    require_writable_fields(access, TYPE, ["comments"])
    customer = access.role is Role.CUSTOMER
    clean = validate_reply(body, visibility or (Visibility.CUSTOMER if customer else None))
    if customer and clean["visibility"] != Visibility.CUSTOMER:
        raise forbidden("visibility", "Customers write customer-visible messages only.")
    async with uow:
        await lock_writable(uow, TYPE, case_id, field_name="case")
        state = await uow.cases.state(case_id)
        CaseLifecycle.of(state).check_takes_messages()
        people = ("Contact", state["contact"]) if state["contact"] else ("Account",
                                                                       state["account"])
        comment = {
            "kind": ActivityKind.COMMENT.value, "at": now, "body": clean["body"],
            "case": case_id, "visibility": clean["visibility"], "contact": state["contact"],
            "account": state["account"], "owner": access.user_id,
            "territory": await uow.records.territory_of(*people)}
        # Writing to the case's conversation, checked above, is what grants the comment.
        await insert_audited(uow, "Activity", comment, parent_id=case_id,
                             granted=comment.keys())
        case = CaseLifecycle.of(state, await policy_of(uow, state))
        if customer:
            # A customer's reply moves the case on; the lifecycle, not the customer, sets it.
            replied = case.customer_replied(now)
            await update_audited(uow, TYPE, case_id, state, replied, "status",
                                 granted=replied.keys())
        elif clean["visibility"] == Visibility.CUSTOMER:
            await update_audited(uow, TYPE, case_id, state, case.staff_responded(now),
                                 "first response")
        await uow.commit()
    return case_id


async def log_time(case_id: uuid.UUID, minutes: int, note: str | None, uow: UnitOfWork,
                   access: Access, now: datetime) -> uuid.UUID:
    """Record time spent on a case; the case keeps the running total."""
    require_writable_fields(access, TYPE, ["timeEntries"])
    clean = validate_time_entry(minutes, note)
    async with uow:
        await lock_writable(uow, TYPE, case_id, field_name="case")
        state = await uow.cases.state(case_id)
        await uow.cases.add_time_entry(case_id, now, clean["minutes"], clean.get("note"),
                                       access.user_id)
        await update_audited(uow, TYPE, case_id, state, {
            "timeSpentMinutes": state["timeSpentMinutes"] + clean["minutes"]}, "time")
        await uow.commit()
    return case_id


async def link_article(case_id: uuid.UUID, article_id: uuid.UUID, linked: bool,
                       uow: UnitOfWork, access: Access) -> uuid.UUID:
    """Link an article used to solve a case, or unlink it."""
    require_writable_fields(access, TYPE, ["articles"])
    async with uow:
        await lock_writable(uow, TYPE, case_id, field_name="case")
        if not await uow.records.visible("Article", [article_id]):
            raise not_found("article", "Article")
        if await uow.pairs.set("case_article", case_id, article_id, linked):
            await uow.audit.record(TYPE, case_id, "article", {
                "articles": (None, {"article": str(article_id), "linked": linked})})
        await uow.commit()
    return case_id
