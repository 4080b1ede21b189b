"""Per-request DataLoaders: every relation is fetched in one statement per level.

Each batch opens its own short connection, because sibling fields resolve
concurrently. Rows hold only the fields the caller may read.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Hashable
from functools import cached_property

from strawberry.dataloader import DataLoader

from domain.access import Access
from domain.paging import PageRequest
from persistence.db import Reader
from persistence.declaration import Children
from persistence.paging import Page, SortKey, column_key
from persistence.queries import fetch_child_pages
from persistence.record_types import CHILD_RELATIONS, SPECS
from persistence.spec import Spec, projection, read_sql
from persistence.sql import Builder, quote, read_rows

# The link's own fields (job title, decision maker), shown on the edges between the two.
LINK_FIELDS = SPECS["AccountContact"].columns
# node type -> (column of the link that points at the node, column that points at the parent)
LINK_SIDES = {"Account": ("account_id", "contact_id"), "Contact": ("contact_id", "account_id")}
LINK_SORT = {"Account": "name", "Contact": "lastName"}


def link_edge_columns(access: Access, link: str) -> list[tuple[str, str]]:
    """(field, column SQL) of the link's own fields that the caller may read."""
    return [(f, f"{link}.{col}") for f, col in LINK_FIELDS.items()
            if access.can_read("AccountContact", f)]


def link_sort_keys(node_type: str, t: str) -> list[SortKey]:
    spec = SPECS[node_type]
    field = LINK_SORT[node_type]
    return [column_key(field, t, spec.search_column(field)), column_key("id", t, spec.table.c.id)]


def newest_first_keys(spec: Spec, t: str) -> list[SortKey]:
    table = spec.table
    return [column_key("createdAt", t, table.c.created_at, descending=True),
            column_key("id", t, table.c.id, descending=True)]


def note_sort_keys(t: str) -> list[SortKey]:
    return newest_first_keys(SPECS["Note"], t)


def _split(row: dict) -> dict:
    """{"e_jobTitle": .., "n_name": ..} -> {"edge": {"jobTitle": ..}, "node": {"name": ..}}."""
    edge = {k[2:]: v for k, v in row.items() if k.startswith("e_")}
    node = {k[2:]: v for k, v in row.items() if k.startswith("n_")}
    return {"edge": edge, "node": node}


