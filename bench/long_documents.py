#!/usr/bin/env python3
"""Cost per question on long documents: the CLI's Claude path against the fake Claude server.

From the repository root, after building the CLI and the fake into a build directory
(cmake -DMCQGEN_BUILD_BENCH=ON, targets mcqgen_cli and mcqgen_fake_claude_server):

    python3 bench/long_documents.py --build-dir build-bench [--runs 3] [--questions 20]
                                    [--report docs/benchmarks.md] [--results FILE.json]

The documents are real manuals from Debian documentation packages (bench/documents.py,
REAL_DOCUMENTS; the script says which packages to install when they are missing). Every run
starts a fresh fake server, so that each run starts with an empty prompt cache, and generates
one test with `mcqgen generate FILE -n N --json`. The script rewrites the "## Long documents"
section of the report (keeping its "### What the numbers show" part, which is written by hand)
and leaves the rest of the file alone.
"""

import argparse
import datetime
import json
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import documents  # noqa: E402
from driver import API_KEY, FakeServer, log, median  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
SECTION = "## Long documents"
FINDINGS = "### What the numbers show"
AUTHOR_MS, JUDGE_MS = 800, 400  # as in the pipeline benchmark
MIN_CACHE_TOKENS = 1024  # Sonnet's minimum cacheable prefix
# claude-sonnet-4-6 in the library's price table, USD per million tokens.
PRICES = {"input_tokens": 3, "cache_creation_input_tokens": 3.75,
          "cache_read_input_tokens": 0.30, "output_tokens": 15}

# (label, document, context window of the fake, environment of the CLI)
CONFIGURATIONS = [
    ("sectioned", "40 KB", 200_000, {}),
    ("sectioned", "1 MB", 200_000, {}),
    ("sectioned", "10 MB", 200_000, {}),
    ("sectioned, 4,000-token sections", "1 MB", 200_000, {"MCQGEN_SECTION_TOKENS": "4000"}),
    ("whole document (old behaviour)", "1 MB", 200_000, {"MCQGEN_DOCUMENT_TOKENS": "900000"}),
    ("whole document (old behaviour)", "1 MB", 1_000_000, {"MCQGEN_DOCUMENT_TOKENS": "900000"}),
]


def concurrent_first_writes(db, test_id):
    """Cache tokens the fake priced as reads but Claude would have written: Claude makes a cache
    entry available only once the first response has started, so calls sent while the writing
    call is still running write the prefix too; the fake serves them reads. A call is taken to
    start its latency before it was recorded (the fake's latency is nearly all of a call), and a
    prefix is known by the call's kind and its token count."""
    latency_s = {"author": AUTHOR_MS / 1000, "judge": JUDGE_MS / 1000}
    written = {}  # (kind, tokens) -> when the writing call ended
    missed = 0
    with sqlite3.connect(db) as connection:
        rows = connection.execute(
            "SELECT kind, cache_creation_input_tokens, cache_read_input_tokens, at FROM calls "
            "WHERE test_id = ? ORDER BY id", (test_id,)).fetchall()
    for kind, created, read, at in rows:
        ended = datetime.datetime.fromisoformat(at.replace("Z", "+00:00")).timestamp()
        if created:
            written.setdefault((kind, created), ended)
        elif read and ended - latency_s.get(kind, 0) < written.get((kind, read), float("-inf")):
            missed += read
    return missed


def children_cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def generate(cli, document, server, questions, seed, env, work):
    """One `mcqgen generate` run; returns its test record with the run's measurements."""
    db = work / f"run-{seed}.db"
    command = [str(cli), "generate", str(document), "-n", str(questions), "--json",
               "--seed", str(seed + 1), "--db", str(db), "--base-url", server.url,
               "--ca-file", str(server.ca_file), "--max-questions", str(max(questions, 20))]
    cpu_before = children_cpu_seconds()
    start = time.monotonic()
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=1800)
    wall = time.monotonic() - start
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise RuntimeError(f"mcqgen generate printed no record (exit {done.returncode}):\n"
                           f"{done.stdout}\n{done.stderr}")
    record = json.loads(lines[-1])["test"]
    missed = concurrent_first_writes(db, record["id"])
    for leftover in work.glob(f"run-{seed}.db*"):
        leftover.unlink()
    record["concurrent_first_write_tokens"] = missed
    record["cost_if_concurrent_first_writes_usd"] = record["estimated_cost_usd"] + missed * (
        PRICES["cache_creation_input_tokens"] - PRICES["cache_read_input_tokens"]) / 1e6
    record.update(wall_s=wall, cli_cpu_s=children_cpu_seconds() - cpu_before,
                  exit_code=done.returncode, server=server.stats())
    return record


