"""How the compiled paths answer a field: one typed form per GraphQL field.

A field's form sits in its strawberry metadata under COMPILED, and nothing else may: the app
refuses to start on any other metadata key or on a form that names an unknown type, relation
or sort key (api/compiled/checks.py), so that a typo fails at start-up instead of sending
every query that selects the field down the resolver path. A field without a form is answered
by its resolver; a field of a record type must then be declared `resolver_only` with a reason.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from strawberry.types.field import StrawberryField

from domain.access import Access
from domain.filters import OrderTerm
from domain.ports import UnitOfWork

COMPILED = "compiled"


@dataclass(frozen=True, slots=True)
class Form:
    """How one field compiles."""


# --- Fields of an object ------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class GlobalId(Form):
    """`id`: the row's global id."""


@dataclass(frozen=True, slots=True)
class Value(Form):
    """A stored value under the field's own name; enums and times render by GraphQL type.
    `policy` names the type the policy reads it as when that is not the GraphQL type (edges
    carry the fields of the link they stand for)."""

    policy: str | None = None


@dataclass(frozen=True, slots=True)
class Text(Form):
    """A decimal, which GraphQL carries as a string."""


@dataclass(frozen=True, slots=True)
class Actor(Form):
    """createdBy / updatedBy: the global id of the actor the row names as `Type:uuid`."""


@dataclass(frozen=True, slots=True)
class Json(Form):
    """Keys of a JSON column: a list of objects (emails) or one object (an address)."""

    many: bool


@dataclass(frozen=True, slots=True)
class Reference(Form):
    """A to-one relation: the row holds the target's id."""

    target: str


@dataclass(frozen=True, slots=True)
class ActorUser(Form):
    """The User an actor column names (a note's author); null for any other actor."""


@dataclass(frozen=True, slots=True)
class Children(Form):
    """A plain list of child records along one of the declarations' child relations."""

    relation: str


@dataclass(frozen=True, slots=True)
class Link(Form):
    """A page of the records linked through account_contact, with the link's fields on edges."""

    node: str


@dataclass(frozen=True, slots=True)
class Notes(Form):
    """A page of the record's notes, newest first."""


@dataclass(frozen=True, slots=True)
class Owned(Form):
    """A page of the records of `type_name` whose reference `parent` names this one, newest
    first, each under its own record rule (an account's deals)."""

    type_name: str
    parent: str


@dataclass(frozen=True, slots=True)
class CarrierCount(Form):
    """How many records the caller reads list this one along `relation` (a tag's count): of
    the type its `kind` column names."""

    relation: str


@dataclass(frozen=True, slots=True)
class RecordGlobalId(Form):
    """The global id of the record an audit entry is about, from its type and raw id."""


@dataclass(frozen=True, slots=True)
class Changes(Form):
    """An audit entry's changes, by field name: reference values become global ids."""

    references: Mapping[str, Mapping[str, str]] = field(default_factory=dict)


# --- Fields of the Query type ---------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class ById(Form):
    """One record by global id: of `type_name`, or of any Node type when it is None."""

    type_name: str | None = None


@dataclass(frozen=True, slots=True)
class ByIds(Form):
    """Several records of any Node type by global id, in the order asked."""


@dataclass(frozen=True, slots=True)
class Listing(Form):
    """A type's records under the client's filter, order and archive choice."""

    type_name: str
    references: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Page(Form):
    """A type's records in one fixed order: `pipelines`, `products`, `users`…"""

    type_name: str
    order: tuple[OrderTerm, ...]


@dataclass(frozen=True, slots=True)
class Timeline(Form):
    """A record's activities, newest first; null when the record is not visible."""

    order: tuple[OrderTerm, ...]


@dataclass(frozen=True, slots=True)
class Calendar(Form):
    """The caller's meetings and open tasks within a window, by time."""


@dataclass(frozen=True, slots=True)
class Overdue(Form):
    """An assignee's open tasks past their due time, earliest first."""

    order: tuple[OrderTerm, ...]


@dataclass(frozen=True, slots=True)
class Search(Form):
    """Full-text search hits over the articles, best first."""


@dataclass(frozen=True, slots=True)
class Trail(Form):
    """A record's audit entries and those of what belongs to it, newest first."""

    order: tuple[OrderTerm, ...]


# --- Fields of the Mutation type ------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Update(Form):
    """A plain update (`contactUpdate`): `run(input, uow, access)` is the use case the resolver
    runs too, returning the id of the record of `type_name` written; the payload holds the
    record under `field`, beside `errors`."""

    type_name: str
    field: str
    run: Callable[[Any, UnitOfWork, Access], Awaitable[uuid.UUID]]


def compiled(form: Form) -> dict[str, Any]:
    """A field's metadata: `strawberry.field(..., metadata=compiled(Listing("Contact")))`."""
    return {COMPILED: form}


def form_of(strawberry_field: StrawberryField | None) -> Form | None:
    """The field's form, or None when only its resolver answers it."""
    if strawberry_field is None or not strawberry_field.metadata:
        return None
    return strawberry_field.metadata.get(COMPILED)


def policy_type(strawberry_field: StrawberryField | None) -> str | None:
    """The type the policy reads the field as, when it is not its GraphQL type."""
    form = form_of(strawberry_field)
    return form.policy if isinstance(form, Value) else None
