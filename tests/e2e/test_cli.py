"""The `crm` command as a user runs it: real processes, real databases."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.databases import own_database
from tests.processes import free_port

CRM = str(Path(sys.executable).parent / "crm")
pytestmark = pytest.mark.e2e


def crm(*args: str, env: dict, check: bool = True, timeout: int = 120) -> subprocess.CompletedProcess:
    result = subprocess.run([CRM, *args], env={**os.environ, **env}, capture_output=True,
                            text=True, timeout=timeout)
    if check:
        assert result.returncode == 0, result.stderr
    return result


@pytest.fixture(scope="module")
def fresh_database(server_url):
    """An empty database of its own, for commands that migrate and seed."""
    with own_database(server_url, "crm_cli") as url:
        yield url


@pytest.fixture(scope="module")
def cli_env(fresh_database, tmp_path_factory) -> dict:
    return {"DATABASE_URL": fresh_database, "CRM_HOME": str(tmp_path_factory.mktemp("cli-home"))}


def test_migrate_and_seed_demo_once(cli_env):
    assert "latest migration" in crm("migrate", env=cli_env).stdout
    first = crm("seed", "--demo", env=cli_env).stdout
    assert "demo data loaded" in first and "201 contact" in first
    assert "already holds data" in crm("seed", "--demo", env=cli_env).stdout


@contextlib.contextmanager
def serving(env: dict):
    """`crm serve` on a free loopback port, until the block ends."""
    port = free_port()
    process = subprocess.Popen([CRM, "serve", "--port", str(port)], env={**os.environ, **env},
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.1)
    else:
        process.kill()
        pytest.fail(process.stdout.read().decode())
    try:
        yield url
    finally:  # a failed test must not leave the server running
        process.terminate()
        process.wait(10)


@pytest.fixture(scope="module")
def served(cli_env):
    """`crm serve` over the migrated and seeded database."""
    crm("migrate", env=cli_env)
    crm("seed", "--demo", env=cli_env)
    with serving(cli_env) as url:
        yield url


def _fields(out: str) -> dict:
    """The name=value lines a command printed."""
    return dict(line.split("=", 1) for line in out.splitlines() if "=" in line)


def graphql(url: str, token: str, query: str) -> dict:
    response = httpx.post(f"{url}/graphql", json={"query": query},
                          headers={"Authorization": f"Bearer {token}"}, timeout=10)
    return response.json()


@pytest.mark.parametrize("args, role", [
    (["--role", "admin"], "ADMIN"),
    (["--role", "sales", "--user", "sales2@example.com"], "SALES"),
    (["--role", "customer", "--contact", "customer@example.com"], "CUSTOMER"),
    (["--role", "partner", "--partner", "Demo Partner", "--scope", "accounts:read"], "PARTNER"),
    (["--role", "capture", "--form", "Website — contact us"], "CAPTURE"),
])
def test_token_command_prints_a_token_the_server_accepts(cli_env, served, args, role):
    token = crm("token", *args, env=cli_env).stdout.strip()
    assert graphql(served, token, "{ me { role } }") == {"data": {"me": {"role": role}}}


@pytest.mark.parametrize("args, message", [
    (["--role", "customer"], "--contact is required"),
    (["--role", "capture"], "--form is required"),
    (["--role", "partner", "--partner", "Nobody"], "no partner 'Nobody'"),
    (["--role", "admin", "--user", "sales@example.com"], "has role sales, not admin"),
    (["--role", "partner", "--partner", "Demo Partner", "--scope", "everything"], "unknown scopes"),
])
def test_token_command_explains_bad_arguments(cli_env, served, args, message):
    result = crm("token", *args, env=cli_env, check=False)
    assert result.returncode != 0 and message in result.stderr


def test_partner_client_credentials_work_at_the_token_endpoint(cli_env, served):
    out = crm("partner-client", "create", "--partner", "Demo Partner", "--scope", "contacts:read",
              env=cli_env).stdout
    fields = _fields(out)
    response = httpx.post(f"{served}/oauth/token", data={"grant_type": "client_credentials"},
                          auth=(fields["client_id"], fields["client_secret"]))
    assert response.status_code == 200 and response.json()["scope"] == "contacts:read"
    data = graphql(served, response.json()["access_token"], "{ me { role scopes } }")
    assert data == {"data": {"me": {"role": "PARTNER", "scopes": ["contacts:read"]}}}


def test_bad_configuration_stops_with_a_message_naming_the_variable(cli_env):
    result = crm("migrate", env={**cli_env, "DATABASE_URL": "mysql://x/y"}, check=False)
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr and "postgresql://" in result.stderr


# `crm` as the Docker image runs it: pgserver, the `embedded` extra, is not installed.
CRM_WITHOUT_PGSERVER = ("import sys; sys.modules['pgserver'] = None; "
                        "from api.cli import main; main(sys.argv[1:])")


@pytest.mark.parametrize("command", [["migrate"], ["serve", "--port", "0"], ["db", "stop"]])
def test_command_without_database_url_or_embedded_server_says_what_to_do(tmp_path, command):
    # given no DATABASE_URL, and no embedded PostgreSQL installed
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    # when a command needs the database
    result = subprocess.run([sys.executable, "-c", CRM_WITHOUT_PGSERVER, *command],
                            env={**env, "CRM_HOME": str(tmp_path)}, capture_output=True,
                            text=True, timeout=60)
    # then it stops with a message that says how to go on, not with a traceback
    assert result.returncode != 0
    assert "embedded PostgreSQL is not installed" in result.stderr, result.stderr
    assert "DATABASE_URL" in result.stderr and "Traceback" not in result.stderr


def test_embedded_database_starts_on_demand_and_stops(tmp_path):
    # given no DATABASE_URL, only a CRM_HOME
    env = {"CRM_HOME": str(tmp_path / "home")}
    env_without_url = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    run = lambda *a: subprocess.run([CRM, *a], env={**env_without_url, **env},  # noqa: E731
                                    capture_output=True, text=True, timeout=180)
    # when migrations run, the embedded server starts under CRM_HOME/pgdata
    migrated = run("migrate")
    assert migrated.returncode == 0, migrated.stderr
    assert (tmp_path / "home" / "pgdata" / "PG_VERSION").exists()
    # and the next command finds it running and reuses it
    seeded = run("seed", "--demo")
    assert seeded.returncode == 0 and "demo data loaded" in seeded.stdout
    # and `crm db stop` stops it
    assert "stopped" in run("db", "stop").stdout
    assert not (tmp_path / "home" / "pgdata" / "postmaster.pid").exists()


def test_token_for_a_role_in_the_demo_is_the_roles_example_user(cli_env, served):
    # the demo has sales@example.com and sales2@example.com
    token = crm("token", "--role", "sales", env=cli_env).stdout.strip()
    me = graphql(served, token, "{ me { principal { ... on User { email } } } }")
    assert me["data"]["me"]["principal"] == {"email": "sales@example.com"}


@pytest.mark.parametrize("ttl", ["0", "86401", "31536000"])
def test_token_lifetime_is_bounded(cli_env, ttl):
    result = crm("token", "--role", "admin", "--ttl", ttl, env=cli_env, check=False)
    assert result.returncode != 0 and "86400" in result.stderr


def test_partner_client_list_rotate_and_revoke(cli_env, served):
    # given a client that works
    created = _fields(crm("partner-client", "create", "--partner", "Demo Partner", "--scope",
                          "accounts:read", env=cli_env).stdout)
    client_id, old = created["client_id"], created["client_secret"]

    def token_status(secret: str) -> int:
        return httpx.post(f"{served}/oauth/token", data={"grant_type": "client_credentials"},
                          auth=(client_id, secret), timeout=10).status_code

    assert token_status(old) == 200
    # then the list shows it, and no secret
    listed = crm("partner-client", "list", env=cli_env).stdout
    line = next(row for row in listed.splitlines() if client_id in row)
    assert "Demo Partner" in line and "accounts:read" in line and old not in listed
    # when it is rotated without grace, the new secret works and the old one no longer
    new = _fields(crm("partner-client", "rotate", client_id, "--grace", "0",
                      env=cli_env).stdout)["client_secret"]
    assert (token_status(new), token_status(old)) == (200, 401)
    # when it is rotated with grace, both work, and the list says until when
    newer = _fields(crm("partner-client", "rotate", client_id, env=cli_env).stdout)[
        "client_secret"]
    assert (token_status(newer), token_status(new)) == (200, 200)
    line = next(r for r in crm("partner-client", "list", env=cli_env).stdout.splitlines()
                if client_id in r)
    assert line.count("UTC") == 2  # created, and the previous secret's end
    # when it is revoked, no secret works, and a second revocation is refused
    assert "revoked" in crm("partner-client", "revoke", client_id, env=cli_env).stdout
    assert (token_status(newer), token_status(new)) == (401, 401)
    again = crm("partner-client", "revoke", client_id, env=cli_env, check=False)
    assert again.returncode != 0 and "is revoked" in again.stderr
    unknown = crm("partner-client", "rotate", "pc_nobody", env=cli_env, check=False)
    assert unknown.returncode != 0 and "no partner client 'pc_nobody'" in unknown.stderr
