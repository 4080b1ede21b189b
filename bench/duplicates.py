"""Duplicate detection figures: the full scan's time, and its recall and precision on a
planted set.

    python -m bench.duplicates [--contacts 100000] [--share 0.01] [--seed 42]

A database of its own (crm_bench_duplicates_N on DATABASE_URL's server or 127.0.0.1:5432) is
created afresh, migrated and given N contacts by the bulk seed (`crm seed --contacts N`),
their phones drawn from N/50 numbers per country (at least 1,000, the seed's default), so
that about five contacts share a number at every scale.
Then `share`·N near-duplicates of random contacts are planted (a typo in a name, the email in
another case, the phone typed in another form and normalised as the API does, some channels
left out; persistence/seed/planted_duplicates.py), and as many look-alikes that are other
people (a relative on the same phone, a colleague on the same switchboard, a namesake).
The full scan (`crm duplicates scan --type contacts`) then runs and is timed. Reported:

- recall: the planted pairs the scan stored at or above the default threshold;
- precision: of all pairs at or above it, the planted ones. The seed's own people count
  against it when they look alike, e.g. two people of one name at one company.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import orjson

from bench.dataset import LOCAL_SERVER, recreate_database, with_database
from domain.duplicates import DEFAULT_THRESHOLD
from domain.match_keys import name_key
from persistence.duplicate_scan import scan_contacts
from persistence.migrate import upgrade
from persistence.seed.bulk import seed_bulk
from persistence.seed.generator import FIRST_NAMES, LAST_NAMES
from persistence.seed.planted_duplicates import Card, look_alike, near_duplicate

OUT = Path(__file__).parent / "out"
SAMPLE = """
SELECT c.id, c.first_name, c.last_name, c.emails, c.phones, c.owner_id, c.territory_id,
       (SELECT l.account_id FROM account_contact l WHERE l.contact_id = c.id LIMIT 1) AS account
FROM contact c ORDER BY md5(c.id::text || $2) LIMIT $1
"""
CONTACT_COLUMNS = ("id", "created_by", "updated_by", "first_name", "last_name", "emails",
                   "phones", "owner_id", "territory_id", "name_key")
STORED = """SELECT low_id, high_id FROM duplicate_candidate
            WHERE record_type = 'Contact' AND score >= $1"""


def _card(row) -> Card:
    return Card(row["first_name"], row["last_name"], tuple(orjson.loads(row["emails"])),
                tuple(orjson.loads(row["phones"])), row["account"])


async def plant(url: str, share: float, seed: int) -> tuple[set[tuple], int]:
    """Plant near-duplicates and look-alikes; the planted duplicate pairs, lower id first."""
    rng = random.Random(seed)
    conn = await asyncpg.connect(url)
    try:
        total = await conn.fetchval("SELECT count(*) FROM contact")
        count = max(1, int(total * share))
        rows = await conn.fetch(SAMPLE, 2 * count, str(seed))
        contacts, links, truth = [], [], set()
        for n, row in enumerate(rows):
            original = _card(row)
            card = (near_duplicate(original, rng) if n < count else
                    look_alike(original, rng, tuple(FIRST_NAMES), tuple(LAST_NAMES), n))
            new_id = random.Random(f"{seed}-{n}").randbytes(16).hex()
            contacts.append((new_id, "System", "System", card.first_name, card.last_name,
                             orjson.dumps(card.emails).decode(),
                             orjson.dumps(card.phones).decode(), row["owner_id"],
                             row["territory_id"], name_key(card.first_name, card.last_name)))
            if card.account_id is not None:
                links.append((random.Random(f"{seed}-link-{n}").randbytes(16).hex(), "System",
                              "System", card.account_id, new_id))
            if n < count:
                truth.add(tuple(sorted((row["id"], uuid.UUID(new_id)))))
        await conn.copy_records_to_table("contact", records=contacts, columns=CONTACT_COLUMNS)
        await conn.copy_records_to_table(
            "account_contact", records=links,
            columns=("id", "created_by", "updated_by", "account_id", "contact_id"))
        await conn.execute("ANALYZE contact; ANALYZE account_contact")
        return truth, len(contacts)
    finally:
        await conn.close()


async def measure(url: str, truth: set[tuple]) -> dict:
    conn = await asyncpg.connect(url)
    try:
        started = time.perf_counter()
        result = await scan_contacts(conn)
        seconds = time.perf_counter() - started
        found = {(r["low_id"], r["high_id"]) for r in await conn.fetch(STORED, DEFAULT_THRESHOLD)}
    finally:
        await conn.close()
    hits = len(found & truth)
    return {"scan_seconds": round(seconds, 1), "blocks": result.blocks,
            "pairs_scored": result.compared, "pairs_stored": result.stored,
            "threshold": DEFAULT_THRESHOLD, "planted_pairs": len(truth),
            "flagged_pairs": len(found), "recall": round(hits / len(truth), 4),
            "precision": round(hits / len(found), 4) if found else None}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--share", type=float, default=0.01,
                        help="near-duplicates planted, and as many look-alikes, per contact")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    server = os.environ.get("DATABASE_URL") or LOCAL_SERVER
    name = f"crm_bench_duplicates_{args.contacts}"
    asyncio.run(recreate_database(server, name))
    url = with_database(server, name)
    upgrade(url)
    started = time.perf_counter()
    # The seed draws phones from a pool of 1,000 numbers per country, so that at a million
    # contacts a hundred strangers share each mobile number; here the pool grows with the
    # data, about five contacts a number at any scale, as families and small offices share.
    phones = max(1000, args.contacts // 50)
    seed_bulk(url, args.contacts, seed=args.seed, phones_per_country=phones)
    seeded = time.perf_counter() - started
    truth, planted = asyncio.run(plant(url, args.share, args.seed))
    result = {"contacts": args.contacts, "planted_contacts": planted,
              "phones_per_country": phones,
              "seed_seconds": round(seeded, 1), **asyncio.run(measure(url, truth)),
              "cpus": os.cpu_count(), "at": datetime.now(UTC).isoformat(timespec="seconds")}
    OUT.mkdir(exist_ok=True)
    (OUT / f"duplicates-{args.contacts}.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
