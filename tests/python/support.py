"""Helpers shared by the Python tests: sample documents, temporary directories, offline
generators and the fake Claude server as a process."""

from __future__ import annotations

import os
import subprocess
import tempfile
import unittest
from pathlib import Path

import mcqgen

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = Path(os.environ.get("MCQGEN_SAMPLES_DIR", ROOT / "examples" / "documents"))
TEST_DATA = Path(os.environ.get("MCQGEN_TEST_DATA_DIR", ROOT / "tests" / "data"))
SAMPLE = SAMPLES / "indian_constitution.txt"
SHORT = TEST_DATA / "short.txt"


def offline(seed: int = 42, **options) -> mcqgen.Generator:
    """An offline generator with a fixed seed, whatever the environment says."""
    return mcqgen.Generator(api_key="", offline=True, seed=seed, **options)


class TempDirTest(unittest.TestCase):
    """Gives each test a fresh directory, `self.dir`, removed afterwards."""

    def setUp(self) -> None:
        self._tmp = tempfile.TemporaryDirectory(prefix="mcqgen-py-")
        self.dir = Path(self._tmp.name)

    def tearDown(self) -> None:
        self._tmp.cleanup()


FAKE_CLAUDE = os.environ.get("MCQGEN_FAKE_CLAUDE")


class FakeClaude:
    """The fake Claude server as a separate process (tests/fake_claude), on 127.0.0.1."""

    def __init__(self, tls_dir: Path, api_key: str, *arguments: str) -> None:
        if not FAKE_CLAUDE:
            raise unittest.SkipTest("MCQGEN_FAKE_CLAUDE is not set")
        self.process = subprocess.Popen(
            [FAKE_CLAUDE, "--port", "0", "--tls-dir", str(tls_dir), "--api-key", api_key,
             *arguments],
            stdout=subprocess.PIPE, text=True)
        assert self.process.stdout is not None
        line = self.process.stdout.readline().strip()
        if not line.startswith("listening on "):
            self.close()
            raise RuntimeError(f"the fake Claude server did not start: {line!r}")
        self.url = line[len("listening on "):]
        self.ca_file = Path(tls_dir) / "ca.pem"

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)
        if self.process.stdout:
            self.process.stdout.close()

    def __enter__(self) -> FakeClaude:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
