"""Who is calling: a staff user, a partner, or a customer acting for their own contact."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from auth.grants import access_for
from domain.access import Access, ActorRef, Role


@dataclass(frozen=True)
class Principal:
    """A verified caller. Exactly one of user_id, partner_id, contact_id, form_id is set,
    but for the anonymous caller (no token), which has none."""

    role: Role
    user_id: uuid.UUID | None = None
    partner_id: uuid.UUID | None = None
    contact_id: uuid.UUID | None = None
    form_id: uuid.UUID | None = None  # a lead-capture form
    scopes: frozenset[str] = field(default_factory=frozenset)
    issuer: str | None = None

    @cached_property
    def actor(self) -> ActorRef:
        if self.user_id:
            return ActorRef("User", self.user_id)
        if self.partner_id:
            return ActorRef("Partner", self.partner_id)
        if self.form_id:
            return ActorRef("CaptureForm", self.form_id)
        if self.role is Role.ANONYMOUS:
            return ActorRef("Anonymous")
        return ActorRef("Contact", self.contact_id)

    def __hash__(self) -> int:
        # Principals key the compiled statements and the access cache: hash the fields once.
        return self._hash

    @cached_property
    def _hash(self) -> int:
        return hash((self.role, self.user_id, self.partner_id, self.contact_id, self.form_id,
                     self.scopes, self.issuer))

    @cached_property
    def reference(self) -> str:
        """`Type:uuid`, as rows, audit entries, rate limits and logs name the caller."""
        return str(self.actor)

    def access(self) -> Access:
        return _access_of(self)

    @classmethod
    def staff(cls, role: Role, user_id: uuid.UUID, **kw) -> Principal:
        if not role.is_staff:
            raise ValueError(f"{role} is not a staff role")
        return cls(role=role, user_id=user_id, **kw)

    @classmethod
    def partner(cls, partner_id: uuid.UUID, scopes, **kw) -> Principal:
        return cls(role=Role.PARTNER, partner_id=partner_id, scopes=frozenset(scopes), **kw)

    @classmethod
    def customer(cls, contact_id: uuid.UUID, **kw) -> Principal:
        return cls(role=Role.CUSTOMER, contact_id=contact_id, **kw)

    @classmethod
    def anonymous(cls) -> Principal:
        """A caller without a token: it may answer a survey through a signed link only."""
        return cls(role=Role.ANONYMOUS)

    @classmethod
    def capture(cls, form_id: uuid.UUID, **kw) -> Principal:
        return cls(role=Role.CAPTURE, form_id=form_id, **kw)


@lru_cache(maxsize=4096)
def _access_of(principal: Principal) -> Access:
    """A principal's access never changes while the process runs: the policy is code."""
    return access_for(principal.role, principal.actor, user_id=principal.user_id,
                      partner_id=principal.partner_id, contact_id=principal.contact_id,
                      scopes=principal.scopes)


def staff_access(role: Role, user_id: uuid.UUID) -> Access:
    """What a staff user of the role may do, as its own token would give it: the access by
    which to tell whether someone else may read a record (a mention, a follower)."""
    return Principal.staff(role, user_id).access()
