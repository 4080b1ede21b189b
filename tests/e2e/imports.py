"""What the import tests share: the `crm import` command, files they write, and reads of the
database they check it against."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import asyncpg

CRM = str(Path(sys.executable).parent / "crm")
HEADERS = ["External ID", "First name", "Last name", "E-mail", "Phone", "Country", "Company",
           "Website", "Job title", "Tags"]


def crm(*args: str, env: dict, check: bool = True, timeout: int = 180
        ) -> subprocess.CompletedProcess:
    result = subprocess.run([CRM, *args], env={**os.environ, **env}, capture_output=True,
                            text=True, timeout=timeout)
    if check:
        assert result.returncode == 0, result.stderr
    return result


def job_id_of(output: str) -> str:
    """The id an import prints: `import <id>: ...`."""
    line = next(line for line in output.splitlines() if line.startswith("import "))
    return line.split()[1].rstrip(":")


def rows(url: str, sql: str, *args) -> list[dict]:
    async def run():
        conn = await asyncpg.connect(url)
        await conn.set_type_codec("jsonb", encoder=json.dumps, decoder=json.loads,
                                  schema="pg_catalog")
        try:
            return [dict(r) for r in await conn.fetch(sql, *args)]
        finally:
            await conn.close()

    return asyncio.run(run())


def value(url: str, sql: str, *args):
    found = rows(url, sql, *args)
    return next(iter(found[0].values())) if found else None


def contact_by_email(url: str, email: str) -> dict | None:
    found = rows(url, "SELECT c.*, (SELECT count(*) FROM contact d WHERE d.email_keys && "
                      "c.email_keys AND d.archived_at IS NULL) AS same_email FROM contact c "
                      "WHERE $1 = ANY(c.email_keys) AND c.archived_at IS NULL", email.lower())
    return found[0] if found else None
