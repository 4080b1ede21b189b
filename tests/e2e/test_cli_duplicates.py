"""`crm duplicates scan` as a user runs it, on a database of its own."""

from __future__ import annotations

import re

import pytest

from tests.databases import own_database
from tests.e2e.test_cli import crm

pytestmark = pytest.mark.e2e
SCANNED = re.compile(r"^duplicates: (Contact|Account): [\d,]+ blocks, [\d,]+ pairs scored, "
                     r"[\d,]+ stored, [\d.]+s$", re.MULTILINE)


@pytest.fixture(scope="module")
def seeded_env(server_url, tmp_path_factory) -> dict:
    with own_database(server_url, "crm_cli_duplicates") as url:
        env = {"DATABASE_URL": url, "CRM_HOME": str(tmp_path_factory.mktemp("dup-home"))}
        crm("migrate", env=env)
        crm("seed", "--contacts", "3000", env=env)
        yield env


def test_duplicates_scan_reports_each_type(seeded_env):
    out = crm("duplicates", "scan", env=seeded_env).stdout
    assert [m[1] for m in SCANNED.finditer(out)] == ["Contact", "Account"], out


def test_duplicates_scan_of_one_type(seeded_env):
    out = crm("duplicates", "scan", "--type", "accounts", env=seeded_env).stdout
    assert [m[1] for m in SCANNED.finditer(out)] == ["Account"], out


def test_duplicates_scan_refuses_an_unknown_type(seeded_env):
    result = crm("duplicates", "scan", "--type", "leads", env=seeded_env, check=False)
    assert result.returncode != 0 and "invalid choice" in result.stderr
