"""The worker's survey invitations, every five minutes: the contacts of cases that became
RESOLVED and of orders that became FULFILLED (the CRM's delivered) since the last run, read
from the change feed, are invited to each active survey of that trigger, about that case or order;
each EVERY_N_DAYS survey invites contacts with no invitation to it in its last N days (at
most PERIODIC_BATCH a run); and PENDING invitations past their time become EXPIRED.

It is one of the change feed's once-only consumers (api/feed_consumers.py): it writes in the
transaction that moves its cursor on, each invitation with its audit entry. An
invitation exists once per survey, contact and what it is about, so a run repeated after a
crash, or a case resolved twice, writes nothing more. Sending is not its work: invitations
are records that the portal and staff read, and surveyLink signs a link for an email.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from api.feed_consumers import consume
from api.worker import JobContext
from auth.grants import access_for
from domain.access import SYSTEM, Role
from domain.surveys import InvitationStatus, SurveyTrigger
from persistence import survey_triggers
from persistence.uow import UnitOfWork

log = logging.getLogger("crm.surveys")
CURSOR = "surveys"
BATCH = 500
PERIODIC_BATCH = 200
SCHEDULE = "*/5 * * * *"


@dataclass
class Invited:
    """What one run wrote."""

    invitations: int = 0
    expired: int = 0


def _changed(events, record_type: str) -> list:
    """The records of a type whose status the events changed."""
    return sorted({e.record_id for e in events
                   if e.record_type == record_type and "status" in e.fields})


async def _invite_each(uow: UnitOfWork, survey_id, targets, about: str | None, now) -> int:
    """Invite each (record it is about, contact) of `targets` to a survey; how many were new."""
    written = 0
    for about_id, contact_id in targets:
        row = await survey_triggers.invite(uow.transaction, survey_id, contact_id, about,
                                           about_id, now)
        if row is not None:
            new_id = row.pop("id")
            await uow.audit.record("SurveyInvitation", new_id, "create",
                                   {f: (None, v) for f, v in row.items()})
            written += 1
    return written


async def _invite(uow: UnitOfWork, trigger: SurveyTrigger, targets: list[tuple], about: str,
                  now) -> int:
    if not targets:
        return 0
    return sum([await _invite_each(uow, survey["id"], targets, about, now)
                for survey in await survey_triggers.triggered(uow.transaction, trigger)])


async def _periodic(uow: UnitOfWork, now) -> int:
    written = 0
    for survey in await survey_triggers.triggered(uow.transaction, SurveyTrigger.EVERY_N_DAYS):
        due = await survey_triggers.due_contacts(uow.transaction, survey["id"],
                                                 survey["every_days"], now, PERIODIC_BATCH)
        written += await _invite_each(uow, survey["id"], [(None, c) for c in due], None, now)
    return written


async def _expire(uow: UnitOfWork, now) -> int:
    expired = await survey_triggers.expire(uow.transaction, now, BATCH)
    for invitation_id in expired:
        await uow.audit.record("SurveyInvitation", invitation_id, "expire", {
            "status": (InvitationStatus.PENDING.value, InvitationStatus.EXPIRED.value)})
    return len(expired)


async def _invite_changed(events, uow: UnitOfWork, context: JobContext) -> int:
    """Invite about the cases and orders a batch of events resolved or fulfilled."""
    tx, now = uow.transaction, context.clock()
    cases = await survey_triggers.resolved_cases(tx, _changed(events, "Case"))
    orders = await survey_triggers.fulfilled_orders(tx, _changed(events, "Order"))
    return (await _invite(uow, SurveyTrigger.CASE_RESOLVED, cases, "case", now)
            + await _invite(uow, SurveyTrigger.ORDER_FULFILLED, orders, "order", now))


async def invite_from_triggers(context: JobContext) -> Invited:
    """One run: the feed since the cursor a batch per transaction, then, once caught up, the
    periodic surveys and the expiries; nothing when another worker holds the cursor."""
    invited = await consume(context, CURSOR, _invite_changed)
    if invited is None:
        return Invited()
    done, now = Invited(invitations=invited), context.clock()
    uow = UnitOfWork(context.engine, access_for(Role.ADMIN, SYSTEM))
    async with uow:
        done.invitations += await _periodic(uow, now)
        done.expired += await _expire(uow, now)
        await uow.commit()
    if done.invitations or done.expired:
        log.info("surveys: %d invitations written, %d expired", done.invitations, done.expired)
    return done


async def invite_job(context: JobContext) -> None:
    """The schedule's entry."""
    await invite_from_triggers(context)
