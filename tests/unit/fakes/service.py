"""Fake stores of the service side: cases, SLA policies and the knowledge base."""

from __future__ import annotations

import itertools
import uuid
from collections import defaultdict

from domain import ports
from domain.sla import MOMENTS, SlaPolicy
from tests.unit.fakes.records import FakeRecords


class FakeCases(ports.CaseStore):
    def __init__(self, records: FakeRecords) -> None:
        self.records = records
        self.numbers = itertools.count(1)
        self.time_entries: list[tuple] = []

    async def state(self, case_id):
        row = self.records.rows["Case"][case_id]
        row.setdefault("number", f"CS-{next(self.numbers):06d}")
        return dict(row)

    async def add_time_entry(self, case_id, at, minutes, note, user_id):
        self.time_entries.append((case_id, at, minutes, note, user_id))


class FakeSla(ports.SlaStore):
    """Policies by id; `matches` is the policy every new case falls under."""

    def __init__(self, records: FakeRecords) -> None:
        self.records = records
        self.policies: dict[uuid.UUID, SlaPolicy] = {}
        self.matches: SlaPolicy | None = None
        self.events: list[tuple] = []

    def offer(self, policy: SlaPolicy) -> SlaPolicy:
        """The policy new cases fall under from now on."""
        self.policies[policy.id] = self.matches = policy
        return policy

    async def matching(self, product_id, account_id):
        return self.matches

    async def policy(self, policy_id):
        return self.policies.get(policy_id)

    async def due_cases(self, now, limit, skip=()):
        due = [id for id, row in self.records.rows["Case"].items() if id not in skip
               and any(row.get(m) is not None and row[m] <= now for m in MOMENTS)]
        return due[:limit]

    async def recorded(self, case_id):
        return {(metric, level) for case, _, metric, level, _ in self.events if case == case_id}

    async def record(self, case_id, at, metric, level, action):
        self.events.append((case_id, at, metric, level, action))


class FakeKnowledge(ports.KnowledgeStore):
    """Versions per article, and the one caller's vote per article."""

    def __init__(self) -> None:
        self.versions: dict[uuid.UUID, list[dict]] = defaultdict(list)
        self.votes: dict[uuid.UUID, bool] = {}

    async def add_version(self, article_id, values):
        self.versions[article_id].append(dict(values))
        return len(self.versions[article_id])

    async def vote(self, article_id, helpful):
        before, self.votes[article_id] = self.votes.get(article_id), helpful
        return before


class FakeWebhooks(ports.WebhookStore):
    """Sealed secrets by endpoint, the usable partner clients, and the replays asked for."""

    def __init__(self) -> None:
        self.secrets: dict = {}
        self.clients: set[str] = set()
        self.replayed: list[tuple] = []

    async def set_secret(self, endpoint_id, sealed, previous_until):
        self.secrets[endpoint_id] = (sealed, previous_until)

    async def client_usable(self, client_id):
        return client_id in self.clients

    async def replay(self, endpoint_id, message_id, since):
        self.replayed.append((endpoint_id, message_id, since))
        return 1
