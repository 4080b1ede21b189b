"""`make bench`: ours against PostGraphile 4 and 5, the plain-Python floor and the SQL ceiling.

Usage: python -m bench.run [--scale N] [--duration S] [--warmup S] [--rounds R]
                           [--questions Q1,Q2,Q3,Q4,Q5,Q6] [--baseline REV [--baseline-skips Q6]]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx

from bench import (
    baseline,
    ceiling,
    compare,
    dataset,
    environment,
    load,
    report,
    servers,
    statements,
    tools,
)
from bench.dataset import Fixtures
from bench.questions import QUESTIONS, Request, fill, pool_key, requests

OUT = Path(__file__).parent / "out"
CRM_HOME = OUT / "home"
TOKEN_TTL = 86_400  # the longest a token may live; a run at a million contacts takes a while


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=int, default=10_000, help="contacts in the data set")
    parser.add_argument("--duration", type=int, default=20, help="seconds of each timed run")
    parser.add_argument("--warmup", type=int, default=5, help="seconds of warm-up before each")
    parser.add_argument("--rounds", type=int, default=3, help="rounds over all servers")
    parser.add_argument("--questions", default=",".join(QUESTIONS),
                        help="comma-separated subset of " + ",".join(QUESTIONS))
    parser.add_argument("--baseline", help="also serve our code as it was at this commit, "
                                           "side by side (ours / baseline in the results)")
    parser.add_argument("--baseline-skips", default="Q6",
                        help="questions the baseline's schema cannot answer (default Q6)")
    args = parser.parse_args(argv)
    args.baseline_skips = {q.strip().upper() for q in args.baseline_skips.split(",")}
    args.questions = list(dict.fromkeys(q.strip().upper() for q in args.questions.split(",")
                                        if q.strip()))
    if unknown := set(args.questions) - set(QUESTIONS):
        parser.error(f"unknown questions {sorted(unknown)}; known: {','.join(QUESTIONS)}")
    if min(args.scale, args.duration, args.rounds) < 1 or args.warmup < 0:
        parser.error("--scale, --duration and --rounds must be at least 1, --warmup at least 0")
    return args


def preflight() -> None:
    """Fail before seeding anything when a tool or the second CPU is missing."""
    tools.ensure()
    missing = [tool for tool in ("taskset", "npm", "node") if not shutil.which(tool)]
    if missing:
        sys.exit(f"bench: {', '.join(missing)} not found")
    cpus = {int(servers.SERVER_CPU), int(load.LOAD_CPU)}
    if not cpus <= os.sched_getaffinity(0):
        sys.exit(f"bench: needs CPUs {sorted(cpus)} (server and load on separate cores)")


def crm_token(venv_bin: Path, env: dict) -> str:
    """A token of the sales role, signed with the key in the bench's CRM_HOME."""
    done = subprocess.run([venv_bin / "crm", "token", "--role", "sales", "--user",
                           dataset.SALES_USER, "--ttl", str(TOKEN_TTL)],
                          env=env, capture_output=True, text=True, check=True, timeout=60)
    return done.stdout.strip()


def ask(client: httpx.Client, server: servers.Server, request: Request, token: str,
        body: str | None = None) -> dict:
    """One answer of a server, outside the timed runs; anything but 200 aborts."""
    headers = {"Content-Type": "application/json"}
    if request.authorised:
        headers["Authorization"] = f"Bearer {token}"
    response = client.post(server.url + request.path, content=body or request.body,
                           headers=headers)
    if response.status_code != 200:
        raise compare.DifferentAnswers(f"bench: {server.name} answered {response.status_code}: "
                                       f"{response.text[:2000]}")
    return response.json()


def check_answers(running: dict[str, servers.Server], fx: Fixtures, token: str, url: str) -> None:
    """Q1–Q3, Q5 and Q6 must be the same records everywhere, and Q4 a real write everywhere."""
    expected = {"Q1": 1, "Q2": min(20, fx.account_contacts), "Q3": min(50, fx.territory_contacts),
                "Q5": min(50, fx.timeline_activities), "Q6": min(20, fx.tier_contacts)}
    with httpx.Client(timeout=60) as client:
        for question, rows in expected.items():
            asked = asked_of(question, fx)
            compare.check(question, {name: ask(client, server, asked[name], token)
                                     for name, server in running.items()
                                     if name in asked}, rows)
        asked, contact = asked_of("Q4", fx), fx.pool[-1]
        for name, server in running.items():
            key, version = pool_key(name, contact), dataset.versions(url, (contact,))[contact]
            body = fill(asked[name].body, key, version, f"Check {name}")
            compare.check_update(name, ask(client, server, asked[name], token, body), key)
    print("bench: every server gives the same answers to Q1–Q3, Q5 and Q6, and Q4 writes on "
          "each")


BASELINE_SKIPS: set[str] = set()


def asked_of(question: str, fx: Fixtures) -> dict[str, Request]:
    """The question for each running server: the baseline speaks our dialect, unless its
    schema predates the question."""
    asked = requests(question, fx)
    if question not in BASELINE_SKIPS:
        asked["baseline"] = asked["crm"]
    return asked


def script_for(name: str, question: str, request: Request, token: str, fx: Fixtures,
               url: str, tag: str) -> tuple[str, list[str]]:
    """The Lua script and its arguments; Q4's pool is written afresh with current versions."""
    work = OUT / "wrk"
    work.mkdir(parents=True, exist_ok=True)
    body = work / f"{name}-{question}.json"
    # One compact JSON body per line; query.lua sends them in turn.
    body.write_text("\n".join([request.body, *request.variants]) + "\n")
    common = [request.path, token if request.authorised else "-"]
    if question != "Q4":
        return "query", [*common, str(body)]
    pool = work / f"{name}-pool.txt"
    versions = dataset.versions(url, fx.pool)
    pool.write_text("".join(f"{pool_key(name, i)} {versions[i]}\n" for i in fx.pool))
    return "update", [*common, str(pool), str(body), tag]


