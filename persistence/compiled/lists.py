"""Plain lists of the Query type that are no connections: a calendar, search hits."""

from __future__ import annotations

from typing import TYPE_CHECKING

from persistence import readplan as rp
from persistence.calendar import CALENDAR_LIMIT, calendar_sql
from persistence.compiled.connection import columns_of
from persistence.compiled.names import literal
from persistence.record_types import SPECS
from persistence.search import ranked_sql, snippet_sql
from persistence.sql import limit_sql

if TYPE_CHECKING:
    from persistence.compiled.record import Compiler


def calendar(compiler: Compiler, c: rp.CalendarRows) -> str:
    """The calendar's activities by time, as calendar_rows reads them."""
    spec, b = SPECS["Activity"], compiler.b
    t, p = b.alias("t"), b.alias("p")
    columns = ", ".join(f"{t}.{column}" for column in sorted({"id", *columns_of(c.node, spec)}))
    rows = (f"SELECT {columns}, {t}.at AS _k0, {t}.id AS _k1 FROM {spec.name} {t} "
            f"WHERE {calendar_sql(compiler.access, t, c.user_id, c.start, c.end, b)} "
            f"ORDER BY {t}.at, {t}.id LIMIT {limit_sql(CALENDAR_LIMIT)}")
    node = compiler.object(c.node.outputs, spec, p)
    return (f"(SELECT coalesce(json_agg({node} ORDER BY {p}._k0, {p}._k1), '[]'::json) "
            f"FROM ({rows}) {p})")


def search_hits(compiler: Compiler, s: rp.SearchHits) -> str:
    """The hits as search_articles finds them: ranked first, snippets for the page only."""
    spec, b = SPECS["Article"], compiler.b
    h, a = b.alias("h"), b.alias("a")
    ranked, query = ranked_sql(compiler.access, s.words, s.language, s.size, b)
    pairs = []
    for item in s.items:
        match item:
            case rp.HitArticle(target=target):
                value = compiler.object(target.outputs, spec, a)
            case rp.HitRank():
                value = f"{h}.rank"
            case rp.HitSnippet():
                value = snippet_sql(compiler.access, a, query)
            case rp.Const(value=constant):
                value = f"{b.bind(constant)}::text"
            case _:
                raise TypeError(f"cannot compile the search hit field {item!r}")
        pairs.append(f"{literal(item.key)}, {value}")
    return (f"(SELECT coalesce(json_agg(json_build_object({', '.join(pairs)}) "
            f"ORDER BY {h}.rank DESC, {a}.id), '[]'::json) "
            f"FROM ({ranked}) {h} JOIN {spec.name} {a} ON {a}.id = {h}.id)")
