"""SQL statements per request of our server, counted in-process outside the timed runs.

persistence.db.StatementCounter listens to the engine, which hears of every statement: those
SQLAlchemy sends, and those sent straight on the driver, which are announced to it.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx

from api.app import create_app
from api.settings import load_settings
from bench.questions import fill
from persistence.statement_counter import StatementCounter


def _errors(answer: dict) -> list:
    """Top-level errors, or a mutation payload's errors."""
    payloads = [v for v in (answer.get("data") or {}).values() if isinstance(v, dict)]
    return answer.get("errors") or [e for p in payloads for e in p.get("errors") or []]


async def _count(url: str, crm_home: Path, token: str, bodies: dict[str, str],
                 update: tuple[str, int] | None) -> dict[str, int]:
    app = create_app(load_settings(crm_home=crm_home, database_url=None), url=url)
    counter = StatementCounter(app.state.engine)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    counts = {}
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                     base_url="http://bench", headers=headers, timeout=60) as client:
            for question, body in bodies.items():
                if question == "Q4":
                    # Each update needs the version the previous one left behind.
                    key, version = update
                    warm = await client.post("/graphql", content=fill(body, key, version, "Warm"))
                    version = warm.json()["data"]["contactUpdate"]["contact"]["version"]
                    body = fill(body, key, version, "Counted")
                else:
                    await client.post("/graphql", content=body)  # warm: imports, pool, caches
                counter.reset()
                response = await client.post("/graphql", content=body)
                counts[question] = counter.count
                if response.status_code != 200 or _errors(response.json()):
                    raise RuntimeError(f"{question} failed in-process: {response.text[:1000]}")
    finally:
        await app.state.close()
    return counts


def count(url: str, crm_home: Path, token: str, bodies: dict[str, str],
          update: tuple[str, int] | None) -> dict[str, int]:
    """Statements our server runs for one request of each question; `update` is Q4's (id, version)."""
    return asyncio.run(_count(url, crm_home, token, bodies, update))
