"""A PEP 517 build backend for the mcqgen package, in the standard library only.

A wheel is the package's Python files plus the C library, libmcqgen_c, built for it here: the
backend configures the repository (two levels above bindings/python) with CMake into a
temporary directory, with tests, examples, benchmarks and install rules off, builds the
``mcqgen_c`` target and puts ``libmcqgen_c.so.0`` into the wheel's ``mcqgen/`` directory, where
``mcqgen._lib`` looks first after MCQGEN_LIBRARY. So the wheel is platform-specific
(``py3-none-<platform>``; ctypes needs no Python ABI) and ``pip install ./bindings/python``
compiles the core: minutes, not seconds. It needs what the C++ build needs (CMake, a compiler,
the Boost, OpenSSL and SQLite development packages: scripts/install-deps.sh) and nothing from a
package index, so it works offline.

Settings, as ``pip install --config-settings KEY=VALUE`` or else from the environment:

    cmake-args  MCQGEN_CMAKE_ARGS  extra CMake configure arguments, split as a shell would
                                   ("-DCMAKE_CXX_COMPILER=clang++ -G Ninja")
    jobs        MCQGEN_JOBS        build parallelism (default: the number of CPUs)

An editable install (``pip install -e``) builds nothing: it puts bindings/python on sys.path,
and the library comes from MCQGEN_LIBRARY or the system loader, as for PYTHONPATH use.

The version is the project's, ``project(mcqgen VERSION ...)`` in the top CMakeLists.txt; it is
written into the wheel as ``mcqgen/_version.py`` too.
"""

import base64
import glob
import hashlib
import os
import re
import shlex
import subprocess
import sys
import sysconfig
import tempfile
import zipfile
from pathlib import Path

NAME = "mcqgen"
ROOT = Path(__file__).resolve().parent.parent  # bindings/python
REPOSITORY = ROOT.parent.parent
PACKAGE = ROOT / NAME
LIBRARY = "libmcqgen_c.so.0"  # the SONAME mcqgen._lib loads first on Linux
LICENSE = REPOSITORY / "LICENSE"
CMAKE_OPTIONS = [
    "-DCMAKE_BUILD_TYPE=Release",
    "-DMCQGEN_BUILD_TESTS=OFF",
    "-DMCQGEN_BUILD_EXAMPLES=OFF",
    "-DMCQGEN_BUILD_BENCH=OFF",
    "-DMCQGEN_INSTALL=OFF",
    "-DMCQGEN_BUILD_CAPI=ON",
]


def project_version():
    """The project version from the top CMakeLists.txt, the one place it is written."""
    text = (REPOSITORY / "CMakeLists.txt").read_text(encoding="utf-8")
    match = re.search(r"project\(\s*mcqgen\s+VERSION\s+([0-9][0-9.]*)", text)
    if not match:
        raise RuntimeError(f"no `project(mcqgen VERSION ...)` in {REPOSITORY / 'CMakeLists.txt'}")
    return match.group(1)


def _license(config_settings):
    """mcqgen is MIT; a library built with its PDF reader (poppler) is GPL-2.0-or-later."""
    extra = _setting(config_settings, "cmake-args", "MCQGEN_CMAKE_ARGS") or ""
    return "MIT" if "-DMCQGEN_WITH_PDF=OFF" in shlex.split(extra) else "GPL-2.0-or-later"


def _metadata(version, config_settings):
    # Metadata 2.4 for License-Expression and License-File (PEP 639); the expression excludes
    # the old License field.
    return f"""Metadata-Version: 2.4
Name: {NAME}
Version: {version}
Summary: Turn a document into a validated multiple-choice test (ctypes binding of libmcqgen_c)
License-Expression: {_license(config_settings)}
License-File: {LICENSE.name}
Requires-Python: >=3.9
Classifier: Programming Language :: Python :: 3
Classifier: Operating System :: POSIX :: Linux
Classifier: Typing :: Typed

Python binding of the mcqgen C library. The wheel bundles libmcqgen_c, built from the same
checkout; MCQGEN_LIBRARY, when set, names another copy to load instead. mcqgen's own code is
MIT (LICENSE); a libmcqgen_c built with its PDF reader links poppler, so such a wheel is
GPL-2.0-or-later as a whole.
"""


def _platform_tag():
    return re.sub(r"[^A-Za-z0-9]", "_", sysconfig.get_platform())


def _wheel_file(tag, purelib):
    return f"""Wheel-Version: 1.0
Generator: mcqgen_build
Root-Is-Purelib: {"true" if purelib else "false"}
Tag: {tag}
"""


