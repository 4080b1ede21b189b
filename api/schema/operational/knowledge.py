"""Article, its versions, and search hits: the knowledge base that service and the portals share."""

from __future__ import annotations

import strawberry

from api.schema.declared_fields import declared
from api.schema.errors import UserError
from api.schema.fields import actor, child_list, column, node_id, record_type
from api.schema.filters import order_input
from api.schema.operational.inputs import payload_errors_field, unset
from api.schema.record_inputs import record_filter, record_order_field
from api.schema.relay import Record
from domain.knowledge import ArticleStatus, Visibility
from persistence.knowledge import ARTICLE, ARTICLE_VERSION

Status = strawberry.enum(ArticleStatus, description="DRAFT (staff only) or PUBLISHED.")
ArticleVisibility = strawberry.enum(
    Visibility, name="ArticleVisibility",
    description="Who finds a published article: INTERNAL (staff), PARTNER (partners too) or "
                "PUBLIC (customers too).")


@record_type("ArticleVersion")
@strawberry.type(description="What an article said after one save.")
@declared(ARTICLE_VERSION)
class ArticleVersion:
    data: strawberry.Private[dict]

    tags: list[str] | None = column("Tags, lower-case.")
    saved_by: strawberry.ID | None = actor("Global id of the user who saved it.")


@record_type("Article")
@strawberry.type(description="A help article: written in Markdown in one language, published "
                             "to staff, partners or everyone.")
@declared(ARTICLE)
class Article(Record):
    id: strawberry.ID = node_id("Article")
    tags: list[str] | None = column("Tags, lower-case; searched like the category.")
    versions: list[ArticleVersion] | None = child_list(
        "versions", "ArticleVersion", "Every save, oldest first.")


@strawberry.type(description="An article knowledgeSearch found, with how well it matches.")
class KnowledgeHit:
    article: Article = strawberry.field(description="The article.")
    rank: float = strawberry.field(description=(
        "PostgreSQL's cover density (ts_rank_cd): each occurrence of a searched word counts "
        "1.0 in the title, 0.4 in the body and 0.2 in the category or tags; higher is better."))
    snippet: str | None = strawberry.field(description=(
        "Passages of the body (Markdown as written) with the matched words between <b> and "
        "</b>, joined by \" … \"; the beginning of the body when only the title matched."))


ArticleFilter = record_filter(ARTICLE, Article)
ArticleOrderField = record_order_field(ARTICLE)


ArticleOrder = order_input(ArticleOrderField, "ArticleOrder")


@strawberry.input(description="A new article (a draft), or changes to one (with id and "
                               "version); each save that changes it is kept as a version.")
class ArticleInput:
    id: strawberry.ID | None = unset("The article to change.")
    version: int | None = unset("Its version, to change it.")
    title: str | None = unset("Title, at most 200 characters (required to create).")
    body: str | None = unset("Body in Markdown (required to create).")
    category: str | None = unset("Category; null clears it.")
    tags: list[str] | None = unset("Tags, at most 20; they are trimmed and lower-cased.")
    language: str | None = unset("en or ru (default en); anything else is INVALID.")
    visibility: str | None = unset("INTERNAL (default), PARTNER or PUBLIC; anything else is "
                                   "INVALID.")


@strawberry.input(description="An article to publish or take back, at the version read.")
class ArticlePublicationInput:
    id: strawberry.ID = strawberry.field(description="The article.")
    version: int = strawberry.field(description="The version you last read.")


@strawberry.input(description="A reader's verdict on an article.")
class ArticleFeedbackInput:
    article: strawberry.ID = strawberry.field(description="The article.")
    helpful: bool = strawberry.field(description="Whether it helped; a second vote replaces "
                                                 "the first.")


@strawberry.type(description="The result of an article mutation.")
class ArticlePayload:
    article: Article | None = strawberry.field(default=None, description="As it is now.")
    errors: list[UserError] = payload_errors_field()
