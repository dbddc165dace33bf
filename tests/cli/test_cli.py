"""The mcqgen CLI: --json output parses, matches the database, and exit codes follow the rules."""

import json
import os
import sqlite3
import ssl
import subprocess
import tempfile
import unittest
import urllib.request
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
           if k not in ("MCQGEN_API_KEY", "ANTHROPIC_API_KEY", "CLAUDE_API_KEY")}
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

    def test_style_is_in_the_help_and_a_bad_one_is_a_usage_error(self):
        help_text = run("--help")
        self.assertEqual(help_text.returncode, 0)
        self.assertIn("[--style cloze|question|statements|mixed]", help_text.stdout)
        for command in (("generate", SAMPLE, "-n", 2), ("resume", "some-test-id")):
            with self.subTest(command=command[0]):
                bad = run(*command, "--db", self.db, "--style", "quiz")
                self.assertEqual(bad.returncode, 2, bad.stderr)
                self.assertIn("--style takes cloze, question, statements or mixed, got 'quiz'",
                              bad.stderr)
        self.assertFalse(self.db.exists())  # refused before anything was opened
        from_env = run("generate", SAMPLE, "-n", 2, "--db", self.db,
                       env_extra={"MCQGEN_STYLE": "quiz"})
        self.assertEqual(from_env.returncode, 1)
        self.assertIn("MCQGEN_STYLE must be mixed, cloze, question or statements",
                      from_env.stderr)

    def test_offline_questions_take_the_style_asked_for(self):
        for style in ("cloze", "question", "statements"):
            with self.subTest(style=style):
                result = run("generate", SAMPLE, "-n", 3, "--db", self.db, "--json",
                             "--seed", 9, "--style", style)
                self.assertIn(result.returncode, (0, 3), result.stderr)
                questions = json.loads(result.stdout)["questions"]
                self.assertTrue(questions, result.stderr)
                self.assertEqual({q["style"] for q in questions}, {style})


class FakeClaude:
    """The fake Claude server as a separate process, as a user developing offline would run it;
    `arguments` are its further options."""

    def __init__(self, tls_dir, api_key, *arguments):
        self.api_key = api_key
        self.process = subprocess.Popen(
            [os.environ["MCQGEN_FAKE_CLAUDE"], "--port", "0", "--tls-dir", str(tls_dir),
             "--api-key", api_key, *map(str, arguments)],
            stdout=subprocess.PIPE, text=True)
        line = self.process.stdout.readline().strip()
        if not line.startswith("listening on "):
            self.close()
            raise RuntimeError(f"fake server did not start: {line!r}")
        self.url = line[len("listening on "):]
        self.ca_file = Path(tls_dir) / "ca.pem"

    def stats(self):
        """The server's GET /_stats, over TLS verified against its own CA."""
        context = ssl.create_default_context(cafile=str(self.ca_file))
        request = urllib.request.Request(self.url + "/_stats", headers={"x-api-key": self.api_key})
        with urllib.request.urlopen(request, context=context, timeout=10) as response:
            return json.loads(response.read())

    def close(self):
        self.process.terminate()
        self.process.wait(timeout=30)
        self.process.stdout.close()


class CliClaudeTest(unittest.TestCase):
    KEY = "test-key-cli-SECRET-0123456789"

    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.db = Path(self.dir.name) / "t.db"
        self.server = FakeClaude(Path(self.dir.name) / "tls", self.KEY, "--latency-ms", 10)

    def tearDown(self):
        self.server.close()
        self.dir.cleanup()

    def env(self, key=KEY):
        return {"ANTHROPIC_API_KEY": key, "ANTHROPIC_BASE_URL": self.server.url,
                "MCQGEN_CA_FILE": str(self.server.ca_file)}

    def test_generate_against_the_fake_server_from_the_environment(self):
        result = run("generate", SAMPLE, "-n", 6, "--db", self.db, "--json", env_extra=self.env())
        self.assertEqual(result.returncode, 0, result.stderr)
        data = json.loads(result.stdout)
        self.assertEqual(data["test"]["status"], "completed")
        self.assertTrue(data["test"]["provider"].startswith("claude:"))
        self.assertGreater(data["test"]["input_tokens"], 0)
        self.assertEqual(len(data["questions"]), 6)
        self.assertNotIn(self.KEY, result.stdout + result.stderr)
        self.assertNotIn(self.KEY.encode(), self.db.read_bytes())

    def test_claude_options_on_the_command_line(self):
        env = {"ANTHROPIC_API_KEY": self.KEY}
        result = run("generate", SAMPLE, "-n", 3, "--db", self.db, "--json",
                     "--base-url", self.server.url, "--ca-file", self.server.ca_file,
                     "--concurrency", 2, "--max-retries", 1, "--candidates", 3,
                     "--model", "claude-haiku-4-5", env_extra=env)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(json.loads(result.stdout)["test"]["provider"], "claude:claude-haiku-4-5")

    def test_claude_questions_store_the_style_asked_for(self):
        result = run("generate", SAMPLE, "-n", 3, "--db", self.db, "--json",
                     "--style", "statements", env_extra=self.env())
        self.assertEqual(result.returncode, 0, result.stderr)
        questions = json.loads(result.stdout)["questions"]
        self.assertEqual([q["style"] for q in questions], ["statements"] * 3)
        with sqlite3.connect(self.db) as db:
            stored = {row[0] for row in db.execute("SELECT style FROM questions")}
        self.assertEqual(stored, {"statements"})

    def test_wrong_key_is_an_auth_error_without_the_key_in_the_message(self):
        wrong = self.KEY + "-wrong"
        result = run("generate", SAMPLE, "-n", 3, "--db", self.db, env_extra=self.env(wrong))
        self.assertEqual(result.returncode, 1)
        self.assertIn("auth", result.stderr)
        self.assertNotIn(wrong, result.stdout + result.stderr)

    def test_untrusted_server_is_a_tls_error(self):
        env = self.env()
        del env["MCQGEN_CA_FILE"]
        result = run("generate", SAMPLE, "-n", 2, "--db", self.db, env_extra=env)
        self.assertEqual(result.returncode, 1)
        self.assertIn("tls", result.stderr)


if __name__ == "__main__":
    unittest.main()
