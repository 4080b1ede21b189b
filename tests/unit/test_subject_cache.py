"""The standing cache: one read per subject per TTL, shared by concurrent requests."""

from __future__ import annotations

import asyncio

import pytest

from auth.standing import SubjectCache


class Reads:
    """A stand-in for the database: counts reads and answers after a moment."""

    def __init__(self, value="row", fail: bool = False) -> None:
        self.count, self.value, self.fail = 0, value, fail

    async def __call__(self):
        self.count += 1
        await asyncio.sleep(0.01)
        if self.fail:
            raise ConnectionError("the database is away")
        return self.value


async def test_concurrent_gets_of_one_subject_share_one_read():
    cache, reads = SubjectCache(ttl=60), Reads()
    values = await asyncio.gather(*(cache.get(("User", 1), reads) for _ in range(50)))
    assert values == ["row"] * 50 and reads.count == 1 and cache.loads == 1


async def test_each_subject_is_read_for_itself():
    cache, reads = SubjectCache(ttl=60), Reads()
    await asyncio.gather(cache.get(("User", 1), reads), cache.get(("User", 2), reads))
    assert reads.count == 2


async def test_a_subject_is_read_again_once_its_ttl_has_passed():
    cache, reads = SubjectCache(ttl=0.05), Reads()
    await cache.get("k", reads)
    await cache.get("k", reads)
    assert reads.count == 1
    await asyncio.sleep(0.06)
    await cache.get("k", reads)
    assert reads.count == 2


async def test_without_a_ttl_every_get_reads():
    cache, reads = SubjectCache(ttl=0), Reads()
    for _ in range(3):
        await cache.get("k", reads)
    assert reads.count == 3


async def test_a_failed_read_is_not_kept():
    cache = SubjectCache(ttl=60)
    with pytest.raises(ConnectionError):
        await cache.get("k", Reads(fail=True))
    assert await cache.get("k", Reads("later")) == "later"


async def test_the_oldest_subjects_make_room():
    cache, reads = SubjectCache(ttl=60, size=2), Reads()
    for key in ("a", "b", "c", "a"):
        await cache.get(key, reads)
    assert reads.count == 4  # "a" was evicted by "c", so it was read again
