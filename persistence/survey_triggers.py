"""The SQL of the worker's survey invitations (api/survey_jobs.py): which surveys a trigger
starts, which changed cases and orders call for one, which contacts a periodic survey is due
for, and the invitations themselves, written once per survey, contact and what they are
about (the unique index uq_survey_invitation_about) however often the worker runs."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta

from domain.surveys import INVITATION_TTL, InvitationStatus, SurveyTrigger
from persistence.db import Transaction


async def triggered(tx: Transaction, trigger: SurveyTrigger) -> list[dict]:
    """The active surveys of a trigger: id and everyDays."""
    return await tx.rows("SELECT id, every_days FROM survey WHERE trigger = $1 AND active "
                         "AND archived_at IS NULL ORDER BY created_at, id", (trigger.value,))


async def resolved_cases(tx: Transaction, ids: Iterable[uuid.UUID]) -> list[tuple]:
    """(case, its contact) of the cases among `ids` that are RESOLVED now."""
    rows = await tx.rows("SELECT id, contact_id FROM service_case WHERE id = ANY($1) "
                         "AND status = 'RESOLVED' AND contact_id IS NOT NULL "
                         "AND archived_at IS NULL", (list(ids),))
    return [(r["id"], r["contact_id"]) for r in rows]


async def fulfilled_orders(tx: Transaction, ids: Iterable[uuid.UUID]) -> list[tuple]:
    """(order, its contact) of the orders among `ids` that are FULFILLED (delivered) now;
    an order of an account alone names nobody to ask."""
    rows = await tx.rows("SELECT id, contact_id FROM sales_order WHERE id = ANY($1) "
                         "AND status = 'FULFILLED' AND contact_id IS NOT NULL "
                         "AND archived_at IS NULL", (list(ids),))
    return [(r["id"], r["contact_id"]) for r in rows]


async def due_contacts(tx: Transaction, survey_id: uuid.UUID, every_days: int, now: datetime,
                       limit: int) -> list[uuid.UUID]:
    """Live contacts with an email that have had no invitation to the survey in the last
    `every_days` days, at most `limit` of them."""
    rows = await tx.rows(
        "SELECT c.id FROM contact c WHERE c.archived_at IS NULL AND c.primary_email IS NOT NULL "
        "AND NOT EXISTS (SELECT 1 FROM survey_invitation i WHERE i.survey_id = $1 "
        "AND i.contact_id = c.id AND i.created_at > $2) ORDER BY c.id LIMIT $3",
        (survey_id, now - timedelta(days=every_days), limit))
    return [r["id"] for r in rows]


async def invite(tx: Transaction, survey_id: uuid.UUID, contact_id: uuid.UUID, about: str | None,
                 about_id: uuid.UUID | None, now: datetime) -> dict | None:
    """Write one invitation as the system; None when it exists already."""
    column = {"case": "case_id", "order": "order_id"}.get(about or "")
    expires = now + INVITATION_TTL
    new_id = await tx.value(
        f"INSERT INTO survey_invitation (id, survey_id, contact_id, "
        f"{column + ', ' if column else ''}status, created_at, expires_at, created_by, "
        f"updated_by) VALUES ($1, $2, $3, {'$7, ' if column else ''}$4, $5, $6, 'System', "
        f"'System') ON CONFLICT DO NOTHING RETURNING id",
        (uuid.uuid4(), survey_id, contact_id, InvitationStatus.PENDING.value, now, expires,
         *((about_id,) if column else ())))
    if new_id is None:
        return None
    return {"id": new_id, "survey": survey_id, "contact": contact_id,
            **({about: about_id} if column else {}),
            "status": InvitationStatus.PENDING.value, "expiresAt": expires}


async def expire(tx: Transaction, now: datetime, limit: int) -> list[uuid.UUID]:
    """Mark PENDING invitations past their time EXPIRED, at most `limit`; their ids."""
    rows = await tx.rows(
        "UPDATE survey_invitation SET status = 'EXPIRED', version = version + 1, "
        "updated_at = now(), updated_by = 'System' WHERE id IN (SELECT id FROM "
        "survey_invitation WHERE status = 'PENDING' AND expires_at <= $1 "
        "AND archived_at IS NULL ORDER BY expires_at LIMIT $2 FOR UPDATE SKIP LOCKED) "
        "RETURNING id", (now, limit))
    return [r["id"] for r in rows]
