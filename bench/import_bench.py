"""Import figures: `crm import contacts` of a generated file, end to end, with its peak RSS.

    python -m bench.import_bench [--rows 100000] [--base 50000] [--xlsx] [--database NAME]

A database of its own (crm_bench_import on DATABASE_URL's server or 127.0.0.1:5432) is made
anew, migrated and bulk-seeded with `--base` contacts. The file holds `--rows` contacts with
companies, phones in local format (German numbers read with --default-region DE, Russian ones
with their country column), 5% rows repeating an earlier person of the file (the same email
in another case, or the same phone written differently) and 2% bad rows (an email without
@, a phone of two digits, no last name). The import runs as the `crm` command in a process
of its own; its peak memory is summed over it and its pool's workers, sampled every 50 ms,
as RSS (which counts the pages the forked workers share with it once per process) and PSS.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import asyncpg
import psutil

from bench.dataset import LOCAL_SERVER, with_database

HEADERS = ["External ID", "First name", "Last name", "E-mail", "Phone", "Country", "City",
           "Company", "Website", "Job title", "Tags"]
FIRST = ["Anna", "Lena", "Jonas", "Paul", "Marie", "Ivan", "Olga", "Sergei", "Maria", "Tom",
         "Lukas", "Sofia", "Elena", "Dmitri", "Hannah", "Felix", "Nina", "Max", "Eva", "Igor"]
LAST = ["Schmidt", "Müller", "Weber", "Wagner", "Becker", "Hoffmann", "Ivanov", "Petrov",
        "Smirnova", "Kuznetsov", "Fischer", "Meyer", "Schulz", "Koch", "Richter", "Popov",
        "Volkov", "Sokolova", "Lehmann", "Krause"]
CITIES = {"DE": ["Berlin", "Hamburg", "München", "Köln"], "RU": ["Moskva", "Kazan", "Omsk"]}


def _phone(rng: random.Random, country: str, n: int) -> str:
    if country == "DE":
        return f"030 {1000000 + n:07d}" if rng.random() < 0.5 else f"0170 {3000000 + n:07d}"
    return f"8 9{n % 100:02d} {n // 10000 % 1000:03d} {n // 100 % 100:02d} {n % 100:02d}"


def rows(count: int, seed: int = 7):
    """The file's rows: mostly new people, 5% repeats of earlier ones, 2% bad rows."""
    rng = random.Random(seed)
    made: list[list[str]] = []
    for n in range(count):
        draw = rng.random()
        if made and draw < 0.05:
            row = list(rng.choice(made))
            row[0] = ""
            if rng.random() < 0.5:
                row[3] = row[3].upper()
            else:
                row[3] = ""
            yield row
            continue
        country = "DE" if rng.random() < 0.7 else "RU"
        first, last = rng.choice(FIRST), rng.choice(LAST)
        company = n // 8
        row = [f"ext-{n}", first, last, f"{first}.{last}.{n}@firm{company}.example.org".lower(),
               _phone(rng, country, n), country, rng.choice(CITIES[country]),
               f"Firm {company} GmbH", f"www.firm{company}.example.org",
               rng.choice(["CEO", "CTO", "Buyer", "Engineer", ""]),
               rng.choice(["", "", "VIP", "Newsletter"])]
        if draw > 0.98:
            bad = rng.randrange(3)
            row[3 if bad == 0 else 4 if bad == 1 else 2] = ("no-at-sign" if bad == 0
                                                            else "12" if bad == 1 else "")
        else:
            made.append(row)
        yield row


def write_csv(path: Path, count: int) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(HEADERS)
        out.writerows(rows(count))


def write_xlsx(csv_path: Path, path: Path) -> None:
    """The same rows as a spreadsheet, every cell text."""
    from openpyxl import Workbook  # only the bench writes spreadsheets

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    with csv_path.open(encoding="utf-8") as f:
        for row in csv.reader(f):
            sheet.append(row)
    book.save(path)


def run_measured(command: list[str], env: dict) -> tuple[float, float, float, str]:
    """Seconds, peak RSS and peak PSS in MB of the process and its children, its output."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
        watched = psutil.Process(process.pid)
        peak = peak_pss = 0
        while process.poll() is None:
            try:
                tree = [watched, *watched.children(recursive=True)]
                peak = max(peak, sum(p.memory_info().rss for p in tree))
                # PSS shares the pages the forked workers share with the main process
                # among them, instead of counting them once per process as RSS does.
                peak_pss = max(peak_pss, sum(p.memory_full_info().pss for p in tree))
            except psutil.Error:
                pass
            time.sleep(0.05)
        seconds = time.perf_counter() - started
        out.seek(0)
        text = out.read().decode(errors="replace")
    if process.returncode:
        sys.exit(f"import failed:\n{text}")
    return seconds, peak / 2**20, peak_pss / 2**20, text


async def _fresh(server: str, name: str) -> None:
    conn = await asyncpg.connect(server)
    try:
        await conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        await conn.execute(f"CREATE DATABASE {name}")
    finally:
        await conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--base", type=int, default=50_000)
    parser.add_argument("--xlsx", action="store_true", help="also import the file as XLSX")
    parser.add_argument("--database", default="crm_bench_import")
    args = parser.parse_args()
    import asyncio

    server = os.environ.get("DATABASE_URL") or LOCAL_SERVER
    url = with_database(server, args.database)
    env = {**os.environ, "DATABASE_URL": url}
    crm = [sys.executable, "-m", "api.cli"]
    work = Path(tempfile.mkdtemp(prefix="crm-import-bench-"))
    csv_path = work / "contacts.csv"
    write_csv(csv_path, args.rows)
    print(f"file: {args.rows:,} rows, {csv_path.stat().st_size / 2**20:.1f} MB", flush=True)
    formats = [("csv", csv_path)]
    if args.xlsx:
        write_xlsx(csv_path, work / "contacts.xlsx")
        formats.append(("xlsx", work / "contacts.xlsx"))
    for kind, path in formats:
        asyncio.run(_fresh(with_database(server, "postgres"), args.database))
        subprocess.run([*crm, "migrate"], env=env, check=True, stdout=subprocess.DEVNULL)
        subprocess.run([*crm, "seed", "--contacts", str(args.base)], env=env, check=True,
                       stdout=subprocess.DEVNULL)
        seconds, peak, pss, text = run_measured(
            [*crm, "import", "contacts", str(path), "--default-region", "DE", "--quiet",
             "--as", "admin@example.com", "--timings"], env)
        print(text.strip())
        print(f"{kind}: {args.rows:,} rows into {args.base:,} contacts in {seconds:.1f}s "
              f"end to end, peak RSS {peak:,.0f} MB (PSS {pss:,.0f} MB) over the command "
              f"and its pool", flush=True)


if __name__ == "__main__":
    main()
