"""Every mapped exception, raised by a real failure where one exists offline."""

from __future__ import annotations

import builtins
import gc
import os
import unittest
from unittest import mock

import mcqgen
from mcqgen import _capi, _errors
from mcqgen._errors import code_for_name, error_for_code, error_for_status
from support import SAMPLE, TempDirTest, offline


class ExceptionClassesTest(unittest.TestCase):
    EXPECTED = {
        mcqgen.ErrorCode.INVALID_ARGUMENT: (mcqgen.InvalidArgumentError, ValueError),
        mcqgen.ErrorCode.STORAGE: (mcqgen.StorageError, mcqgen.Error),
        mcqgen.ErrorCode.NETWORK: (mcqgen.NetworkError, ConnectionError),
        mcqgen.ErrorCode.TLS: (mcqgen.TLSError, mcqgen.Error),
        mcqgen.ErrorCode.AUTH: (mcqgen.AuthError, mcqgen.Error),
        mcqgen.ErrorCode.RATE_LIMITED: (mcqgen.RateLimitError, mcqgen.Error),
        mcqgen.ErrorCode.SERVER: (mcqgen.ServerError, mcqgen.Error),
        mcqgen.ErrorCode.TIMEOUT: (mcqgen.TimeoutError, builtins.TimeoutError),
        mcqgen.ErrorCode.CANCELLED: (mcqgen.CancelledError, mcqgen.Error),
        mcqgen.ErrorCode.BAD_RESPONSE: (mcqgen.BadResponseError, mcqgen.Error),
        mcqgen.ErrorCode.INTERNAL: (mcqgen.InternalError, mcqgen.Error),
        mcqgen.ErrorCode.NOT_FOUND: (mcqgen.NotFoundError, LookupError),
        mcqgen.ErrorCode.BUSY: (mcqgen.BusyError, RuntimeError),
        mcqgen.ErrorCode.OUT_OF_MEMORY: (mcqgen.OutOfMemoryError, MemoryError),
    }

    def test_the_codes_are_the_library_s(self):
        errc = [code for code in mcqgen.ErrorCode if code != mcqgen.ErrorCode.OUT_OF_MEMORY]
        self.assertEqual([int(code) for code in errc], list(range(1, len(errc) + 1)))
        for code in mcqgen.ErrorCode:
            self.assertEqual(_capi.mcqgen_status_string(-int(code)).decode(), code.name.lower())
        self.assertEqual(_capi.mcqgen_status_string(-(len(errc) + 1)), b"unknown")
        self.assertEqual(mcqgen.ErrorCode.BUSY, 13)
        self.assertEqual(mcqgen.ErrorCode.OUT_OF_MEMORY, -_capi.E_NOMEM)
        self.assertEqual(set(self.EXPECTED), set(mcqgen.ErrorCode))  # a new code needs a row

    def test_a_class_without_a_code_fails_the_import_check(self):
        class Stray(mcqgen.Error):
            _code_name = "no_such_code"

        with self.assertRaises(ImportError) as caught:
            _errors._classes_by_code()
        self.assertIn("no_such_code", str(caught.exception))
        del Stray, caught  # the traceback holds the class too
        gc.collect()
        _errors._classes_by_code()  # as it was

    def test_every_status_of_the_library_maps_to_its_class(self):
        for code, (cls, builtin) in self.EXPECTED.items():
            with self.subTest(code=code):
                status = -int(code)
                name = _capi.mcqgen_status_string(status).decode()
                self.assertEqual(name, code.name.lower())
                error = error_for_status(status, "why")
                self.assertIs(type(error), cls)
                self.assertIsInstance(error, mcqgen.Error)
                self.assertIsInstance(error, builtin)
                self.assertEqual(error.code, code)
                self.assertEqual(error.status, status)
                self.assertEqual(str(error), "why")
                self.assertIs(type(error_for_code(code, "why")), cls)
                self.assertIs(code_for_name(name), code)
        unknown = -(max(int(code) for code in self.EXPECTED if code < 100) + 1)
        self.assertIsInstance(error_for_status(unknown, "odd"), mcqgen.InternalError)
        self.assertIs(code_for_name("brand_new"), mcqgen.ErrorCode.INTERNAL)
        self.assertIs(mcqgen.TimeoutError.__mro__[0], mcqgen.TimeoutError)
        self.assertIsNot(mcqgen.TimeoutError, builtins.TimeoutError)

    def test_exceptions_can_be_raised_and_caught_as_their_builtin(self):
        with self.assertRaises(ConnectionError) as caught:
            raise mcqgen.NetworkError("reset")
        self.assertEqual(caught.exception.code, mcqgen.ErrorCode.NETWORK)
        with self.assertRaises(builtins.TimeoutError):
            raise mcqgen.TimeoutError("late")


