"""An article's publication, through its use cases on the fake unit of work."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from domain.errors import DomainError, ErrorCode
from domain.knowledge import ArticleStatus
from domain.services import knowledge
from tests.unit.callers import staff
from tests.unit.fakes import FakeUnitOfWork

NOW = datetime(2027, 3, 1, 9, tzinfo=UTC)


@pytest.fixture
def uow() -> FakeUnitOfWork:
    return FakeUnitOfWork()


async def drafted(uow: FakeUnitOfWork) -> uuid.UUID:
    return await knowledge.create_article({"title": "Reset a password", "body": "Click."}, uow,
                                          staff("service"))


async def publication(uow: FakeUnitOfWork, article_id: uuid.UUID, target: ArticleStatus,
                      role: str = "service") -> uuid.UUID:
    return await knowledge.set_publication(article_id, uow.records.versions[article_id],
                                           target, uow, staff(role), NOW)


async def test_create_article_is_an_internal_draft_kept_as_version_one(uow):
    article_id = await drafted(uow)

    article = uow.records.get("Article", article_id)
    assert (article["visibility"], article["language"]) == ("INTERNAL", "en")
    assert [v["title"] for v in uow.knowledge.versions[article_id]] == ["Reset a password"]
    assert uow.committed


async def test_publish_article_stamps_the_moment_and_audits_it(uow):
    article_id = await drafted(uow)

    await publication(uow, article_id, ArticleStatus.PUBLISHED)

    article = uow.records.get("Article", article_id)
    assert (article["status"], article["publishedAt"]) == ("PUBLISHED", NOW)
    assert uow.audit.entries[-1]["changes"] == {"status": ("DRAFT", "PUBLISHED"),
                                                "publishedAt": (None, NOW)}
    assert uow.committed


async def test_publish_article_already_published_conflicts(uow):
    article_id = uow.records.add("Article", {"status": "PUBLISHED", "publishedAt": NOW})
    with pytest.raises(DomainError) as raised:
        await publication(uow, article_id, ArticleStatus.PUBLISHED)
    [problem] = raised.value.problems
    assert (problem.field, problem.code) == ("id", ErrorCode.CONFLICT)
    assert problem.message == "The article is already PUBLISHED."
    assert not uow.committed


async def test_unpublish_article_takes_it_back_to_a_draft(uow):
    article_id = uow.records.add("Article", {"status": "PUBLISHED", "publishedAt": NOW})

    await publication(uow, article_id, ArticleStatus.DRAFT)

    article = uow.records.get("Article", article_id)
    assert (article["status"], article["publishedAt"]) == ("DRAFT", None)


async def test_unpublish_draft_conflicts(uow):
    article_id = uow.records.add("Article", {"status": "DRAFT", "publishedAt": None})
    with pytest.raises(DomainError) as raised:
        await publication(uow, article_id, ArticleStatus.DRAFT)
    assert raised.value.problems[0].message == "The article is already DRAFT."


async def test_publish_article_by_a_role_that_only_reads_it_is_forbidden(uow):
    article_id = uow.records.add("Article", {"status": "DRAFT", "publishedAt": None})
    with pytest.raises(DomainError) as raised:
        await publication(uow, article_id, ArticleStatus.PUBLISHED, role="sales")
    assert [(p.field, p.code) for p in raised.value.problems] == [("status", ErrorCode.FORBIDDEN)]
    assert uow.records.get("Article", article_id)["status"] == "DRAFT"
