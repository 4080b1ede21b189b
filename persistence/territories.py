"""Territories: a hierarchy of sales regions."""

from __future__ import annotations

import uuid

from sqlmodel import Field

from domain.access import Access
from persistence.base import Stamped
from persistence.declaration import UNSHOWN_STAMPS, Children, RecordType, col, ref, rel
from persistence.sql import Builder


class TerritoryRow(Stamped, table=True):
    __tablename__ = "territory"

    name: str = Field(max_length=200, unique=True)
    parent_id: uuid.UUID | None = Field(default=None, foreign_key="territory.id", index=True)


def owned_or_in_territory(t: str, access: Access, b: Builder) -> str:
    """The caller owns the row, or the row lies in the caller's territory or one below it."""
    user = b.bind(access.user_id)
    return (f"{t}.owner_id = {user} OR {t}.territory_id IN ("
            f"WITH RECURSIVE subtree(id) AS (SELECT territory_id FROM app_user WHERE id = {user} "
            f"UNION ALL SELECT below.id FROM territory below JOIN subtree ON below.parent_id = subtree.id)"
            f" SELECT id FROM subtree)")
TERRITORY = RecordType(
    name="Territory",
    table=TerritoryRow.__table__,
    groups={
        "name": (
            col("id"),
            col("name", filterable=True, doc="Name, unique across territories."),
            col("version", doc="Optimistic-concurrency version; send it back to change it."),
        ),
        "structure": (
            ref("parent", target="Territory", doc="The territory this one belongs to; null at the top."),
            rel("children", Children("Territory", "parent_id", ("name",))),
        ),
    },
    stored=UNSHOWN_STAMPS,
    parent_column="parent_id",
    unique={"uq_territory_name": "name"},
)