def run_all(args):
    build = Path(args.build_dir).resolve()
    cli = build / "examples/mcqgen"
    fake = build / "tests/fake_claude/mcqgen-fake-claude"
    for program in (cli, fake):
        if not program.exists():
            raise SystemExit(f"missing {program}: build mcqgen_cli and mcqgen_fake_claude_server")
    results = []
    with tempfile.TemporaryDirectory(prefix="mcqgen-long-") as scratch:
        work = Path(scratch)
        paths = {}
        for name in dict.fromkeys(document for _, document, _, _ in CONFIGURATIONS):
            paths[name] = work / f"{name.replace(' ', '')}.txt"
            paths[name].write_text(documents.real_document(name), encoding="utf-8")
        for label, name, window, overrides in CONFIGURATIONS:
            env = {key: value for key, value in os.environ.items()
                   if not key.startswith(("MCQGEN_", "ANTHROPIC_", "CLAUDE_"))}
            env.update(overrides, MCQGEN_API_KEY=API_KEY)
            for run in range(args.runs):
                with FakeServer(fake, work / "tls", "--context-window", window,
                                "--min-cache-tokens", MIN_CACHE_TOKENS,
                                "--author-latency-ms", AUTHOR_MS,
                                "--judge-latency-ms", JUDGE_MS) as server:
                    record = generate(cli, paths[name], server, args.questions, run, env, work)
                record.update(label=label, document=name, window=window, overrides=overrides,
                              document_bytes=paths[name].stat().st_size)
                results.append(record)
                log(f"{name} {label}, {window // 1000}k window, run {run + 1}: "
                    f"{record['status']}, {record['questions_generated']} questions, "
                    f"${record['estimated_cost_usd']:.4f}, {record['wall_s']:.1f} s, "
                    f"{record['server']['responses_400']} 400s")
    return results


# ---- the report ------------------------------------------------------------------------------

def per_question(run, field):
    return run[field] / run["questions_generated"] if run["questions_generated"] else None


def spread(values, digits):
    values = [v for v in values if v is not None]
    if not values:
        return "–"
    mid = f"{median(values):,.{digits}f}"
    if len(values) < 2 or min(values) == max(values):
        return mid
    return f"{mid} ({min(values):,.{digits}f}–{max(values):,.{digits}f})"


def cost_shares(run):
    parts = [run[field] * price for field, price in PRICES.items()]
    total = sum(parts)
    return " / ".join(f"{100 * part / total:.0f}" for part in parts) if total else "–"


