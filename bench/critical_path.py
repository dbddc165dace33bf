#!/usr/bin/env python3
"""Wall time against the critical path, extra rounds and cost per question, on real documents.

For each of four real documents (the offline quality corpus, read from Debian's documentation
packages by tests/quality/make_corpus.py), runs mcqgen-generator-bench RUNS times, each a new
Generator making one test of 20 questions at concurrency 40, against the fake Claude server at
400 ms per author or judge call. The critical path is the cache-writing call, one author call
and one judge call; the fixed cost is the median wall of the same runs at 0 ms per call. The
cache-writing call (max_tokens 1, before the first calls on a shared document) is given 100 ms:
its time at the API is the prefill of the document, which the calls after it then skip, so a
flat 400 ms would count that prefill twice. Reported: p50 and p90 of
wall / (critical path + fixed cost), the extra author calls as a share of the slots, and the
cost per accepted question against the original service's design with the same prices.

The original design, modelled from this run's own calls (stored in SQLite, one row per call):
each question took K = 4 author calls that each carried the instructions and the retrieved
passage (no document, no caching) and wrote one candidate, then one validation call with the
passage and the four candidates. Its tokens per question are therefore
  input  = 5 x (instructions + passage) + 4 x candidate      output = 4 x candidate + verdicts
where "instructions + passage" is the uncached input of one of our author calls, "candidate" is
our author output per candidate written and "verdicts" our judge output per judged candidate,
times four; everything at the author model's base input and output prices.

  python3 bench/critical_path.py --build-dir build-rel [--runs 10] [--out FILE]
"""

import argparse
import sqlite3
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from driver import API_KEY, REPO, FakeServer, run_json  # noqa: E402

DOCUMENTS = ["constitution", "jargon", "maint-guide", "debian-faq"]
QUESTIONS, CONCURRENCY, LATENCY_MS, CACHE_CALL_MS = 20, 40, 400, 100
CANDIDATES = 4  # the original service's MCQ_CANDIDATE_COUNT, and its K in the cost model
PRICE = {"input": 3.0, "output": 15.0}  # claude-sonnet-4-6, USD per million tokens


def percentile(values, p):
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def one_test(bench, server, document, db, seed, args):
    server.reset()
    result = run_json([str(bench), "--document", str(document), "--tests", "1",
                       "--questions", str(QUESTIONS), "--concurrency", str(CONCURRENCY),
                       "--candidates", str(args.candidates), "--seed", str(seed),
                       "--db", str(db), "--base-url", server.url, "--ca-file",
                       str(server.ca_file), "--api-key", API_KEY,
                       *(["--judge-model", args.judge_model] if args.judge_model else [])])
    result["server"] = server.stats()
    return result


def calls_of(db):
    with sqlite3.connect(db) as connection:
        return connection.execute(
            "SELECT kind, count(*), sum(input_tokens), sum(output_tokens) FROM calls "
            "GROUP BY kind").fetchall()


def original_cost_per_question(db, candidates_written, candidates_judged):
    totals = {kind: (count, inputs, outputs) for kind, count, inputs, outputs in calls_of(db)}
    author_calls, author_input, author_output = totals["author"]
    _, _, judge_output = totals["judge"]
    prompt = author_input / author_calls  # instructions + passage, uncached
    candidate = author_output / candidates_written
    verdict = judge_output / max(candidates_judged, 1)
    k = CANDIDATES
    tokens_in = (k + 1) * prompt + k * candidate
    tokens_out = k * candidate + k * verdict
    return (tokens_in * PRICE["input"] + tokens_out * PRICE["output"]) / 1e6


