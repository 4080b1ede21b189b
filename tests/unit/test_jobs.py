"""The job queue's pinned schema and the retry schedule, without a database."""

from __future__ import annotations

import importlib.util
from datetime import timedelta
from pathlib import Path

import pytest
from pgqueuer.adapters.persistence.schema_ddl import render_install, render_uninstall

from api.settings import ConfigError, load_settings
from api.worker import Entrypoint, retry_delay
from persistence.jobs import QUEUE, QUEUE_TABLES
from persistence.record_types import FOREIGN_TABLES
from persistence.schema import metadata

MIGRATION = Path(__file__).parents[2] / "persistence/migrations/versions/20261204_job_queue.py"


def _migration():
    spec = importlib.util.spec_from_file_location("job_queue_migration", MIGRATION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_migration_creates_what_the_installed_pgqueuer_would():
    # A new pgqueuer whose schema differs fails here: its change needs a migration of its own.
    header, _, statements = render_install(QUEUE, create_schema=False).partition("\n\n")
    assert header.startswith("-- pgqueuer ")
    migration = _migration()
    assert "\n\n".join(migration.INSTALL) == statements
    assert list(migration.UNINSTALL) == render_uninstall(QUEUE).split("\n")


def test_the_queue_tables_are_nobodys_declaration():
    assert set(FOREIGN_TABLES) == set(QUEUE_TABLES)
    assert not set(QUEUE_TABLES) & set(metadata.tables)


ENTRY = Entrypoint("test", None, first_retry=timedelta(seconds=10),
                   longest_retry=timedelta(seconds=60))


@pytest.mark.parametrize("attempt, low, high", [(1, 5, 10), (2, 10, 20), (3, 20, 40), (4, 30, 60),
                                               (9, 30, 60)])
def test_retries_back_off_exponentially_within_their_jitter(attempt, low, high):
    assert retry_delay(ENTRY, attempt, rand=lambda: 0.0) == timedelta(seconds=low)
    assert retry_delay(ENTRY, attempt, rand=lambda: 1.0) == timedelta(seconds=high)


def test_jitter_spreads_jobs_that_failed_together():
    delays = {retry_delay(ENTRY, 2) for _ in range(50)}
    assert len(delays) > 40 and all(timedelta(seconds=10) <= d <= timedelta(seconds=20)
                                    for d in delays)


@pytest.mark.parametrize("env, in_server", [("dev", True), ("prod", False)])
def test_the_server_runs_a_worker_in_dev_only_unless_told(env, in_server):
    assert load_settings(crm_env=env).worker_in_server is in_server
    assert load_settings(crm_env=env, crm_worker_in_server=not in_server).worker_in_server \
        is not in_server


def test_a_bad_escalation_schedule_stops_with_the_variable_named():
    with pytest.raises(ConfigError, match="CRM_ESCALATION_SCHEDULE"):
        load_settings(crm_escalation_schedule="every minute")
    assert load_settings(crm_escalation_schedule="off").escalation_schedule is None
