"""Handles, the library and its loading: close/with/__del__, destroy order, memory over many
create/destroy cycles, struct mirrors, the exported symbols, and where the library is found."""

from __future__ import annotations

import ctypes
import dataclasses
import gc
import os
import shutil
import subprocess
import sys
import unittest
from pathlib import Path
from unittest import mock

import mcqgen
from mcqgen import _capi, _lib
from support import SAMPLE, TempDirTest, offline

LIBRARY = Path(os.environ.get("MCQGEN_LIBRARY", _capi.library_path))


def resident_kib() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS in /proc/self/status")


class LibraryTest(unittest.TestCase):
    def test_struct_mirrors_match_the_library(self):
        mirrors = {struct for struct, _ in _capi.STRUCT_SIZES}
        self.assertEqual(mirrors, {_capi.Config, _capi.ProgressEvent, _capi.RunOptions,
                                   _capi.RunResult})
        for struct, size in _capi.STRUCT_SIZES:
            with self.subTest(struct=struct.__name__):
                self.assertEqual(ctypes.sizeof(struct), size())

    def test_versions(self):
        self.assertEqual(_capi.mcqgen_abi_version(), _lib.ABI_VERSION)
        self.assertRegex(mcqgen.library_version(), r"^\d+\.\d+\.\d+$")
        self.assertEqual(mcqgen.__version__, mcqgen.library_version())

    def test_config_defaults_come_from_the_library(self):
        config = _capi.Config()
        self.assertEqual(_capi.mcqgen_config_init(ctypes.byref(config), _capi.CONFIG_VERSION),
                         _capi.OK)
        self.assertEqual((config.max_questions, config.candidates), (20, 4))
        self.assertIsNone(config.api_key)
        self.assertEqual(config.base_url, b"https://api.anthropic.com")
        self.assertEqual(
            _capi.mcqgen_config_init(ctypes.byref(config), _capi.CONFIG_VERSION + 1), -1)
        self.assertIn(b"MCQGEN_CONFIG_VERSION", _capi.mcqgen_last_error())

    def test_run_options_defaults_come_from_the_library(self):
        options = _capi.RunOptions()
        status = _capi.mcqgen_run_options_init(ctypes.byref(options), _capi.RUN_OPTIONS_VERSION)
        self.assertEqual(status, _capi.OK)
        self.assertEqual(options.version, _capi.RUN_OPTIONS_VERSION)
        self.assertFalse(options.on_progress)
        self.assertIsNone(options.user_data)

    @unittest.skipUnless(shutil.which("nm"), "needs nm")
    def test_only_mcqgen_symbols_are_exported(self):
        listing = subprocess.run(["nm", "-D", "--defined-only", str(LIBRARY)],
                                 capture_output=True, text=True, check=True).stdout
        names = [line.split()[-1].split("@")[0] for line in listing.splitlines() if line.strip()]
        linker = {"_init", "_fini", "_edata", "_end", "__bss_start"}
        self.assertEqual([n for n in names if not n.startswith("mcqgen_") and n not in linker], [])
        for name in ("mcqgen_generate", "mcqgen_generate_start", "mcqgen_storage_show_json"):
            self.assertIn(name, names)


