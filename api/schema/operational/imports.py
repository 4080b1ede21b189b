"""Import jobs: a file of contacts or accounts loading in the background, read by id."""

from __future__ import annotations

import strawberry
from strawberry.scalars import JSON

from api.resolvers.common import get_record
from api.schema import forms
from api.schema.declared_fields import declared
from api.schema.fields import column, node_id, record_type
from api.schema.relay import NodeId, Record
from domain.import_jobs import ImportKind, ImportStatus
from persistence.imports import IMPORT_JOB

Kind = strawberry.enum(ImportKind, description="What an imported file holds.")
Status = strawberry.enum(ImportStatus, name="ImportStatus", description="Where an import stands.")


@record_type("ImportJob")
@strawberry.type(description="An import of a CSV or XLSX file: where it stands, its counts "
                             "and how far it got. `crm import errors <id>` writes its rejected "
                             "rows as CSV.")
@declared(IMPORT_JOB)
class ImportJob(Record):
    id: strawberry.ID = node_id("ImportJob")
    options: JSON | None = column("How the file is read: `defaultRegion`, `onDuplicate`.")
    mapping: JSON | None = column("Which column of the file goes where: {header: target}.")


@strawberry.type
class ImportQueries:
    @strawberry.field(description="An import job by id; null when there is none you may see "
                                  "(staff see the imports they started, admins all).",
                      metadata=forms.compiled(forms.ById("ImportJob")))
    async def import_job(self, info: strawberry.Info, id: NodeId) -> ImportJob | None:
        return await get_record(info, "ImportJob", id)
