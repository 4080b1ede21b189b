"""The worker's import job: runs (or, on a retry, resumes) an import that `importStart`
stored, as the member of staff who started it, normalising on a pool of its own."""

from __future__ import annotations

import logging
import multiprocessing
import uuid
from concurrent.futures import ProcessPoolExecutor

from api.worker import JobContext, JobRun
from auth.grants import access_for
from auth.principal import staff_access
from domain.access import SYSTEM, Access, Role
from persistence import import_run, import_store
from persistence.db import Transaction

log = logging.getLogger("crm.imports")
RUN_IMPORT = "crm.imports.run"
WORKERS = 2


def access_of_job(job: dict) -> Access:
    """Who an import writes as: the member of staff who started it, else the System admin."""
    if job["user_id"] is None:
        return access_for(Role.ADMIN, SYSTEM)
    return staff_access(Role(job["role"]), job["user_id"])


async def run_import_job(context: JobContext, run: JobRun) -> None:
    """Run the job to its end; a failed attempt is retried from its last committed batch."""
    job_id = uuid.UUID(run.payload["job"])
    async with Transaction(context.engine) as tx:
        job = await import_store.job(tx, job_id)
    if job is None:
        return
    # The worker runs threads and an event loop: its pool starts from a fresh interpreter.
    with ProcessPoolExecutor(WORKERS, mp_context=multiprocessing.get_context("forkserver")) as pool:
        ended, _ = await import_run.run(context.engine, access_of_job(job), job_id, pool,
                                        lambda rows, outcome: None)
    log.info("import %s: %s, %d rows", job_id, ended["status"], ended["rows_read"])
