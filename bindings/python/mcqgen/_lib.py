"""Finding and loading the C library, libmcqgen_c.

Search order: the ``MCQGEN_LIBRARY`` environment variable (a full path; when set, nothing else
is tried), then this package's own directory (where a wheel built by ``pip install
./bindings/python`` bundles it), then the system loader (``LD_LIBRARY_PATH``, the
ld.so cache, ...) by the library's versioned and plain names. Loading has no other effect.
"""

from __future__ import annotations

import ctypes
import os
import sys

#: The ABI this package is written against: libmcqgen_c.so.ABI_VERSION.
ABI_VERSION = 0

#: Environment variable naming the library to load.
LIBRARY_ENV = "MCQGEN_LIBRARY"


def library_names(abi: int = ABI_VERSION) -> list[str]:
    """The file names of the library on this platform, most specific first."""
    if sys.platform == "darwin":
        return [f"libmcqgen_c.{abi}.dylib", "libmcqgen_c.dylib"]
    if sys.platform == "win32":
        return ["mcqgen_c.dll"]
    return [f"libmcqgen_c.so.{abi}", "libmcqgen_c.so"]


def candidates() -> list[str]:
    """Every place load() tries, in order."""
    override = os.environ.get(LIBRARY_ENV)
    if override:
        return [override]
    here = os.path.dirname(os.path.abspath(__file__))
    names = library_names()
    return [os.path.join(here, name) for name in names] + names


def load() -> tuple[ctypes.CDLL, str]:
    """Loads the library; returns it with the path or name it was found by.

    Raises ImportError listing every place tried (and why each failed).
    """
    tried: list[str] = []
    for candidate in candidates():
        if os.path.dirname(candidate) and not os.path.exists(candidate):
            tried.append(f"{candidate}: no such file")
            continue
        try:
            return ctypes.CDLL(candidate), candidate
        except OSError as exc:
            tried.append(f"{candidate}: {exc}")
    raise ImportError(
        "mcqgen: cannot load the C library libmcqgen_c. Tried:\n  "
        + "\n  ".join(tried)
        + f"\nInstall the package with pip (which builds and bundles the library), or build it "
        f"(target mcqgen_c) and set {LIBRARY_ENV} to its full path, copy it into the mcqgen "
        "package directory, or install it where the system loader finds it."
    )
