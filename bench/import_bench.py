"""Import figures: `crm import contacts` of a generated file, end to end, with its peak RSS.

    python -m bench.import_bench [--rows 100000] [--base 50000] [--xlsx] [--database NAME]

A database of its own (crm_bench_import on DATABASE_URL's server or 127.0.0.1:5432) is made
anew, migrated and bulk-seeded with `--base` contacts. The file is bench/import_data.py's:
`--rows` contacts of twelve countries with companies and phones in their national format
(read with the row's country), 5% rows repeating an earlier person of the file (the email in
another case, the phone in international format, or a typo in the first name) and 2% bad rows
(an email that is no address, a phone that is no number, no last name, an unknown country).
The import runs as the `crm` command in a process of its own; its peak memory is summed over
it and its pool's workers, sampled every 50 ms, as RSS (which counts the pages the forked
workers share with it once per process) and PSS.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

from bench.dataset import LOCAL_SERVER, recreate_database, with_database
from bench.import_data import write_csv, write_xlsx


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
        write_xlsx(work / "contacts.xlsx", args.rows)
        formats.append(("xlsx", work / "contacts.xlsx"))
    for kind, path in formats:
        asyncio.run(recreate_database(with_database(server, "postgres"), args.database))
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
