"""Imports: a file of contacts, accounts or survey responses, the job that loads it, the rows
it rejected, and what it wrote, so that it can resume after a kill and be undone.

The job keeps the uploaded file itself, so that a job killed half-way resumes from the last
committed line without the file being sent again, and the worker reads it without a shared
disk. Rejected rows keep their cells as they were, ready to be written back as a CSV to fix.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, Column, Identity, Index, LargeBinary
from sqlmodel import Field, SQLModel

from domain.access import Access, RecordRule
from domain.import_jobs import ImportKind, ImportStatus
from persistence.base import Stamped, jsonb, one_of, utc_column
from persistence.declaration import PROVENANCE, InternalTable, RecordType, col, meta, ref, rel
from persistence.sql import Builder


class ImportJobRow(Stamped, table=True):
    """One import: the file, how it is read, and how far it got."""

    __tablename__ = "import_job"
    __table_args__ = (
        Index("ix_import_job_created_at_id", "created_at", "id"),
        one_of("kind", ImportKind),
        one_of("status", ImportStatus),
    )

    kind: str = Field(max_length=20)
    status: str = Field(default=ImportStatus.PENDING.value, max_length=20)
    filename: str | None = Field(default=None, max_length=300)
    file: bytes = Field(sa_type=LargeBinary)
    # {"defaultRegion", "onDuplicate", "survey" (a file of responses)}; the mapping as
    # {header: target}.
    options: dict = Field(default_factory=dict, **jsonb())
    mapping: dict = Field(default_factory=dict, **jsonb())
    headers: list = Field(default_factory=list, **jsonb())
    # Who runs it: its role and reach decide what it may write, on every resume too.
    user_id: uuid.UUID | None = Field(default=None, foreign_key="app_user.id", index=True)
    role: str = Field(max_length=20)
    rows_read: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    created_count: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    updated_count: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    skipped_count: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    rejected_count: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    # The last line of the file whose batch committed: a resume starts after it.
    progress_line: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    error: str | None = Field(default=None, max_length=2000)
    finished_at: datetime | None = Field(default=None, **utc_column(nullable=True,
                                                                     server_default=None))


class ImportRowErrorRow(SQLModel, table=True):
    """Why one row (or one of its cells) was not imported, with the row as it was."""

    __tablename__ = "import_row_error"
    __table_args__ = (Index("ix_import_row_error_job_id_line", "job_id", "line"),)

    id: int | None = Field(default=None, sa_column=Column(
        BigInteger, Identity(always=True), primary_key=True))
    job_id: uuid.UUID = Field(foreign_key="import_job.id")
    line: int
    column: str | None = Field(default=None, max_length=300)
    value: str | None = Field(default=None, max_length=2000)
    code: str = Field(max_length=40)
    message: str = Field(max_length=500)
    cells: list = Field(default_factory=list, **jsonb())


class ImportRecordRow(SQLModel, table=True):
    """A record an import changed, or a link, tag or consent it added (the contacts, accounts
    and survey responses it created undo finds by their "create" audit entries): with the
    values it had before a change and the version the import left, undo reverts it only while
    nobody has changed it since."""

    __tablename__ = "import_record"
    __table_args__ = (Index("ix_import_record_job_id_record_id", "job_id", "record_id"),)

    id: int | None = Field(default=None, sa_column=Column(
        BigInteger, Identity(always=True), primary_key=True))
    job_id: uuid.UUID = Field(foreign_key="import_job.id")
    record_type: str = Field(max_length=40)
    record_id: uuid.UUID
    action: str = Field(max_length=20)  # created | updated
    # {column: value before} for an update; {} for a record the import created.
    before: dict = Field(default_factory=dict, **jsonb())
    version: int


def started_by_self(t: str, access: Access, b: Builder) -> str:
    """A member of staff reaches the imports it started."""
    return f"{t}.user_id = {b.bind(access.user_id)}"


IMPORT_JOB = RecordType(
    name="ImportJob",
    table=ImportJobRow.__table__,
    groups={
        "all": (
            *meta(sortable=("createdAt",)),
            col("kind", enum=ImportKind,
                doc="What the file holds: contacts, accounts or survey responses."),
            col("status", enum=ImportStatus, filterable=True, doc="Where the import stands."),
            col("filename", doc="The name of the uploaded file."),
            col("options"),
            col("mapping"),
            ref("user", target="User", doc="The member of staff who started it."),
            col("rowsRead", derived=True, doc="Rows read from the file so far."),
            col("createdCount", derived=True, doc="Records created."),
            col("updatedCount", derived=True, doc="Existing records whose empty fields it filled."),
            col("skippedCount", derived=True, doc="Rows skipped as duplicates."),
            col("rejectedCount", derived=True, doc="Rows rejected; see the rejected CSV."),
            col("progressLine", derived=True,
                doc="The last line of the file committed; a resume starts after it."),
            col("error", derived=True, doc="Why it failed, if it did."),
            col("finishedAt", derived=True, doc="When it finished."),
            rel("rowErrors", resolver_only="the rows' problems, read from import_row_error"),
            rel("rejectedCsv", resolver_only="the rejected rows written back as CSV"),
            *PROVENANCE,
        ),
    },
    rules={RecordRule.SELF: started_by_self},
    stored=(col("file"), col("headers"), col("role")),
)

IMPORT_ROW_ERRORS = InternalTable(
    ImportRowErrorRow.__table__,
    "the rows an import rejected: read as ImportJob.rowErrors and the rejected CSV")
IMPORT_RECORDS = InternalTable(
    ImportRecordRow.__table__,
    "what an import wrote, with the values before: read by undo only")
