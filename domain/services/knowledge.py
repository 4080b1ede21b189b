"""Knowledge use cases: save an article (each save kept as a version), publish it, vote on it."""

from __future__ import annotations

import uuid
from datetime import datetime

from domain.access import Access
from domain.errors import DomainError, ErrorCode, not_found
from domain.knowledge import VERSIONED, ArticlePublication, ArticleStatus, validate_article
from domain.ports import UnitOfWork
from domain.services.records import (
    RecordKind,
    create_checked,
    insert_audited,
    lock_at_version,
    require_create,
    require_writable_fields,
    stateless,
    update_audited,
)

TYPE = "Article"
KIND = RecordKind(TYPE, stateless(validate_article), {})


async def create_article(values: dict, uow: UnitOfWork, access: Access) -> uuid.UUID:
    """Create a draft article; what it says is kept as its version 1."""
    require_create(access, TYPE, values)
    clean = validate_article(values, creating=True)

    async def write(clean: dict) -> uuid.UUID:
        article_id = await insert_audited(uow, TYPE, clean)
        await uow.knowledge.add_version(article_id, clean)
        return article_id

    return await create_checked(KIND, clean, uow, write)


async def update_article(id: uuid.UUID, version: int | None, values: dict, uow: UnitOfWork,
                         access: Access) -> uuid.UUID:
    """Change an article at the version read; a save that changes it appends a version."""
    if version is None:
        raise DomainError.one("version", ErrorCode.REQUIRED, "Send the version you last read.")
    require_writable_fields(access, TYPE, values)
    clean = validate_article(values, creating=False)
    async with uow:
        locked = await lock_at_version(uow, TYPE, id, version, VERSIONED)
        stored = locked.values
        if await update_audited(uow, TYPE, id, stored, clean, "update"):
            await uow.knowledge.add_version(id, stored | clean)
        await uow.commit()
    return id


async def set_publication(id: uuid.UUID, version: int, target: ArticleStatus, uow: UnitOfWork,
                          access: Access, now: datetime) -> uuid.UUID:
    """Publish an article to whom its visibility allows, or take it back to draft."""
    require_writable_fields(access, TYPE, ["status"])
    async with uow:
        locked = await lock_at_version(uow, TYPE, id, version, ("status", "publishedAt"))
        changes = ArticlePublication.of(locked.values).move_to(target, now)
        await update_audited(uow, TYPE, id, locked.values, changes, "status")
        await uow.commit()
    return id


async def give_feedback(article_id: uuid.UUID, helpful: bool, uow: UnitOfWork,
                        access: Access) -> uuid.UUID:
    """Count the caller's vote on an article it may read; voting again replaces its vote."""
    async with uow:
        # The lock orders concurrent votes on one article, so that each recount sees the
        # others; an article the caller may not read is as good as missing.
        if await uow.records.lock(TYPE, article_id, ()) is None:
            raise not_found("article", TYPE)
        before = await uow.knowledge.vote(article_id, helpful)
        if before != helpful:
            await uow.audit.record(TYPE, article_id, "feedback", {"helpful": (before, helpful)})
        await uow.commit()
    return article_id
