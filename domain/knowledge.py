"""The knowledge base: help articles in several languages, who may find them, and searching."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from domain.errors import DomainError, ErrorCode, Problems
from domain.values import clean_text

MAX_BODY = 100_000
MAX_TAGS = 20
MAX_TAG = 50
MAX_QUERY = 200
MAX_HITS = 50


class ArticleStatus(StrEnum):
    """A draft is seen by staff only; a published article by everyone its visibility allows."""

    DRAFT = "DRAFT"
    PUBLISHED = "PUBLISHED"


class Visibility(StrEnum):
    """Who may find a published article: staff only, partners too, or everyone."""

    INTERNAL = "INTERNAL"
    PARTNER = "PARTNER"
    PUBLIC = "PUBLIC"


class Language(StrEnum):
    """The languages articles are written and searched in (ISO 639-1)."""

    EN = "en"
    RU = "ru"


# What a version keeps of an article: every save of these appends one.
VERSIONED = ("title", "body", "category", "tags", "language", "visibility")


def _choice(enum: type[StrEnum], field: str, normalise):
    def clean(value):
        try:
            return enum(normalise(value)).value
        except (ValueError, AttributeError):
            allowed = ", ".join(e.value for e in enum)
            raise DomainError.one(field, ErrorCode.INVALID, f"{field} is one of {allowed}.") from None
    return clean


clean_language = _choice(Language, "language", lambda v: v.strip().lower())
clean_visibility = _choice(Visibility, "visibility", lambda v: v.strip().upper())


def clean_tags(values) -> list[str]:
    """Tags trimmed and lower-cased, each once, in the order given."""
    tags: list[str] = []
    for i, raw in enumerate(values or []):
        tag = clean_text(raw, f"tags[{i}]", required=True, limit=MAX_TAG).lower()
        if tag not in tags:
            tags.append(tag)
    if len(tags) > MAX_TAGS:
        raise DomainError.one("tags", ErrorCode.INVALID, f"At most {MAX_TAGS} tags.")
    return tags


def validate_article(values: dict, *, creating: bool) -> dict:
    """An article's own fields; a new one is an INTERNAL English draft unless told otherwise."""
    problems, clean = Problems(), {}
    problems.check(values, clean, "title",
                   lambda v: clean_text(v, "title", required=True, limit=200))
    problems.check(values, clean, "body",
                   lambda v: clean_text(v, "body", required=True, limit=MAX_BODY))
    problems.check(values, clean, "category", lambda v: clean_text(v, "category", limit=100))
    problems.check(values, clean, "tags", clean_tags)
    problems.check(values, clean, "language", clean_language)
    problems.check(values, clean, "visibility", clean_visibility)
    if creating:
        problems.require(values, "title", "body")
        clean.setdefault("language", Language.EN.value)
        clean.setdefault("visibility", Visibility.INTERNAL.value)
        clean.setdefault("tags", [])
    problems.raise_if_any()
    return clean


@dataclass(frozen=True, slots=True)
class ArticlePublication:
    """Whether an article is a draft or published; each move returns the fields it writes,
    and publishing a published article, or withdrawing a draft, is a CONFLICT."""

    status: ArticleStatus

    @classmethod
    def of(cls, values: Mapping) -> ArticlePublication:
        return cls(ArticleStatus(values["status"]))

    def publish(self, now: datetime) -> dict:
        self._refuse_staying(ArticleStatus.PUBLISHED)
        return {"status": ArticleStatus.PUBLISHED.value, "publishedAt": now}

    def withdraw(self) -> dict:
        self._refuse_staying(ArticleStatus.DRAFT)
        return {"status": ArticleStatus.DRAFT.value, "publishedAt": None}

    def move_to(self, target: ArticleStatus, now: datetime) -> dict:
        return self.publish(now) if target is ArticleStatus.PUBLISHED else self.withdraw()

    def _refuse_staying(self, target: ArticleStatus) -> None:
        if self.status is target:
            raise DomainError.one("id", ErrorCode.CONFLICT,
                                  f"The article is already {target.value}.")


def check_search(query: str | None, first: int, language: str | None) -> tuple[str, str | None]:
    """The words to search for and the language to search in; every problem is reported."""
    problems, clean = Problems(), {}
    problems.check({"query": query}, clean, "query",
                   lambda v: clean_text(v, "query", required=True, limit=MAX_QUERY))
    if language is not None:
        problems.check({"language": language}, clean, "language", clean_language)
    if not 1 <= first <= MAX_HITS:
        problems.add("first", ErrorCode.INVALID, f"first runs from 1 to {MAX_HITS}.")
    problems.raise_if_any()
    return clean["query"], clean.get("language")
