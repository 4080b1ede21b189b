"""Keyset pagination: opaque cursors, seek conditions, and pages of rows.

No OFFSET anywhere: a cursor holds the sort values of the row it points at, and the
next page is the rows strictly after it in the same order (id breaks ties).
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import orjson
from sqlalchemy import Boolean, Date, DateTime, Integer, String, Uuid
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.types import TypeEngine

from domain.errors import DomainError, ErrorCode
from domain.paging import PageRequest
from persistence.base import jsonable
from persistence.sql import Builder


@dataclass(frozen=True, slots=True)
class SortKey:
    """One ORDER BY term over a SQL expression, with explicit null placement so that
    seeks stay exact. `sql_type` is the column's type, used to read cursors back."""

    name: str
    sql: str
    sql_type: TypeEngine
    descending: bool = False
    nulls_first: bool | None = None  # None: PostgreSQL's default for the direction
    cast: str = ""  # how a cursor's value becomes the key's type, e.g. JSON text to jsonb

    @property
    def effective_nulls_first(self) -> bool:
        return self.descending if self.nulls_first is None else self.nulls_first

    def reversed(self) -> SortKey:
        return replace(self, descending=not self.descending,
                       nulls_first=not self.effective_nulls_first)

    def over(self, sql: str) -> SortKey:
        """The same key over another expression, e.g. a column of a subquery."""
        return replace(self, sql=sql)

    def order_by(self) -> str:
        direction = "DESC" if self.descending else "ASC"
        return f"{self.sql} {direction} NULLS {'FIRST' if self.effective_nulls_first else 'LAST'}"


def column_key(name: str, t: str, column, descending: bool = False,
               nulls_first: bool | None = None) -> SortKey:
    """A key over `column` (a SQLAlchemy column) of alias `t`."""
    return SortKey(name, f"{t}.{column.name}", column.type, descending, nulls_first)


@dataclass
class Page:
    """Rows of one page in display order, with a cursor for each."""

    rows: list[dict]
    cursors: list[str]
    has_next: bool
    has_previous: bool
    total: int | None = None
    extra: dict = field(default_factory=dict)


def _fingerprint(keys: list[SortKey]) -> str:
    spec = ",".join(f"{k.name}:{int(k.descending)}:{int(k.effective_nulls_first)}" for k in keys)
    return hashlib.blake2s(spec.encode(), digest_size=4).hexdigest()



EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)


def _cursor_value(key: SortKey, value: Any) -> Any:
    """Times travel as whole microseconds since the epoch: exact, and easy to produce in SQL;
    a JSON value as its text, written as PostgreSQL writes jsonb."""
    if isinstance(value, datetime):
        return (value - EPOCH) // MICROSECOND
    if isinstance(key.sql_type, JSONB) and value is not None:
        return json.dumps(value, separators=(", ", ": "), ensure_ascii=False)
    return jsonable(value)


def encode_cursor(keys: list[SortKey], values: list[Any]) -> str:
    """base64url of the JSON array [fingerprint, values...], in the text form PostgreSQL's
    json_build_array(...)::text produces, so that SQL can build identical cursors."""
    payload = json.dumps([_fingerprint(keys), *(_cursor_value(k, v)
                                                for k, v in zip(keys, values, strict=True))],
                         separators=(", ", ": "), ensure_ascii=False)
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def _bad_cursor(field_name: str) -> DomainError:
    return DomainError.one(field_name, ErrorCode.INVALID,
                           "This cursor is malformed or belongs to another ordering.")


def decode_cursor(cursor: str, keys: list[SortKey], field_name: str) -> list[Any]:
    """Read a cursor back into typed sort values; refuse one made for another ordering."""
    try:
        raw = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, TypeError) as exc:
        raise _bad_cursor(field_name) from exc
    if not isinstance(raw, list) or len(raw) != len(keys) + 1 or raw[0] != _fingerprint(keys):
        raise _bad_cursor(field_name)
    try:
        return [_typed(key, value) for key, value in zip(keys, raw[1:], strict=True)]
    except (ValueError, TypeError, AttributeError, OverflowError) as exc:
        raise _bad_cursor(field_name) from exc


