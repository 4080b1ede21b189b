"""Drive a server with wrk pinned to the load CPU, and read its numbers back."""

from __future__ import annotations

import re
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path

LOAD_CPU = "1"
CONNECTIONS = 8
# wrk's own request timeout; a slower answer counts as a socket timeout, not a latency.
REQUEST_TIMEOUT = "10s"
LUA_DIR = Path(__file__).parent / "lua"
UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}
PERCENTILE = re.compile(r"^\s+(50|75|90|99)%\s+([\d.]+)(us|ms|s)\s*$", re.M)
COUNTERS = re.compile(r"bench: responses=(\d+) failures=(\d+) lost=(\d+) starved=(\d+)")
SOCKET_ERRORS = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")


class WrkError(RuntimeError):
    """wrk failed or printed something this module cannot read."""


@dataclass
class Sample:
    """One wrk run: throughput, latency percentiles in ms, and what went wrong."""

    rps: float
    p50_ms: float
    p75_ms: float
    p90_ms: float
    p99_ms: float
    requests: int
    failures: int  # status other than 200, or a non-empty "errors" in the answer
    non_2xx: int
    socket_errors: int
    lost: int = 0  # Q4: contacts dropped from the pool because an answer named none
    starved: int = 0  # Q4: requests that had to reuse a contact already in flight

    def as_dict(self) -> dict:
        return asdict(self)


def parse(output: str) -> Sample:
    """Requests/s, the 50/75/90/99th percentiles (wrk --latency) and the error counts."""
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    total = re.search(r"(\d+) requests in", output)
    percentiles = {p: float(v) * UNITS_MS[unit] for p, v, unit in PERCENTILE.findall(output)}
    counters = COUNTERS.search(output)
    if not (rps and total and counters) or len(percentiles) != 4:
        raise WrkError(f"cannot read wrk's output:\n{output}")
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    sockets = SOCKET_ERRORS.search(output)
    responses, failures, lost, starved = map(int, counters.groups())
    return Sample(
        rps=float(rps[1]), p50_ms=percentiles["50"], p75_ms=percentiles["75"],
        p90_ms=percentiles["90"], p99_ms=percentiles["99"], requests=int(total[1]),
        failures=failures, non_2xx=int(non_2xx[1]) if non_2xx else 0,
        socket_errors=sum(map(int, sockets.groups())) if sockets else 0,
        lost=lost, starved=starved)


def run(url: str, script: str, script_args: list[str], seconds: int) -> Sample:
    """One wrk run of `seconds` against `url`, with bench/lua/<script>.lua and its arguments."""
    argv = ["taskset", "-c", LOAD_CPU, "wrk", "-t1", f"-c{CONNECTIONS}", "--latency",
            f"-d{seconds}s", "--timeout", REQUEST_TIMEOUT, "-s", str(LUA_DIR / f"{script}.lua"),
            url, "--", *script_args]
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 60)
    except subprocess.TimeoutExpired as exc:
        raise WrkError(f"wrk did not finish within {seconds + 60}s") from exc
    if done.returncode != 0:
        raise WrkError(f"wrk exited with {done.returncode}:\n{done.stdout}\n{done.stderr}")
    return parse(done.stdout)
