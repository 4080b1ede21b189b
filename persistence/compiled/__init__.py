"""Compile a read plan (persistence/readplan.py) into one SQL statement that returns the
`data` object as JSON text.

By kind: record.py builds a record's object and the statement around the plan, connection.py
the rows of a page, page.py the page's JSON (edges, nodes, pageInfo, totalCount), and lists.py
the lists that are no connections (a calendar, search hits).
"""

from __future__ import annotations

import uuid

from domain.access import Access
from persistence.compiled.record import Compiler, TooWide
from persistence.db import Reader
from persistence.readplan import Output, Record, Selection

__all__ = ["TooWide", "compile_plan", "compile_record", "fetch_json", "record_by_id"]


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


def compile_record(type_name: str, selection: Selection,
                   access: Access) -> tuple[str, tuple, list[int]]:
    """A statement reading one record's selection by id, as `contact(id)` reads it: its
    JSON, null when the caller does not see the record. With its parameters and where the
    id sits among them (record_by_id fills it in); DomainError or TooWide as compile_plan."""
    compiler = Compiler(access)
    record = compiler.value(Record("record", type_name, uuid.UUID(int=0), selection, "id"),
                            None, "")
    return (f"SELECT {record}::text AS data", tuple(compiler.b.params),
            compiler.variable_params["id"])


def record_by_id(compiled: tuple[str, tuple, list[int]], id: uuid.UUID) -> tuple[str, tuple]:
    """The statement of compile_record for the record `id`."""
    sql, params, positions = compiled
    filled = list(params)
    for position in positions:
        filled[position] = id
    return sql, tuple(filled)
