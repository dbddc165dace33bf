"""The Python package with bad input: documents, counts, database paths and contents, SQL and
HTML in the data, and a 50 MB document. Each case raises its documented exception (a subclass
of mcqgen.Error with the library's code) and nothing already stored is lost.

tests/python/ covers the package's own argument handling; this is the reliability matrix, the
same as for the C++ API, the C ABI and the CLI.
"""

import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
import unittest
from pathlib import Path

import mcqgen

from reliability_docs import report, rows, varied_document

SAMPLE = Path(os.environ["MCQGEN_SAMPLES_DIR"]) / "indian_constitution.txt"


def offline(seed=5):
    return mcqgen.Generator(api_key="", offline=True, seed=seed)


class PythonBadInput(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="mcqgen-py-reliability-")
        self.dir = Path(self.tmp.name)
        self.db = self.dir / "t.db"
        with offline() as gen, mcqgen.SqliteStorage(self.db) as store:
            self.seeded = gen.generate(SAMPLE, 3, storage=store)
        self.before = rows(self.db)

    def tearDown(self):
        self.tmp.cleanup()

    def test_bad_documents_and_counts_raise_invalid_argument_and_store_nothing(self):
        documents = {
            "empty": b"", "bom only": b"\xef\xbb\xbf", "blank": b" \t\r\n\f\v",
            "nul": b"The Council met.\x00\x00", "binary": bytes(range(256)),
            "continuation": b"The Council \x80 met.", "latin-1": b"Caf\xe9 society.",
            "overlong": b"a \xc0\xaf b", "surrogate": b"a \xed\xa0\x80 b",
            "past U+10FFFF": b"a \xf4\x90\x80\x80 b", "truncated": b"euro \xe2\x82",
            "utf-16 without a byte-order mark": "The Council met in 1950.".encode("utf-16-le"),
        }
        with offline() as gen, mcqgen.SqliteStorage(self.db) as store:
            for name, data in documents.items():
                with self.subTest(document=name):
                    with self.assertRaises(mcqgen.InvalidArgumentError) as caught:
                        gen.generate(data, 3, storage=store)
                    self.assertEqual(caught.exception.code, mcqgen.ErrorCode.INVALID_ARGUMENT)
                    self.assertTrue(str(caught.exception))
            for count in (0, -1, 21, 1000, 2**31 - 1, -(2**31), 2**31, 2**63, -(2**63)):
                with self.subTest(count=count):
                    with self.assertRaises(mcqgen.InvalidArgumentError) as caught:
                        gen.generate(SAMPLE, count, storage=store)
                    self.assertIn(str(count), str(caught.exception))
            for bad in (None, 3.0, "3"):
                with self.subTest(count=bad):
                    with self.assertRaises(TypeError):
                        gen.generate(SAMPLE, bad, storage=store)
        self.assertEqual(rows(self.db), self.before)

    def test_unusable_corrupt_and_foreign_databases_raise_storage_error(self):
        good = self.db.read_bytes()
        (self.dir / "plain").write_text("not a directory")
        foreign = self.dir / "foreign.db"
        with sqlite3.connect(foreign) as conn:
            conn.executescript("CREATE TABLE tests (id TEXT PRIMARY KEY, status TEXT);"
                               "INSERT INTO tests VALUES ('x', 'theirs');"
                               "PRAGMA user_version = 2; PRAGMA application_id = 1234;")
        corrupt = {"garbage": b"\x5a" * 8192, "header only": good[:100],
                   "half a page": good[:2048],
                   "zeroed schema": good[:100] + bytes(4096 - 100) + good[4096:]}
        for name, data in corrupt.items():
            (self.dir / f"{name}.db").write_bytes(data)
        paths = [self.dir / "plain" / "t.db", self.dir, foreign] + \
            [self.dir / f"{name}.db" for name in corrupt]
        for path in paths:
            before = path.read_bytes() if path.is_file() else None
            with self.subTest(path=path.name):
                with self.assertRaises(mcqgen.StorageError) as caught:
                    with mcqgen.SqliteStorage(path) as store, offline() as gen:
                        store.tests()
                        gen.generate(SAMPLE, 2, storage=store)
                self.assertEqual(caught.exception.code, mcqgen.ErrorCode.STORAGE)
                self.assertIn(str(path), str(caught.exception))
            if path == foreign:
                self.assertEqual(path.read_bytes(), before)

    def test_a_database_locked_by_another_process_raises_storage_error_and_keeps_rows(self):
        holder = subprocess.Popen(
            [sys.executable, "-c",
             "import sqlite3, sys\n"
             "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
             "c.execute('BEGIN EXCLUSIVE')\n"
             "print('locked', flush=True)\n"
             "sys.stdin.read()\n", str(self.db)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
            env={k: v for k, v in os.environ.items() if k != "LD_PRELOAD"})
        try:
            self.assertEqual(holder.stdout.readline().strip(), "locked")
            with mcqgen.SqliteStorage(self.db) as store, offline() as gen:
                self.assertEqual(len(store.questions(self.seeded.id)), 3)  # reads work
                with self.assertRaises(mcqgen.StorageError) as caught:
                    gen.generate(SAMPLE, 2, storage=store)
                self.assertIn("locked", str(caught.exception))
        finally:
            holder.stdin.close()
            holder.wait(timeout=60)
            holder.stdout.close()
        self.assertEqual(rows(self.db), self.before)

    def test_sql_and_html_are_stored_and_returned_unchanged(self):
        # Prose that breaks naive SQL, HTML and format strings in every sentence, and a line of
        # outright SQL and markup (never quoted: the generator asks about prose only).
        text = varied_document(6000, seed=3).replace(
            " the ", " the O'Brien's 100% & ") + "\n\n<b>'); DROP TABLE tests;--</b> %s%n\n"
        with offline() as gen, mcqgen.SqliteStorage(self.db) as store:
            test = gen.generate(text, 4, storage=store)
            self.assertEqual(test.status, mcqgen.Status.COMPLETED)
            questions = store.questions(test.id)
            for test_id in ("'; DROP TABLE tests; --", "<script>alert(1)</script>", "%s%n"):
                with self.assertRaises(mcqgen.NotFoundError):
                    store.test(test_id)
                self.assertIsNone(store.find_test(test_id))
        with sqlite3.connect(self.db) as conn:
            for q in questions:
                stored = conn.execute("SELECT stem, source_quote, option_a FROM questions "
                                      "WHERE id = ?", (q.id,)).fetchone()
                self.assertEqual(stored, (q.stem, q.source_quote, q.options[0]))
                self.assertIn(" ".join(q.source_quote.split()), " ".join(text.split()))
            stored = conn.execute("SELECT text FROM documents WHERE test_id = ?",
                                  (test.id,)).fetchone()[0]
            self.assertEqual(stored.split(), text.split())  # normalised: white space aside
        self.assertIn("O'Brien's 100% &", " ".join(q.source_quote for q in questions))
        self.assertEqual(rows(self.db), (self.before[0] + 1, self.before[1] + 4))

    def test_a_50_mb_document_finishes_with_bounded_memory(self):
        if os.environ.get("MCQGEN_SKIP_BIG_DOCUMENT"):
            self.skipTest("MCQGEN_SKIP_BIG_DOCUMENT is set")
        path = self.dir / "big.txt"
        path.write_text(varied_document(50 * 1024 * 1024), encoding="utf-8")
        size = path.stat().st_size
        start = time.monotonic()
        # In a process of its own, so its peak RSS is the run's alone.
        result = subprocess.run(
            [sys.executable, "-c",
             "import mcqgen, sys\n"
             "with mcqgen.Generator(api_key='', offline=True, seed=1) as gen:\n"
             "    test = gen.generate(open(sys.argv[1], 'rb').read(), 20)\n"
             "print(test.status.value, test.questions_generated)\n", str(path)],
            capture_output=True, text=True, timeout=900)
        seconds = time.monotonic() - start
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout.split(), ["completed", "20"])
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
        if not os.environ.get("LD_PRELOAD"):  # sanitizer runtimes add their own overhead
            self.assertLess(peak_mb, 12 * size // (1024 * 1024))  # as in test_bad_input.cpp
        report(f"python.big_document: bytes={size} peak_rss_mb={peak_mb} seconds={seconds:.1f}")


if __name__ == "__main__":
    unittest.main()
