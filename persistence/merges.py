"""Merges of contacts or of accounts: which records became one, their rows as they were
before, and every reference that moved, so that a merge can be undone."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ARRAY, CheckConstraint, Index, Uuid
from sqlmodel import Field

from persistence.base import Stamped, jsonb, utc_column
from persistence.declaration import PROVENANCE, RecordType, col, meta

MERGEABLE = ("Contact", "Account")


class RecordMergeRow(Stamped, table=True):
    __tablename__ = "record_merge"
    __table_args__ = (
        Index("ix_record_merge_survivor_id_created_at", "survivor_id", "created_at"),
        CheckConstraint(f"record_type IN {MERGEABLE}", name="record_type"),
    )

    record_type: str = Field(max_length=20)
    survivor_id: uuid.UUID
    merged_ids: list[uuid.UUID] = Field(sa_type=ARRAY(Uuid))
    # Every record's row before the merge (to_jsonb of the row), survivor first.
    snapshots: list = Field(default_factory=list, **jsonb())
    # What the merge changed beside the records: {"moved": [{table, column, ids, from}],
    # "archived": [{table, ids}], "revived": [{table, ids}], "changed": [{table, id, before}]}.
    moved: dict = Field(default_factory=dict, **jsonb())
    # {id: version} of each record as the merge left it: undo refuses if one moved on.
    versions: dict = Field(default_factory=dict, **jsonb())
    undone_at: datetime | None = Field(default=None, **utc_column(nullable=True,
                                                                  server_default=None))


RECORD_MERGE = RecordType(
    name="RecordMerge",
    table=RecordMergeRow.__table__,
    groups={
        "all": (
            *meta(sortable=("createdAt",)),
            col("recordType", doc="Contact or Account."),
            col("survivor", "survivor_id", derived=True,
                resolver_only="a global id of the record type the row names"),
            col("merged", "merged_ids", derived=True,
                resolver_only="global ids of the record type the row names"),
            col("references", "moved", derived=True,
                resolver_only="a summary per kind of the references moved, made by its "
                              "resolver from the stored list"),
            col("undoneAt", derived=True, doc="When the merge was undone; null while it holds."),
            *PROVENANCE,
        ),
    },
    stored=(col("snapshots"), col("versions")),
)
