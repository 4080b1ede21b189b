"""Knowledge articles with their saved versions and their readers' votes, and who finds them."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ARRAY, Computed, Index, String, Text, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlmodel import Field

from domain.access import Access, RecordRule
from domain.knowledge import VERSIONED, ArticleStatus, Language, Visibility
from persistence.base import Stamped, one_of, utc_column
from persistence.db import Transaction
from persistence.declaration import PROVENANCE, Children, RecordType, col, meta, rel
from persistence.spec import through_parent
from persistence.sql import Builder

# language -> the PostgreSQL text search configuration that stems its words
TEXT_SEARCH = {Language.EN: "english", Language.RU: "russian"}


def text_search_config(language_sql: str) -> str:
    """The configuration for an article's language, as SQL over its language column."""
    whens = " ".join(f"WHEN '{code.value}' THEN '{config}'::regconfig"
                     for code, config in TEXT_SEARCH.items() if code is not Language.EN)
    return f"CASE {language_sql} {whens} ELSE 'english'::regconfig END"


# Title words weigh most (A), then the body (B), then category and tags (C). The
# configuration is passed explicitly because to_tsvector(regconfig, text) is immutable,
# which a generated column needs; crm_words joins the tags (array_to_string is only stable).
SEARCH_VECTOR = (
    f"setweight(to_tsvector({text_search_config('language')}, title), 'A') || "
    f"setweight(to_tsvector({text_search_config('language')}, body), 'B') || "
    f"setweight(to_tsvector({text_search_config('language')}, "
    f"coalesce(category, '') || ' ' || crm_words(tags)), 'C')"
)
# The fields a search reads through that vector (and the language it is stemmed in).
SEARCHED = ("Article.title", "Article.body", "Article.category", "Article.tags",
            "Article.language")


class ArticleRow(Stamped, table=True):
    __tablename__ = "article"
    __table_args__ = (
        Index("ix_article_search", "search", postgresql_using="gin"),
        Index("ix_article_title_id", "title", "id"),
        Index("ix_article_created_at_id", "created_at", "id"),
        one_of("status", ArticleStatus),
        one_of("visibility", Visibility),
        one_of("language", Language),
    )

    title: str = Field(max_length=200)
    body: str = Field(sa_type=Text)  # Markdown
    category: str | None = Field(default=None, max_length=100)
    tags: list[str] = Field(default_factory=list, sa_type=ARRAY(String(50)),
                            sa_column_kwargs={"server_default": text("'{}'")})
    language: str = Field(max_length=5)
    visibility: str = Field(max_length=10)
    status: str = Field(default=ArticleStatus.DRAFT.value, max_length=10,
                        sa_column_kwargs={"server_default": ArticleStatus.DRAFT.value})
    published_at: datetime | None = Field(default=None,
                                          **utc_column(nullable=True, server_default=None))
    # Kept with the article, so that lists show them without counting votes per row.
    helpful_count: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    not_helpful_count: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    search: Any = Field(default=None, sa_type=TSVECTOR,
                        sa_column_args=[Computed(SEARCH_VECTOR, persisted=True)])


class ArticleVersionRow(Stamped, table=True):
    """What an article said after one save; created_by and created_at say who and when."""

    __tablename__ = "article_version"
    __table_args__ = (UniqueConstraint("article_id", "number"),)

    article_id: uuid.UUID = Field(foreign_key="article.id")
    number: int
    title: str = Field(max_length=200)
    body: str = Field(sa_type=Text)
    category: str | None = Field(default=None, max_length=100)
    tags: list[str] = Field(default_factory=list, sa_type=ARRAY(String(50)))
    language: str = Field(max_length=5)
    visibility: str = Field(max_length=10)


class ArticleFeedbackRow(Stamped, table=True):
    """One reader's vote on an article; voting again replaces it."""

    __tablename__ = "article_feedback"
    __table_args__ = (UniqueConstraint("article_id", "actor"),)

    article_id: uuid.UUID = Field(foreign_key="article.id")
    actor: str = Field(max_length=80)  # the voter, as ActorRef text
    helpful: bool


def _published(t: str, visibilities: tuple[Visibility, ...]) -> str:
    shown = ", ".join(f"'{v.value}'" for v in visibilities)
    return (f"{t}.status = '{ArticleStatus.PUBLISHED.value}' AND {t}.visibility IN ({shown}) "
            f"AND {t}.archived_at IS NULL")


def published_public(t: str, access: Access, b: Builder) -> str:
    """A customer's rule: published PUBLIC articles."""
    return _published(t, (Visibility.PUBLIC,))


