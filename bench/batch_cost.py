#!/usr/bin/env python3
"""Direct and batch cost per accepted question, side by side.

Runs mcqgen-generator-bench twice against the fake Claude server on the same document and seed,
once with direct Messages calls and once in batch mode (Message Batches), and prints a Markdown
table of what each spent: calls, tokens and the estimated cost from the configured prices (the
batch rate is half of every price; batch requests cache the document for an hour, whose writes
cost twice the input price instead of 1.25 times).

  python3 bench/batch_cost.py --build-dir build-rel [--questions 20] [--tests 3]
"""

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from driver import API_KEY, REPO, FakeServer, run_json  # noqa: E402

import documents  # noqa: E402


def measure(bench, server, document, args, batch):
    command = [str(bench), "--document", str(document), "--tests", str(args.tests),
               "--questions", str(args.questions), "--seed", str(args.seed),
               "--base-url", server.url, "--ca-file", str(server.ca_file), "--api-key", API_KEY,
               "--model", args.model]
    result = run_json(command + (["--batch"] if batch else []))
    if result["statuses"] != {"completed": args.tests}:
        raise RuntimeError(f"{'batch' if batch else 'direct'}: {result}")
    result["server"] = server.stats()
    return result


def row(name, r):
    u, s = r["usage"], r["server"]
    calls = s["requests"] + s.get("batch_items_submitted", 0)
    return (f"| {name} | {r['questions_stored']} | {calls} | {u['input_tokens']:,} | "
            f"{u['cache_creation_input_tokens']:,} | {u['cache_read_input_tokens']:,} | "
            f"{u['output_tokens']:,} | {r['cost_usd']:.4f} | {r['cost_usd_per_question']:.5f} | "
            f"{r['wall_ms'] / 1000:.1f} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build-dir", default="build-rel")
    parser.add_argument("--questions", type=int, default=20)
    parser.add_argument("--tests", type=int, default=3)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--document-bytes", type=int, default=60_000)
    parser.add_argument("--batch-delay-ms", type=int, default=200)
    parser.add_argument("--model", default="claude-sonnet-4-6")
    args = parser.parse_args()

    build = Path(args.build_dir).resolve()
    fake = build / "tests/fake_claude/mcqgen-fake-claude"
    bench = build / "bench/mcqgen-generator-bench"
    with tempfile.TemporaryDirectory(prefix="mcqgen-batch-cost-") as work:
        document = Path(work) / "document.txt"
        document.write_text(documents.make_document(REPO / "examples/documents",
                                                    args.document_bytes), encoding="utf-8")
        # A server each: the second run must not find the document cached by the first.
        results = {}
        for batch in (False, True):
            with FakeServer(fake, Path(work) / "tls", "--batch-delay-ms",
                            args.batch_delay_ms) as server:
                results[batch] = measure(bench, server, document, args, batch=batch)
        direct, batch = results[False], results[True]
    print(f"{args.tests} tests of {args.questions} questions, {args.model}, a "
          f"{args.document_bytes:,}-byte document, seed {args.seed}:\n")
    print("| mode | questions | calls | input | cache writes | cache reads | output | USD | "
          "USD / question | wall s |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    print(row("direct", direct))
    print(row("batch", batch))
    ratio = batch["cost_usd_per_question"] / direct["cost_usd_per_question"]
    print(f"\nBatch cost per accepted question: {ratio:.0%} of direct.")


if __name__ == "__main__":
    main()