class Loaders:
    """The loaders of one request, for one caller."""

    def __init__(self, reader: Reader, access: Access) -> None:
        self.reader = reader
        self.access = access
        self._by_id: dict[str, DataLoader] = {}
        self._children_of: dict[str, DataLoader] = {}
        self._counts_of: dict[str, DataLoader] = {}
        self._written: dict[tuple[str, uuid.UUID], dict | None] = {}

    def written(self, type_name: str, id: uuid.UUID, row: dict | None) -> None:
        """A record this request wrote, as the caller now reads it (None: no longer sees it),
        handed over by the write itself; the answer then needs no read."""
        self._written[(type_name, id)] = row

    def take_written(self, type_name: str, id: uuid.UUID) -> tuple[bool, dict | None]:
        """(True, the row) once for a record handed over by `written`, else (False, None)."""
        key = (type_name, id)
        return (True, self._written.pop(key)) if key in self._written else (False, None)

    def by_id(self, type_name: str) -> DataLoader[uuid.UUID, dict | None]:
        """Records of a type by id; ids the caller may not see load as None."""
        if type_name not in self._by_id:
            spec = SPECS[type_name]
            self._by_id[type_name] = DataLoader(lambda ids, s=spec: self._records_by_id(s, ids))
        return self._by_id[type_name]

    async def _records_by_id(self, spec: Spec, ids: list[uuid.UUID]) -> list[dict | None]:
        b = Builder()
        sql = (f"SELECT {projection(spec, self.access, 't')} FROM {spec.name} t "
               f"WHERE t.id = ANY({b.bind(list(ids))}) AND {read_sql(spec, self.access, 't', b)}")
        found = {r["id"]: r for r in await read_rows(self.reader, sql, b)}
        return [found.get(i) for i in ids]

    @cached_property
    def accounts_by_contact_id(self) -> DataLoader[tuple[uuid.UUID, PageRequest], Page]:
        """A page of each contact's accounts, ordered by account name."""
        return DataLoader(lambda keys: self._link_pages(keys, "Account"))

    @cached_property
    def contacts_by_account_id(self) -> DataLoader[tuple[uuid.UUID, PageRequest], Page]:
        """A page of each account's contacts, ordered by last name."""
        return DataLoader(lambda keys: self._link_pages(keys, "Contact"))

    @cached_property
    def notes_by_record_id(self) -> DataLoader[tuple[uuid.UUID, PageRequest], Page]:
        """A page of each record's notes, newest first."""
        return DataLoader(self._note_pages)

    def children(self, relation: str) -> DataLoader[uuid.UUID, list[dict]]:
        """The child records of each parent along one of CHILD_RELATIONS, in its order."""
        if relation not in self._children_of:
            self._children_of[relation] = DataLoader(
                lambda ids, r=CHILD_RELATIONS[relation]: self._children(r, ids))
        return self._children_of[relation]

    def carrier_counts(self, relation: str) -> DataLoader[tuple[str, uuid.UUID], int]:
        """How many live records of a kind that the caller reads list each record along
        `relation` (how many contacts carry a contact tag)."""
        if relation not in self._counts_of:
            self._counts_of[relation] = DataLoader(
                lambda keys: self._carrier_counts(relation, keys))
        return self._counts_of[relation]

    async def _carrier_counts(self, relation: str, keys: list[tuple[str, uuid.UUID]]
                              ) -> list[int]:
        b, counts = Builder(), []
        for kind in sorted({kind for kind, _ in keys}):
            spec = SPECS[kind]
            source, listed = spec.through[relation].parents_sql(spec.name, "t")
            ids = b.bind([listed_id for k, listed_id in keys if k == kind])
            counts.append(f"SELECT {listed} AS listed, count(*) AS n FROM {source} "
                          f"AND {listed} = ANY({ids}) AND {read_sql(spec, self.access, 't', b)} "
                          f"GROUP BY {listed}")
        found = {r["listed"]: r["n"]
                 for r in await read_rows(self.reader, " UNION ALL ".join(counts), b)}
        return [found.get(listed_id, 0) for _, listed_id in keys]

    @cached_property
    def opportunities_by_account_id(self) -> DataLoader[tuple[uuid.UUID, PageRequest], Page]:
        """A page of each account's opportunities, newest first."""
        return DataLoader(self._opportunity_pages)

    async def _grouped_pages(self, keys, fetch) -> list[Page]:
        """Run one statement per distinct page request (siblings share one)."""
        by_request: dict[PageRequest, list[Hashable]] = defaultdict(list)
        for parent_id, request in keys:
            by_request[request].append(parent_id)
        pages: dict[tuple, Page] = {}
        for request, parent_ids in by_request.items():
            for parent_id, page in (await fetch(parent_ids, request)).items():
                pages[(parent_id, request)] = page
        return [pages[key] for key in keys]

    async def _link_pages(self, keys, node_type: str) -> list[Page]:
        spec = SPECS[node_type]
        node_column, parent_column = LINK_SIDES[node_type]
        edge = [f"{sql} AS {quote('e_' + f)}" for f, sql in link_edge_columns(self.access, "l")]
        columns = ", ".join([*edge, projection(spec, self.access, "t", prefix="n_")])

        async def fetch(parent_ids, request):
            b = Builder()
            where = (f"l.archived_at IS NULL AND t.archived_at IS NULL "
                     f"AND {read_sql(spec, self.access, 't', b)}")
            pages = await fetch_child_pages(
                self.reader, b, parent=f"l.{parent_column}", parent_ids=parent_ids, columns=columns,
                source=f"account_contact l JOIN {spec.name} t ON t.id = l.{node_column}",
                where=where, keys=link_sort_keys(node_type, "t"), request=request)
            for page in pages.values():
                page.rows = [_split(r) for r in page.rows]
            return pages

        return await self._grouped_pages(keys, fetch)

    async def _note_pages(self, keys) -> list[Page]:
        spec = SPECS["Note"]

        async def fetch(parent_ids, request):
            return await fetch_child_pages(
                self.reader, Builder(), parent="t.record_id", parent_ids=parent_ids,
                columns=projection(spec, self.access, "t"), source="note t",
                where="t.archived_at IS NULL", keys=note_sort_keys("t"), request=request)

        return await self._grouped_pages(keys, fetch)

    async def _opportunity_pages(self, keys) -> list[Page]:
        spec = SPECS["Opportunity"]

        async def fetch(parent_ids, request):
            b = Builder()
            return await fetch_child_pages(
                self.reader, b, parent="t.account_id", parent_ids=parent_ids,
                columns=projection(spec, self.access, "t"), source="opportunity t",
                where=f"t.archived_at IS NULL AND {read_sql(spec, self.access, 't', b)}",
                keys=newest_first_keys(spec, "t"), request=request)

        return await self._grouped_pages(keys, fetch)

    async def _children(self, relation: Children, ids) -> list[list[dict]]:
        spec = SPECS[relation.type_name]
        b = Builder()
        source, parent = relation.source_sql(spec.name, "t")
        sql = (f"SELECT {projection(spec, self.access, 't')}, {parent} AS parent_key "
               f"FROM {source} AND {parent} = ANY({b.bind(list(ids))}) "
               f"AND {read_sql(spec, self.access, 't', b, parent_checked=True)} "
               f"ORDER BY {relation.order_sql('t')}")
        grouped: dict[uuid.UUID, list[dict]] = defaultdict(list)
        for row in await read_rows(self.reader, sql, b):
            grouped[row.pop("parent_key")].append(row)
        return [grouped.get(i, []) for i in ids]