def measure(args, build, work, name, document):
    fake = build / "tests/fake_claude/mcqgen-fake-claude"
    bench = build / "bench/mcqgen-generator-bench"
    fixed = []
    with FakeServer(fake, work / f"tls-{name}-0", "--latency-ms", 0) as server:
        for run in range(3):
            fixed.append(one_test(bench, server, document, work / f"{name}-fixed-{run}.db",
                                  100 + run, args)["test_wall_ms_first"])
    fixed_ms = statistics.median(fixed)
    ideal = CACHE_CALL_MS + 2 * LATENCY_MS + fixed_ms
    rows = []
    with FakeServer(fake, work / f"tls-{name}", "--latency-ms", CACHE_CALL_MS,
                    "--author-latency-ms", LATENCY_MS, "--judge-latency-ms", LATENCY_MS) as server:
        for run in range(args.runs):
            db = work / f"{name}-{run}.db"
            r = one_test(bench, server, document, db, 1 + run, args)
            s = r["server"]
            judged = r["candidates_generated"] - sum(
                count for reason, count in r["rejections"].items()
                if not reason.startswith("judge"))
            rows.append({
                "wall": r["test_wall_ms_first"], "stored": r["questions_stored"],
                "extra": s["author_requests"] - QUESTIONS,
                "extra_judge": s["judge_requests"] - QUESTIONS,
                "cost": r["cost_usd_per_question"],
                "original": original_cost_per_question(db, r["candidates_generated"], judged),
                "candidates": r["candidates_generated"]})
    walls = [row["wall"] / ideal for row in rows]
    return {
        "name": name, "bytes": document.stat().st_size, "fixed": fixed_ms, "ideal": ideal,
        "p50": percentile(walls, 50), "p90": percentile(walls, 90),
        "extra": sum(row["extra"] for row in rows) / (QUESTIONS * len(rows)),
        "extra_judge": sum(row["extra_judge"] for row in rows) / (QUESTIONS * len(rows)),
        "stored": sum(row["stored"] for row in rows), "runs": len(rows),
        "candidates": statistics.mean(row["candidates"] for row in rows),
        "cost": statistics.mean(row["cost"] for row in rows),
        "original": statistics.mean(row["original"] for row in rows)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build-dir", default="build-rel")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--out", help="also write the table here")
    parser.add_argument("--candidates", type=int, default=CANDIDATES, help="mcqgen's K")
    parser.add_argument("--judge-model", default="", help="default: the author's model")
    args = parser.parse_args()
    build = Path(args.build_dir).resolve()
    with tempfile.TemporaryDirectory(prefix="mcqgen-critical-path-") as scratch:
        work = Path(scratch)
        corpus = work / "corpus"
        subprocess.run([sys.executable, str(REPO / "tests/quality/make_corpus.py"), str(corpus)],
                       check=True, stdout=subprocess.DEVNULL)
        files = {line.split("\t")[0]: corpus / line.split("\t")[3]
                 for line in (corpus / "manifest.tsv").read_text().splitlines()[1:]}
        results = [measure(args, build, work, name, files[name]) for name in DOCUMENTS]
    lines = [
        f"{QUESTIONS} questions per test, concurrency {CONCURRENCY}, {LATENCY_MS} ms per author "
        f"or judge call, {CACHE_CALL_MS} ms per cache-writing call, K up to {args.candidates}, "
        f"judge {args.judge_model or 'the author model (claude-sonnet-4-6)'}, {args.runs} runs "
        "per document (a new Generator each):", "",
        "| document | bytes | fixed ms | ideal ms | p50 wall / ideal | p90 wall / ideal | "
        "extra author calls | extra judge calls | candidates per test | questions | "
        "USD / question | original design USD / question | ratio |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        lines.append(
            f"| {r['name']} | {r['bytes']:,} | {r['fixed']:.0f} | {r['ideal']:.0f} | "
            f"{r['p50']:.3f} | {r['p90']:.3f} | {r['extra']:.1%} | {r['extra_judge']:.1%} | "
            f"{r['candidates']:.1f} | {r['stored']} / {QUESTIONS * r['runs']} | "
            f"{r['cost']:.5f} | {r['original']:.5f} | {r['cost'] / r['original']:.2f} |")
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
