"""Our server from two (or more) checkouts of the code, side by side, on the bench's data.

Usage: python -m bench.sidebyside --tree before=/path/to/other/checkout --tree after=.
                                  [--questions Q1,Q4] [--rounds 3] [--duration 10]
                                  [--warmup 3] [--scale 10000] [--database-url URL]

Before and after a change to the server, `make bench` takes 40 minutes and mostly times the
other servers. This starts only ours, once per tree and question in each round (the trees
alternate, so a change in the machine's load falls on both), exactly as `make bench` starts it
(`crm serve --workers 1`, production mode, pinned to CPU 0, wrk on CPU 1, the same Lua scripts
and Q4 pool), with each tree's code first on PYTHONPATH. Besides requests/s it prints the
server's CPU time per request (user and system, from /proc): on a shared machine that moves
far less than the throughput does. Both trees must share this checkout's dependencies.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

from bench import dataset, load, servers
from bench.questions import pool_key, requests
from bench.run import CRM_HOME, OUT, crm_token

WORK = OUT / "sidebyside"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.sidebyside",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--tree", action="append", required=True, metavar="NAME=PATH",
                        help="a checkout of the code to serve, named for the report")
    parser.add_argument("--questions", default="Q1,Q4", help="comma-separated questions")
    parser.add_argument("--rounds", type=int, default=3, help="rounds over all trees")
    parser.add_argument("--duration", type=int, default=10, help="seconds of each timed run")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of warm-up before each")
    parser.add_argument("--scale", type=int, default=10_000, help="contacts in the data set")
    parser.add_argument("--database-url", help="a database already seeded, instead of the "
                                               "bench's own for --scale")
    args = parser.parse_args(argv)
    args.trees = dict(t.split("=", 1) for t in args.tree)
    args.questions = args.questions.split(",")
    return args


def _cpu_ticks(pid: int) -> int:
    """User and system time of a process, in clock ticks."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def _script(name: str, question: str, token: str, fx, url: str, tag: str):
    request = requests(question, fx)["crm"]
    body = WORK / f"{name}-{question}.json"
    body.write_text("\n".join([request.body, *request.variants]) + "\n")
    if question != "Q4":
        return "query", [request.path, token, str(body)]
    pool, versions = WORK / f"{name}-pool.txt", dataset.versions(url, fx.pool)
    pool.write_text("".join(f"{pool_key('crm', c)} {versions[c]}\n" for c in fx.pool))
    return "update", [request.path, token, str(pool), str(body), tag]


def measure(name: str, tree: str, question: str, env: dict, token: str, fx, url: str,
            args: argparse.Namespace) -> tuple[float, float]:
    """Requests/s and the server's CPU microseconds per request of one timed run."""
    venv_bin = Path(sys.executable).parent
    with servers.crm(venv_bin, {**env, "PYTHONPATH": str(Path(tree).resolve())},
                     WORK) as server:
        tag = f"{name}{time.time():.0f}"
        if args.warmup:
            load.run(server.url, *_script(name, question, token, fx, url, tag + "w"),
                     args.warmup)
            time.sleep(1)  # let Q4's last updates land before the versions are read
        ticks = _cpu_ticks(servers.serving_pid(server))
        sample = load.run(server.url, *_script(name, question, token, fx, url, tag),
                          args.duration)
        cpu = (_cpu_ticks(servers.serving_pid(server)) - ticks) / os.sysconf("SC_CLK_TCK")
    errors = sample.failures + sample.socket_errors + sample.starved
    if errors:
        sys.exit(f"sidebyside: {name} answered {question} with {errors} errors")
    return sample.rps, cpu / sample.requests * 1e6


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    WORK.mkdir(parents=True, exist_ok=True)
    venv_bin = Path(sys.executable).parent
    url = args.database_url or dataset.prepare(args.scale, CRM_HOME, venv_bin)
    fx = dataset.fixtures(url)
    env = dataset.crm_env(url, CRM_HOME)
    token = crm_token(venv_bin, env)
    results: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for round_no in range(args.rounds):
        for question in args.questions:
            for name, tree in args.trees.items():
                rps, cpu = measure(name, tree, question, env, token, fx, url, args)
                results.setdefault((question, name), []).append((rps, cpu))
                print(f"round {round_no} {question} {name:<10} {rps:9.1f} rps  "
                      f"server CPU {cpu:7.1f} µs/request", flush=True)
    print("median over rounds:")
    for (question, name), runs in results.items():
        print(f"{question} {name:<10} {statistics.median(r for r, _ in runs):9.1f} rps  "
              f"server CPU {statistics.median(c for _, c in runs):7.1f} µs/request")


if __name__ == "__main__":
    main()