SETTLE_SECONDS = 1.0


def measure(server: servers.Server, question: str, request: Request, token: str,
            fx: Fixtures, url: str, args: argparse.Namespace, round_no: int) -> load.Sample:
    """A warm-up, then the timed run; each starts from fresh Q4 versions."""
    tag = f"{server.name}{round_no}-{int(time.time())}"
    if args.warmup:
        load.run(server.url, *script_for(server.name, question, request, token, fx, url,
                                          tag + "w"), args.warmup)
        if question == "Q4":
            # wrk stops with updates still in flight; let them land before versions are read
            time.sleep(SETTLE_SECONDS)
    sample = load.run(server.url, *script_for(server.name, question, request, token, fx, url,
                                               tag), args.duration)
    print(f"bench: round {round_no} {question} {server.name:<13} {sample.rps:>9,.1f} rps  "
          f"p50 {sample.p50_ms:7.2f} ms  p99 {sample.p99_ms:7.2f} ms  "
          f"errors {sample.failures + sample.socket_errors + sample.starved}", flush=True)
    return sample


def run_rounds(running, fx, token, url, args):
    """Rounds of every question on every server in turn, and the ceiling after Q2's servers."""
    samples = {q: {name: [] for name in running if name in asked_of(q, fx)}
               for q in args.questions}
    ceilings: list[float] = []
    for round_no in range(1, args.rounds + 1):
        for question in args.questions:
            asked = asked_of(question, fx)
            for name, server in running.items():
                if name not in asked:
                    continue
                samples[question][name].append(
                    measure(server, question, asked[name], token, fx, url, args, round_no))
            if question == "Q2":
                if args.warmup:
                    ceiling.run(url, fx.account_id, args.warmup)
                ceilings.append(ceiling.run(url, fx.account_id, args.duration))
                print(f"bench: round {round_no} Q2 ceiling       {ceilings[-1]:>9,.1f} tps",
                      flush=True)
    return samples, ceilings


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    preflight()
    start = environment.started()  # the code the servers load, before anyone commits more
    venv_bin = Path(sys.executable).parent
    (OUT / "logs").mkdir(parents=True, exist_ok=True)
    url = dataset.prepare(args.scale, CRM_HOME, venv_bin)
    fx = dataset.fixtures(url)
    env = dataset.crm_env(url, CRM_HOME)
    token = crm_token(venv_bin, env)
    bodies = {q: requests(q, fx)["crm"].body for q in args.questions}
    counted = statements.count(url, CRM_HOME, token, bodies,
                               (pool_key("crm", fx.pool[0]),
                                dataset.versions(url, fx.pool[:1])[fx.pool[0]]))
    print(f"bench: SQL statements per request of our server: {counted}")
    servers.ensure_node_modules()
    with contextlib.ExitStack() as stack:
        running = {
            "crm": stack.enter_context(servers.crm(venv_bin, env, OUT / "logs")),
            "postgraphile": stack.enter_context(servers.postgraphile(url, OUT / "logs")),
            "postgraphile5": stack.enter_context(servers.postgraphile5(url, OUT / "logs")),
            "floor": stack.enter_context(servers.floor(venv_bin, url, OUT / "logs")),
        }
        if args.baseline:
            BASELINE_SKIPS.update(args.baseline_skips)
            running["baseline"] = stack.enter_context(
                baseline.serve(args.baseline, env, OUT, OUT / "logs"))
        check_answers(running, fx, token, url)
        samples, ceilings = run_rounds(running, fx, token, url, args)
        rss = {name: servers.peak_rss_mb(servers.serving_pid(s)) for name, s in running.items()}
    questions = {q: report.question_result(samples[q], ceilings if q == "Q2" else [],
                                           counted.get(q)) for q in args.questions}
    if args.baseline:
        for q in questions.values():
            q["baseline_commit"] = args.baseline
    results = report.write_json(report.results_path(args.scale), start["commit"], args.scale,
                                rss, questions)
    report.write_markdown(results, {
        **start, **environment.describe(url, servers.PG5_NODE),
        "command": shlex.join(["python", "-m", "bench.run", *(argv or sys.argv[1:])]),
        "rounds": args.rounds, "warmup": args.warmup, "duration": args.duration,
        "other_rss_mb": {report.server_name(name, args.baseline): mb
                         for name, mb in rss.items() if name != "crm"},
        "baseline": args.baseline,
        "fixtures": (f"Q1 contact {fx.contact_id}; Q2 account {fx.account_id} "
                     f"({fx.account_contacts} contacts); Q3 territory {fx.territory_name} "
                     f"({fx.territory_contacts:,} contacts); Q4 pool of {len(fx.pool):,} contacts "
                     f"writable by {dataset.SALES_USER}; Q5 account {fx.timeline_account_id} "
                     f"({fx.timeline_activities} activities); Q6 {fx.tier_contacts:,} contacts "
                     f"of {dataset.TIER_FIELD} {dataset.Q6_TIER}"),
    })
    print(f"bench: wrote {report.results_path(args.scale)} and {report.RESULTS_MD}")
    if not all(q["valid"] for q in questions.values()):
        sys.exit("bench: INVALID run: some answers carried errors; see RESULTS.md")


if __name__ == "__main__":
    main()
