"""Reads and writes of whole records inside a unit of work, under the caller's rules."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Collection, Iterable, Mapping
from typing import Any

import asyncpg
from sqlalchemy.dialects.postgresql import JSONB

from domain.access import Access
from domain.errors import DomainError, ErrorCode
from domain.ports import Locked
from domain.services.records import require_writable_fields
from persistence.base import json_text
from persistence.db import Transaction
from persistence.match_columns import insert_keys, key_parts, key_sets
from persistence.spec import Spec, read_sql, readable_fields, write_sql
from persistence.sql import Builder, quote


def is_json(spec: Spec, column: str) -> bool:
    return isinstance(spec.table.c[column].type, JSONB)


def column_param(spec: Spec, column: str, value: Any) -> Any:
    """The parameter for a column value; JSON columns travel as JSON text."""
    if is_json(spec, column):
        return None if value is None else json_text(value)
    return value


def json_aware(spec: Spec, column: str, value: Any, b: Builder) -> str:
    """The placeholder for a column value, cast to jsonb for a JSON column."""
    placeholder = b.bind(column_param(spec, column, value))
    return f"{placeholder}::jsonb" if is_json(spec, column) else placeholder


async def write_or_conflict(spec: Spec, run: Callable[[], Awaitable[Any]]) -> Any:
    """Run a write; a unique violation becomes CONFLICT on the field it concerns."""
    try:
        return await run()
    except asyncpg.UniqueViolationError as exc:
        if exc.constraint_name in spec.unique:
            field_name = spec.unique[exc.constraint_name]
            raise DomainError.one(field_name, ErrorCode.CONFLICT,
                                  f"Another {spec.type_name} has this {field_name}.") from exc
        raise


def refuse_unwritable(spec: Spec, access: Access, values: dict[str, Any], granted) -> None:
    """The stores hold the field policy: a field the caller may not write is FORBIDDEN,
    whichever use case asked, unless only use cases write it."""
    require_writable_fields(access, spec.type_name,
                            [f for f in values if f not in spec.derived and f not in granted])


class RecordStore:
    """Implements domain.ports.RecordStore over the registered specs."""

    def __init__(self, tx: Transaction, access: Access, specs: Mapping[str, Spec]) -> None:
        self.tx = tx
        self.access = access
        self.specs = specs
        self.actor = str(access.actor)

    async def lock(self, type_name: str, id: uuid.UUID, fields: Iterable[str]) -> Locked | None:
        spec = self.specs[type_name]
        fields = set(fields)
        wanted = [f for f in readable_fields(spec, self.access, fields) if f in fields]
        b = Builder()
        chosen = "".join(f"t.{spec.columns[f]} AS {quote(f)}, " for f in wanted)
        sql = (f"SELECT {chosen}t.version AS _version, t.archived_at IS NOT NULL AS _archived, "
               f"{write_sql(spec, self.access, 't', b)} AS _writable FROM {spec.name} t "
               f"WHERE t.id = {b.bind(id)} AND {read_sql(spec, self.access, 't', b)} FOR UPDATE OF t")
        rows = await self.tx.rows(sql, b.params)
        if not rows:
            return None
        row = rows[0]
        values = {f: row[f] for f in wanted}
        return Locked(values, row["_version"], bool(row["_writable"]), bool(row["_archived"]))

    async def visible(self, type_name: str, ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
        spec = self.specs[type_name]
        b = Builder()
        sql = (f"SELECT t.id FROM {spec.name} t WHERE t.id = ANY({b.bind(list(ids))}) "
               f"AND {read_sql(spec, self.access, 't', b)}")
        return {row["id"] for row in await self.tx.rows(sql, b.params)}

    async def ancestors(self, type_name: str, id: uuid.UUID) -> list[uuid.UUID]:
        """Ids above `id` in the type's hierarchy, nearest first."""
        spec = self.specs[type_name]
        parent, b = spec.parent_column, Builder()
        sql = (f"WITH RECURSIVE chain(id, depth) AS (SELECT {parent}, 1 FROM {spec.name} "
               f"WHERE id = {b.bind(id)} UNION ALL SELECT t.{parent}, chain.depth + 1 "
               f"FROM {spec.name} t JOIN chain ON t.id = chain.id WHERE chain.depth < 1000) "
               f"SELECT id FROM chain WHERE id IS NOT NULL ORDER BY depth")
        return [row["id"] for row in await self.tx.rows(sql, b.params)]

    async def territory_of(self, type_name: str, id: uuid.UUID) -> uuid.UUID | None:
        """The territory a record lies in, for records filed under it (activities, orders)."""
        spec = self.specs[type_name]
        return await self.tx.value(f"SELECT territory_id FROM {spec.name} WHERE id = $1", (id,))

    async def _write(self, spec: Spec, sql: str, b: Builder):
        return await write_or_conflict(spec, lambda: self.tx.value(sql, b.params))

    def _refuse_unwritable(self, spec: Spec, values: dict[str, Any], granted) -> None:
        refuse_unwritable(spec, self.access, values, granted)

    async def insert(self, type_name: str, values: dict[str, Any],
                     granted: Collection[str] = ()) -> uuid.UUID:
        spec, b = self.specs[type_name], Builder()
        self._refuse_unwritable(spec, values, granted)
        columns = {"id": uuid.uuid4(), "created_by": self.actor, "updated_by": self.actor,
                   **{spec.columns[f]: v for f, v in values.items()},
                   **insert_keys(type_name, values)}
        placeholders = ", ".join(json_aware(spec, c, v, b) for c, v in columns.items())
        sql = (f"INSERT INTO {spec.name} ({', '.join(columns)}) VALUES ({placeholders}) "
               f"RETURNING id")
        return await self._write(spec, sql, b)

    async def update(self, type_name: str, id: uuid.UUID, values: dict[str, Any],
                     granted: Collection[str] = ()) -> int:
        spec, b = self.specs[type_name], Builder()
        self._refuse_unwritable(spec, values, granted)
        changes = "".join(f"{spec.columns[f]} = {json_aware(spec, spec.columns[f], v, b)}, "
                          for f, v in values.items())
        parts = key_parts(type_name, values)
        changes += key_sets(parts, lambda part: b.bind(parts[part]), spec.name)
        sql = (f"UPDATE {spec.name} SET {changes}version = version + 1, updated_at = now(), "
               f"updated_by = {b.bind(self.actor)} WHERE id = {b.bind(id)} RETURNING version")
        return await self._write(spec, sql, b)

    async def archive(self, type_name: str, id: uuid.UUID) -> None:
        spec, b = self.specs[type_name], Builder()
        await self.tx.value(
            f"UPDATE {spec.name} SET archived_at = now(), version = version + 1, "
            f"updated_at = now(), updated_by = {b.bind(self.actor)} WHERE id = {b.bind(id)}",
            b.params)
