"""Fake stores of the sales side: orders, deals, leads and activities."""

from __future__ import annotations

import uuid
from collections import defaultdict

from domain import ports
from domain.leads import AssignmentRule
from domain.opportunities import Stage, StageKind
from tests.unit.fakes.records import FakeRecords


class FakeOrders(ports.OrderStore):
    """Active products, and prices by (book, currency, product)."""

    def __init__(self) -> None:
        self.standard_book: uuid.UUID | None = None
        self.active: set[uuid.UUID] = set()
        self.price_list: dict[tuple, object] = {}
        self.lines: dict[uuid.UUID, list] = {}

    async def standard_price_book(self):
        return self.standard_book

    async def products(self, ids):
        return {id: {"id": id} for id in ids if id in self.active}

    async def prices(self, price_book_id, currency, ids):
        return {id: self.price_list[price_book_id, currency, id] for id in ids
                if (price_book_id, currency, id) in self.price_list}

    async def add_lines(self, order_id, lines):
        self.lines[order_id] = list(lines)

    async def set_price(self, price_book_id, product_id, currency, unit_price):
        if unit_price is None:
            self.price_list.pop((price_book_id, currency, product_id), None)
        else:
            self.price_list[price_book_id, currency, product_id] = unit_price


class FakeOpportunities(ports.OpportunityStore):
    """Stages by id, the first stage of each pipeline (None: the default pipeline's), the
    stage history, and contact roles."""

    def __init__(self, records: FakeRecords) -> None:
        self.records = records
        self.stages: dict[uuid.UUID, Stage] = {}
        self.first: dict[uuid.UUID | None, Stage] = {}
        self.history: list[tuple] = []
        self.roles: dict[tuple[uuid.UUID, uuid.UUID], dict] = {}

    def add_pipeline(self, *stages: tuple[StageKind, int]) -> list[Stage]:
        """A pipeline of stages given as (kind, probability), in order, stored as records
        too; the first pipeline added is the default one."""
        pipeline = self.records.add("Pipeline", {})
        made = [Stage(self.records.add("Stage", {"pipeline": pipeline, "kind": kind.value}),
                      pipeline, kind, probability) for kind, probability in stages]
        self.stages |= {s.id: s for s in made}
        self.first[pipeline] = made[0]
        self.first.setdefault(None, made[0])
        return made

    async def stage(self, stage_id):
        return self.stages.get(stage_id)

    async def first_stage(self, pipeline_id):
        return self.first.get(pipeline_id)

    async def stage_changed(self, opportunity_id, from_stage, to_stage):
        self.history.append((opportunity_id, from_stage, to_stage))

    async def contact_role(self, opportunity_id, contact_id):
        return self.roles.get((opportunity_id, contact_id))

    async def set_contact_role(self, opportunity_id, contact_id, role):
        if role is None:
            return self.roles.pop((opportunity_id, contact_id))["id"]
        row = self.roles.setdefault((opportunity_id, contact_id), {"id": uuid.uuid4()})
        row["role"] = role
        return row["id"]


class FakeLeads(ports.LeadStore):
    """Forms by id, captures, rules in order, sales users per territory. Every capture
    counts as recent: the fake keeps no time."""

    def __init__(self) -> None:
        self.forms: dict[uuid.UUID, dict] = {}
        self.captures: list[tuple[uuid.UUID, uuid.UUID | None, dict]] = []
        self.assignment_rules: list[AssignmentRule] = []
        self.users: dict[uuid.UUID, list[uuid.UUID]] = {}
        self.turns: dict[uuid.UUID, int] = defaultdict(int)
        self.keys: dict[uuid.UUID, str] = {}

    async def recent_by_email(self, email, form_id):
        leads = [lead for lead, _, payload in self.captures if payload.get("email") == email]
        if not leads:
            return None
        return leads[-1], any(lead == leads[-1] and form == form_id
                              for lead, form, _ in self.captures)

    async def add_capture(self, lead_id, form_id, payload):
        self.captures.append((lead_id, form_id, dict(payload)))

    async def form(self, form_id):
        return self.forms.get(form_id)

    async def rules(self):
        return list(self.assignment_rules)

    async def sales_users(self, territory_id):
        return self.users.get(territory_id, [])

    async def next_turn(self, territory_id):
        self.turns[territory_id] += 1
        return self.turns[territory_id]

    async def set_form_key(self, form_id, key_hash, *, new_form):
        self.keys[form_id] = key_hash


class FakeActivities(ports.ActivityStore):
    def __init__(self, records: FakeRecords) -> None:
        self.records = records
        self.attendees: dict[uuid.UUID, list] = {}
        self.feeds: dict[uuid.UUID, str] = {}

    async def set_attendees(self, activity_id, people):
        self.attendees[activity_id] = list(people)

    async def lead_activities(self, lead_id):
        return [{"id": id, "contact": row.get("contact"), "account": row.get("account"),
                 "writable": id not in self.records.read_only}
                for id, row in self.records.rows["Activity"].items() if row.get("lead") == lead_id]

    async def move_lead_activities(self, lead_id, contact_id, account_id):
        moved = [row for row in self.records.rows["Activity"].values()
                 if row.get("lead") == lead_id]
        for row in moved:
            row |= {"contact": contact_id, "account": account_id}
        return len(moved)

    async def set_feed(self, user_id, secret_hash):
        self.feeds[user_id] = secret_hash
