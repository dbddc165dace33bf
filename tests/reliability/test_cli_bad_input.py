"""The mcqgen CLI with bad input: documents, counts, database paths and contents.

Each case must exit with the documented code (1 for an error, with "mcqgen: error (CODE): ..."
on stderr), print nothing on stdout, and leave what the database held before untouched.
"""

import json
import os
import resource
import sqlite3
import subprocess
import tempfile
import time
import unittest
from pathlib import Path

from reliability_docs import report, rows, varied_document

CLI = os.environ["MCQGEN_CLI"]
SAMPLE = Path(os.environ["MCQGEN_SAMPLES_DIR"]) / "indian_constitution.txt"


def run(*args, timeout=300):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("ANTHROPIC_", "CLAUDE_", "MCQGEN_", "MCQ_"))}
    return subprocess.run([CLI, *map(str, args)], capture_output=True, env=env, timeout=timeout)


class CliBadInput(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = Path(self.tmp.name)
        self.db = self.dir / "t.db"
        seeded = run("generate", SAMPLE, "-n", 3, "--db", self.db, "--seed", 1, "--json")
        self.assertEqual(seeded.returncode, 0, seeded.stderr)
        self.seed_id = json.loads(seeded.stdout)["test"]["id"]
        self.before = rows(self.db)

    def tearDown(self):
        self.tmp.cleanup()

    def assert_error(self, result, code):
        stderr = result.stderr.decode("utf-8", "replace")
        self.assertEqual(result.returncode, 1, stderr)
        self.assertIn(f"mcqgen: error ({code}): ", stderr)
        self.assertEqual(result.stdout, b"")
        return stderr

    def test_bad_documents_are_invalid_argument_and_store_nothing(self):
        cases = {
            "empty": b"",
            "blank": b" \n\t\r\n  ",
            "bom only": b"\xef\xbb\xbf",
            "binary": bytes(range(256)) * 4,
            "nul": b"The Council met in 1950.\x00\x00",
            "invalid utf-8": b"The Council met in 1950 \xff\xfe and again.",
            "latin-1": "Café society met in 1950.".encode("latin-1"),
            "utf-16 without a byte-order mark": "The Council met in 1950.".encode("utf-16-le"),
        }
        for name, data in cases.items():
            with self.subTest(name):
                path = self.dir / "doc.txt"
                path.write_bytes(data)
                stderr = self.assert_error(run("generate", path, "-n", 2, "--db", self.db),
                                           "invalid_argument")
                self.assertIn(str(path), stderr)
        self.assert_error(run("generate", self.dir / "missing.txt", "-n", 2, "--db", self.db),
                          "invalid_argument")
        self.assert_error(run("generate", self.dir, "-n", 2, "--db", self.db),
                          "invalid_argument")
        self.assertEqual(rows(self.db), self.before)

    def test_bad_counts_are_refused_and_store_nothing(self):
        for count in (0, -1, 21, 1000, 2**31 - 1):
            with self.subTest(count=count):
                stderr = self.assert_error(run("generate", SAMPLE, "-n", count, "--db", self.db),
                                           "invalid_argument")
                self.assertIn("between 1 and 20", stderr)
                self.assertIn(f"got {count}", stderr)
        for count in ("x", "", "1.5", "3abc", "0x10", str(10**30)):
            with self.subTest(count=count):
                self.assertEqual(run("generate", SAMPLE, "-n", count, "--db", self.db)
                                 .returncode, 2)
        self.assertEqual(rows(self.db), self.before)

    def test_numbers_beyond_32_bits_are_refused_not_wrapped(self):
        # Regression: the 64-bit values of -n, --candidates, --max-questions, --concurrency and
        # --max-retries used to be cast to int unchecked: -n 4294967297 wrapped to 1 and made a
        # test, --candidates 4294967300 became 4.
        cases = [["-n", 2**32 + 1], ["-n", 2**31], ["-n", -(2**31) - 1], ["-n", 10**15],
                 ["-n", 2, "--candidates", 2**32 + 4], ["-n", 2, "--max-questions", 2**32 + 20],
                 ["-n", 2, "--concurrency", 2**32 + 2], ["-n", 2, "--max-retries", 2**32 + 1]]
        for args in cases:
            with self.subTest(args=args):
                result = run("generate", SAMPLE, *args, "--db", self.db)
                stderr = result.stderr.decode("utf-8", "replace")
                self.assertIn(result.returncode, (1, 2), stderr)
                self.assertIn(str(args[-1]), stderr)
        self.assertEqual(rows(self.db), self.before)

    def test_unwritable_and_directory_paths_are_storage_errors(self):
        (self.dir / "plain").write_text("not a directory")
        for db in (self.dir / "plain" / "t.db", self.dir):
            with self.subTest(db=str(db)):
                stderr = self.assert_error(run("generate", SAMPLE, "-n", 2, "--db", db),
                                           "storage")
                self.assertIn(str(db), stderr)
                self.assert_error(run("list", "--db", db), "storage")

    def test_a_database_locked_by_another_process_is_a_storage_error_and_keeps_its_rows(self):
        holder = sqlite3.connect(self.db, isolation_level=None, timeout=0)
        holder.execute("BEGIN EXCLUSIVE")
        try:
            self.assert_error(run("generate", SAMPLE, "-n", 2, "--db", self.db), "storage")
            # Readers are not blocked by a writer in WAL mode.
            self.assertEqual(run("list", "--db", self.db).returncode, 0)
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        self.assertEqual(rows(self.db), self.before)
        self.assertEqual(run("generate", SAMPLE, "-n", 2, "--db", self.db).returncode, 0)

    def test_corrupt_truncated_and_foreign_databases_are_storage_errors(self):
        good = self.db.read_bytes()
        foreign = self.dir / "foreign.db"
        with sqlite3.connect(foreign) as conn:
            conn.executescript("CREATE TABLE tests (id TEXT PRIMARY KEY, status TEXT);"
                               "INSERT INTO tests VALUES ('x', 'theirs');"
                               "PRAGMA user_version = 2;")
        variants = {
            "garbage": b"\x5a" * 8192,
            "header only": good[:100],
            "half a page": good[:2048],
            "wrong magic": b"SQLite format 2\x00" + good[16:],
            "zeroed schema": good[:100] + bytes(4096 - 100) + good[4096:],
        }
        for name, data in variants.items():
            path = self.dir / f"{name}.db"
            path.write_bytes(data)
        for path in [self.dir / f"{name}.db" for name in variants] + [foreign]:
            before = path.read_bytes()
            for command in (["generate", SAMPLE, "-n", 2], ["list"], ["show", self.seed_id],
                            ["status", self.seed_id], ["resume", self.seed_id]):
                with self.subTest(db=path.name, command=command[0]):
                    result = run(*command, "--db", path)
                    stderr = self.assert_error(result, "storage")
                    self.assertIn(str(path), stderr)
            if path == foreign:
                self.assertEqual(path.read_bytes(), before)

    def test_sql_and_html_in_ids_and_documents_are_data_not_code(self):
        for test_id in ("'; DROP TABLE tests; --", "<script>alert(1)</script>", "%s%n", ""):
            with self.subTest(test_id=test_id):
                self.assert_error(run("show", test_id, "--db", self.db), "not_found")
                self.assert_error(run("resume", test_id, "--db", self.db), "not_found")
        # Varied prose with SQL and HTML spliced into every sentence.
        text = varied_document(6000, seed=7).replace(
            " the ", " the <b>'); DROP TABLE tests;--</b> & ")
        doc = self.dir / "nasty.txt"
        doc.write_text(text, encoding="utf-8")
        result = run("generate", doc, "-n", 3, "--db", self.db, "--json")
        self.assertEqual(result.returncode, 0, result.stderr)
        data = json.loads(result.stdout)
        self.assertGreater(len(data["questions"]), 0)
        squashed = " ".join(text.split())
        with sqlite3.connect(self.db) as conn:
            for q in data["questions"]:
                self.assertIn(" ".join(q["source_quote"].split()), squashed)
                stored = conn.execute("SELECT stem, source_quote FROM questions WHERE id = ?",
                                      (q["id"],)).fetchone()
                self.assertEqual(stored, (q["stem"], q["source_quote"]))
            stored = conn.execute("SELECT text FROM documents WHERE test_id = ?",
                                  (data["test"]["id"],)).fetchone()[0]
            self.assertEqual(stored.split(), text.split())  # normalised: white space aside
        shown = run("show", data["test"]["id"], "--db", self.db)
        self.assertEqual(shown.returncode, 0)
        for q in data["questions"]:
            self.assertIn(q["stem"].encode(), shown.stdout)
        self.assertEqual(rows(self.db)[0], self.before[0] + 1)

    def test_a_50_mb_document_finishes_with_bounded_memory(self):
        if os.environ.get("MCQGEN_SKIP_BIG_DOCUMENT"):
            self.skipTest("MCQGEN_SKIP_BIG_DOCUMENT is set")
        path = self.dir / "big.txt"
        path.write_text(varied_document(50 * 1024 * 1024), encoding="utf-8")
        size = path.stat().st_size
        env = {k: v for k, v in os.environ.items() if not k.startswith(("ANTHROPIC_", "CLAUDE_"))}
        start = time.monotonic()
        child = subprocess.Popen([CLI, "generate", str(path), "-n", "20", "--db",
                                  str(self.dir / "big.db"), "--json"],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        stdout, stderr = child.communicate(timeout=600)
        # ru_maxrss of the children is that of the largest one waited for: this one.
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        seconds = time.monotonic() - start
        self.assertEqual(child.returncode, 0, stderr)
        self.assertEqual(json.loads(stdout)["test"]["questions_generated"], 20)
        peak_mb = usage.ru_maxrss // 1024
        self.assertLess(peak_mb, 12 * size // (1024 * 1024))  # as in test_bad_input.cpp
        report(f"cli.big_document: bytes={size} peak_rss_mb={peak_mb} seconds={seconds:.1f}")


if __name__ == "__main__":
    unittest.main()
