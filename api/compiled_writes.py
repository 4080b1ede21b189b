"""The compiled write path of /graphql: a plain update answered without graphql-core's execution.

Why it exists: a plain update (`contactUpdate`) is already one SQL statement, yet executing it
through graphql-core and strawberry (argument conversion, the resolver's wrapper, the payload
completed field by field) cost as much CPU again as the compiled read of a record. Here the
mutation is planned beside the compiled reads (api/compiled/mutations.py): the input is
coerced by graphql-core and converted by strawberry exactly as for the resolver, the resolver's
own use case runs on it (the same validation, write, audit entry and errors), and the payload
is rendered as the resolvers render it. The record comes back as the compiled read path
renders it: inside the write's own statement when its selection reads no other row of its
type, else from one compiled read after the write. Whatever cannot be planned goes to the
resolvers before anything is written; tests/api/test_compiled_writes.py holds both paths to
the same answers, errors, statuses and audit entries.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson
from graphql import ExecutionResult, GraphQLObjectType, located_error

from api.compiled.mutations import PayloadPart, WritePlan
from api.compiled.planner import Planner
from api.compiled.syntax import unwrap
from api.context import unit_of_work
from api.graphql_request import Operation
from api.schema.errors import user_errors
from api.tracing import Tracing
from auth.principal import Principal
from domain.access import Access
from domain.errors import DomainError
from persistence import readplan as rp
from persistence.compiled import TooWide, compile_record, fetch_json, record_by_id
from persistence.db import Reader
from persistence.record_writes import Answer, answerable_in_statement

RECORDS_KEPT = 1024


@dataclass(frozen=True, slots=True)
class WrittenRecord:
    """How a written record is answered: `read`, a compiled read of it by id, and whether
    the write's own statement can render it instead (`in_statement`)."""

    read: tuple[str, tuple, list[int]]
    in_statement: bool


class CompiledWrites:
    """Answers plain updates without graphql-core's execution, and counts how often it did."""

    def __init__(self, planner: Planner | None, engine, reader: Reader, *,
                 tracing: Tracing) -> None:
        self.planner = planner
        self.engine = engine
        self.reader = reader
        self.tracing = tracing
        self.answers = 0  # how many mutations this path answered, for tests
        self._records: dict[tuple, WrittenRecord] = {}

    async def answer(self, document, ast, operation: Operation,
                     principal: Principal) -> str | ExecutionResult | None:
        """The `data` JSON; or the result of an error the resolvers would have met at the
        field, for the endpoint to report as theirs; or None to let the resolvers answer."""
        if self.planner is None:
            return None
        access = principal.access()
        with self.tracing.span("graphql.plan_compile"):
            plan = self.planner.plan_write(document, ast, operation.variables, access)
            if plan is None:
                return None
            record = None
            if plan.record is not None:
                # compiled before the write, so that nothing can fail to compile after it
                record = self._record(plan.form.type_name, plan.record, principal, access)
                if record is None:
                    return None
        with self.tracing.span("graphql.execute"):
            try:
                json, errors = await self._write(plan, access, record)
            except Exception as exc:  # as graphql-core reports a resolver's error
                return ExecutionResult(None, [located_error(exc, list(plan.nodes), [plan.key])])
        self.answers += 1
        return _data(plan, json, errors)

    def _record(self, type_name: str, selection: rp.Selection, principal: Principal,
                access: Access) -> WrittenRecord | None:
        """How the written record is answered, kept per selection and caller: its read
        after the write, and whether the write's statement can answer instead; None when
        the read does not compile (the resolvers then report why)."""
        try:
            key = (selection, principal)
            hash(key)
        except TypeError:  # a selection holding a list (a filter) is planned anew anyway
            key = None
        found = self._records.get(key) if key is not None else None
        if found is None:
            try:
                found = WrittenRecord(compile_record(type_name, selection, access),
                                      answerable_in_statement(selection))
            except (DomainError, TooWide):
                return None
            if key is not None:
                if len(self._records) >= RECORDS_KEPT:
                    self._records.clear()
                self._records[key] = found
        return found

    async def _write(self, plan: WritePlan, access: Access,
                     record: WrittenRecord | None) -> tuple[str | None, list]:
        """The record's JSON (None: null) and the UserErrors, as the resolver's `mutate`."""
        answer = (Answer(plan.form.type_name, plan.record)
                  if record is not None and record.in_statement else None)
        try:
            record_id = await plan.form.run(plan.input, unit_of_work(self.engine, access,
                                                                     answer=answer), access)
        except DomainError as exc:
            return None, user_errors(exc)
        if record is None:
            return None, []
        if answer is not None and answer.given:
            return answer.json, []
        # The transactional path wrote it, or the selection reads its own type: read it now.
        return await fetch_json(self.reader, *record_by_id(record.read, record_id)), []


def _data(plan: WritePlan, record: str | None, errors: list) -> str:
    """`data` as JSON text: the payload under the root key, its keys in the client's order."""
    payload = ",".join(f"{_key(part.key)}:{_value(plan.payload, part, record, errors)}"
                       for part in plan.parts)
    return f"{{{_key(plan.key)}:{{{payload}}}}}"


def _key(key: str) -> str:
    return orjson.dumps(key).decode()


def _value(payload: GraphQLObjectType, part: PayloadPart, record: str | None,
           errors: list) -> str:
    if part.what == "__typename":
        return _key(payload.name)
    if part.what == "record":
        return "null" if record is None else record
    error_type = unwrap(payload.fields["errors"].type)
    return orjson.dumps([{key: _leaf(error_type, name, error) for key, name in part.error_keys}
                         for error in errors]).decode()


def _leaf(error_type: GraphQLObjectType, name: str, error: Any) -> Any:
    """A UserError's field, serialized by its GraphQL type as graphql-core completes it."""
    if name == "__typename":
        return error_type.name
    value = getattr(error, name)
    return None if value is None else unwrap(error_type.fields[name].type).serialize(value)
