"""Run by pip_install_venv.sh with the virtual environment's Python, from outside the source
tree: the installed mcqgen loads the library bundled in its wheel and generates offline.

usage: python -I installed_check.py DOCUMENT DATABASE
"""

from __future__ import annotations

import importlib.metadata
import sys
import unittest
from pathlib import Path

DOCUMENT, DATABASE = (Path(arg) for arg in sys.argv[1:3])


class InstalledPackageTest(unittest.TestCase):
    def test_loads_the_library_bundled_in_the_environment(self):
        import mcqgen

        prefix = Path(sys.prefix).resolve()
        self.assertNotEqual(prefix, Path(sys.base_prefix).resolve(), "not in a venv")
        package = Path(mcqgen.__file__).resolve().parent
        self.assertTrue(package.is_relative_to(prefix), package)
        self.assertEqual(Path(mcqgen.library_path).resolve().parent, package)
        with open("/proc/self/maps", encoding="utf-8") as maps:
            mapped = {line.split()[-1] for line in maps if "libmcqgen_c" in line}
        self.assertEqual(len(mapped), 1, mapped)
        self.assertTrue(Path(mapped.pop()).is_relative_to(prefix))

    def test_metadata_and_versions(self):
        import mcqgen

        self.assertEqual(mcqgen.__version__, mcqgen.library_version())
        self.assertEqual(importlib.metadata.version("mcqgen"), mcqgen.__version__)
        distribution = importlib.metadata.distribution("mcqgen")
        # The bundled library carries the PDF reader (poppler): GPL-2.0-or-later as a whole.
        self.assertEqual(distribution.metadata["License-Expression"], "GPL-2.0-or-later")
        self.assertIn("MIT License", distribution.read_text("licenses/LICENSE") or "")
        wheel = distribution.read_text("WHEEL") or ""
        self.assertIn("Root-Is-Purelib: false", wheel)
        self.assertRegex(wheel, r"Tag: py3-none-linux_\w+")

    def test_generates_offline_into_sqlite(self):
        import mcqgen

        with mcqgen.Generator(offline=True, seed=1) as gen, \
                mcqgen.SqliteStorage(DATABASE) as store:
            test = gen.generate(DOCUMENT, 3, storage=store)
            self.assertEqual(test.status, mcqgen.Status.COMPLETED, test.message)
            self.assertEqual(len(test.questions), 3)
            self.assertEqual(store.test(test.id).questions_generated, 3)
            self.assertEqual(store.questions(test.id), test.questions)
        with mcqgen.SqliteStorage(DATABASE) as reopened:
            self.assertEqual([t.id for t in reopened.tests()], [test.id])
        print(f"{test.status.value}: {test.message} ({mcqgen.library_path})")


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