def _setting(config_settings, key, variable):
    value = (config_settings or {}).get(key)
    if isinstance(value, list):  # given more than once
        value = " ".join(value)
    return value if value is not None else os.environ.get(variable)


def _run(command):
    print("mcqgen_build:", shlex.join(command), file=sys.stderr, flush=True)
    # Build output goes to stderr: pip shows it on failure, or always with -v.
    subprocess.run(command, check=True, stdout=sys.stderr)


def _build_library(config_settings, build_dir):
    """Configures and builds mcqgen_c in build_dir; returns the path of the library."""
    extra = shlex.split(_setting(config_settings, "cmake-args", "MCQGEN_CMAKE_ARGS") or "")
    jobs = _setting(config_settings, "jobs", "MCQGEN_JOBS") or str(os.cpu_count() or 1)
    if not jobs.isdigit() or int(jobs) < 1:
        raise ValueError(f"jobs / MCQGEN_JOBS must be a positive number, not {jobs!r}")
    _run(["cmake", "-S", str(REPOSITORY), "-B", str(build_dir), *CMAKE_OPTIONS, *extra])
    _run(["cmake", "--build", str(build_dir), "--target", "mcqgen_c", "--parallel", jobs])
    found = glob.glob(os.path.join(glob.escape(str(build_dir)), "**", LIBRARY), recursive=True)
    if len(found) != 1:
        raise RuntimeError(f"expected one {LIBRARY} in {build_dir}, found {found}")
    return Path(found[0]).resolve()  # the real file, not the SONAME link


def _package_files():
    """The package's own files: modules and the typing marker (no stray library copy)."""
    for path in sorted(PACKAGE.rglob("*")):
        if (path.is_file() and "__pycache__" not in path.parts
                and not path.name.endswith(".pyc") and not path.name.startswith("libmcqgen_c")
                and path.name != "_version.py"):
            yield f"{NAME}/{path.relative_to(PACKAGE).as_posix()}", path.read_bytes()


def _record_line(arcname, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{arcname},sha256={digest},{len(data)}"


def _dist_info(version):
    return f"{NAME}-{version}.dist-info"


def _write_wheel(wheel_directory, entries, tag, purelib, config_settings):
    version = project_version()
    dist_info = _dist_info(version)
    entries = list(entries) + [(f"{dist_info}/METADATA", _metadata(version, config_settings).encode()),
                               (f"{dist_info}/WHEEL", _wheel_file(tag, purelib).encode()),
                               (f"{dist_info}/licenses/{LICENSE.name}", LICENSE.read_bytes())]
    record = [_record_line(name, data) for name, data in entries] + [f"{dist_info}/RECORD,,"]
    entries.append((f"{dist_info}/RECORD", ("\n".join(record) + "\n").encode()))
    filename = f"{NAME}-{version}-{tag}.whl"
    with zipfile.ZipFile(os.path.join(wheel_directory, filename), "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            # Keep the executable bit of the library; everything else rw-r--r--.
            mode = 0o755 if name.endswith(LIBRARY) else 0o644
            info.external_attr = (0o100000 | mode) << 16
            zf.writestr(info, data)
    return filename


# ---- PEP 517 hooks -----------------------------------------------------------------------------


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_editable(config_settings=None):
    return []


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    # Cheap, so pip learns name and version without compiling; build_wheel compiles once.
    version = project_version()
    directory = Path(metadata_directory) / _dist_info(version)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "METADATA").write_text(_metadata(version, config_settings), encoding="utf-8")
    (directory / "WHEEL").write_text(_wheel_file(f"py3-none-{_platform_tag()}", False),
                                     encoding="utf-8")
    return directory.name


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    with tempfile.TemporaryDirectory(prefix="mcqgen-wheel-") as build_dir:
        library = _build_library(config_settings, Path(build_dir))
        entries = list(_package_files())
        entries.append((f"{NAME}/_version.py",
                        f'__version__ = "{project_version()}"\n'.encode()))
        entries.append((f"{NAME}/{LIBRARY}", library.read_bytes()))
        return _write_wheel(wheel_directory, entries, f"py3-none-{_platform_tag()}", False,
                            config_settings)


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    # A .pth file puts the source tree on sys.path: edits take effect without reinstalling.
    return _write_wheel(wheel_directory, [(f"_{NAME}_editable.pth", f"{ROOT}\n".encode())],
                        "py3-none-any", True, config_settings)