def published_for_partners(t: str, access: Access, b: Builder) -> str:
    """A partner's rule: published PUBLIC and PARTNER articles."""
    return _published(t, (Visibility.PUBLIC, Visibility.PARTNER))
ARTICLE = RecordType(
    name="Article",
    table=ArticleRow.__table__,
    groups={
        "meta": meta(filterable=True, sortable=True),
        "provenance": PROVENANCE,
        "content": (
            col("title", sortable=True, doc="Title; its words weigh most in search."),
            col("body", doc="Body, in Markdown."),
            col("category", filterable=True, doc="Category, e.g. Billing."),
            col("tags"),
            col("language", filterable=True, doc="Language, ISO 639-1: en or ru; words are stemmed in it."),
            col("visibility", filterable=True, enum=Visibility, doc="Who finds it once published."),
        ),
        "publication": (
            col("status", filterable=True, enum=ArticleStatus, doc="DRAFT or PUBLISHED."),
            col(
                "publishedAt", derived=True, sortable=True,
                doc="When it was last published; null for a draft.",
            ),
        ),
        "feedback": (
            col("helpfulCount", derived=True, doc="How many readers found it helpful."),
            col("notHelpfulCount", derived=True, doc="How many readers did not."),
        ),
        "versions": (
            rel("versions", Children("ArticleVersion", "article_id", ("number",))),
        ),
    },
    rules={RecordRule.PUBLIC: published_public, RecordRule.PUBLISHED_FOR_PARTNERS: published_for_partners},
)
ARTICLE_VERSION = RecordType(
    name="ArticleVersion",
    table=ArticleVersionRow.__table__,
    groups={
        "all": (
            col("id"),
            col("number", doc="1 for the first save, then 2, 3, …"),
            col("title", copy_of="Article.title", doc="Title."),
            col("body", copy_of="Article.body", doc="Body, in Markdown."),
            col("category", copy_of="Article.category", doc="Category."),
            col("tags", copy_of="Article.tags"),
            col("language", copy_of="Article.language", doc="Language: en or ru."),
            col(
                "visibility", copy_of="Article.visibility", enum=Visibility,
                doc="Who would find it once published.",
            ),
            col("savedAt", "created_at", doc="When it was saved."),
            col("savedBy", "created_by"),
        ),
    },
    node=False,
    visibility=through_parent,
)


class KnowledgeStore:
    """Implements domain.ports.KnowledgeStore."""

    def __init__(self, tx: Transaction, access: Access) -> None:
        self.tx = tx
        self.actor = str(access.actor)

    async def add_version(self, article_id: uuid.UUID, values: dict) -> int:
        """Append a snapshot numbered after the last; the caller holds the article's lock."""
        b = Builder()
        article, actor = b.bind(article_id), b.bind(self.actor)
        snapshot = ", ".join(b.bind(values.get(f)) for f in VERSIONED)
        return await self.tx.value(
            f"INSERT INTO article_version (id, article_id, number, {', '.join(VERSIONED)}, "
            f"created_by, updated_by) SELECT {b.bind(uuid.uuid4())}, {article}, "
            f"coalesce(max(number), 0) + 1, {snapshot}, {actor}, {actor} "
            f"FROM article_version WHERE article_id = {article} RETURNING number", b.params)

    async def vote(self, article_id: uuid.UUID, helpful: bool) -> bool | None:
        """Record the caller's vote, replacing its last one, which is returned; the counts
        are recounted from the votes, under the article's lock."""
        b = Builder()
        article, actor = b.bind(article_id), b.bind(self.actor)
        previous = await self.tx.value(
            f"WITH previous AS (SELECT helpful FROM article_feedback WHERE article_id = {article} "
            f"AND actor = {actor}), saved AS (INSERT INTO article_feedback (id, article_id, "
            f"actor, helpful, created_by, updated_by) VALUES ({b.bind(uuid.uuid4())}, {article}, "
            f"{actor}, {b.bind(helpful)}, {actor}, {actor}) ON CONFLICT (article_id, actor) DO "
            f"UPDATE SET helpful = excluded.helpful, updated_at = now(), "
            f"version = article_feedback.version + 1) SELECT (SELECT helpful FROM previous)",
            b.params)
        # The article's version is left alone: a vote is no edit that should make an editor's
        # copy stale.
        await self.tx.value(
            "UPDATE article SET helpful_count = (SELECT count(*) FROM article_feedback "
            "WHERE article_id = $1 AND helpful), not_helpful_count = (SELECT count(*) "
            "FROM article_feedback WHERE article_id = $1 AND NOT helpful) WHERE id = $1",
            (article_id,))
        return previous
