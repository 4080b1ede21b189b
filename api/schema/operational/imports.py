"""Import jobs: a file of contacts, accounts or survey responses uploaded (GraphQL multipart
request spec), loaded in the background by the worker, and read by id while it runs."""

from __future__ import annotations

from typing import Annotated

import strawberry
from starlette.datastructures import UploadFile
from strawberry.file_uploads import Upload
from strawberry.scalars import JSON

from api.import_jobs import RUN_IMPORT
from api.resolvers.common import get_record, reread
from api.schema import forms
from api.schema.analytical.surveys import described
from api.schema.declared_fields import declared
from api.schema.errors import UserError, user_errors
from api.schema.fields import check_readable, column, node_id, record_type
from api.schema.ids import parse_id
from api.schema.operational.inputs import payload_errors_field
from api.schema.relay import NodeId, Record, arg
from domain.errors import DomainError, ErrorCode
from domain.import_jobs import ImportKind, ImportStatus, OnDuplicate
from domain.imports.reading import ImportFileError
from domain.imports.rejected import rejected_csv
from persistence import import_run, import_store
from persistence.imports import IMPORT_JOB

Kind = described(ImportKind, "ImportKind", "What an imported file holds.", {
    "CONTACTS": "Contacts, matched against the ones you read and filled in, with their "
                "companies, tags and consents.",
    "ACCOUNTS": "Accounts, matched against the ones you read and filled in.",
    "SURVEY_RESPONSES": "Responses to one survey (`survey`), collected elsewhere: who answered "
                        "(email, externalId or contact), when (respondedAt), the answers "
                        "(score or answer:<key>), a comment and what it is about (case, order "
                        "or product). Channel IMPORT."})
Status = strawberry.enum(ImportStatus, name="ImportStatus", description="Where an import stands.")
Duplicates = strawberry.enum(OnDuplicate, name="ImportOnDuplicate",
                             description="What a row matching an existing record does.")


MAX_ROW_ERRORS = 1000


@strawberry.type(description="One problem of a row an import rejected.")
class ImportRowError:
    line: int = strawberry.field(description="The row's line in the file (1 is the header).")
    column: str | None = strawberry.field(description="The file's header of the cell, if one.")
    value: str | None = strawberry.field(description="The cell as written.")
    code: str = strawberry.field(description="REQUIRED, INVALID, UNKNOWN_COUNTRY, TOO_LONG, "
                                             "EXTRA_CELLS, ENCODING, UNKNOWN_TAG, FORBIDDEN or "
                                             "CONFLICT; for survey responses also "
                                             "UNKNOWN_CONTACT, UNKNOWN_CASE, UNKNOWN_ORDER, "
                                             "UNKNOWN_PRODUCT or DUPLICATE.")
    message: str = strawberry.field(description="What is wrong, for a person to fix.")


@record_type("ImportJob")
@strawberry.type(description="An import of a CSV or XLSX file: where it stands, its counts, "
                             "how far it got, and the rows it rejected.")
@declared(IMPORT_JOB)
class ImportJob(Record):
    id: strawberry.ID = node_id("ImportJob")
    options: JSON | None = column("How the file is read: `defaultRegion`, `onDuplicate`, and "
                                  "`survey` (its id's UUID) for survey responses.")
    mapping: JSON | None = column("Which column of the file goes where: {header: target}.")

    @strawberry.field(description=f"The rejected rows' problems in file order: at most `first` "
                                  f"(up to {MAX_ROW_ERRORS}), after line `afterLine`.")
    async def row_errors(
        self, info: strawberry.Info,
        first: Annotated[int, arg(f"How many, 1 to {MAX_ROW_ERRORS}.")] = 100,
        after_line: Annotated[int, arg("Only rows below this line.")] = 0,
    ) -> list[ImportRowError]:
        check_readable(info)
        first = max(1, min(first, MAX_ROW_ERRORS))
        rows = await import_store.row_errors(info.context.reader, self.data["id"], first,
                                             after_line)
        return [ImportRowError(**row) for row in rows]

    @strawberry.field(description="The rejected rows as they were in the file, plus an `error` "
                                  "column: a CSV to fix and import again. Null while none.")
    async def rejected_csv(self, info: strawberry.Info) -> str | None:
        check_readable(info)
        reader = info.context.reader
        rejected = await import_store.rejected(reader, self.data["id"])
        if not rejected:
            return None
        job = await import_store.job(reader, self.data["id"])
        return rejected_csv(job["headers"], rejected).decode("utf-8-sig")


@strawberry.input(description="A file to import, sent as a multipart request's file.")
class ImportStartInput:
    file: Upload = strawberry.field(description="The CSV or XLSX file.")
    kind: Kind = strawberry.field(description="Contacts, accounts or survey responses.")
    survey: strawberry.ID | None = strawberry.field(
        default=None, description="The survey the responses answer: required for "
                                  "SURVEY_RESPONSES, and for no other kind.")
    mapping: JSON | None = strawberry.field(
        default=None, description='{"header": "target"}; guessed from the headers if null.')
    default_region: str | None = strawberry.field(
        default=None, description="ISO country of phone numbers without +, e.g. DE.")
    on_duplicate: Duplicates = strawberry.field(
        default=OnDuplicate.UPDATE, description="Default UPDATE: fill empty fields only.")


@strawberry.type(description="The result of importStart.")
class ImportStartPayload:
    job: ImportJob | None = strawberry.field(
        default=None, description="The job, queued for the worker; null when refused.")
    errors: list[UserError] = payload_errors_field()


@strawberry.type
class ImportQueries:
    @strawberry.field(description="An import job by id; null when there is none you may see "
                                  "(staff see the imports they started, admins all).",
                      metadata=forms.compiled(forms.ById("ImportJob")))
    async def import_job(self, info: strawberry.Info, id: NodeId) -> ImportJob | None:
        return await get_record(info, "ImportJob", id)


@strawberry.type
class ImportMutations:
    @strawberry.mutation(description="Upload a file to import (a multipart request); the "
                                     "mapping and your rights are checked now, the rows by "
                                     "the worker.")
    async def import_start(self, info: strawberry.Info,
                           input: Annotated[ImportStartInput, arg("The file and how to read it.")]
                           ) -> ImportStartPayload:
        ctx, upload = info.context, input.file
        if not isinstance(upload, UploadFile):  # a value in JSON, not a multipart file
            return ImportStartPayload(errors=[UserError(
                field="file", code=ErrorCode.INVALID,
                message="Send the file as a multipart request's file (the GraphQL multipart "
                        "request spec), with null in its place among the variables.")])
        options = {"defaultRegion": input.default_region,
                   "onDuplicate": OnDuplicate(input.on_duplicate).value}
        try:
            if input.survey is not None:
                options["survey"] = str(parse_id(input.survey, "Survey", "survey"))
            job_id = await import_run.start(
                ctx.engine, ctx.access, ImportKind(input.kind), await upload.read(),
                upload.filename, input.mapping, options, queue=RUN_IMPORT)
        except DomainError as exc:
            return ImportStartPayload(errors=user_errors(exc))
        except ImportFileError as exc:
            return ImportStartPayload(errors=[UserError(field="file", code=ErrorCode.INVALID,
                                                        message=f"{exc.code}: {exc.message}")])
        return ImportStartPayload(job=await reread(info, "ImportJob", job_id), errors=[])
