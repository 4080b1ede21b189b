"""A real PostgreSQL for the whole session: TEST_DATABASE_URL's server, or an embedded one.

The suite creates a database of its own, migrates it, loads the demo data, and drops it
at the end. Nothing here is mocked: requests go through the ASGI app over HTTP.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from api.app import create_app
from api.settings import load_settings
from auth.keys import load_or_create_key
from auth.principal import Principal
from domain.access import Role
from persistence.embedded import start_server
from persistence.seed.generator import stable_id
from persistence.statement_counter import StatementCounter
from tests.databases import own_database
from tests.factories import Factories
from tests.graphql import GraphQLClient
from tests.processes import served


@pytest.fixture(scope="session")
def server_url(tmp_path_factory) -> str:
    """A URL to a PostgreSQL server the suite may create databases on."""
    if os.environ.get("TEST_DATABASE_URL"):
        return os.environ["TEST_DATABASE_URL"]
    server = start_server(Path(tempfile.mkdtemp(prefix="crm-test-pg-")), cleanup_mode="delete")
    return server.get_uri()


@pytest.fixture(scope="session")
def database_url(server_url: str) -> str:
    """A fresh, migrated database with the demo data, dropped after the session."""
    with own_database(server_url, "crm_test", demo=True) as url:
        yield url


@pytest.fixture(scope="session")
def crm_home(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("crm-home")


@pytest.fixture(scope="session")
def settings(crm_home: Path):
    # No worker runs in these apps: escalation runs only when a test asks for it, on the
    # clock it sets.
    # Rate limits are off for the shared apps, whose principals send thousands of requests;
    # tests of the limits build apps of their own.
    return load_settings(crm_home=crm_home, crm_env="dev", database_url=None,
                         crm_worker_in_server=False, crm_rate_limit="off",
                         crm_auth_failure_limit="off")


@pytest.fixture(scope="session")
async def app(settings, database_url):
    application = create_app(settings, url=database_url)
    yield application
    await application.state.close()


@pytest.fixture(scope="session")
async def resolver_app(settings, database_url):
    """The same app without compiled reads and writes: every query and mutation goes through
    the resolvers."""
    application = create_app(settings.model_copy(update={"crm_compiled_reads": False,
                                                         "crm_compiled_writes": False}),
                             url=database_url)
    yield application
    await application.state.close()


class TestClock:
    """A clock a test sets: "now" for the use cases that keep time."""

    def __init__(self) -> None:
        self.now = datetime(2026, 12, 21, 9, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def set(self, now: datetime) -> None:
        self.now = now


@pytest.fixture(scope="session")
def clock() -> TestClock:
    return TestClock()


@pytest.fixture(scope="session")
async def clock_app(settings, database_url, clock):
    """The app on a clock the tests set, for SLA clocks and escalation."""
    application = create_app(settings, url=database_url, clock=clock)
    yield application
    await application.state.close()


def _client(app) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1")


@pytest.fixture(scope="session")
def configured_key(crm_home) -> str:
    """The session's signing key as CRM_JWT_PRIVATE_KEY, which production requires."""
    return json.dumps(load_or_create_key(crm_home).as_dict(private=True))


@pytest.fixture
def client_with(settings, database_url):
    """An app with some settings changed, and an HTTP client on it: `async with
    client_with(crm_rate_limit="3/minute") as client:`; the app is closed afterwards."""
    @contextlib.asynccontextmanager
    async def make(**overrides) -> AsyncIterator[httpx.AsyncClient]:
        application = create_app(settings.model_copy(update=overrides), url=database_url)
        try:
            async with _client(application) as client:
                yield client
        finally:
            await application.state.close()
    return make


@pytest.fixture(scope="session")
async def http(app) -> AsyncIterator[httpx.AsyncClient]:
    async with _client(app) as client:
        yield client


@pytest.fixture(scope="session")
async def resolver_http(resolver_app) -> AsyncIterator[httpx.AsyncClient]:
    async with _client(resolver_app) as client:
        yield client


@pytest.fixture(scope="session")
def principals() -> dict[str, Principal]:
    """One principal per role, from the demo data."""
    staff = {role.value: Principal.staff(role, stable_id("user", f"{role.value}@example.com"))
             for role in Role if role.is_staff}
    return {
        **staff,
        "sales2": Principal.staff(Role.SALES, stable_id("user", "sales2@example.com")),
        "partner": Principal.partner(stable_id("partner", "Demo Partner"),
                                     ["contacts:read", "accounts:read", "opportunities:read",
                                      "opportunities:write"]),
        "other_partner": Principal.partner(stable_id("partner", "Northwind Resellers"),
                                           ["contacts:read", "accounts:read",
                                            "opportunities:read", "opportunities:write"]),
        "customer": Principal.customer(stable_id("contact", "customer")),
    }


@pytest.fixture(scope="session")
def tokens(app, principals) -> dict[str, str]:
    return {name: app.state.tokens.issue(p) for name, p in principals.items()}


@pytest.fixture(scope="session")
def gql(http, tokens) -> GraphQLClient:
    return GraphQLClient(http, tokens)


@pytest.fixture(scope="session")
async def clock_gql(clock_app, tokens) -> AsyncIterator[GraphQLClient]:
    async with _client(clock_app) as client:
        yield GraphQLClient(client, tokens)


@pytest.fixture(scope="session")
def resolver_gql(resolver_http, tokens) -> GraphQLClient:
    return GraphQLClient(resolver_http, tokens)


# Seconds a subject's standing is cached in `revocation_app`: tests that revoke wait this long.
REVOCATION_TTL = 0.3


@pytest.fixture(scope="session")
async def revocation_app(settings, database_url):
    """The app with a short standing cache, for tests that revoke a subject and then wait."""
    application = create_app(settings.model_copy(update={
        "crm_principal_cache_ttl": REVOCATION_TTL}), url=database_url)
    yield application
    await application.state.close()


@pytest.fixture(scope="session")
async def revocation_gql(revocation_app) -> AsyncIterator[GraphQLClient]:
    async with _client(revocation_app) as client:
        yield GraphQLClient(client, {})


@pytest.fixture(scope="session")
def statements(app) -> StatementCounter:
    return StatementCounter(app.state.engine)


@pytest.fixture(scope="session")
def resolver_statements(resolver_app) -> StatementCounter:
    return StatementCounter(resolver_app.state.engine)


@pytest.fixture(scope="session")
def factories(gql) -> Factories:
    return Factories(gql)


def serve_live(database_url: str, crm_home: Path, tmp_path_factory):
    """The real server (uvicorn, one worker) on a loopback port, over `database_url`.

    It shares CRM_HOME with the in-process app, so the session's tokens are valid on it.
    """
    env = {"DATABASE_URL": database_url, "CRM_HOME": str(crm_home), "CRM_ENV": "dev",
           "CRM_WORKER_IN_SERVER": "false", "CRM_RATE_LIMIT": "off",
           "CRM_AUTH_FAILURE_LIMIT": "off"}
    return served(env, tmp_path_factory.mktemp("live-server") / "server.log")


@pytest.fixture(scope="session")
def live_server(database_url: str, crm_home: Path, tmp_path_factory):
    """The real server over the session database."""
    with serve_live(database_url, crm_home, tmp_path_factory) as url:
        yield url
