"""Fake stores of the sales side: orders, deals, leads and activities."""

from __future__ import annotations

import uuid
from collections import defaultdict

from domain import ports
from domain.leads import AssignmentRule
from domain.opportunities import Stage, StageKind
from domain.pipelines import PipelineLayout, StageSlot
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
    """Pipelines and stages kept as records (the first pipeline added is the default one),
    the stage history, and contact roles."""

    def __init__(self, records: FakeRecords) -> None:
        self.records = records
        self.history: list[tuple] = []
        self.roles: dict[tuple[uuid.UUID, uuid.UUID], dict] = {}

    def add_pipeline(self, *stages: tuple[StageKind, int]) -> list[Stage]:
        """A live pipeline of stages given as (kind, probability), in order, stored as
        records."""
        pipeline = self.records.add("Pipeline", {
            "name": f"Pipeline {len(self.records.rows['Pipeline']) + 1}", "kind": "NEW_BUSINESS",
            "position": len(self.records.rows["Pipeline"]) + 1})
        return [self._stage(self.records.add("Stage", {
            "pipeline": pipeline, "name": f"Stage {place}", "kind": kind.value,
            "probability": probability, "position": place}))
            for place, (kind, probability) in enumerate(stages, start=1)]

    def _live(self, type_name: str) -> dict[uuid.UUID, dict]:
        return {id: row for id, row in self.records.rows[type_name].items()
                if id not in self.records.archived}

    def _stage(self, stage_id: uuid.UUID) -> Stage:
        row = self.records.get("Stage", stage_id)
        archived = {stage_id, row["pipeline"]} & self.records.archived
        return Stage(stage_id, row["pipeline"], StageKind(row["kind"]), row["probability"],
                     bool(archived))

    def _live_stages(self, pipeline_id: uuid.UUID) -> list[uuid.UUID]:
        return sorted((id for id, row in self._live("Stage").items()
                       if row["pipeline"] == pipeline_id),
                      key=lambda id: self.records.get("Stage", id)["position"])

    async def stage(self, stage_id):
        return self._stage(stage_id) if stage_id in self.records.rows["Stage"] else None

    async def first_stage(self, pipeline_id):
        pipelines = [pipeline_id] if pipeline_id is not None else [
            id for id in await self.pipeline_order()
            if self.records.get("Pipeline", id)["kind"] == "NEW_BUSINESS"]
        for pipeline in pipelines:
            if pipeline in self.records.archived:
                continue
            for id in self._live_stages(pipeline):
                if self.records.get("Stage", id)["kind"] == StageKind.OPEN.value:
                    return self._stage(id)
        return None

    async def stage_changed(self, opportunity_id, from_stage, to_stage):
        self.history.append((opportunity_id, from_stage, to_stage))

    async def deals_in(self, stage_id):
        return sorted(id for id, row in self._live("Opportunity").items()
                      if row.get("stage") == stage_id)

    async def pipeline_of(self, stage_id):
        return self.records.rows["Stage"].get(stage_id, {}).get("pipeline")

    async def layout(self, pipeline_id):
        if pipeline_id not in self.records.rows["Pipeline"]:
            return None
        slots = []
        for id in self._live_stages(pipeline_id):
            row = self.records.get("Stage", id)
            slots.append(StageSlot(id, StageKind(row["kind"]), row["position"],
                                   len(await self.deals_in(id))))
        deals = sum(row.get("pipeline") == pipeline_id
                    for row in self._live("Opportunity").values())
        return PipelineLayout(tuple(slots), deals, pipeline_id in self.records.archived)

    async def pipeline_order(self):
        live = sorted(self._live("Pipeline").items(), key=lambda item: item[1]["position"])
        return {id: row["position"] for id, row in live}

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

    async def comment(self, comment_id):
        row = self.records.rows["Activity"].get(comment_id)
        if row is None or row.get("kind") != "COMMENT" or comment_id in self.records.hidden:
            return None
        return {"recordType": row["recordType"], "recordId": row["recordId"],
                "body": row["body"], "author": row.get("createdBy"),
                "version": self.records.versions[comment_id],
                "archived": comment_id in self.records.archived}
