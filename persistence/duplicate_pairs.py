"""Duplicate detection's tables: the candidate pairs found by the scans, and the pairs a user
dismissed as "not a duplicate".

A pair is unordered and stored once, lower id first, so that (a, b) and (b, a) are one row.
The candidates are a cache of the scoring (recomputed by `crm duplicates scan` and the rescan
job), so that the review queue is one indexed, keyset-paged read instead of a scan per page.
Dismissals are the users' decisions: kept for good, and the scans never store a dismissed pair.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, Column, DateTime, Float, Index, Text, func
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Field, SQLModel

from persistence.declaration import InternalTable

PAIR_TYPES = ("Contact", "Account")


class DuplicateCandidateRow(SQLModel, table=True):
    """Two records that probably describe the same person or company, with the full score."""

    __tablename__ = "duplicate_candidate"
    __table_args__ = (
        CheckConstraint("low_id < high_id", name="ordered"),
        CheckConstraint(f"record_type IN {PAIR_TYPES}", name="record_type"),
        Index("ix_duplicate_candidate_queue", "record_type", "score", "low_id", "high_id"),
        Index("ix_duplicate_candidate_high_id", "high_id"),
    )

    record_type: str = Field(primary_key=True, max_length=20)
    low_id: uuid.UUID = Field(primary_key=True)
    high_id: uuid.UUID = Field(primary_key=True)
    score: float = Field(sa_column=Column(Float, nullable=False))
    reasons: list[str] = Field(sa_column=Column(ARRAY(Text), nullable=False))
    found_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False,
                                                server_default=func.now()))


class DuplicateDismissalRow(SQLModel, table=True):
    """A pair a user said is not a duplicate: never proposed again."""

    __tablename__ = "duplicate_dismissal"
    __table_args__ = (
        CheckConstraint("low_id < high_id", name="ordered"),
        CheckConstraint(f"record_type IN {PAIR_TYPES}", name="record_type"),
    )

    record_type: str = Field(primary_key=True, max_length=20)
    low_id: uuid.UUID = Field(primary_key=True)
    high_id: uuid.UUID = Field(primary_key=True)
    dismissed_by: str = Field(max_length=200)
    dismissed_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False,
                                                    server_default=func.now()))


DUPLICATE_TABLES = (
    InternalTable(DuplicateCandidateRow.__table__,
                  "pairs the duplicate scans found; read through duplicateCandidates, which "
                  "checks both records and rescored them for the caller"),
    InternalTable(DuplicateDismissalRow.__table__,
                  "pairs dismissed as not duplicates; the scans and queries leave them out"),
)

