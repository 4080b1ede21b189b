"""Tags: labels with a colour, each for one kind of record, and which records carry which."""

from __future__ import annotations

import uuid

from sqlalchemy import Index, UniqueConstraint, text
from sqlmodel import Field

from domain.access import Access
from domain.tags import TaggableKind
from persistence.base import Stamped, one_of
from persistence.declaration import (
    PROVENANCE,
    Children,
    InternalTable,
    RecordType,
    col,
    meta,
    rel,
)
from persistence.spec import Through
from persistence.sql import Builder


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


def of_readable_kinds(t: str, access: Access, b: Builder) -> str:
    """A caller reaches the tags of the kinds whose tags it may read: marketing, which reads
    no case, knows of no case tag."""
    kinds = [kind.value for kind in TaggableKind if access.can_read(kind.value, "tags")]
    return f"{t}.kind = ANY({b.bind(kinds)})"


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
            rel("count"),
            *PROVENANCE,
        ),
    },
    requires=of_readable_kinds,
    unique={"uq_tag_kind_name": "name"},
)

TAGGINGS = InternalTable(TaggingRow.__table__,
                         "which records carry which tag: read as the records' `tags`",
                         pairs=("tag_id", "record_id"))

# A record's tags, by name: the one relation every taggable type declares as its `tags`.
TAGS = Children("Tag", "record_id", ("name", "id"),
                Through(TaggingRow.__table__, "record_id", "tag_id", matched_by="name",
                        target=TagRow.__table__))


def tags() -> tuple:
    """The `tags` group of a taggable type: who may read and change its tags."""
    return (rel("tags", TAGS, filterable=True,
                doc="Its tags, by name; tag and untag change them."),)

