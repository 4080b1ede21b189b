"""The demo's activities: calls, emails, meetings, tasks and notes, and two call scripts."""

from __future__ import annotations

from datetime import datetime, timedelta

from persistence.activities import ActivityRow, AttendeeRow, CallScriptRow
from persistence.contacts import AccountContactRow, ContactRow
from persistence.seed.generator import stable_id, stamped

SCRIPTS = {
    "Discovery call": [
        {"question": "What made you look at us now?",
         "answers": ["Growth", "Replacing a tool", "New project", "Compliance"]},
        {"question": "Who else decides?", "answers": ["Alone", "With a manager", "Committee"]},
        {"question": "When do you want to start?",
         "answers": ["This month", "This quarter", "Later"]}],
    "Renewal check-in": [
        {"question": "How is the team using the product?", "answers": ["Daily", "Weekly",
                                                                        "Rarely"]},
        {"question": "Anything we should improve?", "answers": []}],
}
SUBJECTS = {
    "CALL": ("Intro call", "Follow-up call", "Pricing questions", "Check-in"),
    "EMAIL": ("Proposal sent", "Meeting notes", "Re: contract", "Welcome pack"),
    "MEETING": ("Product demo", "Quarterly review", "Kick-off", "Workshop"),
    "TASK": ("Send quote", "Prepare demo", "Call back", "Update contract"),
    "NOTE": ("Budget confirmed", "Prefers email", "Decision next month"),
}


def add_activities(data, base_time: datetime, present: datetime) -> None:
    """A few activities for most contacts, on the contact and its account, up to `present`."""
    rng = data.gen.rng
    accounts_of = {}
    for link in data.rows[AccountContactRow]:
        accounts_of.setdefault(link["contact_id"], link["account_id"])
    for name, questions in SCRIPTS.items():
        data.add(CallScriptRow, {**stamped("call-script", name, base_time), "name": name,
                                 "questions": questions})
    n = 0
    for contact in data.rows[ContactRow]:
        for _ in range(rng.randrange(0, 4)):
            n += 1
            kind = rng.choice(tuple(SUBJECTS))
            at = base_time + timedelta(days=rng.randrange(0, 320), hours=rng.randrange(8, 18))
            row = {**stamped("activity", n, min(at, present)), "kind": kind, "at": at,
                   "subject": rng.choice(SUBJECTS[kind]), "body": None,
                   "contact_id": contact["id"], "account_id": accounts_of.get(contact["id"]),
                   "lead_id": None, "opportunity_id": None, "owner_id": contact["owner_id"],
                   "territory_id": contact["territory_id"], "direction": None,
                   "duration_seconds": None, "outcome": None, "call_script_id": None,
                   "message_id": None, "starts_at": None, "ends_at": None, "location": None,
                   "due_at": None, "reminder_at": None, "priority": None, "status": None,
                   "assignee_id": None}
            if kind == "CALL":
                row |= {"direction": rng.choice(("INBOUND", "OUTBOUND")),
                        "duration_seconds": rng.randrange(30, 1800),
                        "outcome": rng.choice(("CONNECTED", "VOICEMAIL", "NO_ANSWER")),
                        "call_script_id": stable_id("call-script", "Discovery call")}
            elif kind == "EMAIL":
                row |= {"direction": rng.choice(("INBOUND", "OUTBOUND")),
                        "message_id": f"<demo-{n}@mail.example.com>"}
            elif kind == "MEETING":
                row |= {"starts_at": at, "ends_at": at + timedelta(hours=1),
                        "location": rng.choice(("Video call", "Their office", "Our office"))}
                for who, column in ((contact["owner_id"], "user_id"),
                                    (contact["id"], "contact_id")):
                    data.add(AttendeeRow, {
                        **stamped("attendee", f"{n}-{column}", row["created_at"]),
                        "activity_id": row["id"],
                        "user_id": who if column == "user_id" else None,
                        "contact_id": who if column == "contact_id" else None})
            elif kind == "TASK":
                row |= {"due_at": at, "priority": rng.choice(("LOW", "NORMAL", "HIGH")),
                        "status": "DONE" if at < present and rng.random() < 0.7 else "OPEN",
                        "assignee_id": contact["owner_id"]}
            else:
                row["body"] = row["subject"] + "."
            data.add(ActivityRow, row)
