"""What a caller may read and write, as plain data that every layer can consume.

The policy in auth/ produces an `Access` for each principal; persistence turns it
into column projections and WHERE clauses; services check writes against it.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum


class Role(StrEnum):
    """Who a principal is: a staff role, a partner or a customer."""

    ADMIN = "admin"
    SALES = "sales"
    MARKETING = "marketing"
    SERVICE = "service"
    ANALYST = "analyst"
    PARTNER = "partner"
    CUSTOMER = "customer"
    CAPTURE = "capture"  # a lead-capture form: it may capture leads and nothing else
    # No token: it may answer a survey through the signed link of an invitation, and nothing
    # else (surveyRespondByLink), with no more than that invitation's contact may do.
    ANONYMOUS = "anonymous"

    @property
    def is_staff(self) -> bool:
        return self not in (Role.PARTNER, Role.CUSTOMER, Role.CAPTURE, Role.ANONYMOUS)


STAFF_ROLES = tuple(r for r in Role if r.is_staff)


class RecordRule(StrEnum):
    """Which records of a type a principal reaches; persistence compiles each to SQL."""

    ALL = "all"
    NONE = "none"
    SELF = "self"  # the customer's own contact, and what belongs to it (its cases, orders)
    LINKED_TO_SELF = "linked_to_self"  # accounts the customer's contact belongs to
    PARTNER = "partner"  # records registered to the caller's partner
    OWNED_OR_TERRITORY = "owned_or_territory"  # owner, or in the caller's territory subtree
    PUBLIC = "public"  # what is published for everyone, e.g. PUBLIC knowledge articles
    PUBLISHED_FOR_PARTNERS = "published_for_partners"  # PUBLIC and PARTNER articles, published


class Action(StrEnum):
    """Operations on a whole record rather than on one field."""

    CREATE = "create"
    ARCHIVE = "archive"
    REGISTER = "register"  # a partner registers a deal
    APPROVE = "approve"  # sales approves or rejects a registered deal
    CAPTURE = "capture"  # a form submits a lead
    ASSIGN = "assign"  # run the assignment rules on a lead
    CONVERT = "convert"  # turn a lead into a contact, an account and maybe a deal
    REPORT = "report"  # read figures over records, e.g. service statistics
    ESCALATE = "escalate"  # run the escalation job by hand
    MOVE = "move"  # move every deal of a stage to another stage
    MERGE = "merge"  # merge records of the type into one, and undo such a merge
    DEDUPE = "dedupe"  # review the duplicate candidates of a type and dismiss pairs
    RESPOND = "respond"  # answer a survey invitation addressed to oneself


@dataclass(frozen=True, slots=True)
class ActorRef:
    """Who did something: kept on every row and audit entry as `Type:uuid`."""

    type: str  # User, Partner, Contact or System
    id: uuid.UUID | None = None

    def __str__(self) -> str:
        return f"{self.type}:{self.id}" if self.id else self.type

    @classmethod
    def parse(cls, text: str) -> ActorRef:
        kind, _, raw = text.partition(":")
        return cls(kind, uuid.UUID(raw) if raw else None)


SYSTEM = ActorRef("System")


@dataclass(frozen=True)
class Access:
    """Everything the policy grants one principal, resolved to types and fields."""

    role: Role
    actor: ActorRef
    readable: Mapping[str, frozenset[str]]
    writable: Mapping[str, frozenset[str]]
    read_rules: Mapping[str, RecordRule]
    write_rules: Mapping[str, RecordRule]
    actions: Mapping[str, frozenset[Action]]
    user_id: uuid.UUID | None = None
    partner_id: uuid.UUID | None = None
    contact_id: uuid.UUID | None = None
    scopes: frozenset[str] = field(default_factory=frozenset)
    # Every field the policy declares, per type: what is not readable of it is hidden.
    declared: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def can_read(self, type_name: str, field_name: str) -> bool:
        return field_name in self.readable.get(type_name, ())

    def hidden(self, type_name: str) -> frozenset[str]:
        """The declared fields of a type that the caller may not read."""
        return self.declared.get(type_name, frozenset()) - self.readable.get(type_name, frozenset())

    def can_write(self, type_name: str, field_name: str) -> bool:
        return field_name in self.writable.get(type_name, ())

    def can(self, type_name: str, action: Action) -> bool:
        return action in self.actions.get(type_name, ())

    def read_rule(self, type_name: str) -> RecordRule:
        return self.read_rules.get(type_name, RecordRule.NONE)

    def write_rule(self, type_name: str) -> RecordRule:
        return self.write_rules.get(type_name, RecordRule.NONE)
