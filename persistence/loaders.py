"""Per-request DataLoaders: every relation is fetched in one statement per level.

Each batch opens its own short connection, because sibling fields resolve
concurrently. Rows hold only the fields the caller may read.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Hashable
from functools import cached_property

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine
from strawberry.dataloader import DataLoader

from domain.access import Access
from domain.paging import PageRequest
from persistence.contacts import AccountContactRow
from persistence.paging import Page, SortKey
from persistence.queries import fetch_child_pages
from persistence.spec import Spec, projection, read_clause, readable_fields, visible_select
from persistence.uow import SPECS

LINKS = AccountContactRow.__table__
LINK_FIELDS = {"jobTitle": "job_title", "isDecisionMaker": "is_decision_maker"}


def _split(row: dict) -> dict:
    """{"e_jobTitle": .., "n_name": ..} -> {"edge": {"jobTitle": ..}, "node": {"name": ..}}."""
    edge = {k[2:]: v for k, v in row.items() if k.startswith("e_")}
    node = {k[2:]: v for k, v in row.items() if k.startswith("n_")}
    return {"edge": edge, "node": node}


class Loaders:
    """The loaders of one request, for one caller."""

    def __init__(self, engine: AsyncEngine, access: Access) -> None:
        self.engine = engine
        self.access = access
        self._by_id: dict[str, DataLoader] = {}

    def by_id(self, type_name: str) -> DataLoader[uuid.UUID, dict | None]:
        """Records of a type by id; ids the caller may not see load as None."""
        if type_name not in self._by_id:
            spec = SPECS[type_name]
            self._by_id[type_name] = DataLoader(lambda ids, s=spec: self._records_by_id(s, ids))
        return self._by_id[type_name]

    async def _records_by_id(self, spec: Spec, ids: list[uuid.UUID]) -> list[dict | None]:
        stmt = visible_select(spec, self.access).where(spec.table.c.id.in_(ids))
        async with self.engine.connect() as conn:
            found = {r["id"]: dict(r) for r in (await conn.execute(stmt)).mappings()}
        return [found.get(i) for i in ids]

    @cached_property
    def accounts_by_contact_id(self) -> DataLoader[tuple[uuid.UUID, PageRequest], Page]:
        """A page of each contact's accounts, ordered by account name."""
        return DataLoader(lambda keys: self._link_pages(keys, "Contact", "Account"))

    @cached_property
    def contacts_by_account_id(self) -> DataLoader[tuple[uuid.UUID, PageRequest], Page]:
        """A page of each account's contacts, ordered by last name."""
        return DataLoader(lambda keys: self._link_pages(keys, "Account", "Contact"))

    @cached_property
    def notes_by_record_id(self) -> DataLoader[tuple[uuid.UUID, PageRequest], Page]:
        """A page of each record's notes, newest first."""
        return DataLoader(self._note_pages)

    @cached_property
    def consents_by_contact_id(self) -> DataLoader[uuid.UUID, list[dict]]:
        return DataLoader(self._consents)

    @cached_property
    def territories_by_parent_id(self) -> DataLoader[uuid.UUID, list[dict]]:
        return DataLoader(self._territory_children)

    async def _grouped_pages(self, keys, fetch) -> list[Page]:
        """Run one statement per distinct page request (siblings share one)."""
        by_request: dict[PageRequest, list[Hashable]] = defaultdict(list)
        for parent_id, request in keys:
            by_request[request].append(parent_id)
        pages: dict[tuple, Page] = {}
        async with self.engine.connect() as conn:
            for request, parent_ids in by_request.items():
                for parent_id, page in (await fetch(conn, parent_ids, request)).items():
                    pages[(parent_id, request)] = page
        return [pages[key] for key in keys]

    async def _link_pages(self, keys, parent_type: str, node_type: str) -> list[Page]:
        spec = SPECS[node_type]
        parent_col = LINKS.c.contact_id if parent_type == "Contact" else LINKS.c.account_id
        node_col = LINKS.c.account_id if node_type == "Account" else LINKS.c.contact_id
        edge_cols = [LINKS.c[col].label(f"e_{f}") for f, col in LINK_FIELDS.items()
                     if self.access.can_read("AccountContact", f)]
        node_cols = [spec.column(f).label(f"n_{f}") for f in readable_fields(spec, self.access)]
        sort = "name" if node_type == "Account" else "lastName"
        sort_keys = [SortKey(sort, spec.search_column(sort)), SortKey("id", spec.table.c.id)]
        where = [LINKS.c.archived_at.is_(None), spec.table.c.archived_at.is_(None),
                 read_clause(spec, self.access)]
        joined = LINKS.join(spec.table, spec.table.c.id == node_col)

        async def fetch(conn, parent_ids, request):
            pages = await fetch_child_pages(
                conn, parent=parent_col, parent_ids=parent_ids, columns=edge_cols + node_cols,
                where=where, keys=sort_keys, request=request, from_obj=joined)
            for page in pages.values():
                page.rows = [_split(r) for r in page.rows]
            return pages

        return await self._grouped_pages(keys, fetch)

    async def _note_pages(self, keys) -> list[Page]:
        spec = SPECS["Note"]
        t = spec.table
        sort_keys = [SortKey("createdAt", t.c.created_at, descending=True),
                     SortKey("id", t.c.id, descending=True)]

        async def fetch(conn, parent_ids, request):
            return await fetch_child_pages(
                conn, parent=t.c.record_id, parent_ids=parent_ids,
                columns=projection(spec, self.access), where=[t.c.archived_at.is_(None)],
                keys=sort_keys, request=request)

        return await self._grouped_pages(keys, fetch)

    async def _children(self, spec: Spec, parent_col, ids, order) -> list[list[dict]]:
        stmt = (select(*projection(spec, self.access), parent_col.label("parent_key"))
                .where(parent_col.in_(ids), spec.table.c.archived_at.is_(None),
                       read_clause(spec, self.access))
                .order_by(*order))
        grouped: dict[uuid.UUID, list[dict]] = defaultdict(list)
        async with self.engine.connect() as conn:
            for row in (await conn.execute(stmt)).mappings():
                row = dict(row)
                grouped[row.pop("parent_key")].append(row)
        return [grouped.get(i, []) for i in ids]

    async def _consents(self, contact_ids: list[uuid.UUID]) -> list[list[dict]]:
        t = SPECS["Consent"].table
        return await self._children(SPECS["Consent"], t.c.contact_id, contact_ids,
                                    [t.c.channel, t.c.purpose])

    async def _territory_children(self, ids: list[uuid.UUID]) -> list[list[dict]]:
        spec = SPECS["Territory"]
        return await self._children(spec, spec.table.c.parent_id, ids, [spec.table.c.name])
