"""`crm duplicates scan`: find every likely duplicate pair and store it for the review queue."""

from __future__ import annotations

import asyncio

import asyncpg

from api.app import database_url
from api.settings import Settings
from persistence.db import libpq_url
from persistence.duplicate_scan import ScanResult, scan_accounts, scan_contacts

SCANS = {"contacts": scan_contacts, "accounts": scan_accounts}


async def run_scan(url: str, kinds: list[str]) -> list[ScanResult]:
    """Scan each kind in turn on one connection, replacing its stored candidate pairs."""
    conn = await asyncpg.connect(libpq_url(url))
    try:
        return [await SCANS[kind](conn) for kind in kinds]
    finally:
        await conn.close()


def cmd_scan(args, settings: Settings) -> None:
    kinds = list(SCANS) if args.type == "all" else [args.type]
    for result in asyncio.run(run_scan(database_url(settings), kinds)):
        print(f"duplicates: {result.type_name}: {result.blocks:,} blocks, {result.compared:,} "
              f"pairs scored, {result.stored:,} stored, {result.seconds:.1f}s")


def add_commands(sub) -> None:
    duplicates = sub.add_parser("duplicates", help="duplicate detection")
    actions = duplicates.add_subparsers(dest="action", required=True)
    scan = actions.add_parser("scan", help="find all likely duplicate pairs, for the review "
                                           "queue (duplicateCandidates)")
    scan.add_argument("--type", choices=["all", *SCANS], default="all",
                      help="which records to scan (default: all)")
    scan.set_defaults(run=cmd_scan)
