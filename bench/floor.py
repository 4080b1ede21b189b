"""The Python floor: each question answered by one SQL statement over asyncpg, no GraphQL.

PostgreSQL builds the very JSON our server answers (bench/sql/q*.sql) and the endpoint passes
it through, so what remains is the least any Python server pays: HTTP in uvicorn and
Starlette, decoding the ids, and one round trip to the database. There is no token check and
no access policy. Run: BENCH_DATABASE_URL=postgresql://… uvicorn bench.floor:app
"""

from __future__ import annotations

import base64
import contextlib
import os
import re
import uuid
from pathlib import Path

import asyncpg
import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

SQL_DIR = Path(__file__).parent / "sql"
QUESTIONS = ("q1", "q2", "q3", "q4", "q5", "q6")
# :name parameters, as pgbench and psql write them; "::type" casts are not parameters.
PARAMETER = re.compile(r"(?<![:\w]):([a-z_]+)\b")
POOL_SIZE = 10  # as many connections as our server's pool (CRM_DB_POOL_SIZE)


def load_statement(path: Path) -> tuple[str, list[str]]:
    """A SQL file with :name parameters, as asyncpg's $n form and the names in order."""
    names: list[str] = []

    def number(match: re.Match) -> str:
        if match[1] not in names:
            names.append(match[1])
        return f"${names.index(match[1]) + 1}"

    text = "\n".join(line for line in path.read_text().splitlines()
                     if not line.lstrip().startswith("--"))
    return PARAMETER.sub(number, text).strip().rstrip(";"), names


STATEMENTS = {q: load_statement(SQL_DIR / f"{q}.sql") for q in QUESTIONS}


def raw_id(value: str, type_name: str) -> uuid.UUID:
    """The uuid inside one of our global ids (base64url of "Type:uuid" without padding)."""
    found, _, raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode().partition(":")
    if found != type_name:
        raise ValueError(f"{value!r} is not a {type_name} id")
    return uuid.UUID(raw)


def arguments(names: list[str], variables: dict) -> list:
    """Values for the statement's parameters; *_id ones arrive as global ids."""
    return [raw_id(variables[n], n.removesuffix("_id").capitalize()) if n.endswith("_id")
            else variables[n] for n in names]


def create_app(url: str) -> Starlette:
    """The floor's app over one asyncpg pool."""
    pool: asyncpg.Pool | None = None

    async def answer(request: Request) -> Response:
        sql, names = STATEMENTS[request.url.path.strip("/")]
        try:
            args = arguments(names, orjson.loads(await request.body()))
        except (ValueError, KeyError, TypeError) as exc:
            return JSONResponse({"errors": [{"message": str(exc)}]}, 400)
        async with pool.acquire() as conn:
            body = await conn.fetchval(sql, *args)  # asyncpg returns json as text
        return Response(body, media_type="application/json")

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette):
        nonlocal pool
        pool = await asyncpg.create_pool(url, min_size=POOL_SIZE, max_size=POOL_SIZE)
        try:
            yield
        finally:
            await pool.close()

    routes = [Route(f"/{q}", answer, methods=["POST"]) for q in QUESTIONS]
    return Starlette(routes=[*routes, Route("/healthz", healthz, methods=["GET"])],
                     lifespan=lifespan)


def app() -> Starlette:
    """The factory uvicorn calls (--factory), reading BENCH_DATABASE_URL."""
    return create_app(os.environ["BENCH_DATABASE_URL"])
