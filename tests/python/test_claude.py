"""The package against the fake Claude server (a separate process on 127.0.0.1): success, the
failures that raise (auth, TLS), the ones a run reports (network, timeout, rate limit, server,
bad response: Test.raise_for_status), and Ctrl-C or cancel() while calls are in flight."""

from __future__ import annotations

import _thread
import threading
import time
import unittest
from pathlib import Path

import mcqgen
from support import FAKE_CLAUDE, SAMPLE, FakeClaude, TempDirTest

KEY = "test-key-python-SECRET-0123456789"


@unittest.skipUnless(FAKE_CLAUDE, "needs the fake Claude server (MCQGEN_FAKE_CLAUDE)")
class ClaudeTest(TempDirTest):
    def setUp(self) -> None:
        super().setUp()
        self.tls = self.dir / "tls"

    def server(self, *arguments: str) -> FakeClaude:
        return FakeClaude(self.tls, KEY, *arguments)

    def generator(self, server: FakeClaude, **options) -> mcqgen.Generator:
        settings = dict(api_key=KEY, base_url=server.url, ca_file=server.ca_file, offline=False,
                        seed=5, max_retries=0)
        settings.update(options)
        return mcqgen.Generator(**settings)

    def test_generates_through_claude(self):
        events = []
        with self.server("--latency-ms", "5") as server, self.generator(server) as gen:
            test = gen.generate(SAMPLE, 4, on_progress=events.append)
        self.assertEqual(test.status, mcqgen.Status.COMPLETED, test.message)
        self.assertTrue(test.provider.startswith("claude:"))
        self.assertGreater(test.input_tokens, 0)
        self.assertGreater(test.requests, 0)
        self.assertEqual(len(test.questions), 4)
        self.assertEqual([e.created for e in events if e.question], [1, 2, 3, 4])

    def test_generates_as_message_batches(self):
        with self.server("--batch-delay-ms", "30") as server, \
                self.generator(server, batch=True, batch_poll_interval=0.02,
                               batch_max_poll_interval=0.1) as gen:
            self.assertTrue(gen.config.batch)
            self.assertEqual(gen.config.batch_poll_interval, 0.02)
            test = gen.generate(SAMPLE, 3)
        self.assertEqual(test.status, mcqgen.Status.COMPLETED, test.message)
        self.assertTrue(test.provider.startswith("claude-batch:"), test.provider)
        self.assertEqual(len(test.questions), 3)

    def test_a_refused_key_raises_auth_error_without_the_key(self):
        wrong = KEY + "-wrong"
        store = mcqgen.MemoryStorage()
        with self.server() as server, self.generator(server, api_key=wrong) as gen:
            with self.assertRaises(mcqgen.AuthError) as caught:
                gen.generate(SAMPLE, 2, storage=store)
        self.assertNotIn(wrong, str(caught.exception))
        self.assertNotIn("SECRET", str(caught.exception))
        (test,) = store.tests()
        self.assertEqual(test.status, mcqgen.Status.FAILED)  # stored as failed first
        self.assertIs(test.error, mcqgen.ErrorCode.AUTH)

    def test_an_untrusted_server_raises_tls_error(self):
        with self.server() as server:
            with self.generator(server, ca_file=None) as gen:
                with self.assertRaises(mcqgen.TLSError):
                    gen.generate(SAMPLE, 2)
            missing = self.dir / "no-such-ca.pem"
            with self.assertRaises((mcqgen.TLSError, mcqgen.InvalidArgumentError)):
                self.generator(server, ca_file=missing).generate(SAMPLE, 1)

    def run_with_faults(self, faults: str, **options) -> mcqgen.Test:
        with self.server("--faults", faults) as server, self.generator(server, **options) as gen:
            return gen.generate(SAMPLE, 2)

    def test_failures_a_run_reports_map_to_exceptions(self):
        cases = [
            ("429*", mcqgen.RateLimitError, "rate_limited", {}),
            ("529*", mcqgen.ServerError, "server", {}),
            ("500*", mcqgen.ServerError, "server", {}),
            ("malformed*", mcqgen.BadResponseError, "bad_response", {}),
            ("reset_before*", mcqgen.NetworkError, "network", {}),
            ("stall*", mcqgen.TimeoutError, "timeout", {"request_timeout": 0.3}),
        ]
        for faults, exception, name, options in cases:
            with self.subTest(faults=faults):
                test = self.run_with_faults(faults, **options)
                self.assertIn(test.status, (mcqgen.Status.FAILED, mcqgen.Status.PARTIAL))
                self.assertIs(test.error, mcqgen.ErrorCode[name.upper()], test.message)
                with self.assertRaises(exception) as caught:
                    test.raise_for_status()
                self.assertEqual(caught.exception.code.name.lower(), name)
                self.assertNotIn(KEY, str(caught.exception))

    def test_ctrl_c_while_calls_are_in_flight(self):
        store = mcqgen.MemoryStorage()
        with self.server("--latency-ms", "400") as server, self.generator(server) as gen:
            timer = threading.Timer(0.3, _thread.interrupt_main)  # as Ctrl-C
            started = time.monotonic()
            timer.start()
            try:
                with self.assertRaises(KeyboardInterrupt):
                    gen.generate(SAMPLE, 10, storage=store)  # no callback: waits in C steps
            finally:
                timer.cancel()
            self.assertLess(time.monotonic() - started, 10)
            (test,) = store.tests()
            self.assertNotEqual(test.status, mcqgen.Status.GENERATING)
            self.assertIs(test.error, mcqgen.ErrorCode.CANCELLED)

    def test_cancel_from_another_thread_while_calls_are_in_flight(self):
        with self.server("--latency-ms", "400") as server, self.generator(server) as gen:
            timer = threading.Timer(0.3, gen.cancel)
            timer.start()
            started = time.monotonic()
            test = gen.generate(SAMPLE, 10)
            timer.join()
        self.assertLess(time.monotonic() - started, 10)
        self.assertIs(test.error, mcqgen.ErrorCode.CANCELLED)
        with self.assertRaises(mcqgen.CancelledError):
            test.raise_for_status()


if __name__ == "__main__":
    unittest.main()
