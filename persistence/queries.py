"""Pages of records: top-level connections, and per-parent pages in one statement."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import replace

from sqlalchemy import ColumnElement, Select, func, select, true
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.access import Access, RecordRule
from domain.filters import Filter, OrderTerm
from domain.paging import PageRequest
from persistence.filtering import where_clause
from persistence.paging import Page, SortKey, assemble, directed, seek_clause
from persistence.spec import Spec, projection, read_clause, require_readable


def sort_keys(spec: Spec, access: Access, order: Iterable[OrderTerm]) -> list[SortKey]:
    """The requested order plus id as the final tie-breaker, refusing unreadable fields."""
    order = list(order)
    require_readable(spec, access, [t.field for t in order], "orderBy")
    keys = [SortKey(t.field, spec.search_column(t.field), t.descending, t.nulls_first)
            for t in order]
    return keys + [SortKey("id", spec.table.c.id)]


def _key_columns(keys: list[SortKey]) -> list:
    return [k.column.label(f"_k{i}") for i, k in enumerate(keys)]


async def fetch_page(conn: AsyncConnection, spec: Spec, access: Access, *,
                     request: PageRequest, order: Iterable[OrderTerm] = (),
                     filter: Filter | None = None, include_archived: bool = False) -> Page:
    """One page of a type's records that the caller may see, in one statement."""
    if spec.visibility is None and access.read_rule(spec.type_name) is RecordRule.NONE:
        # A type the caller reaches no record of is simply empty, whatever the arguments.
        return Page([], [], has_next=False, has_previous=False,
                    total=0 if request.with_total else None)
    keys = sort_keys(spec, access, order)
    where = [read_clause(spec, access), where_clause(spec, access, filter)]
    if not include_archived:
        where.append(spec.table.c.archived_at.is_(None))
    stmt: Select = select(*projection(spec, access), *_key_columns(keys)).where(*where)
    seek = seek_clause(keys, request)
    if seek is not None:
        stmt = stmt.where(seek)
    stmt = stmt.order_by(*(k.order_by() for k in directed(keys, request))).limit(request.size + 1)
    if not request.with_total:
        rows = [dict(r) for r in (await conn.execute(stmt)).mappings()]
        return assemble(rows, keys, request)
    # The count rides along in the same statement, even when the page is empty.
    total = select(func.count().label("total_count")).where(*where).cte("total")
    page = stmt.subquery("page")
    outer_keys = [replace(k, column=page.c[f"_k{i}"]) for i, k in enumerate(keys)]
    wrapped = (select(total.c["total_count"], page).select_from(total.outerjoin(page, true()))
               .order_by(*(k.order_by() for k in directed(outer_keys, request))))
    result = [dict(r) for r in (await conn.execute(wrapped)).mappings()]
    count = result[0]["total_count"] if result else 0
    rows = [r for r in result if r["id"] is not None]
    for row in rows:
        row.pop("total_count")
    return assemble(rows, keys, request, total=count)


async def fetch_child_pages(conn: AsyncConnection, *, parent: ColumnElement,
                            parent_ids: list[Hashable], columns: list, where: list,
                            keys: list[SortKey], request: PageRequest,
                            from_obj=None) -> dict[Hashable, Page]:
    """A page of children for each parent, in one statement, with row_number() per parent."""
    inner = select(*columns, parent.label("parent_key"), *_key_columns(keys))
    if from_obj is not None:
        inner = inner.select_from(from_obj)
    inner = inner.where(parent.in_(parent_ids), *where)
    if request.with_total:
        inner = inner.add_columns(func.count().over(partition_by=parent).label("total_count"))
    inner = inner.subquery("children")
    inner_keys = [replace(k, column=inner.c[f"_k{i}"]) for i, k in enumerate(keys)]
    seek = seek_clause(inner_keys, request)
    # Rows before the cursor still carry their parent's total; one of them is kept for it.
    after = seek if seek is not None else true()
    # Columns are looked up with [...]: ColumnCollection has attributes of its own (`_parent`).
    rank = func.row_number().over(partition_by=[inner.c["parent_key"], after],
                                  order_by=[k.order_by() for k in directed(inner_keys, request)])
    ranked = select(inner, rank.label("row_rank"), after.label("after_cursor"))
    if seek is not None and not request.with_total:
        ranked = ranked.where(seek)
    ranked = ranked.subquery("ranked")
    after_cursor, rank_in_parent = ranked.c["after_cursor"], ranked.c["row_rank"]
    wanted = (after_cursor & (rank_in_parent <= request.size + 1)) | (
        ~after_cursor & (rank_in_parent == 1))
    stmt = select(ranked).where(wanted).order_by(ranked.c["parent_key"], rank_in_parent)
    grouped: dict[Hashable, list[dict]] = defaultdict(list)
    totals: dict[Hashable, int] = {}
    for row in (await conn.execute(stmt)).mappings():
        row = dict(row)
        owner = row.pop("parent_key")
        del row["row_rank"]
        if "total_count" in row:
            totals[owner] = row.pop("total_count")
        if row.pop("after_cursor"):
            grouped[owner].append(row)
    return {pid: assemble(grouped.get(pid, []), keys, request,
                          totals.get(pid, 0) if request.with_total else None)
            for pid in parent_ids}
