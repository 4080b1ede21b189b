"""The ASGI application: create_app(settings) is the one composition root."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import httpx
from sqlalchemy import text
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute

from api.calendar_feed import calendar_feed
from api.compiled.checks import check_forms
from api.compiled.planner import Planner
from api.context import utc_now
from api.graphiql import graphiql_assets
from api.graphql_http import GraphQLEndpoint
from api.jobs import build_worker
from api.live import LiveHub
from api.metrics import Metrics
from api.oauth import FailedClientAuth, token_endpoint
from api.ratelimit import RateLimit
from api.schema import schema
from api.schema.adapter import graphql_schema
from api.schema.declaration_checks import check_declarations
from api.settings import ConfigError, Settings
from api.telemetry import RequestTelemetry
from api.tracing import Tracing
from api.websocket import SubscriptionSocket
from api.worker import Worker
from auth.authenticator import Authenticator
from auth.keyring import KeyRing
from auth.keys import KeyConfigError, load_configured_key, load_or_create_key
from auth.standing import Standing
from auth.tokens import TokenService
from auth.trusted import JwksCache
from persistence.db import Reader, libpq_url, make_engine
from persistence.embedded import EmbeddedUnavailable, embedded_url
from persistence.feed_listener import FeedListener
from persistence.migrate import current_revision, head_revision
from persistence.notifications import NOTICE_CHANNEL

log = logging.getLogger("crm")
ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


def database_url(settings: Settings) -> str:
    """DATABASE_URL, or the embedded server under CRM_HOME (started if need be)."""
    if settings.database_url:
        return settings.database_url
    try:
        return embedded_url(settings.crm_home)
    except EmbeddedUnavailable as exc:
        raise ConfigError(f"Configuration error:\n  DATABASE_URL: unset, and {exc}.") from None


def token_service(settings: Settings, reader: Reader | None = None) -> TokenService:
    """The token service over the configured key, and the key ring `reader` reads."""
    settings.check_signing_key()
    try:
        key = (load_configured_key(settings.crm_jwt_private_key) if settings.crm_jwt_private_key
               else load_or_create_key(Path(settings.crm_home)))
    except KeyConfigError as exc:
        raise ConfigError(f"Configuration error:\n  {exc}") from None
    return TokenService(key, settings.crm_jwt_issuer, settings.crm_jwt_audience,
                        settings.crm_token_ttl, ring=KeyRing(key, reader))


async def _work(worker: Worker, stop: asyncio.Event) -> None:
    """The server's own worker; one that fails is logged, and the API serves on."""
    try:
        await worker.run(stop)
    except Exception:
        log.exception("the worker in this server stopped; `crm worker` runs one on its own")


def _limit(limit: str, name: str) -> RateLimit | None:
    return None if limit.lower() == "off" else RateLimit(limit, name)


