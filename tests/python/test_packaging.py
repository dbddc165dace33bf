"""The build backend without compiling: one version (the project's), metadata in step with
pyproject.toml, and the wheel layout. Building and installing a real wheel is the
python.pip_install_venv test (label packaging)."""

from __future__ import annotations

import email.parser
import importlib.util
import sys
import zipfile
from pathlib import Path

import mcqgen
from support import ROOT, TempDirTest

PACKAGE_DIR = ROOT / "bindings" / "python"


def load_backend():
    spec = importlib.util.spec_from_file_location(
        "mcqgen_build", PACKAGE_DIR / "build_backend" / "mcqgen_build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class BackendTest(TempDirTest):
    def setUp(self) -> None:
        super().setUp()
        self.backend = load_backend()

    def test_one_version_the_project_s(self):
        version = self.backend.project_version()
        self.assertEqual(version, mcqgen.library_version())
        self.assertEqual(mcqgen.__version__, version)

    def test_metadata_matches_pyproject(self):
        if sys.version_info < (3, 11):
            self.skipTest("tomllib needs Python 3.11")
        import tomllib

        project = tomllib.loads((PACKAGE_DIR / "pyproject.toml").read_text("utf-8"))["project"]
        self.assertEqual(project["dynamic"], ["version"])
        name = self.backend.prepare_metadata_for_build_wheel(str(self.dir))
        metadata = email.parser.Parser().parsestr((self.dir / name / "METADATA").read_text())
        self.assertEqual(metadata["Name"], project["name"])
        self.assertEqual(metadata["Version"], self.backend.project_version())
        self.assertEqual(metadata["Summary"], project["description"])
        self.assertEqual(metadata["License-Expression"], project["license"])
        self.assertIsNone(metadata["License"])  # excluded by License-Expression (metadata 2.4)
        self.assertEqual(metadata["License-File"], "LICENSE")
        self.assertEqual(metadata["Requires-Python"], project["requires-python"])
        wheel = (self.dir / name / "WHEEL").read_text()
        self.assertIn("Root-Is-Purelib: false", wheel)
        self.assertRegex(wheel, r"Tag: py3-none-linux_\w+")

    def test_an_editable_wheel_points_at_the_source_tree(self):
        filename = self.backend.build_editable(str(self.dir))
        with zipfile.ZipFile(self.dir / filename) as wheel:
            pth = wheel.read("_mcqgen_editable.pth").decode().strip()
            dist_info = f"mcqgen-{mcqgen.__version__}.dist-info"
            record = wheel.read(f"{dist_info}/RECORD").decode()
            licence = wheel.read(f"{dist_info}/licenses/LICENSE")
        self.assertEqual(Path(pth), PACKAGE_DIR)
        self.assertIn("_mcqgen_editable.pth,sha256=", record)
        self.assertIn(f"{dist_info}/licenses/LICENSE,sha256=", record)
        self.assertEqual(licence, (ROOT / "LICENSE").read_bytes())

    def test_the_cmake_settings_come_from_config_settings_or_the_environment(self):
        setting = self.backend._setting
        self.assertEqual(setting({"jobs": "3"}, "jobs", "MCQGEN_TEST_UNSET_VARIABLE"), "3")
        self.assertEqual(setting({"cmake-args": ["-DA=1", "-DB=2"]}, "cmake-args", "X"),
                         "-DA=1 -DB=2")
        self.assertIsNone(setting(None, "jobs", "MCQGEN_TEST_UNSET_VARIABLE"))
