"""Pages of records: top-level connections, and per-parent pages in one statement."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable

from sqlalchemy.dialects.postgresql import JSONB

from domain.access import Access, RecordRule
from domain.errors import DomainError, ErrorCode
from domain.filters import Filter, OrderTerm, fields_of
from domain.paging import PageRequest
from persistence.db import Reader
from persistence.filtering import where_sql
from persistence.paging import Page, SortKey, assemble, order_sql, seek_sql
from persistence.spec import Spec, projection, read_sql, require_readable
from persistence.sql import Builder, limit_sql, read_rows


def sort_keys(spec: Spec, access: Access, order: Iterable[OrderTerm], t: str) -> list[SortKey]:
    """The requested order plus id as the final tie-breaker, refusing unreadable fields."""
    order = list(order)
    require_readable(spec, access, [term.field for term in order], "orderBy")
    keys = [_named_key(spec, access, term, t) if term.key is not None else
            SortKey(term.field, f"{t}.{spec.searchable[term.field][0]}",
                    spec.search_column(term.field).type, term.descending, term.nulls_first)
            for term in order]
    return keys + [SortKey("id", f"{t}.id", spec.table.c.id.type)]


def _named_key(spec: Spec, access: Access, term: OrderTerm, t: str) -> SortKey:
    """A key over one named value of a field (a custom field): JSON, which PostgreSQL orders
    by type and then by value, numbers as numbers."""
    if term.field not in spec.sorts:
        raise DomainError.one("orderBy", ErrorCode.INVALID, f"Cannot sort {term.field} by name.")
    return SortKey(f"{term.field}.{term.key}", spec.sorts[term.field](term.key, t, access),
                   JSONB(), term.descending, term.nulls_first, cast="::text::jsonb")


def key_columns(keys: list[SortKey]) -> str:
    return ", ".join(f"{k.sql} AS _k{i}" for i, k in enumerate(keys))


def over_columns(keys: list[SortKey], relation: str) -> list[SortKey]:
    """The keys re-pointed at the _k columns of a subquery."""
    return [k.over(f"{relation}._k{i}") for i, k in enumerate(keys)]


def list_conditions(spec: Spec, access: Access, filter: Filter | None, include_archived: bool,
                    t: str, b: Builder) -> str:
    """Rule, filter and archive conditions of a top-level list."""
    where = [read_sql(spec, access, t, b), where_sql(spec, access, filter, t, b)]
    if not include_archived:
        where.append(f"{t}.archived_at IS NULL")
    return " AND ".join(where)


def reaches_nothing(spec: Spec, access: Access) -> bool:
    """A type the caller reaches no record of is simply empty, whatever the arguments."""
    return spec.visibility is None and access.read_rule(spec.type_name) is RecordRule.NONE


def check_list_arguments(spec: Spec, access: Access, filter: Filter | None,
                         order: Iterable[OrderTerm]) -> None:
    """Refuse a client's filter or order on a field it may not read, even where it reaches no
    record: the same arguments get the same answer from every caller who may not read it."""
    require_readable(spec, access, [term.field for term in order], "orderBy")
    if filter is not None:
        require_readable(spec, access, fields_of(filter), "filter")


async def fetch_page(reader: Reader, spec: Spec, access: Access, *,
                     request: PageRequest, order: Iterable[OrderTerm] = (),
                     filter: Filter | None = None, include_archived: bool = False,
                     scope: Callable[[Builder, str], str] | None = None) -> Page:
    """One page of a type's records that the caller may see, in one statement; `scope`
    narrows it further with a condition of its own (a timeline's record, say)."""
    if reaches_nothing(spec, access):
        return Page([], [], has_next=False, has_previous=False,
                    total=0 if request.with_total else None)
    b, t = Builder(), "t"
    keys = sort_keys(spec, access, order, t)
    where = list_conditions(spec, access, filter, include_archived, t, b)
    if scope is not None:
        where = f"{where} AND ({scope(b, t)})"
    page = (f"SELECT {projection(spec, access, t)}, {key_columns(keys)} FROM {spec.name} {t} "
            f"WHERE {where} AND {seek_sql(keys, request, b)} "
            f"ORDER BY {order_sql(keys, request)} LIMIT {limit_sql(request.size + 1)}")
    if not request.with_total:
        return assemble(await read_rows(reader, page, b), keys, request)
    # The count rides along in the same statement, even when the page is empty.
    sql = (f"SELECT total.n AS total_count, page.* FROM (SELECT count(*) AS n FROM {spec.name} "
           f"{t} WHERE {where}) total LEFT JOIN ({page}) page ON TRUE "
           f"ORDER BY {order_sql(over_columns(keys, 'page'), request)}")
    result = await read_rows(reader, sql, b)
    count = result[0]["total_count"] if result else 0
    rows = [r for r in result if r["id"] is not None]
    for row in rows:
        del row["total_count"]
    return assemble(rows, keys, request, total=count)


async def fetch_child_pages(reader: Reader, b: Builder, *, parent: str,
                            parent_ids: list[Hashable], columns: str, source: str, where: str,
                            keys: list[SortKey], request: PageRequest) -> dict[Hashable, Page]:
    """A page of children for each parent, in one statement, with row_number() per parent.

    Rows before the cursor still carry their parent's total; one of them is kept for it.
    """
    total = (f", count(*) OVER (PARTITION BY {parent}) AS total_count"
             if request.with_total else "")
    inner = (f"SELECT {columns}, {parent} AS parent_key, {key_columns(keys)}{total}, "
             f"{seek_sql(keys, request, b)} AS after_cursor FROM {source} "
             f"WHERE {parent} = ANY({b.bind(list(parent_ids))}) AND {where}")
    ranked_keys = over_columns(keys, "children")
    sql = (f"SELECT * FROM (SELECT children.*, row_number() OVER (PARTITION BY "
           f"children.parent_key, children.after_cursor ORDER BY {order_sql(ranked_keys, request)})"
           f" AS row_rank FROM ({inner}) children) ranked "
           f"WHERE (after_cursor AND row_rank <= {limit_sql(request.size + 1)}) "
           f"OR (NOT after_cursor AND row_rank = 1) ORDER BY parent_key, row_rank")
    grouped: dict[Hashable, list[dict]] = defaultdict(list)
    totals: dict[Hashable, int] = {}
    for row in await read_rows(reader, sql, b):
        owner = row.pop("parent_key")
        del row["row_rank"]
        if "total_count" in row:
            totals[owner] = row.pop("total_count")
        if row.pop("after_cursor"):
            grouped[owner].append(row)
    return {pid: assemble(grouped.get(pid, []), keys, request,
                          totals.get(pid, 0) if request.with_total else None)
            for pid in parent_ids}
