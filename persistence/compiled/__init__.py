"""Compile a read plan (persistence/readplan.py) into one SQL statement that returns the
`data` object as JSON text.

By kind: record.py builds a record's object and the statement around the plan, connection.py
the rows of a page, page.py the page's JSON (edges, nodes, pageInfo, totalCount), and lists.py
the lists that are no connections (a calendar, search hits).
"""

from __future__ import annotations

from domain.access import Access
from persistence.compiled.record import Compiler, TooWide
from persistence.db import Reader
from persistence.readplan import Output

__all__ = ["TooWide", "compile_plan", "fetch_json"]


def compile_plan(outputs: tuple[Output, ...],
                 access: Access) -> tuple[str, tuple, dict[str, list[int]]]:
    """The statement, its parameters, and where the looked-up ids of each variable sit
    among them; DomainError or TooWide when the plan cannot be compiled."""
    compiler = Compiler(access)
    sql = compiler.statement(outputs)
    return sql, tuple(compiler.b.params), compiler.variable_params


async def fetch_json(reader: Reader, sql: str, params: tuple) -> str:
    """Run a compiled plan: its single value is the response's `data` as JSON text."""
    return await reader.value(sql, params)
