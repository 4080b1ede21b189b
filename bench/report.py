"""Medians over rounds into bench/results*.json, and the same as tables in bench/RESULTS.md."""

from __future__ import annotations

import json
import re
import statistics
from pathlib import Path

from bench.load import Sample

BENCH_DIR = Path(__file__).parent
RESULTS_MD = BENCH_DIR / "RESULTS.md"
DEFAULT_SCALE = 10_000
SERVER_NAMES = {"crm": "ours", "postgraphile": "PostGraphile 4", "postgraphile5": "PostGraphile 5",
                "floor": "floor"}


def server_name(name: str, baseline: str | None = None) -> str:
    """How the tables name a server; the baseline by its commit."""
    return f"ours at {baseline}" if name == "baseline" and baseline else SERVER_NAMES.get(
        name, name)


SECTION = re.compile(r"<!-- bench:scale=(\d+) -->.*?<!-- /bench:scale=\1 -->", re.S)
# Text written by people (e.g. where the time went), kept as it is by every run.
NOTES = re.compile(r"<!-- bench:notes -->.*?<!-- /bench:notes -->", re.S)


def results_path(scale: int) -> Path:
    """bench/results.json for the default scale; results-<scale>.json beside it otherwise."""
    return BENCH_DIR / ("results.json" if scale == DEFAULT_SCALE else f"results-{scale}.json")


def _median(samples: list[Sample], field: str, digits: int) -> float:
    return round(statistics.median(getattr(s, field) for s in samples), digits)


def _ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 3) if a and b else None


def _errors(samples: list[Sample]) -> int:
    return sum(s.failures + s.socket_errors + s.starved for s in samples)


def question_result(samples: dict[str, list[Sample]], ceiling: list[float],
                    statements: int | None) -> dict:
    """One question's medians over rounds, its ratios, and every round's numbers."""
    got = {server: {"rps": _median(runs, "rps", 1), "p50": _median(runs, "p50_ms", 2),
                    "p99": _median(runs, "p99_ms", 2)} for server, runs in samples.items()}
    crm, pg, pg5, fl, base = (got.get(name, {}) for name in (
        "crm", "postgraphile", "postgraphile5", "floor", "baseline"))
    ceiling_rps = round(statistics.median(ceiling), 1) if ceiling else None
    return {
        "crm_rps": crm.get("rps"), "crm_p50_ms": crm.get("p50"), "crm_p99_ms": crm.get("p99"),
        "postgraphile_rps": pg.get("rps"), "postgraphile_p99_ms": pg.get("p99"),
        "ratio": _ratio(crm.get("rps"), pg.get("rps")),
        "postgraphile5_rps": pg5.get("rps"), "postgraphile5_p50_ms": pg5.get("p50"),
        "postgraphile5_p99_ms": pg5.get("p99"),
        "postgraphile5_ratio": _ratio(crm.get("rps"), pg5.get("rps")),
        "ceiling_rps": ceiling_rps, "ceiling_ratio": _ratio(crm.get("rps"), ceiling_rps),
        "statements": statements,
        "floor_rps": fl.get("rps"), "floor_ratio": _ratio(crm.get("rps"), fl.get("rps")),
        "postgraphile_p50_ms": pg.get("p50"), "floor_p50_ms": fl.get("p50"),
        "floor_p99_ms": fl.get("p99"),
        "baseline_rps": base.get("rps"), "baseline_ratio": _ratio(crm.get("rps"), base.get("rps")),
        **{f"{server}_errors": _errors(runs) for server, runs in samples.items()},
        "valid": all(_errors(runs) == 0 for runs in samples.values()),
        "rounds": {server: [s.as_dict() for s in runs] for server, runs in samples.items()},
        "ceiling_rounds": ceiling,
    }


def write_json(path: Path, commit: str, scale: int, peak_rss_mb: dict[str, float],
               questions: dict[str, dict]) -> dict:
    results = {"commit": commit, "scale": scale, "crm_peak_rss_mb": peak_rss_mb["crm"],
               "peak_rss_mb": peak_rss_mb, "questions": questions}
    path.write_text(json.dumps(results, indent=2) + "\n")
    return results


def _cell(value, spec: str, unit: str = "") -> str:
    return "–" if value is None else f"{value:{spec}}{unit}"


def _summary_table(questions: dict[str, dict]) -> list[str]:
    lines = ["| question | ours rps | ours p50 | ours p99 | PostGraphile 4 rps "
             "| PostGraphile 4 p99 | ours / PG 4 | PostGraphile 5 rps | PostGraphile 5 p99 "
             "| ours / PG 5 | floor rps | floor ratio | ceiling rps | ceiling ratio | statements "
             "| errors | ours / baseline |",
             "|---|" + "---:|" * 16]
    for name, q in questions.items():
        errors = sum(v for k, v in q.items() if k.endswith("_errors"))
        lines.append("| " + " | ".join([
            name, _cell(q["crm_rps"], ",.1f"), _cell(q["crm_p50_ms"], ".2f", " ms"),
            _cell(q["crm_p99_ms"], ".2f", " ms"), _cell(q["postgraphile_rps"], ",.1f"),
            _cell(q["postgraphile_p99_ms"], ".2f", " ms"), _cell(q["ratio"], ".3f"),
            _cell(q.get("postgraphile5_rps"), ",.1f"),
            _cell(q.get("postgraphile5_p99_ms"), ".2f", " ms"),
            _cell(q.get("postgraphile5_ratio"), ".3f"),
            _cell(q["floor_rps"], ",.1f"), _cell(q["floor_ratio"], ".3f"),
            _cell(q["ceiling_rps"], ",.1f"), _cell(q["ceiling_ratio"], ".3f"),
            _cell(q["statements"], "d"), _cell(errors, "d"),
            _cell(q.get("baseline_ratio"), ".3f")]) + " |")
    return lines


