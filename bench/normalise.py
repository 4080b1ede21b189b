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
import importlib
import os
import random
import time
from concurrent.futures import ProcessPoolExecutor

import phonenumbers

from domain.imports.cells import website
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


def _world_numbers() -> list[tuple[str, str]]:
    """libphonenumber's example mobile and fixed-line number of every region, written
    nationally: a file with many countries, whose patterns overflow re's own cache."""
    numbers = []
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        for kind in (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE):
            example = phonenumbers.example_number_for_type(region, kind)
            if example:
                numbers.append((phonenumbers.format_number(
                    example, phonenumbers.PhoneNumberFormat.NATIONAL), region))
    return numbers


def _per_call(function, values: list) -> float:
    """CPU µs per call: CPU time, not the wall clock, so that other work on the machine does
    not count."""
    start = time.process_time()
    for value in values:
        # A bad value costs what it costs; only the time matters here.
        with contextlib.suppress(Exception):
            function(value)
    return (time.process_time() - start) / len(values) * 1e6


def timed_chunk(chunk, mapping, options) -> tuple[list, float]:
    """normalise_chunk and the CPU seconds it took in its worker."""
    start = time.process_time()
    results = normalise_chunk(chunk, mapping, options)
    return results, time.process_time() - start


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
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    phone = _per_call(lambda r: phone_with_extension(r[1][4], "p", "DE"), sample[:5000])
    # All of the sample, so that first sights of a domain count as often as in a file.
    email = _per_call(lambda r: normalize_email(r[1][3], "e"), sample)
    world_numbers = _world_numbers()
    _per_call(lambda v: phone_with_extension(v[0], "p", v[1]), world_numbers)  # compiles them
    world = _per_call(lambda v: phone_with_extension(v[0], "p", v[1]), world_numbers * 5)
    print(f"phone_with_extension: {phone:6.1f} µs CPU per phone, {world:.1f} µs for numbers "
          "of every region (libphonenumber's pattern cache on)")
    print(f"normalize_email:      {email:6.1f} µs CPU per email (domains cached)")

    # Start cold, as a worker does: no domain or website seen yet.
    importlib.import_module("email_validator.validate_email").validate_email_domain_name.cache_clear()
    website.cache_clear()
    wall, cpu = time.perf_counter(), time.process_time()
    results = [r for i in range(0, len(sample), CHUNK)
               for r in normalise_chunk(sample[i:i + CHUNK], mapping, options)]
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    rejected = sum(isinstance(r, list) for r in results)
    print(f"normalise_chunk, 1 core: {cpu / len(sample) * 1e6:6.1f} µs CPU per row, "
          f"{wall / len(sample) * 1e6:.1f} µs wall ({rejected} of {len(sample)} rows rejected)")

    chunks = [rows[i:i + CHUNK] for i in range(0, args.rows, CHUNK)]
    with ProcessPoolExecutor(args.workers) as pool:
        list(pool.map(timed_chunk, chunks[:args.workers], [mapping] * args.workers,
                      [options] * args.workers))  # start the workers before the clock
        wall = time.perf_counter()
        done, cpu = 0, 0.0
        for results, seconds in pool.map(timed_chunk, chunks, [mapping] * len(chunks),
                                         [options] * len(chunks)):
            done, cpu = done + len(results), cpu + seconds
        wall = time.perf_counter() - wall
    print(f"normalise_chunk, {args.workers} processes: {done / wall:,.0f} rows/s wall "
          f"({done:,} rows in {wall:.2f} s, chunks of {CHUNK}); with the cores to themselves "
          f"{done / (cpu / args.workers):,.0f} rows/s ({cpu / done * 1e6:.1f} µs CPU per row)")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
