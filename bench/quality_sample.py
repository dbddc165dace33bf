#!/usr/bin/env python3
"""A review sheet of offline questions from real documents, for a person to judge.

Runs the CLI (`mcqgen generate FILE -n N --json --offline`) over chosen documents of the
quality corpus (tests/quality/make_corpus.py, extracted here when the corpus directory has no
manifest yet) and writes Markdown: each question numbered, with its document, form, stem,
options with the key marked, quote and score, and an empty Verdict | Reason table to fill in,
then a summary table for the keep rate.

Usage:
  bench/quality_sample.py --build-dir build --corpus-dir /tmp/corpus \
      --docs constitution,jargon,r-intro,postgresql -n 10 --seed 1 --out sample.md [--style S]
"""

import argparse
import json
import pathlib
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
MAKE_CORPUS = ROOT / "tests" / "quality" / "make_corpus.py"


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--build-dir", required=True, type=pathlib.Path,
                   help="a build directory with examples/mcqgen")
    p.add_argument("--corpus-dir", required=True, type=pathlib.Path,
                   help="the quality corpus (made here when it has no manifest.tsv)")
    p.add_argument("--docs", default="constitution,jargon,r-intro,postgresql",
                   help="comma-separated document names of the corpus manifest")
    p.add_argument("-n", type=int, default=10, help="questions per document")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--style", help="cloze, question, statements or mixed; passed to the CLI "
                                   "only when given (older CLIs have no --style)")
    p.add_argument("--out", required=True, type=pathlib.Path, help="the Markdown file to write")
    return p.parse_args(argv)


def manifest(corpus_dir):
    path = corpus_dir / "manifest.tsv"
    if not path.exists():
        subprocess.run([sys.executable, str(MAKE_CORPUS), str(corpus_dir)], check=True)
    rows = [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines()]
    header, body = rows[0], rows[1:]
    return {row[0]: dict(zip(header, row)) for row in body}


def generate(cli, document, args, db):
    command = [str(cli), "generate", str(document), "-n", str(args.n), "--db", str(db),
               "--json", "--seed", str(args.seed), "--offline"]
    if args.style:
        command += ["--style", args.style]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode not in (0, 3):  # completed or partial
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}): {done.stderr}")
    return json.loads(done.stdout)


def escape(text):
    """Text shown literally in Markdown (blanks stay underscores, not emphasis)."""
    for c in "\\`*_[]<>|":
        text = text.replace(c, "\\" + c)
    return text


def question_block(number, doc, q):
    lines = [f"### {number}. {doc} · {q.get('style', '?')} · score {q['score']:.2f}", "",
             escape(q["stem"]), ""]
    for i, option in enumerate(q["options"]):
        letter = "ABCD"[i]
        lines.append(f"- **{letter}) {escape(option)}** ← key" if i == q["answer_index"]
                     else f"- {letter}) {escape(option)}")
    lines += ["", f"> Quote: {escape(q['source_quote'])}", "",
              f"*Explanation:* {escape(q['explanation'])}", "",
              "| Verdict | Reason |", "|---|---|", "|  |  |", ""]
    return lines


def sheet(args, runs):
    style = args.style or "the CLI's default"
    lines = ["# Offline questions for review", "",
             f"{args.n} questions from each of {', '.join(d for d, _, _ in runs)}; seed "
             f"{args.seed}; style {style}. Verdict: keep or reject, with the reason.", ""]
    for doc, entry, result in runs:
        test = result["test"]
        lines += [f"## {doc} ({entry['field']}; {entry['package']})", "",
                  f"{test['status']}: {test['message']}; "
                  f"{test['candidates_rejected']} of {test['candidates_generated']} "
                  f"candidates rejected {json.dumps(test['rejections'])}", ""]
    number, summary = 0, ["## Summary", "", "| # | Document | Verdict | Reason |",
                          "|---|---|---|---|"]
    for doc, _, result in runs:
        for q in result["questions"]:
            number += 1
            lines += question_block(number, doc, q)
            summary.append(f"| {number} | {doc} |  |  |")
    return lines + summary + ["", f"Keep rate: __ of {number}", ""]


def main(argv):
    args = parse_args(argv)
    cli = args.build_dir / "examples" / "mcqgen"
    if not cli.exists():
        raise SystemExit(f"no CLI at {cli}: build the mcqgen_cli target first")
    entries = manifest(args.corpus_dir)
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        for doc in args.docs.split(","):
            if doc not in entries:
                raise SystemExit(f"no document {doc!r} in the corpus; it has "
                                 f"{', '.join(entries)}")
            entry = entries[doc]
            result = generate(cli, args.corpus_dir / entry["file"], args,
                              pathlib.Path(tmp) / "sample.db")
            runs.append((doc, entry, result))
    args.out.write_text("\n".join(sheet(args, runs)), encoding="utf-8")
    print(f"{args.out}: {sum(len(r['questions']) for _, _, r in runs)} questions")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