def create_app(settings: Settings, *, url: str | None = None,
               clock: Callable[[], datetime] = utc_now) -> Starlette:
    """Build the app: engine, token verifier and schema, wired into the routes; `clock` is
    "now" for the use cases that keep time."""
    settings.check_signing_key()
    check_declarations()
    check_forms(schema)
    url = url or database_url(settings)
    engine = make_engine(url, pool_size=settings.crm_db_pool_size,
                         statement_timeout_ms=settings.crm_statement_timeout_ms)
    reader = Reader(engine)
    # The analytical reads on the read replica when one is configured; writes never go there.
    replica = make_engine(settings.database_replica_url, pool_size=settings.crm_db_pool_size,
                          statement_timeout_ms=settings.crm_statement_timeout_ms) \
        if settings.database_replica_url else None
    analytics_reader = Reader(replica or engine, planned_for_values=True)
    # Who a token's subject is now, and the key ring: a few reads per few seconds, kept
    # out of the statement counts of the requests they happen to fall into.
    bookkeeping = Reader(engine, announced=False)
    tokens = token_service(settings, bookkeeping)
    http = httpx.AsyncClient()
    authenticator = Authenticator(tokens, settings.trusted_issuers, JwksCache(http),
                                  Standing(bookkeeping, settings.crm_principal_cache_ttl))
    failed_client_auth = FailedClientAuth()
    metrics = Metrics(engine)
    tracing = Tracing(settings.tracing)
    graphql = GraphQLEndpoint(graphql_schema(schema), authenticator, engine, reader,
                              introspection=settings.introspection, graphiql=settings.graphiql,
                              planner=Planner(schema),
                              compiled_reads=settings.crm_compiled_reads,
                              compiled_writes=settings.crm_compiled_writes,
                              clock=clock, max_cost=settings.crm_max_query_cost,
                              statement_timeout_ms=settings.crm_statement_timeout_ms,
                              rate_limit=_limit(settings.crm_rate_limit, "requests"),
                              auth_failures=_limit(settings.crm_auth_failure_limit,
                                                   "rejected tokens"),
                              metrics=metrics, tracing=tracing,
                              webhook_rules=settings.webhook_rules,
                              max_upload_bytes=settings.crm_max_upload_mb * 1_000_000,
                              reporting_currency=settings.crm_reporting_currency,
                              analytics_reader=analytics_reader)
    # A worker in the server process (dev's default): jobs and schedules with one command.
    worker = build_worker(settings, url, engine, clock=clock) if settings.worker_in_server else None
    # The change feed, heard by this process and handed to its open subscriptions.
    live = LiveHub()
    feed = FeedListener(libpq_url(url))
    feed.add_reader(live.hand_out)
    feed.add_channel(NOTICE_CHANNEL, live.hear_notification)
    socket = SubscriptionSocket(schema, graphql, live, allowed_origins=settings.crm_cors_origins,
                                max_subscriptions=settings.crm_ws_max_subscriptions,
                                recheck_seconds=max(settings.crm_principal_cache_ttl, 1))

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> Response:
        try:
            async with engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
                revision = await current_revision(conn)
        except Exception as exc:  # any failure to reach the database means not ready
            log.warning("readiness check failed: %s", exc)
            return JSONResponse({"status": "unavailable", "database": "unreachable"}, 503)
        head = head_revision()
        if revision != head:
            return JSONResponse({"status": "unavailable", "database": "ok",
                                 "migration": revision, "expected": head}, 503)
        return JSONResponse({"status": "ok", "database": "ok", "migration": revision})

    async def jwks(request: Request) -> Response:
        await tokens.ring.fresh()
        return JSONResponse(tokens.jwks(), headers={"Cache-Control": "public, max-age=300"})

    async def oauth_token(request: Request) -> Response:
        return await token_endpoint(request, tokens, engine, failed_client_auth)

    async def calendar(request: Request) -> Response:
        return await calendar_feed(request, reader, clock)

    async def close() -> None:
        """Release the HTTP client and the database pools."""
        await http.aclose()
        await engine.dispose()
        if replica is not None:
            await replica.dispose()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette):
        # Everything built so far (schema, policy, modules) lives as long as the process:
        # frozen, the collector no longer walks it, so full collections stop pausing requests.
        gc.freeze()
        stop = asyncio.Event()
        working = asyncio.create_task(_work(worker, stop)) if worker else None
        await feed.start()
        yield
        await feed.stop()
        if working is not None:
            stop.set()
            await working
        await close()

    middleware = []
    if settings.crm_cors_origins:
        middleware.append(Middleware(
            CORSMiddleware, allow_origins=settings.crm_cors_origins, allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
            expose_headers=["X-Request-ID", "Retry-After"], max_age=600))
    app = Starlette(
        routes=[
            # Every method reaches the handler, which refuses all but GET and POST with a JSON 405.
            Route("/graphql", graphql, methods=ALL_METHODS),
            WebSocketRoute("/graphql", socket),
            Route("/healthz", healthz, methods=["GET"]),
            Route("/readyz", readyz, methods=["GET"]),
            Route("/.well-known/jwks.json", jwks, methods=["GET"]),
            Route("/oauth/token", oauth_token, methods=["POST"]),
            Route("/calendar/{secret}.ics", calendar, methods=["GET"]),
            Route("/metrics", metrics.endpoint(settings.crm_metrics_token,
                                               required=settings.crm_env == "prod"),
                  methods=["GET"]),
            *([graphiql_assets()] if settings.graphiql else []),
        ],
        middleware=[*tracing.middleware(), Middleware(RequestTelemetry, metrics=metrics,
                               log_requests=settings.crm_log_format == "json"), *middleware],
        lifespan=lifespan,
    )
    app.state.engine = engine
    app.state.reader = reader
    app.state.analytics_reader = analytics_reader
    app.state.close = close
    app.state.graphql = graphql
    app.state.tokens = tokens
    app.state.worker = worker
    app.state.metrics = metrics
    app.state.feed = feed
    return app
