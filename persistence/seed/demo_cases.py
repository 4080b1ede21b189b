"""The demo's service desk: calendars, queues, SLA policies, and cases in every state with
their conversations and time entries; due times are computed as the API computes them."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from domain.business_time import parse_calendar
from domain.cases import CaseStatus
from domain.sla import BreachAction, SlaPolicy, Target, due_times
from persistence.activities import ActivityRow
from persistence.cases import CaseArticleRow, CaseQueueRow, CaseRow, TimeEntryRow
from persistence.knowledge import ArticleRow
from persistence.seed.generator import stable_id, stamped
from persistence.sla import BusinessCalendarRow, SlaPolicyRow

WEEKDAYS = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY")
CALENDARS = {
    "Office hours (Berlin)": ("Europe/Berlin", [
        {"day": d, "start": "09:00", "end": "17:00"} for d in WEEKDAYS], [
        {"date": "2026-12-24", "name": "Christmas Eve"},
        {"date": "2026-12-25", "name": "Christmas Day"},
        {"date": "2026-12-26", "name": "Boxing Day"},
        {"date": "2027-01-01", "name": "New Year's Day"}]),
    "Around the clock": ("UTC", [{"day": d, "start": "00:00", "end": "00:00"} for d in (
        *WEEKDAYS, "SATURDAY", "SUNDAY")], []),
}
QUEUES = {"First level": "Every new case starts here.", "Billing": "Invoices and payments.",
          "Second level": "Technical problems first level could not solve.",
          "Escalations": "Breached cases of our Gold accounts."}
# name -> (calendar, tier, product sku, targets per priority (first response, resolution),
#          breach action, escalation queue)
POLICIES = {
    "Gold accounts": ("Around the clock", "GOLD", None, {
        "LOW": (240, 1440), "NORMAL": (120, 720), "HIGH": (60, 240), "URGENT": (15, 120)},
        BreachAction.REASSIGN, "Escalations"),
    "Premium support": ("Office hours (Berlin)", None, "SUPPORT-PLUS", {
        "LOW": (240, 1920), "NORMAL": (120, 960), "HIGH": (60, 480), "URGENT": (30, 240)},
        BreachAction.RAISE_PRIORITY, None),
    "Standard": ("Office hours (Berlin)", None, None, {
        "LOW": (960, 4800), "NORMAL": (480, 2400), "HIGH": (240, 960), "URGENT": (60, 480)},
        BreachAction.RAISE_PRIORITY, None),
}
GOLD_ACCOUNTS = range(0, 5)
SUBJECTS = {
    "QUESTION": ("How do I export my contacts?", "Can I change the invoice address?",
                 "Where do I find the API limits?"),
    "PROBLEM": ("Login fails after password reset", "Sync with the mail server stops",
                "Report shows wrong totals"),
    "FEATURE_REQUEST": ("Please add a dark mode", "Bulk edit for deals"),
    "COMPLAINT": ("Charged twice this month", "Nobody called back"),
}
STATUSES = tuple(CaseStatus)
CASES = 48


def _policies(base_time: datetime, data) -> dict[str, SlaPolicy]:
    calendars = {}
    for name, (zone, hours, holidays) in CALENDARS.items():
        calendars[name] = data.add(BusinessCalendarRow, {
            **stamped("calendar", name, base_time), "name": name, "time_zone": zone,
            "hours": hours, "holidays": holidays})
    for name, description in QUEUES.items():
        data.add(CaseQueueRow, {**stamped("case-queue", name, base_time), "name": name,
                                "description": description})
    policies = {}
    for position, (name, (calendar, tier, sku, targets, action, queue)) in enumerate(
            POLICIES.items()):
        row = data.add(SlaPolicyRow, {
            **stamped("sla-policy", name, base_time), "name": name,
            "calendar_id": calendars[calendar]["id"], "account_tier": tier,
            "product_id": stable_id("product", sku) if sku else None, "position": position,
            "targets": [{"priority": p, "firstResponseMinutes": fr, "resolutionMinutes": res}
                        for p, (fr, res) in targets.items()],
            "at_risk_percent": 80, "breach_action": action.value,
            "escalation_queue_id": stable_id("case-queue", queue) if queue else None})
        zone, hours, holidays = CALENDARS[calendar]
        policies[name] = SlaPolicy(row["id"], parse_calendar(zone, hours, holidays),
                                   {p: Target(*t) for p, t in targets.items()}, 80, action,
                                   row["escalation_queue_id"], None)
    return policies


def _comment(data, n: int, key: str, case: dict, at: datetime, body: str, visibility: str,
             author: uuid.UUID | None, territory) -> None:
    data.add(ActivityRow, {
        **stamped("case-comment", f"{n}-{key}", at, f"User:{author}" if author else
                  f"Contact:{case['contact_id']}"),
        "kind": "COMMENT", "at": at, "body": body, "case_id": case["id"],
        "record_type": "Case", "record_id": case["id"],
        "contact_id": case["contact_id"], "account_id": case["account_id"],
        "visibility": visibility, "owner_id": author, "territory_id": territory})


def add_cases(data, present: datetime, agents: list[uuid.UUID], accounts: list[dict],
              links: list[dict]) -> None:
    """Cases over the month before `present`; every sixth belongs to the demo customer."""
    rng = data.gen.rng
    for i, account in enumerate(accounts):
        account["tier"] = "GOLD" if i in GOLD_ACCOUNTS else None
    policies = _policies(present - timedelta(days=60), data)
    articles = [a["id"] for a in data.rows.get(ArticleRow, []) if a["status"] == "PUBLISHED"]
    contacts_of = {}
    for link in links:
        contacts_of.setdefault(link["account_id"], []).append(link["contact_id"])
    for n in range(1, CASES + 1):
        account = accounts[0] if n % 6 == 0 else rng.choice(accounts)
        contact = (stable_id("contact", "customer") if n % 6 == 0
                   else rng.choice(contacts_of.get(account["id"]) or [None]))
        kind = rng.choice(tuple(SUBJECTS))
        priority = rng.choice(("LOW", "NORMAL", "NORMAL", "HIGH", "URGENT"))
        status = STATUSES[n % len(STATUSES)]
        product = rng.choice((None, None, "SUPPORT-PLUS", "CRM-SEAT", "ANALYTICS"))
        name = ("Premium support" if product == "SUPPORT-PLUS" else
                "Gold accounts" if account.get("tier") == "GOLD" else "Standard")
        policy = policies[name]
        opened = present - timedelta(days=rng.randrange(1, 30), minutes=rng.randrange(0, 600))
        assignee = rng.choice(agents)
        case = {**stamped("case", n, opened), "number": f"CS-{n:06d}", "contact_id": contact,
                "account_id": account["id"], "subject": rng.choice(SUBJECTS[kind]),
                "description": "Reported by the customer; details in the conversation.",
                "type": kind, "priority": priority, "status": status.value,
                "channel": rng.choice(("EMAIL", "PHONE", "WEB", "CHAT", "PORTAL", "SOCIAL")),
                "assignee_id": assignee if status != CaseStatus.NEW else None,
                "queue_id": stable_id("case-queue", "Billing" if kind == "COMPLAINT"
                                      else "First level"),
                "product_id": stable_id("product", product) if product else None,
                "sla_policy_id": policy.id, "opened_at": opened, "sla_paused_minutes": 0,
                "time_spent_minutes": 0}
        moments = due_times(policy, priority, opened, 0)
        case |= {"first_response_risk_at": moments["firstResponseRiskAt"],
                 "first_response_due_at": moments["firstResponseDueAt"],
                 "resolution_risk_at": moments["resolutionRiskAt"],
                 "resolution_due_at": moments["resolutionDueAt"]}
        territory = account["territory_id"]
        _comment(data, n, "ask", case, opened, case["description"], "CUSTOMER", None, territory)
        if status != CaseStatus.NEW:
            answered = opened + timedelta(minutes=rng.randrange(10, 600))
            case |= {"first_response_at": answered, "first_response_minutes":
                     policy.calendar.minutes_between(opened, answered)}
            _comment(data, n, "internal", case, answered - timedelta(minutes=5),
                     "Checked the logs; looks like a known issue.", "INTERNAL", assignee,
                     territory)
            _comment(data, n, "answer", case, answered, "Thanks for reaching out, we are on "
                     "it and will get back to you shortly.", "CUSTOMER", assignee, territory)
            minutes = rng.choice((15, 30, 45, 60))
            data.add(TimeEntryRow, {**stamped("time-entry", n, answered), "case_id": case["id"],
                                    "at": answered, "minutes": minutes, "user_id": assignee,
                                    "note": "Investigation"})
            case["time_spent_minutes"] = minutes
        if status == CaseStatus.PENDING_CUSTOMER:
            case["sla_paused_since"] = case["first_response_at"]
        if status in (CaseStatus.RESOLVED, CaseStatus.CLOSED):
            resolved = min(present, case["first_response_at"] + timedelta(
                hours=rng.randrange(1, 72)))
            case |= {"resolved_at": resolved, "resolution_minutes":
                     policy.calendar.minutes_between(opened, resolved)}
            if articles:
                data.add(CaseArticleRow, {**stamped("case-article", n, resolved),
                                          "case_id": case["id"],
                                          "article_id": rng.choice(articles)})
            if status == CaseStatus.CLOSED:
                case["closed_at"] = min(present, resolved + timedelta(days=1))
        data.add(CaseRow, case)
