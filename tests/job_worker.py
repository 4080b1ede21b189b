"""`crm worker` as the tests run it in a process of its own: the CRM's entrypoints and
schedules, and the tests' beside them (python -m tests.job_worker, configured by the
environment like crm worker)."""

from __future__ import annotations

import asyncio
import logging
import os
from pathlib import Path

from api.cli_jobs import run_worker
from api.jobs import ENTRYPOINTS
from api.settings import load_settings
from api.worker import Entrypoint


async def note_then_sleep(context, job) -> None:
    """Append this process's id to the payload's `runs` file; the first run then sleeps for
    `seconds`, as a job a worker dies in the middle of."""
    runs = Path(job.payload["runs"])
    with runs.open("a") as out:
        out.write(f"{os.getpid()}\n")
    if len(runs.read_text().split()) == 1:
        await asyncio.sleep(job.payload["seconds"])


TEST_ENTRYPOINTS = (Entrypoint("test.note-then-sleep", note_then_sleep),)

if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    asyncio.run(run_worker(load_settings(), entrypoints=(*ENTRYPOINTS, *TEST_ENTRYPOINTS)))
