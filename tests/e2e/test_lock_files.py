"""The lock files: uv.lock resolves pyproject.toml as it stands, requirements/ are its exports.

A dependency added to pyproject.toml without `make lock` fails here, not on someone's machine.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
UV = str(Path(sys.executable).parent / "uv")
# The exports `make lock` writes, with the extras each holds (keep in step with the Makefile).
EXPORTS = {
    "runtime.txt": [],
    "runtime-embedded.txt": ["--extra", "embedded"],
    "dev.txt": ["--extra", "dev"],
}
pytestmark = pytest.mark.e2e


def uv(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([UV, *args], cwd=ROOT, capture_output=True, text=True, timeout=120)


def pins(requirements: str) -> list[str]:
    """The requirement lines with their hashes, without the comments around them."""
    return [line for line in requirements.splitlines() if not line.lstrip().startswith("#")]


def test_lock_matches_pyproject():
    # given pyproject.toml and uv.lock as committed
    # when uv checks the lock, without the network
    result = uv("lock", "--check", "--offline")
    # then the lock still resolves every requirement
    assert result.returncode == 0, f"uv.lock is out of date: run `make lock`\n{result.stderr}"


@pytest.mark.parametrize("name", EXPORTS)
def test_requirements_file_is_the_export_of_the_lock(name):
    # given uv.lock
    # when it is exported as `make lock` does
    result = uv("export", "--frozen", "--no-emit-project", "--quiet", *EXPORTS[name])
    # then the committed requirements file holds exactly those pins and hashes
    assert result.returncode == 0, result.stderr
    committed = (ROOT / "requirements" / name).read_text()
    assert pins(result.stdout) == pins(committed), f"requirements/{name} is stale: run `make lock`"


def test_only_the_local_installs_carry_the_embedded_postgresql():
    def names(name: str) -> set[str]:
        return {line.split("==")[0] for line in pins((ROOT / "requirements" / name).read_text())
                if "==" in line}

    assert "pgserver" not in names("runtime.txt")  # the Docker image's
    assert "pgserver" in names("runtime-embedded.txt") and "pgserver" in names("dev.txt")
    assert "graphene-django-graphiql-static" in names("runtime.txt")
