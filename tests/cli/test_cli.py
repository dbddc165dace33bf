"""The mcqgen CLI: --json output parses, matches the database, and exit codes follow the rules."""

import json
import os
import sqlite3
import subprocess
import tempfile
import unittest
from pathlib import Path

CLI = os.environ["MCQGEN_CLI"]
SAMPLE = Path(os.environ["MCQGEN_SAMPLES_DIR"]) / "indian_constitution.txt"
SHORT = Path(os.environ["MCQGEN_TEST_DATA_DIR"]) / "short.txt"

TEST_FIELDS = {"id", "status", "target_questions", "questions_generated", "progress", "message",
               "input_tokens", "output_tokens", "created_at", "updated_at"}
QUESTION_FIELDS = {"id", "position", "stem", "options", "answer_index", "explanation",
                   "source_quote", "score", "style", "difficulty"}


def run(*args, env_extra=None):
    env = {k: v for k, v in os.environ.items()
           if k not in ("ANTHROPIC_API_KEY", "CLAUDE_API_KEY")}
    env.update(env_extra or {})
    return subprocess.run([CLI, *map(str, args)], capture_output=True, text=True, env=env,
                          timeout=120)


class CliTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.db = Path(self.dir.name) / "t.db"

    def tearDown(self):
        self.dir.cleanup()

    def generate_json(self, n=5, source=SAMPLE):
        result = run("generate", source, "-n", n, "--db", self.db, "--json", "--seed", 9)
        return result, (json.loads(result.stdout) if result.stdout.strip() else None)

    def test_generate_json_matches_the_database(self):
        result, data = self.generate_json(5)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(set(data), {"test", "questions"})
        test, questions = data["test"], data["questions"]
        self.assertTrue(TEST_FIELDS <= set(test))
        self.assertEqual(test["status"], "completed")
        self.assertEqual(test["questions_generated"], 5)
        self.assertEqual(len(questions), 5)
        with sqlite3.connect(self.db) as db:
            row = db.execute("SELECT status, target_questions, questions_generated, message "
                             "FROM tests WHERE id = ?", (test["id"],)).fetchone()
            self.assertEqual(row, ("completed", 5, 5, test["message"]))
            stored = db.execute("SELECT id, position, stem, option_a, option_b, option_c, option_d,"
                                " answer_index, source_quote FROM questions WHERE test_id = ? "
                                "ORDER BY position", (test["id"],)).fetchall()
        for q, s in zip(questions, stored):
            self.assertTrue(QUESTION_FIELDS <= set(q))
            self.assertEqual((q["id"], q["position"], q["stem"]), s[:3])
            self.assertEqual(q["options"], list(s[3:7]))
            self.assertEqual(q["answer_index"], s[7])
            self.assertEqual(q["source_quote"], s[8])
        # Progress went to stderr as plain lines (not a terminal), nothing else on stdout.
        self.assertIn("5 of 5 questions created", result.stderr)

    def test_status_show_list_agree_with_generate(self):
        _, data = self.generate_json(3)
        test_id = data["test"]["id"]
        show = run("show", test_id, "--db", self.db, "--json")
        self.assertEqual(show.returncode, 0)
        self.assertEqual(json.loads(show.stdout), data)
        status = run("status", test_id, "--db", self.db, "--json")
        self.assertEqual(json.loads(status.stdout), data["test"])
        self.generate_json(2)
        listing = json.loads(run("list", "--db", self.db, "--json").stdout)
        self.assertEqual(len(listing), 2)
        self.assertEqual(listing[1]["id"], test_id)  # newest first

    def test_partial_exit_code_and_resume(self):
        result, data = self.generate_json(10, SHORT)
        self.assertEqual(result.returncode, 3, result.stderr)
        self.assertEqual(data["test"]["status"], "partial")
        resumed = run("resume", data["test"]["id"], "--db", self.db, "--json")
        self.assertIn(resumed.returncode, (0, 3))
        self.assertEqual(json.loads(resumed.stdout)["test"]["id"], data["test"]["id"])

    def test_errors_and_usage(self):
        self.assertEqual(run("generate", SAMPLE, "-n", 0, "--db", self.db).returncode, 1)
        self.assertEqual(run("generate", SAMPLE, "-n", 21, "--db", self.db).returncode, 1)
        self.assertFalse(self.db.exists() and
                         sqlite3.connect(self.db).execute("SELECT count(*) FROM tests").fetchone()[0])
        missing = run("show", "no-such-id", "--db", self.db)
        self.assertEqual(missing.returncode, 1)
        self.assertIn("not_found", missing.stderr)
        self.assertEqual(run("generate", SAMPLE).returncode, 2)           # no -n
        self.assertEqual(run("frobnicate").returncode, 2)
        self.assertEqual(run("generate", SAMPLE, "-n", "x").returncode, 2)
        self.assertEqual(run("list", "--db", self.db, "--bogus", "1").returncode, 2)
        binary = Path(self.dir.name) / "binary.bin"
        binary.write_bytes(b"\x00\xff\xfe" * 100)
        bad = run("generate", binary, "-n", 3, "--db", self.db)
        self.assertEqual(bad.returncode, 1)
        self.assertIn("invalid_argument", bad.stderr)


if __name__ == "__main__":
    unittest.main()
