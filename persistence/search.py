"""Full-text search of the knowledge base: ranked, highlighted, under the caller's rules."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from domain.access import Access
from domain.knowledge import Language
from persistence.db import Reader
from persistence.knowledge import ARTICLE, TEXT_SEARCH, text_search_config
from persistence.spec import projection, read_sql
from persistence.sql import Builder, limit_sql, read_rows

if TYPE_CHECKING:
    from persistence.readplan import Const, Selection

# The passages of the body that match: up to two, of about twenty words, marked with <b>.
HEADLINE = ("StartSel=<b>, StopSel=</b>, MaxFragments=2, MaxWords=20, MinWords=8, "
            "FragmentDelimiter=\" … \"")


@dataclass(frozen=True, slots=True)
class Hit:
    row: dict  # the article, as the caller may read it
    rank: float
    snippet: str | None


def _query_sql(words: str, language: Language | None, b: Builder) -> str:
    """The words as a tsquery in the given language, or in any: an English query and a
    Russian one joined by OR, so that each article matches in the language it is stemmed in."""
    configs = [TEXT_SEARCH[language]] if language else list(TEXT_SEARCH.values())
    bound = b.bind(words)
    return "(" + " || ".join(f"websearch_to_tsquery('{c}', {bound})" for c in configs) + ")"


def ranked_sql(access: Access, words: str, language: str | None, first: int,
               b: Builder) -> tuple[str, str]:
    """The ids and ranks of the best `first` articles the caller may read that match `words`
    (best first, ties by id), and the search query as SQL, for the snippets."""
    query = _query_sql(words, Language(language) if language else None, b)
    where = [f"t.search @@ {query}", "t.archived_at IS NULL", read_sql(ARTICLE.spec, access, "t", b)]
    if language:
        where.append(f"t.language = {b.bind(language)}")
    return (f"SELECT t.id, round(ts_rank_cd(t.search, {query})::numeric, 6)::float8 AS rank "
            f"FROM article t WHERE {' AND '.join(where)} ORDER BY rank DESC, t.id "
            f"LIMIT {limit_sql(first)}"), query


def snippet_sql(access: Access, t: str, query: str) -> str:
    """The passages of article `t` that match; null for a caller who may not read the body."""
    if not access.can_read("Article", "body"):
        return "NULL"
    return f"ts_headline({text_search_config(f'{t}.language')}, {t}.body, {query}, '{HEADLINE}')"


async def search_articles(reader: Reader, access: Access, words: str, first: int,
                          language: str | None = None) -> list[Hit]:
    """The best `first` articles the caller may read that match `words`, best first, ties
    by id; the snippet is null for a caller who may not read the body."""
    b = Builder()
    ranked, query = ranked_sql(access, words, language, first, b)
    # Headlines are costly, so they are made for the page only, after ranking picked it.
    sql = (f"SELECT {projection(ARTICLE.spec, access, 't')}, hits.rank AS _rank, "
           f"{snippet_sql(access, 't', query)} AS _snippet FROM ({ranked}) hits "
           f"JOIN article t ON t.id = hits.id ORDER BY hits.rank DESC, t.id")
    rows = await read_rows(reader, sql, b)
    return [Hit(row, row.pop("_rank"), row.pop("_snippet")) for row in rows]


# --- The parts of search hits in a read plan (persistence/readplan.py) ---------------------

@dataclass(frozen=True, slots=True)
class HitArticle:
    key: str
    target: Selection


@dataclass(frozen=True, slots=True)
class HitRank:
    key: str


@dataclass(frozen=True, slots=True)
class HitSnippet:
    key: str


@dataclass(frozen=True, slots=True)
class SearchHits:
    """The best `size` articles matching `words`, best first."""

    key: str
    words: str
    language: str | None
    size: int
    items: tuple[HitArticle | HitRank | HitSnippet | Const, ...]
