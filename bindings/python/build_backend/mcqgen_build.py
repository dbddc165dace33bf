"""A PEP 517 build backend for the mcqgen package, in the standard library only.

The package is pure Python, so a wheel is a zip of its files plus metadata. Keeping the backend
in the tree means `pip install ./bindings/python` needs nothing from a package index, which
matters on machines with no index to reach.
"""

import base64
import hashlib
import os
import zipfile
from pathlib import Path

NAME = "mcqgen"
VERSION = "0.1.0"
ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / NAME
TAG = "py3-none-any"

METADATA = f"""Metadata-Version: 2.1
Name: {NAME}
Version: {VERSION}
Summary: Turn a document into a validated multiple-choice test (ctypes binding of libmcqgen_c)
Requires-Python: >=3.9
Classifier: Programming Language :: Python :: 3
Classifier: Operating System :: POSIX :: Linux
Classifier: Typing :: Typed

Python binding of the mcqgen C library. Set MCQGEN_LIBRARY to the path of libmcqgen_c.so, or
install the library where the system loader finds it.
"""

WHEEL = f"""Wheel-Version: 1.0
Generator: mcqgen_build
Root-Is-Purelib: true
Tag: {TAG}
"""


def _package_files():
    """The files a wheel ships: modules, the typing marker, and a bundled C library if any."""
    for path in sorted(PACKAGE.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and not path.name.endswith(".pyc"):
            yield path, f"{NAME}/{path.relative_to(PACKAGE).as_posix()}"


def _record_line(arcname, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{arcname},sha256={digest},{len(data)}"


def _write_wheel(wheel_directory, entries):
    dist_info = f"{NAME}-{VERSION}.dist-info"
    entries = list(entries) + [(f"{dist_info}/METADATA", METADATA.encode()),
                               (f"{dist_info}/WHEEL", WHEEL.encode())]
    record = [_record_line(name, data) for name, data in entries] + [f"{dist_info}/RECORD,,"]
    entries.append((f"{dist_info}/RECORD", ("\n".join(record) + "\n").encode()))
    filename = f"{NAME}-{VERSION}-{TAG}.whl"
    with zipfile.ZipFile(os.path.join(wheel_directory, filename), "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries:
            zf.writestr(name, data)
    return filename


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_editable(config_settings=None):
    return []


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    return _write_wheel(wheel_directory,
                        ((arcname, path.read_bytes()) for path, arcname in _package_files()))


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    # A .pth file puts the source tree on sys.path: edits take effect without reinstalling.
    return _write_wheel(wheel_directory, [(f"_{NAME}_editable.pth", f"{ROOT}\n".encode())])
