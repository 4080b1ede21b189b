"""Merge benchmark: 10 contacts, each with 20 references (notes, account links, tags and
consents, a share of them colliding with the survivor's), merged into one by the use case in
one transaction, as an admin. Prints the median and the 95th percentile of its wall time.

    DATABASE_URL=postgresql://... python -m bench.merge [--rounds 30]

The database must be migrated (`crm migrate`); the bench adds its own rows and leaves them.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
import uuid

from auth.principal import staff_access
from domain.access import Role
from domain.services.merge import merge_records
from persistence.db import make_engine
from persistence.uow import UnitOfWork

RECORDS, NOTES, LINKS, TAGS = 10, 8, 6, 4  # and 2 consents: 20 references per record
SHARED = 2  # links and tags each record shares with the survivor: they collide


async def _scene(engine, admin_id: uuid.UUID) -> list[uuid.UUID]:
    """Ten contacts with their references; the first is the survivor."""
    contacts = [uuid.uuid4() for _ in range(RECORDS)]
    accounts = [uuid.uuid4() for _ in range(LINKS * RECORDS)]
    tags = [uuid.uuid4() for _ in range(TAGS * RECORDS)]
    async with engine.begin() as conn:
        raw = (await conn.get_raw_connection()).driver_connection
        await raw.executemany(
            "INSERT INTO contact (id, first_name, last_name, emails, owner_id, created_by, updated_by) "
            "VALUES ($1, NULL, $2, $3::jsonb, $4, 'Bench', 'Bench')",
            [(c, f"Bench{i}", f'[{{"address": "b{c.hex}@bench.example.com", "primary": true}}]',
              admin_id) for i, c in enumerate(contacts)])
        await raw.executemany("INSERT INTO account (id, name, created_by, updated_by) "
                              "VALUES ($1, $2, 'Bench', 'Bench')",
                              [(a, f"Bench {a.hex[:8]}") for a in accounts])
        await raw.executemany("INSERT INTO tag (id, kind, name, colour, created_by, updated_by) "
                              "VALUES ($1, 'Contact', $2, '#888888', 'Bench', 'Bench')",
                              [(t, f"b{t.hex[:12]}") for t in tags])
        notes, links, taggings, consents = [], [], [], []
        for i, c in enumerate(contacts):
            notes += [(uuid.uuid4(), c, f"Note {n}") for n in range(NOTES)]
            # the first SHARED accounts and tags are the survivor's too
            own = accounts[:SHARED] + accounts[LINKS * i + SHARED:LINKS * (i + 1)]
            links += [(uuid.uuid4(), a, c) for a in own]
            taggings += [(uuid.uuid4(), t, c) for t in tags[:SHARED] + tags[TAGS * i + SHARED:
                                                                        TAGS * (i + 1)]]
            consents += [(uuid.uuid4(), c, ch, "GRANTED" if i % 2 else "WITHDRAWN")
                         for ch in ("EMAIL", "SMS")]
        await raw.executemany("INSERT INTO note (id, record_type, record_id, body, created_by, "
                              "updated_by) VALUES ($1, 'Contact', $2, $3, 'Bench', 'Bench')", notes)
        await raw.executemany("INSERT INTO account_contact (id, account_id, contact_id, "
                              "created_by, updated_by) VALUES ($1, $2, $3, 'Bench', 'Bench')", links)
        await raw.executemany("INSERT INTO tagging (id, tag_id, record_id, created_by, updated_by) "
                              "VALUES ($1, $2, $3, 'Bench', 'Bench')",
                              taggings)
        await raw.executemany("INSERT INTO consent (id, contact_id, channel, purpose, status, "
                              "source, created_by, updated_by) VALUES ($1, $2, $3, "
                              "'newsletter', $4, 'bench', 'Bench', 'Bench')", consents)
    return contacts


async def _admin(engine) -> uuid.UUID:
    async with engine.begin() as conn:
        raw = (await conn.get_raw_connection()).driver_connection
        return await raw.fetchval(
            "INSERT INTO app_user (id, email, name, role, created_by, updated_by) VALUES "
            "($1, $2, 'Bench', 'admin', 'Bench', 'Bench') "
            "RETURNING id", uuid.uuid4(), f"bench-{uuid.uuid4().hex[:8]}@example.com")


async def run(url: str, rounds: int) -> list[float]:
    engine = make_engine(url, pool_size=2)
    try:
        admin_id = await _admin(engine)
        access = staff_access(Role.ADMIN, admin_id)
        timings = []
        for _ in range(rounds):
            survivor, *merged = await _scene(engine, admin_id)
            started = time.perf_counter()
            plan = await merge_records("Contact", survivor, merged, {}, False,
                                       UnitOfWork(engine, access), access)
            timings.append((time.perf_counter() - started) * 1000)
            moved = sum(len(r.moved) + len(r.archived) for r in plan.references)
            assert moved == (RECORDS - 1) * 20, moved
        return timings
    finally:
        await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    timings = asyncio.run(run(os.environ["DATABASE_URL"], args.rounds))
    warm = sorted(timings[1:])  # the first round pays for connections and plans
    p95 = warm[max(0, int(len(warm) * 0.95) - 1)]
    print(f"merge of {RECORDS} contacts x 20 references, {len(warm)} warm rounds: "
          f"median {statistics.median(warm):.1f} ms, p95 {p95:.1f} ms, "
          f"first {timings[0]:.1f} ms (target: at most 200 ms)")


if __name__ == "__main__":
    main()