class HandleTest(TempDirTest):
    def test_close_is_idempotent_and_with_closes(self):
        with offline() as gen, mcqgen.MemoryStorage() as store:
            self.assertFalse(gen.closed)
            gen.generate(SAMPLE, 1, storage=store)
        self.assertTrue(gen.closed and store.closed)
        gen.close()
        store.close()
        storage = mcqgen.SqliteStorage(self.dir / "t.db")
        storage.close()
        storage.close()

    def test_collected_handles_are_released_once(self):
        destroyed: list[int] = []

        def address(handle) -> int:
            return ctypes.cast(handle, ctypes.c_void_p).value

        def counting(destroy):
            def wrapper(handle):
                destroyed.append(address(handle))
                destroy(handle)
            return staticmethod(wrapper)

        created: dict[str, list[int]] = {"generator": [], "storage": []}
        gc.collect()  # what earlier tests left is not counted
        with mock.patch.object(mcqgen.Storage, "_destroy",
                               counting(_capi.mcqgen_storage_destroy)), \
                mock.patch.object(mcqgen.Generator, "_destroy",
                                  counting(_capi.mcqgen_generator_destroy)):
            for _ in range(50):
                # Each object is dropped at once: its __del__ releases the handle.
                created["generator"].append(address(offline()._handle))
                created["storage"].append(address(mcqgen.MemoryStorage()._handle))
                created["storage"].append(
                    address(mcqgen.SqliteStorage(self.dir / "gc.db")._handle))
                self.assertEqual(destroyed[-3:], [created["generator"][-1]] +
                                 created["storage"][-2:])
            closed = mcqgen.MemoryStorage()
            created["storage"].append(address(closed._handle))
            closed.close()
            del closed  # closed already: the collector must not destroy it again
            gc.collect()
        mine = created["generator"] + created["storage"]
        self.assertEqual(len(mine), 151)
        self.assertEqual(sorted(a for a in destroyed if a in mine), sorted(mine))

    def test_handles_may_be_closed_in_any_order_during_a_run(self):
        db = self.dir / "order.db"
        gen, store = offline(), mcqgen.SqliteStorage(db)

        def close_everything(p: mcqgen.Progress) -> None:
            if p.created == 2 and p.question:
                store.close()  # the run keeps the storage open until it ends
                gen.close()    # cancels the run

        test = gen.generate(SAMPLE, 15, storage=store, on_progress=close_everything)
        self.assertTrue(gen.closed and store.closed)
        self.assertEqual(test.status, mcqgen.Status.PARTIAL)
        self.assertEqual(test.error, mcqgen.ErrorCode.CANCELLED)
        self.assertEqual(test.questions_generated, 2)
        self.assertEqual(len(test.questions), 2)  # read back before the storage was released
        with self.assertRaises(mcqgen.InvalidArgumentError):
            store.tests()
        with mcqgen.SqliteStorage(db) as reopened:
            self.assertEqual(reopened.test(test.id), dataclasses.replace(test, questions=[]))
            self.assertEqual(reopened.questions(test.id), test.questions)

    @unittest.skipIf(os.environ.get("MCQGEN_SANITIZED"), "sanitizers keep freed memory")
    def test_memory_does_not_grow_over_1000_create_destroy_cycles(self):
        db = self.dir / "churn.db"

        def cycle() -> None:
            gen = offline()
            memory = mcqgen.MemoryStorage()
            sqlite = mcqgen.SqliteStorage(db)
            sqlite.close()
            memory.close()
            gen.close()

        for _ in range(100):  # warm-up: allocator pools, SQLite page cache, Python caches
            cycle()
        gc.collect()
        before = resident_kib()
        for _ in range(1000):
            cycle()
        gc.collect()
        growth = resident_kib() - before
        self.assertLess(growth, 2048, f"resident memory grew by {growth} KiB")


class LoadingTest(TempDirTest):
    """Each case imports the package in a fresh interpreter with its own environment."""

    def import_in_subprocess(self, env_changes: dict[str, str | None], cwd: Path | None = None
                             ) -> subprocess.CompletedProcess[str]:
        env = dict(os.environ)
        for name, value in env_changes.items():
            if value is None:
                env.pop(name, None)
            else:
                env[name] = value
        return subprocess.run([sys.executable, "-c", "import mcqgen; print(mcqgen.library_path)"],
                              capture_output=True, text=True, env=env, cwd=cwd, timeout=60)

    def test_mcqgen_library_wins_and_a_bad_one_is_reported(self):
        missing = str(self.dir / "libmcqgen_c.so.0")
        result = self.import_in_subprocess({"MCQGEN_LIBRARY": missing})
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("ImportError", result.stderr)
        self.assertIn(missing, result.stderr)
        self.assertIn("MCQGEN_LIBRARY", result.stderr)

    def test_the_package_directory_then_the_system_loader(self):
        package = self.dir / "site" / "mcqgen"
        shutil.copytree(Path(mcqgen.__file__).parent, package)
        pythonpath = str(package.parent)
        # Nothing anywhere: every place tried is listed.
        result = self.import_in_subprocess({"MCQGEN_LIBRARY": None, "PYTHONPATH": pythonpath,
                                            "LD_LIBRARY_PATH": None})
        self.assertNotEqual(result.returncode, 0)
        for place in _lib.library_names():
            self.assertIn(str(package / place), result.stderr)
            self.assertIn(place, result.stderr)
        # The system loader, through LD_LIBRARY_PATH.
        result = self.import_in_subprocess({"MCQGEN_LIBRARY": None, "PYTHONPATH": pythonpath,
                                            "LD_LIBRARY_PATH": str(LIBRARY.parent)})
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout.strip(), _lib.library_names()[0])
        # A copy next to the package comes first.
        shutil.copy(LIBRARY, package / _lib.library_names()[0])
        result = self.import_in_subprocess({"MCQGEN_LIBRARY": None, "PYTHONPATH": pythonpath,
                                            "LD_LIBRARY_PATH": str(LIBRARY.parent)})
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout.strip(), str(package / _lib.library_names()[0]))


if __name__ == "__main__":
    unittest.main()
