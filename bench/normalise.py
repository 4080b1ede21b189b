"""How fast the import library normalises rows: `python -m bench.normalise [--rows N]`.

Rows are what a company's export looks like: names in mixed and in one case, emails, a phone
and a mobile in local format read with the row's country, a company with its website, a job
title, tags, a consent; about twenty people per company, and one row in fifty with a bad email
or phone. It prints µs per row on one core (and µs per phone and per email, the library calls
that cost the most), then rows per second with a process pool over chunks, as the import
pipeline runs it.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import time
from concurrent.futures import ProcessPoolExecutor

import phonenumbers

from domain.imports.mapping import guess_mapping
from domain.imports.normalise import Options, normalise_chunk
from domain.values import normalize_email, phone_with_extension
from persistence.seed.generator import COUNTRIES, FIRST_NAMES, LAST_NAMES, TITLES

HEADERS = ["External ID", "First Name", "Last Name", "Email", "Phone", "Mobile", "City",
           "Country", "Company", "Website", "Job Title", "Tags", "consent:EMAIL:newsletter"]
COUNTRY_SPELLINGS = {"DE": ("DE", "Germany", "Deutschland"), "GB": ("GB", "United Kingdom"),
                     "US": ("US", "USA", "United States"), "FR": ("FR", "France")}
CHUNK = 2000


def _local(number: str, rng: random.Random) -> str:
    """The number as people in its country write it, or now and then internationally."""
    parsed = phonenumbers.parse(number)
    style = (phonenumbers.PhoneNumberFormat.INTERNATIONAL if rng.random() < 0.2
             else phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(parsed, style)


def realistic_rows(count: int, seed: int = 13) -> list[tuple[int, list[str]]]:
    """`count` rows under HEADERS, 2% of them with a bad email or phone."""
    rng = random.Random(seed)
    # About twenty people per company, as in a B2B contact base.
    companies = [(f"{rng.choice(LAST_NAMES)} {rng.choice(('GmbH', 'Ltd', 'Inc', 'SA'))} {n}",
                  f"{rng.choice(LAST_NAMES).lower()}{n}.example.com")
                 for n in range(max(count // 20, 1))]
    rows = []
    for index in range(count):
        country = rng.choice(list(COUNTRIES))
        cities, example = COUNTRIES[country]
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        if rng.random() < 0.1:
            first, last = first.upper(), last.upper()
        company, domain = companies[rng.randrange(len(companies))]
        email = f"{first}.{last}{index}@{domain}" if rng.random() < 0.7 else \
            f"{first.lower()}{index}@{rng.choice(('gmail.com', 'outlook.com', 'web.de'))}"
        phone = _local(example[:-4] + f"{rng.randrange(10000):04d}", rng)
        mobile = _local(example[:-4] + f"{rng.randrange(10000):04d}", rng) \
            if rng.random() < 0.5 else ""
        if rng.random() < 0.02:
            email, phone = (email.replace("@", " at "), phone) if rng.random() < 0.5 \
                else (email, phone[:4])
        rows.append((index + 2, [
            f"X-{index}", first, last, email, phone, mobile, rng.choice(cities),
            rng.choice(COUNTRY_SPELLINGS.get(country, (country,))), company,
            f"www.{domain}", rng.choice(TITLES), rng.choice(("", "vip", "b2b; newsletter")),
            rng.choice(("", "yes", "no"))]))
    return rows


def _per_call(function, values: list, repeat: int = 1) -> float:
    start = time.perf_counter()
    for _ in range(repeat):
        for value in values:
            # A bad value costs what it costs; only the time matters here.
            with contextlib.suppress(Exception):
                function(value)
    return (time.perf_counter() - start) / (len(values) * repeat) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, help="rows for the pool run")
    parser.add_argument("--single", type=int, default=20_000, help="rows for the one-core run")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    args = parser.parse_args()

    mapping = guess_mapping(HEADERS)
    options = Options(default_region="DE")
    rows = realistic_rows(max(args.rows, args.single))
    sample = rows[: args.single]
    print(f"phone_with_extension: {_per_call(lambda r: phone_with_extension(r[1][4], 'p', None if r[1][4].startswith('+') else 'DE'), sample[:5000]):6.1f} µs per phone")  # noqa: E501
    print(f"normalize_email:      {_per_call(lambda r: normalize_email(r[1][3], 'e'), sample[:5000]):6.1f} µs per email")  # noqa: E501

    normalise_chunk(sample[:200], mapping, options)  # warm the caches, as any real file does
    start = time.perf_counter()
    results = [r for i in range(0, len(sample), CHUNK)
               for r in normalise_chunk(sample[i:i + CHUNK], mapping, options)]
    single = time.perf_counter() - start
    rejected = sum(isinstance(r, list) for r in results)
    print(f"normalise_chunk, 1 core:    {single / len(sample) * 1e6:6.1f} µs per row "
          f"({len(sample) / single:,.0f} rows/s; {rejected} of {len(sample)} rejected)")

    chunks = [rows[i:i + CHUNK] for i in range(0, args.rows, CHUNK)]
    with ProcessPoolExecutor(args.workers) as pool:
        list(pool.map(normalise_chunk, chunks[:args.workers], [mapping] * args.workers,
                      [options] * args.workers))  # start the workers before the clock
        start = time.perf_counter()
        done = sum(len(r) for r in pool.map(normalise_chunk, chunks, [mapping] * len(chunks),
                                            [options] * len(chunks)))
        pooled = time.perf_counter() - start
    print(f"normalise_chunk, {args.workers} processes: {done / pooled:,.0f} rows/s "
          f"({done:,} rows in {pooled:.2f} s, chunks of {CHUNK})")


if __name__ == "__main__":
    main()
