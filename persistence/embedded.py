"""An embedded PostgreSQL under $CRM_HOME/pgdata, for machines without a database server."""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

DATABASE = "crm"


class EmbeddedUnavailable(RuntimeError):
    """pgserver, the optional `embedded` extra, is not installed (as in the Docker image)."""

    def __init__(self) -> None:
        super().__init__("the embedded PostgreSQL is not installed: set DATABASE_URL to a "
                         "postgresql:// URL, or install it with `make install` or "
                         "`pip install 'headless-crm[embedded]'`")


def _pgserver():
    try:
        import pgserver
        import pgserver._commands
    except ImportError:
        raise EmbeddedUnavailable() from None
    logging.getLogger("pgserver").setLevel(logging.WARNING)
    return pgserver


def start_server(pgdata: Path, cleanup_mode: str | None = None):
    """Start (or reuse) a pgserver PostgreSQL whose data lives in `pgdata`."""
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset, as in containers and CI.
        warnings.simplefilter("ignore")
        return _pgserver().get_server(pgdata, cleanup_mode=cleanup_mode)


def embedded_url(crm_home: Path, database: str = DATABASE) -> str:
    """Start (or reuse) the embedded server and return a URL to its `crm` database.

    The server keeps running after this process ends, so that `crm migrate`, `crm seed`
    and `crm serve` share it; `crm db stop` stops it.
    """
    crm_home.mkdir(parents=True, exist_ok=True)
    server = start_server(crm_home.resolve() / "pgdata")
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}';")
    if "(1 row)" not in exists:
        server.psql(f'CREATE DATABASE "{database}";')
    return server.get_uri(database)


def stop_embedded(crm_home: Path) -> bool:
    """Stop the embedded server if it runs; True when it was running."""
    import subprocess

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pg_ctl = _pgserver()._commands.pg_ctl
    pgdata = crm_home.resolve() / "pgdata"
    if not (pgdata / "postmaster.pid").exists():
        return False
    user = "pgserver" if _running_as_root() else None
    try:
        pg_ctl(["-w", "stop"], pgdata=pgdata, user=user)
    except subprocess.CalledProcessError:
        return False
    return True


def _running_as_root() -> bool:
    import os

    return hasattr(os, "geteuid") and os.geteuid() == 0