def table(results):
    groups = {}
    for run in results:
        groups.setdefault((run["label"], run["document"], run["window"]), []).append(run)
    base = median([per_question(r, "estimated_cost_usd")
                   for r in groups[("sectioned", "40 KB", 200_000)]
                   if r["questions_generated"]])
    adjusted_base = median([per_question(r, "cost_if_concurrent_first_writes_usd")
                            for r in groups[("sectioned", "40 KB", 200_000)]
                            if r["questions_generated"]])
    lines = ["| document | size | behaviour | window | status per run | questions per run "
             "(of asked) | cost per question $ | ratio to 40 KB | the same if concurrent first "
             "calls all write: $, ratio | input / cache write / "
             "cache read / output tokens per question | share of the cost % (same order) | calls | "
             "wall s | 400s |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for (label, name, window), runs in groups.items():
        costs = [per_question(r, "estimated_cost_usd") for r in runs]
        known = [c for c in costs if c is not None]
        ratio = f"{median(known) / base:.2f}×" if known else "–"
        adjusted = [per_question(r, "cost_if_concurrent_first_writes_usd") for r in runs]
        adjusted_known = [c for c in adjusted if c is not None]
        adjusted_text = "–"
        if adjusted_known:
            adjusted_text = (f"{median(adjusted_known):.4f}, "
                             f"{median(adjusted_known) / adjusted_base:.2f}×")
        tokens = " / ".join(spread([per_question(r, f) for r in runs], 0) for f in (
            "input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens",
            "output_tokens"))
        lines.append(
            f"| {name} | {runs[0]['document_bytes']:,} B | {label} | {window // 1000}k | "
            f"{', '.join(r['status'] for r in runs)} | "
            f"{', '.join(str(r['questions_generated']) for r in runs)} "
            f"(of {runs[0]['target_questions']}) | {spread(costs, 4)} | {ratio} | "
            f"{adjusted_text} | {tokens} | "
            f"{cost_shares(runs[len(runs) // 2])} | "
            f"{spread([r['requests'] for r in runs], 0)} | "
            f"{spread([r['wall_s'] for r in runs], 1)} | "
            f"{', '.join(str(r['server']['responses_400']) for r in runs)} |")
    return lines


def failures(results):
    seen = {}
    for run in results:
        if run["status"] != "completed":
            seen.setdefault((run["document"], run["label"], run["window"]), run["message"])
    return [f"- {name}, {label}, {window // 1000}k window: “{message}”"
            for (name, label, window), message in seen.items()]


def section(results, runs, questions, previous_findings):
    sources = "; ".join(f"{name}: {', '.join(packages)}"
                        for name, (packages, _) in documents.REAL_DOCUMENTS.items())
    lines = [
        SECTION, "",
        "Generated by `python3 bench/long_documents.py --build-dir build-bench` on "
        f"{time.strftime('%Y-%m-%d')} (the rest of this file is not rewritten by it).", "",
        f"Method: {questions} questions from each document with `mcqgen generate FILE -n "
        f"{questions} --json` (the CLI, default configuration: `claude-sonnet-4-6`, 8 calls "
        "at a time, prompt caching on), against the fake Claude server with the given context "
        f"window, author latency {AUTHOR_MS} ms, judge latency {JUDGE_MS} ms and prefixes "
        f"under {MIN_CACHE_TOKENS:,} tokens not cached. Each of the {runs} runs per row "
        "(seeds 1 to "
        f"{runs}) starts a fresh fake, so every run begins with an empty prompt cache. "
        "Cost per question is the test record's `estimated_cost_usd` (the library's price "
        "table: $3 input, $3.75 cache write, $0.30 cache read, $15 output per million tokens) "
        "over `questions_generated`; tokens are the record's usage over the same count (as "
        "the fake counts them: 3 bytes a token); wall time is the CLI process's, reading the "
        "document included; 400s are the fake's count. Medians, with the range over the runs "
        "in brackets. The fake, as Claude, makes a cache entry readable only once the "
        "response that wrote it has started, so calls sent meanwhile write the prefix too; "
        "the column “if concurrent first calls all write” reprices, from the per-call records "
        "the run left in its database, any read that a call sent before that could not have "
        "had (a check on the fake: it now equals the cost column). The documents are real "
        "manuals from "
        "Debian documentation packages, "
        f"concatenated by `bench/documents.py` ({sources}): the Python 3.11 tutorial's "
        "“More Control Flow Tools”, the Debian Reference with the GNU Coding Standards, and "
        "the reST sources of the whole Python 3.11 manual. “Whole document” sets "
        "`MCQGEN_DOCUMENT_TOKENS=900000`, so that the 1 MB manual is sent whole in every "
        "call, as before sectioning.", "",
    ]
    lines += table(results) + [""]
    failed = failures(results)
    if failed:
        lines += ["Runs that did not complete, with the test record's message:", ""] + failed + [""]
    lines += previous_findings or [FINDINGS, "", "(to be written from the numbers above)", ""]
    return lines


def split_report(text):
    """(before, the section, after) of a report; the section is None when it has none, and
    then goes before the hand-written "What was found" (or at the end)."""
    lines = text.splitlines()
    if SECTION not in lines:
        at = next((i for i, line in enumerate(lines) if line == "## What was found"), len(lines))
        return lines[:at], None, lines[at:]
    start = lines.index(SECTION)
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")),
               len(lines))
    return lines[:start], lines[start:end], lines[end:]


def join(lines):
    return "\n".join(lines).rstrip("\n") + "\n"


def carry_section(old_report, new_report):
    """new_report with the long-documents section of old_report, if that had one."""
    _, own, _ = split_report(old_report)
    if own is None:
        return new_report
    before, _, after = split_report(new_report)
    return join(before + own + after)


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build-dir", default="build-bench")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--questions", type=int, default=20)
    parser.add_argument("--report", default=str(REPO / "docs/benchmarks.md"))
    parser.add_argument("--results", help="write the raw results (JSON) here")
    parser.add_argument("--from-results", help="skip the runs: report from this JSON file")
    args = parser.parse_args()

    if args.from_results:
        saved = json.loads(Path(args.from_results).read_text())
        results, args.runs, args.questions = saved["results"], saved["runs"], saved["questions"]
    else:
        results = run_all(args)
        if args.results:
            Path(args.results).write_text(json.dumps(
                {"runs": args.runs, "questions": args.questions, "results": results}, indent=1))
    report = Path(args.report)
    before, own, after = split_report(report.read_text(encoding="utf-8")
                                      if report.exists() else "")
    findings = own[own.index(FINDINGS):] if own and FINDINGS in own else None
    text = before + section(results, args.runs, args.questions, findings) + after
    report.write_text(join(text), encoding="utf-8")
    log(f"wrote the long-documents section of {report}")


if __name__ == "__main__":
    main()