def _rounds_table(questions: dict[str, dict]) -> list[str]:
    lines = ["| question | server | round | rps | p50 | p75 | p90 | p99 | requests | errors |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for name, q in questions.items():
        for server, runs in q["rounds"].items():
            for n, s in enumerate(runs, 1):
                lines.append(f"| {name} | {server_name(server, q.get('baseline_commit'))} "
                             f"| {n} | {s['rps']:,.1f} | "
                             f"{s['p50_ms']:.2f} | {s['p75_ms']:.2f} | {s['p90_ms']:.2f} | "
                             f"{s['p99_ms']:.2f} | {s['requests']:,} | "
                             f"{s['failures'] + s['socket_errors'] + s['starved']} |")
        for n, tps in enumerate(q["ceiling_rounds"], 1):
            lines.append(f"| {name} | ceiling (pgbench) | {n} | {tps:,.1f} | | | | | | |")
    return lines


def scale_section(results: dict, run: dict) -> str:
    """The Markdown section of one scale: context, medians, then every round."""
    scale = results["scale"]
    lines = [
        f"<!-- bench:scale={scale} -->", f"## {scale:,} contacts", "",
        f"- date: {run['date']} (start)",
        f"- machine: {run['nproc']} CPUs ({run['cpu']}), {run['memory']}; {run['versions']}",
        f"- commit: {run['commit_short']}{run['dirty']}",
        f"- command: `{run['command']}`",
        f"- method: {run['rounds']} rounds; per server and question a {run['warmup']} s warm-up, "
        f"then {run['duration']} s of `wrk -t1 -c8 --latency` pinned to CPU 1; each server "
        "pinned to CPU 0; PostgreSQL unpinned. Medians over rounds; ours / PG 4 and ours / PG 5 "
        "= ours / PostGraphile 4 and 5, floor ratio = ours / floor, ceiling ratio = ours / "
        "pgbench tps of bench/sql/q2.sql"
        + (f"; ours / baseline = ours / our server at {run['baseline']}, served beside it in "
           "the same rounds." if run.get("baseline") else "."),
        f"- peak RSS under load: ours {results['crm_peak_rss_mb']} MB, "
        + ", ".join(f"{k} {v} MB" for k, v in run["other_rss_mb"].items()),
        f"- fixtures: {run['fixtures']}",
    ]
    if not all(q["valid"] for q in results["questions"].values()):
        lines.append("- **INVALID: some answers carried errors or failed; see the errors column.**")
    lines += ["", *_summary_table(results["questions"]), "", "### Every round", "",
              *_rounds_table(results["questions"]), f"<!-- /bench:scale={scale} -->"]
    return "\n".join(lines)


def _comparison(base: dict, large: dict) -> str:
    """Q1–Q3 latency at a large scale next to the default one."""
    a, b = f"{base['scale']:,}", f"{large['scale']:,}"
    lines = [f"## {b} next to {a} contacts (Q1–Q3)", "",
             f"| question | ours p50 @{a} | ours p50 @{b} | ours p99 @{a} | ours p99 @{b} "
             f"| PostGraphile 4 p99 @{a} | PostGraphile 4 p99 @{b} | ours rps @{a} "
             f"| ours rps @{b} |",
             "|---|" + "---:|" * 8]
    for name in ("Q1", "Q2", "Q3"):
        p, q = base["questions"].get(name), large["questions"].get(name)
        if p and q:
            lines.append(f"| {name} | {p['crm_p50_ms']} | {q['crm_p50_ms']} | {p['crm_p99_ms']} "
                         f"| {q['crm_p99_ms']} | {p['postgraphile_p99_ms']} "
                         f"| {q['postgraphile_p99_ms']} | {p['crm_rps']} | {q['crm_rps']} |")
    return "\n".join(lines)


def write_markdown(results: dict, run: dict) -> None:
    """Replace this scale's section of RESULTS.md, keep the others, redo the comparisons."""
    old = RESULTS_MD.read_text() if RESULTS_MD.exists() else ""
    sections = {int(m[1]): m[0] for m in SECTION.finditer(old)}
    sections[results["scale"]] = scale_section(results, run)
    parts = ["# Benchmark results", "",
             "Produced by `make bench` (see [README.md](README.md) for what is measured and how). "
             "Each scale's section is rewritten by a run at that scale; the others are kept.", ""]
    notes = NOTES.search(old)
    if notes:
        parts.append(notes[0] + "\n")
    parts += [sections[scale] + "\n" for scale in sorted(sections)]
    base = results_path(DEFAULT_SCALE)
    for scale in sorted(sections):
        if scale != DEFAULT_SCALE and base.exists() and results_path(scale).exists():
            parts.append(_comparison(json.loads(base.read_text()),
                                     json.loads(results_path(scale).read_text())) + "\n")
    RESULTS_MD.write_text("\n".join(parts))
