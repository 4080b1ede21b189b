"""Territories: a hierarchy of sales regions."""

from __future__ import annotations

import uuid

from sqlalchemy import or_, select
from sqlmodel import Field

from persistence.base import STAMP_FIELDS, Stamped
from persistence.spec import Spec


class TerritoryRow(Stamped, table=True):
    __tablename__ = "territory"

    name: str = Field(max_length=200, unique=True)
    parent_id: uuid.UUID | None = Field(default=None, foreign_key="territory.id", index=True)


def territory_subtree_of_user(user_id):
    """Ids of the user's territory and all territories below it."""
    from persistence.users import UserRow

    t = TerritoryRow.__table__
    home = select(UserRow.__table__.c.territory_id).where(UserRow.__table__.c.id == user_id)
    tree = select(t.c.id).where(t.c.id == home.scalar_subquery()).cte("subtree", recursive=True)
    tree = tree.union_all(select(t.c.id).where(t.c.parent_id == tree.c.id))
    return select(tree.c.id)


def owned_or_in_territory(table, access):
    """The caller owns the row, or the row lies in the caller's territory subtree."""
    return or_(table.c.owner_id == access.user_id,
               table.c.territory_id.in_(territory_subtree_of_user(access.user_id)))


TERRITORY = Spec(
    type_name="Territory",
    table=TerritoryRow.__table__,
    columns={**STAMP_FIELDS, "name": "name", "parent": "parent_id"},
    parent_column="parent_id",
    searchable={"name": ("name", "name")},
    unique={"uq_territory_name": "name"},
)
