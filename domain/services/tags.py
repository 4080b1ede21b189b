"""Use cases of tags: the vocabulary of each kind of record, and tagging records."""

from __future__ import annotations

import uuid

from domain.access import Access
from domain.errors import DomainError, ErrorCode
from domain.ports import UnitOfWork
from domain.services.records import RecordKind, lock_writable, require_writable_fields
from domain.tags import TaggableKind, validate_tag

TAG = RecordKind(type_name="Tag", validate=validate_tag, references={})
TAGGABLE = tuple(kind.value for kind in TaggableKind)

MAX_TAGS_AT_ONCE = 50


async def set_tags(record_type: str, record_id: uuid.UUID, tag_ids: list[uuid.UUID],
                   tagged: bool, uow: UnitOfWork, access: Access) -> uuid.UUID:
    """Give a record tags of its kind, or take them off; its trail names the tags that
    changed. A tag it already carries (or lacks) changes nothing."""
    require_writable_fields(access, record_type, ["tags"])
    if not 0 < len(tag_ids) <= MAX_TAGS_AT_ONCE:
        raise DomainError.one("tags", ErrorCode.INVALID,
                              f"Name 1 to {MAX_TAGS_AT_ONCE} tags at once.")
    async with uow:
        await lock_writable(uow, record_type, record_id, field_name="record")
        changed = []
        for tag_id in dict.fromkeys(tag_ids):
            # Locked, so that a tag is not archived while it is being given.
            tag = await uow.records.lock("Tag", tag_id, ["kind", "name"])
            if tag is None or tag.archived or tag.values["kind"] != record_type:
                raise DomainError.one("tags", ErrorCode.NOT_FOUND,
                                      f"No {record_type} tag with this id.")
            if await uow.pairs.set("tagging", tag_id, record_id, tagged):
                changed.append(tag.values["name"])
        if changed:
            await uow.audit.record(record_type, record_id, "tag" if tagged else "untag",
                                   {"tags": (None, changed) if tagged else (changed, None)})
        await uow.commit()
    return record_id