class RealFailuresTest(TempDirTest):
    def test_a_count_out_of_range_is_invalid_and_stores_nothing(self):
        store = mcqgen.MemoryStorage()
        with offline() as gen:
            for count in (0, -1, 21, 2**31 - 1, 2**40):
                with self.subTest(count=count):
                    with self.assertRaises(mcqgen.InvalidArgumentError) as caught:
                        gen.generate(SAMPLE, count, storage=store)
                    self.assertIsInstance(caught.exception, ValueError)
                    self.assertEqual(caught.exception.status, -1)
            with self.assertRaises(ValueError) as caught:
                gen.generate(SAMPLE, 21, storage=store)
            self.assertIn("between 1 and 20, got 21", str(caught.exception))
            with self.assertRaises(TypeError):
                gen.generate(SAMPLE, "3", storage=store)  # type: ignore[arg-type]
            with self.assertRaises(TypeError):
                gen.generate(SAMPLE, True, storage=store)
        self.assertEqual(store.tests(), [])

    def test_unusable_documents_are_invalid(self):
        with offline() as gen:
            for document in ("", "   \n\t ", b"caf\xc3 au lait", b"binary\x00data here",
                             "lone surrogate \udc80"):
                with self.subTest(document=document):
                    with self.assertRaises(mcqgen.InvalidArgumentError):
                        gen.generate(document, 3)
            for document in (12345, None, ["text"]):
                with self.subTest(document=document):
                    with self.assertRaises(TypeError):
                        gen.generate(document, 3)  # type: ignore[arg-type]
            with self.assertRaises(FileNotFoundError):
                gen.generate(self.dir / "no-such-file.txt", 3)

    def test_unusable_configurations_are_invalid(self):
        for options in ({"candidates": 0}, {"max_questions": 5000}, {"model": ""},
                        {"max_tokens": 1}, {"judge_threshold": 2.0}, {"seed": -1},
                        {"max_concurrency": 2**40}, {"connect_timeout": -1.0},
                        {"connect_timeout": float("nan")}, {"model": "\udcff"},
                        {"structured_output": "xml"}, {"seed": 2**64}):
            with self.subTest(options=options):
                with self.assertRaises(mcqgen.InvalidArgumentError):
                    offline(**options)

    def test_configuration_values_of_the_wrong_type_are_type_errors(self):
        for options in ({"candidates": "4"}, {"candidates": 4.0}, {"max_retries": True},
                        {"request_timeout": "30"}, {"judge_threshold": "0.5"},
                        {"seed": 1.5}, {"model": 4}, {"offline": "yes"}):
            with self.subTest(options=options):
                with self.assertRaises(TypeError):
                    offline(**options)
        with self.assertRaises(TypeError):
            mcqgen.Generator("test-key-positional")  # type: ignore[misc]  # keywords only
        with self.assertRaises(TypeError):
            mcqgen.Generator(n_candidates=4)  # type: ignore[call-arg]

    def test_a_bad_environment_variable_is_named(self):
        with mock.patch.dict(os.environ, {"MCQGEN_CONCURRENCY": "lots"}):
            with self.assertRaises(mcqgen.InvalidArgumentError) as caught:
                mcqgen.Generator()
            self.assertIn("MCQGEN_CONCURRENCY", str(caught.exception))

    def test_the_key_never_appears_in_a_message(self):
        key = "test-key-python-SECRET-0123456789"
        with self.assertRaises(mcqgen.InvalidArgumentError) as caught:
            mcqgen.Generator(api_key=key, base_url="ftp://" + key, offline=False)
        self.assertNotIn(key, str(caught.exception))
        self.assertNotIn("SECRET", repr(caught.exception))

    def test_an_unknown_test_id_is_not_found(self):
        store = mcqgen.MemoryStorage()
        for read in (store.test, store.questions):
            with self.subTest(read=read.__name__):
                with self.assertRaises(mcqgen.NotFoundError) as caught:
                    read("no-such-test")
                self.assertIsInstance(caught.exception, LookupError)
                self.assertIn("no-such-test", str(caught.exception))
        self.assertIsNone(store.find_test("no-such-test"))
        with offline() as gen:
            with self.assertRaises(mcqgen.NotFoundError):
                gen.resume("no-such-test", storage=store)
            with self.assertRaises(TypeError):
                gen.resume("no-such-test", store)  # type: ignore[misc]  # storage= only

    def test_a_corrupt_or_foreign_database_is_a_storage_error(self):
        corrupt = self.dir / "corrupt.db"
        corrupt.write_bytes(b"this is not a database " * 200)
        with self.assertRaises(mcqgen.StorageError) as caught:
            mcqgen.SqliteStorage(corrupt)
        self.assertEqual(caught.exception.code, mcqgen.ErrorCode.STORAGE)
        with self.assertRaises(mcqgen.StorageError):
            mcqgen.SqliteStorage(self.dir)  # a directory
        with self.assertRaises(mcqgen.StorageError):
            mcqgen.SqliteStorage(self.dir / "missing" / "dir" / "t.db")
        with self.assertRaises(mcqgen.InvalidArgumentError):
            mcqgen.SqliteStorage("")
        with self.assertRaises(mcqgen.InvalidArgumentError):
            mcqgen.SqliteStorage(str(self.dir / "bad-\udcff.db"))

    def test_a_closed_handle_is_invalid(self):
        gen, store = offline(), mcqgen.MemoryStorage()
        gen.close()
        store.close()
        with self.assertRaises(mcqgen.InvalidArgumentError):
            gen.generate(SAMPLE, 1)
        with self.assertRaises(mcqgen.InvalidArgumentError):
            offline().generate(SAMPLE, 1, storage=store)
        with self.assertRaises(mcqgen.InvalidArgumentError):
            store.tests()
        gen.cancel()  # a no-op once closed

    def test_a_cancelled_run_raises_cancelled_on_request(self):
        with offline() as gen:
            test = gen.generate(SAMPLE, 10, on_progress=lambda p: p.created == 1 and gen.cancel())
        self.assertIs(test.error, mcqgen.ErrorCode.CANCELLED)
        with self.assertRaises(mcqgen.CancelledError) as caught:
            test.raise_for_status()
        self.assertIn("of 10 questions created", str(caught.exception))

    def test_a_refused_connection_is_a_network_failure(self):
        # Nothing listens on port 9 of the loopback (discard, never served in the test box).
        with mcqgen.Generator(api_key="test-key-python", base_url="http://127.0.0.1:9",
                              allow_insecure_http=True, offline=False, max_retries=0,
                              connect_timeout=2) as gen:
            test = gen.generate(SAMPLE, 2)
        self.assertEqual(test.status, mcqgen.Status.FAILED)
        self.assertIs(test.error, mcqgen.ErrorCode.NETWORK)
        with self.assertRaises(mcqgen.NetworkError) as caught:
            test.raise_for_status()
        self.assertIsInstance(caught.exception, ConnectionError)


if __name__ == "__main__":
    unittest.main()
