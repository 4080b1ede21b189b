"""article, articles, knowledgeSearch, and the article mutations."""

from __future__ import annotations

from typing import Annotated

import strawberry

from api.resolvers.common import arguments_checked, get_record, mutate
from api.resolvers.plain import record_list
from api.schema import forms
from api.schema.fields import wrap
from api.schema.ids import parse_id
from api.schema.operational.inputs import ArchiveInput, field_values
from api.schema.operational.knowledge import (
    Article,
    ArticleFeedbackInput,
    ArticleFilter,
    ArticleInput,
    ArticleOrder,
    ArticlePayload,
    ArticlePublicationInput,
    KnowledgeHit,
)
from api.schema.reads import Reads
from api.schema.relay import Connection, NodeId, arg
from domain.knowledge import MAX_HITS, MAX_QUERY, ArticleStatus, check_search
from domain.services import knowledge as service
from domain.services.records import archive_record
from persistence.knowledge import SEARCHED
from persistence.search import search_articles

DEFAULT_HITS = 10


@strawberry.type
class KnowledgeQueries:
    @strawberry.field(description="An article by id; null when there is none you may see.",
                      metadata=forms.compiled(forms.ById("Article")))
    async def article(self, info: strawberry.Info, id: NodeId) -> Article | None:
        return await get_record(info, "Article", id)

    articles: Connection[Article] = record_list(
        "Article", node=Article, filter_input=ArticleFilter, order_input=ArticleOrder,
        plural="articles",
        description="Articles you may see (customers: published PUBLIC ones; "
                    "partners: published PUBLIC and PARTNER ones; staff: all); "
                    "first/last run from 1 to 100.")

    @strawberry.field(description="Full-text search of the articles you may see, best first: "
                                  "words match in any of their forms, in English and Russian.",
                      extensions=[Reads(always=SEARCHED)], metadata=forms.compiled(forms.Search()))
    async def knowledge_search(
        self, info: strawberry.Info,
        query: Annotated[str, arg("Words to find, as in a web search engine (\"quoted "
                                  f"phrases\", or, -excluded); at most {MAX_QUERY} characters.")],
        first: Annotated[int | None, arg(f"How many hits: 1 to {MAX_HITS}.")] = DEFAULT_HITS,
        language: Annotated[str | None, arg("Only articles in this language (en or ru), "
                                            "with words stemmed in it.")] = None,
    ) -> list[KnowledgeHit]:
        ctx = info.context
        size = DEFAULT_HITS if first is None else first
        with arguments_checked():
            words, language = check_search(query, size, language)
        hits = await search_articles(ctx.reader, ctx.access, words, size, language)
        return [KnowledgeHit(article=wrap("Article", hit.row), rank=hit.rank,
                             snippet=hit.snippet) for hit in hits]


@strawberry.type
class KnowledgeMutations:
    @strawberry.mutation(description="Admins and service: write a new article (a draft), or "
                                     "change one; each change is kept as a version.")
    async def article_save(self, info: strawberry.Info,
                           input: Annotated[ArticleInput, arg("The article.")]) -> ArticlePayload:
        ctx = info.context

        async def action():
            values = field_values(input, {})
            if input.id in (strawberry.UNSET, None):
                return await service.create_article(values, ctx.uow(), ctx.access)
            version = None if input.version is strawberry.UNSET else input.version
            return await service.update_article(parse_id(input.id, "Article"), version, values,
                                                ctx.uow(), ctx.access)

        return await mutate(info, ArticlePayload, "article", "Article", action)

    @strawberry.mutation(description="Admins and service: publish an article to whom its "
                                     "visibility allows.")
    async def article_publish(self, info: strawberry.Info,
                              input: Annotated[ArticlePublicationInput, arg("The article.")]
                              ) -> ArticlePayload:
        return await _publication(info, input, ArticleStatus.PUBLISHED)

    @strawberry.mutation(description="Admins and service: take a published article back to "
                                     "draft, so that only staff see it.")
    async def article_unpublish(self, info: strawberry.Info,
                                input: Annotated[ArticlePublicationInput, arg("The article.")]
                                ) -> ArticlePayload:
        return await _publication(info, input, ArticleStatus.DRAFT)

    @strawberry.mutation(description="Admins and service: archive an article; nobody finds it "
                                     "any more, staff still read it by id.")
    async def article_archive(self, info: strawberry.Info,
                              input: Annotated[ArchiveInput, arg("The article.")]
                              ) -> ArticlePayload:
        ctx = info.context
        return await mutate(info, ArticlePayload, "article", "Article", lambda: archive_record(
            service.KIND, parse_id(input.id, "Article"), input.version, ctx.uow(), ctx.access))

    @strawberry.mutation(description="Say whether an article you may read helped; your second "
                                     "vote replaces your first.")
    async def article_feedback(self, info: strawberry.Info,
                               input: Annotated[ArticleFeedbackInput, arg("The verdict.")]
                               ) -> ArticlePayload:
        ctx = info.context
        return await mutate(info, ArticlePayload, "article", "Article", lambda: (
            service.give_feedback(parse_id(input.article, "Article", "article"), input.helpful,
                                  ctx.uow(), ctx.access)))


async def _publication(info: strawberry.Info, input: ArticlePublicationInput,
                       target: ArticleStatus) -> ArticlePayload:
    ctx = info.context
    return await mutate(info, ArticlePayload, "article", "Article", lambda: (
        service.set_publication(parse_id(input.id, "Article"), input.version, target,
                                ctx.uow(), ctx.access, ctx.clock())))
