"""Reads and writes of whole records inside a unit of work, under the caller's rules."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import func, insert, literal_column, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.access import Access
from domain.errors import DomainError, ErrorCode
from domain.ports import Locked
from persistence.spec import Spec, read_sql, readable_fields, write_sql
from persistence.sql import Builder, fetch_rows, quote


class RecordStore:
    """Implements domain.ports.RecordStore over the registered specs."""

    def __init__(self, conn: AsyncConnection, access: Access, specs: Mapping[str, Spec]) -> None:
        self.conn = conn
        self.access = access
        self.specs = specs

    def _columns(self, spec: Spec, values: dict[str, Any]) -> dict[str, Any]:
        return {spec.columns[f]: v for f, v in values.items()}

    async def lock(self, type_name: str, id: uuid.UUID, fields: Iterable[str]) -> Locked | None:
        spec = self.specs[type_name]
        fields = set(fields)
        wanted = [f for f in readable_fields(spec, self.access, fields) if f in fields]
        b = Builder()
        chosen = "".join(f"t.{spec.columns[f]} AS {quote(f)}, " for f in wanted)
        sql = (f"SELECT {chosen}t.version AS _version, t.archived_at IS NOT NULL AS _archived, "
               f"{write_sql(spec, self.access, 't', b)} AS _writable FROM {spec.name} t "
               f"WHERE t.id = {b.bind(id)} AND {read_sql(spec, self.access, 't', b)} FOR UPDATE OF t")
        rows = await fetch_rows(self.conn, sql, b)
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
        return {row["id"] for row in await fetch_rows(self.conn, sql, b)}

    async def ancestors(self, type_name: str, id: uuid.UUID) -> list[uuid.UUID]:
        """Ids above `id` in the type's hierarchy, nearest first."""
        spec = self.specs[type_name]
        t = spec.table
        parent = t.c[spec.parent_column]
        chain = select(parent.label("id"), literal_column("1").label("depth")).where(t.c.id == id)
        chain = chain.cte("chain", recursive=True)
        step = select(parent, chain.c.depth + 1).where(t.c.id == chain.c.id, chain.c.depth < 1000)
        chain = chain.union_all(step)
        stmt = select(chain.c.id).where(chain.c.id.is_not(None)).order_by(chain.c.depth)
        return list((await self.conn.execute(stmt)).scalars())

    async def _execute(self, spec: Spec, stmt):
        """Run a write; a unique violation becomes CONFLICT on the field it concerns."""
        try:
            return await self.conn.execute(stmt)
        except IntegrityError as exc:
            constraint = getattr(exc.orig.__cause__, "constraint_name", None)
            if constraint in spec.unique:
                field_name = spec.unique[constraint]
                raise DomainError.one(field_name, ErrorCode.CONFLICT,
                                      f"Another {spec.type_name} has this {field_name}.") from exc
            raise

    async def insert(self, type_name: str, values: dict[str, Any]) -> uuid.UUID:
        spec = self.specs[type_name]
        new_id = uuid.uuid4()
        actor = str(self.access.actor)
        await self._execute(spec, insert(spec.table).values(
            id=new_id, created_by=actor, updated_by=actor, **self._columns(spec, values)))
        return new_id

    async def update(self, type_name: str, id: uuid.UUID, values: dict[str, Any]) -> int:
        spec = self.specs[type_name]
        t = spec.table
        stmt = (update(t).where(t.c.id == id)
                .values(**self._columns(spec, values), version=t.c.version + 1,
                        updated_at=func.now(), updated_by=str(self.access.actor))
                .returning(t.c.version))
        return (await self._execute(spec, stmt)).scalar_one()

    async def archive(self, type_name: str, id: uuid.UUID) -> None:
        t = self.specs[type_name].table
        await self.conn.execute(
            update(t).where(t.c.id == id)
            .values(archived_at=func.now(), version=t.c.version + 1, updated_at=func.now(),
                    updated_by=str(self.access.actor)))
