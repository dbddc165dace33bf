#!/usr/bin/env python3
"""generate.py — mcqgen from Python: turn a text file into a stored multiple-choice test.

    python3 generate.py FILE N DB

Generates N questions from FILE into the SQLite database DB, printing "k of N" as each question
is stored, then prints the test and its questions as JSON. Claude writes the questions when
ANTHROPIC_API_KEY is set, the offline generator otherwise. Ctrl-C cancels and keeps what was
stored. Exit codes, as the mcqgen CLI: 0 completed, 3 partial, 1 failed or error, 2 usage.

Install the package (`python3 -m pip install ./bindings/python` builds and bundles the C
library), or use it in place with PYTHONPATH=bindings/python and MCQGEN_LIBRARY set to the
path of a built libmcqgen_c (see mcqgen/_lib.py).
"""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path

import mcqgen

EXIT_COMPLETED, EXIT_FAILED, EXIT_USAGE, EXIT_PARTIAL = 0, 1, 2, 3


def print_progress(progress: mcqgen.Progress) -> None:
    # Runs on this thread after each question is committed (and at the start and the end).
    if progress.question is not None:
        print(progress.message, file=sys.stderr)


def main(argv: list[str]) -> int:
    if len(argv) != 4 or not argv[2].isdigit() or int(argv[2]) < 1:
        print(f"usage: {argv[0]} FILE N DB", file=sys.stderr)
        return EXIT_USAGE
    path, count, db = Path(argv[1]), int(argv[2]), argv[3]
    try:
        # Generator() reads its configuration from the environment, like the CLI.
        with mcqgen.Generator() as generator, mcqgen.SqliteStorage(db) as storage:
            # A Path is a file to read; a str would be the document's text itself.
            test = generator.generate(path, count, storage=storage, on_progress=print_progress)
    except KeyboardInterrupt:
        print("interrupted: the questions stored so far are kept", file=sys.stderr)
        return EXIT_PARTIAL
    except mcqgen.Error as error:
        print(f"generate.py: error ({error.code.name.lower()}): {error}", file=sys.stderr)
        return EXIT_FAILED
    except OSError as error:
        print(f"generate.py: {error}", file=sys.stderr)
        return EXIT_FAILED

    record = dataclasses.asdict(test)
    record["error"] = test.error.name.lower() if test.error else None  # as the CLI's --json
    print(json.dumps(record, indent=2, ensure_ascii=False))
    print(f"{test.status.value}: {test.message}", file=sys.stderr)
    if test.status is mcqgen.Status.COMPLETED:
        return EXIT_COMPLETED
    return EXIT_PARTIAL if test.status is mcqgen.Status.PARTIAL else EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main(sys.argv))
