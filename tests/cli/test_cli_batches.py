"""Batch mode from the command line: --detach, a resume killed with SIGKILL, resume again."""

import json
import os
import signal
import sqlite3
import subprocess
import tempfile
import time
import unittest
from pathlib import Path

from test_cli import FakeClaude

CLI = os.environ["MCQGEN_CLI"]
SAMPLE = Path(os.environ["MCQGEN_SAMPLES_DIR"]) / "indian_constitution.txt"
KEY = "test-key-batch-cli-SECRET-98f2e1"
COUNT = 12


class CliBatchTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.db = Path(self.dir.name) / "t.db"
        # Batches that take 1.5 s to end: a resume has time to be killed while it waits.
        self.server = FakeClaude(Path(self.dir.name) / "tls", KEY, "--batch-delay-ms", 1500)

    def tearDown(self):
        self.server.close()
        self.dir.cleanup()

    def env(self):
        env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
        env.update({"ANTHROPIC_API_KEY": KEY, "ANTHROPIC_BASE_URL": self.server.url,
                    "MCQGEN_CA_FILE": str(self.server.ca_file), "MCQGEN_BATCH_POLL_MS": "50",
                    "MCQGEN_BATCH_MAX_POLL_MS": "200"})
        return env

    def cli(self, *args):
        return subprocess.run([CLI, *map(str, args)], capture_output=True, text=True,
                              env=self.env(), timeout=120)

    # The rows of batches the API made; the rest record creates ("creating", "replaced" ...).
    MADE = "status IN ('in_progress', 'canceling', 'ended')"

    def batches_stored(self):
        with sqlite3.connect(self.db) as db:
            return db.execute("SELECT count(*) FROM batches WHERE " + self.MADE).fetchone()[0]

    def test_detach_kill_a_resume_mid_way_then_resume_again(self):
        detached = self.cli("generate", SAMPLE, "-n", COUNT, "--db", self.db, "--batch",
                            "--detach", "--seed", 5)
        self.assertEqual(detached.returncode, 0, detached.stderr)
        test_id = detached.stdout.strip()
        self.assertRegex(test_id, r"^[0-9a-f-]{36}$")
        status = self.cli("status", test_id, "--db", self.db)
        self.assertIn("generating", status.stdout)
        self.assertIn("msgbatch_", status.stdout)
        self.assertEqual(self.server.stats()["batch_items_submitted"], COUNT)

        # A resume that gets as far as submitting the judges' batch, then dies without warning.
        resume = subprocess.Popen([CLI, "resume", test_id, "--db", str(self.db)],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                  env=self.env())
        deadline = time.monotonic() + 60
        while self.batches_stored() < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        self.assertEqual(self.batches_stored(), 2, "the judges' batch was never recorded")
        resume.send_signal(signal.SIGKILL)
        out, err = resume.communicate(timeout=30)
        self.assertEqual(resume.returncode, -signal.SIGKILL)
        submitted = self.server.stats()["batch_items_submitted"]

        final = self.cli("resume", test_id, "--db", self.db, "--json")
        self.assertIn(final.returncode, (0, 3), final.stderr)
        data = json.loads(final.stdout)
        self.assertEqual(data["test"]["status"], "completed", final.stderr)
        self.assertEqual(len(data["questions"]), COUNT)
        self.assertEqual(len({q["stem"] for q in data["questions"]}), COUNT)
        self.assertEqual(sorted(q["position"] for q in data["questions"]), list(range(COUNT)))

        stats = self.server.stats()
        self.assertEqual(stats["batch_duplicate_custom_ids"], 0)
        # The last resume waited for what was in flight: every request it made was a new one.
        with sqlite3.connect(self.db) as db:
            ids = [i for (row,) in db.execute("SELECT custom_ids FROM batches WHERE " + self.MADE) for i in
                   json.loads(row)]
        self.assertEqual(len(ids), len(set(ids)))
        self.assertEqual(len(ids), stats["batch_items_submitted"])
        self.assertGreaterEqual(stats["batch_items_submitted"], submitted)
        for text in (detached.stdout, detached.stderr, out, err, final.stdout, final.stderr,
                     status.stdout):
            self.assertNotIn(KEY, text)
        self.assertNotIn(KEY.encode(), self.db.read_bytes())

    def test_detach_needs_batch(self):
        result = self.cli("generate", SAMPLE, "-n", 2, "--db", self.db, "--detach")
        self.assertEqual(result.returncode, 2)
        self.assertIn("--detach needs --batch", result.stderr)


if __name__ == "__main__":
    unittest.main()
