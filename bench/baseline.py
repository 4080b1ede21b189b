"""Our server as it was at an earlier commit, beside today's in the same run: `--baseline REV`.

The earlier code is checked out into bench/out/baseline/REV and installed into a venv of its
own, over today's pinned libraries (so that only our code differs), and served over the same
database. Its schema is older than the database's: it does not check the migration head, so
it is ready when /healthz answers, and it is asked only the questions it knows.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bench import servers

PROJECT_DIR = Path(__file__).resolve().parent.parent


def checkout(rev: str, out: Path) -> tuple[Path, Path]:
    """The earlier code's folder and its venv's bin, made once per commit."""
    full = subprocess.run(["git", "rev-parse", "--short", rev], cwd=PROJECT_DIR, check=True,
                          capture_output=True, text=True).stdout.strip()
    folder = out.resolve() / "baseline" / full
    venv = folder / ".venv"
    if not (venv / "bin" / "crm").exists():
        if not folder.exists():
            subprocess.run(["git", "worktree", "add", "--detach", str(folder), full],
                           cwd=PROJECT_DIR, check=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q"]
        subprocess.run([*pip, "--require-hashes", "-r",
                        str(PROJECT_DIR / "requirements" / "runtime.txt")], check=True)
        subprocess.run([*pip, "-e", str(folder)], check=True)
    return folder, venv / "bin"


def serve(rev: str, env: dict, out: Path, log_dir: Path):
    """The earlier server, one uvicorn worker pinned as ours is; its escalation loop off."""
    folder, venv_bin = checkout(rev, out)
    port = servers.free_port()
    argv = [venv_bin / "crm", "serve", "--workers", "1", "--port", port,
            "--log-level", "warning", "--no-access-log"]
    return servers.started("baseline", argv, {**env, "CRM_ESCALATION_INTERVAL": "0"}, port,
                           lambda client, url: client.get(url + "/healthz").status_code == 200,
                           log_dir, cwd=folder)
