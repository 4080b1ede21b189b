"""The compiled read path of /graphql: a whole query answered by one SQL statement.

The planner (api/compiled/) turns a validated query into a read plan, persistence compiles
the plan into one statement whose single value is the response's `data`, and the statement
cache keeps it for the next identical request. Whatever the plan cannot express is left to
the resolvers, which answer it, errors included, as they always would.
"""

from __future__ import annotations

import logging

from graphql import DocumentNode, OperationDefinitionNode, OperationType

from api.compiled.planner import Planner, variable_uses
from api.graphql_errors import Refusal, refusal
from api.graphql_request import Operation
from api.metrics import Metrics
from api.statements import StatementCache
from api.tracing import Tracing
from auth.principal import Principal
from domain.errors import DomainError
from persistence.compiled import TooWide, compile_plan, fetch_json
from persistence.db import Reader, is_timeout, is_unavailable

log = logging.getLogger("crm.graphql")


class CompiledReads:
    """Answers queries from compiled statements, and counts how often it could."""

    def __init__(self, planner: Planner | None, reader: Reader, *, statement_timeout_ms: int,
                 metrics: Metrics | None, tracing: Tracing) -> None:
        self.planner = planner
        self.reader = reader
        self.statement_timeout_ms = statement_timeout_ms
        self.metrics = metrics
        self.tracing = tracing
        self.statements = StatementCache()
        self.answers = 0  # how many queries this path answered, for tests

    async def data(self, document: DocumentNode, ast: OperationDefinitionNode,
                   operation: Operation, principal: Principal) -> str | None:
        """The `data` JSON from compiled SQL, or None to let the resolvers answer.

        A bug here is logged and handed to the resolvers, which either answer or mask the
        error as INTERNAL like any other. A timeout or an outage is answered at once: the
        resolvers would only meet it again.
        """
        try:
            with self.tracing.span("graphql.plan_compile"):
                compiled = self._statement(document, ast, operation, principal)
            if compiled is None:
                self._count(ast, "miss")
                return None
            with self.tracing.span("graphql.execute"):
                data = await fetch_json(self.reader, *compiled)
        except Exception as exc:  # never a half answer
            if is_timeout(exc):
                raise refusal.timed_out(self.statement_timeout_ms) from None
            if is_unavailable(exc):
                raise unavailable(exc) from None
            log.exception("compiled read failed; answering through the resolvers")
            self._count(ast, "miss")
            return None
        self.answers += 1
        self._count(ast, "hit")
        return data

    def _count(self, ast: OperationDefinitionNode, result: str) -> None:
        if self.metrics is not None and ast.operation is OperationType.QUERY:
            self.metrics.compiled[result] += 1

    def _statement(self, document: DocumentNode, ast: OperationDefinitionNode,
                   operation: Operation, principal: Principal) -> tuple[str, tuple] | None:
        """The statement answering the whole query, when the compiled path can."""
        if self.planner is None:
            return None
        return self.statements.statement(
            operation.query, operation.operation_name, operation.variables, principal,
            lambda: self._compile(document, ast, operation, principal))

    def _compile(self, document: DocumentNode, ast: OperationDefinitionNode,
                 operation: Operation, principal: Principal):
        access = principal.access()
        outputs = self.planner.plan(document, ast, operation.variables, access)
        if outputs is None:
            return None
        try:
            sql, params, positions = compile_plan(outputs, access)
        except (DomainError, TooWide):
            return None  # e.g. a forbidden sort key: the resolvers say so properly
        # A variable can stand for its record in a template only if nothing else reads it.
        uses = variable_uses(document, ast)
        return sql, params, {name: at for name, at in positions.items() if uses[name] == len(at)}


def unavailable(error: BaseException) -> Refusal:
    """The 503 for a database that cannot be reached, with a warning in the log."""
    log.warning("database unavailable: %s: %s", type(error).__name__, error)
    return refusal.unavailable()