def _typed(key: SortKey, value: Any) -> Any:
    """Check a cursor value against its column's SQL type; a mismatch is a forged cursor."""
    if value is None:
        return None
    sql_type = key.sql_type
    if isinstance(sql_type, DateTime):
        if type(value) is not int:
            raise ValueError(f"{key.name}: microseconds expected")
        return EPOCH + value * MICROSECOND
    if isinstance(sql_type, Uuid):
        return uuid.UUID(value)
    if isinstance(sql_type, Date):
        return date.fromisoformat(value)
    if isinstance(sql_type, JSONB):
        orjson.loads(value)  # JSON text, or a forged cursor
        return value
    expected = (int,) if isinstance(sql_type, Integer) else (str,) if isinstance(
        sql_type, String) else (bool,) if isinstance(sql_type, Boolean) else (int, float, str)
    if type(value) not in expected:
        raise ValueError(f"{key.name}: {type(value).__name__} where {expected} was expected")
    if isinstance(sql_type, Integer) and not -2**31 <= value < 2**31:
        raise ValueError(f"{key.name}: beyond an integer column")
    return value


def _strictly_after(key: SortKey, value: Any, b: Builder) -> str:
    if value is None:
        return f"{key.sql} IS NOT NULL" if key.effective_nulls_first else "FALSE"
    beyond = f"{key.sql} {'<' if key.descending else '>'} {b.bind(value)}{key.cast}"
    return beyond if key.effective_nulls_first else f"({beyond} OR {key.sql} IS NULL)"


def _equal(key: SortKey, value: Any, b: Builder) -> str:
    return f"{key.sql} IS NULL" if value is None else f"{key.sql} = {b.bind(value)}{key.cast}"


def seek_after(keys: list[SortKey], values: list[Any], b: Builder) -> str:
    """Rows that come strictly after `values` in the order of `keys`."""
    branches = []
    for index, key in enumerate(keys):
        prefix = [_equal(k, v, b) for k, v in zip(keys[:index], values[:index], strict=True)]
        branches.append(" AND ".join([*prefix, _strictly_after(key, values[index], b)]))
    return "(" + " OR ".join(f"({branch})" for branch in branches) + ")"


def directed(keys: list[SortKey], request: PageRequest) -> list[SortKey]:
    """Paging backward reads the reversed order and flips the rows afterwards."""
    return [k.reversed() for k in keys] if request.backward else keys


def order_sql(keys: list[SortKey], request: PageRequest) -> str:
    return ", ".join(k.order_by() for k in directed(keys, request))


def seek_sql(keys: list[SortKey], request: PageRequest, b: Builder) -> str:
    """The condition for the request's cursor; TRUE for the first page."""
    if request.cursor is None:
        return "TRUE"
    field_name = "before" if request.backward else "after"
    values = decode_cursor(request.cursor, keys, field_name)
    return seek_after(directed(keys, request), values, b)


def assemble(rows: list[dict], keys: list[SortKey], request: PageRequest,
             total: int | None = None) -> Page:
    """Trim the look-ahead row, restore display order and attach cursors."""
    more = len(rows) > request.size
    rows = rows[: request.size]
    if request.backward:
        rows.reverse()
    cursors = [encode_cursor(keys, [row[f"_k{i}"] for i in range(len(keys))]) for row in rows]
    for row in rows:
        for i in range(len(keys)):
            row.pop(f"_k{i}", None)
    if request.backward:
        return Page(rows, cursors, has_next=request.cursor is not None, has_previous=more, total=total)
    return Page(rows, cursors, has_next=more, has_previous=request.cursor is not None, total=total)
