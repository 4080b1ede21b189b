"""Tags: labels with a colour, each for one kind of record, and which records carry which."""

from __future__ import annotations

import uuid

from sqlalchemy import Index, UniqueConstraint, text
from sqlmodel import Field

from domain.tags import TaggableKind
from persistence.base import Stamped, one_of
from persistence.declaration import PROVENANCE, InternalTable, RecordType, col, meta


class TagRow(Stamped, table=True):
    __tablename__ = "tag"
    __table_args__ = (
        # Unique per kind whatever the case, among the tags in use: an archived name is free.
        Index("uq_tag_kind_name", "kind", text("lower(name)"), unique=True,
              postgresql_where=text("archived_at IS NULL")),
        one_of("kind", TaggableKind),
    )

    kind: str = Field(max_length=20)
    name: str = Field(max_length=50)
    colour: str = Field(max_length=7)


class TaggingRow(Stamped, table=True):
    """A record carrying a tag; untagging archives the row, so the pair's history stays."""

    __tablename__ = "tagging"
    __table_args__ = (UniqueConstraint("tag_id", "record_id"),)

    tag_id: uuid.UUID = Field(foreign_key="tag.id")
    record_id: uuid.UUID = Field(index=True)  # of the tag's kind: no one foreign key fits


TAG = RecordType(
    name="Tag",
    table=TagRow.__table__,
    groups={
        "all": (
            *meta(sortable=("createdAt",)),
            col("kind", filterable=True, enum=TaggableKind,
                doc="The kind of record it labels."),
            col("name", sortable=True,
                doc="Name, unique within its kind whatever the case, e.g. `VIP`."),
            col("colour", doc="How frontends paint it: `#RRGGBB`."),
            *PROVENANCE,
        ),
    },
    unique={"uq_tag_kind_name": "name"},
)

TAGGINGS = InternalTable(TaggingRow.__table__,
                         "which records carry which tag: read as the records' `tags`")

