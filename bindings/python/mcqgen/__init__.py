"""mcqgen: turn a document into a validated multiple-choice test.

A ctypes binding of the mcqgen C library (libmcqgen_c); names as in the C++ API::

    import pathlib
    import mcqgen

    with mcqgen.Generator(candidates=4) as gen, mcqgen.SqliteStorage("tests.db") as store:
        test = gen.generate(pathlib.Path("polity.txt"), 10, storage=store, on_progress=print)
        for q in test.questions:
            print(q.stem, q.options, q.answer)
        print(store.test(test.id).status, [t.id for t in store.tests()])

A document is text when it is a ``str`` (or UTF-8 ``bytes``) and a file when it is an
``os.PathLike``. Claude writes and judges the questions when ``ANTHROPIC_API_KEY`` is set (or
``api_key`` is given); otherwise the offline generator makes them from the document alone.
``Generator`` takes keyword arguments only, one per configuration field; ``Generator.config``
is the configuration in effect.

Threads: ``generate`` and ``resume`` block the calling thread, which also runs the
``on_progress`` callback, one event at a time; Ctrl-C cancels the run, keeps what was stored
and raises KeyboardInterrupt. ``Generator.cancel()`` may be called from any thread. Different
Generators may run on different threads at once; one Generator runs one generation at a time
(BusyError otherwise). Handles may be closed in any order.

The library is found as described in ``mcqgen._lib``: ``MCQGEN_LIBRARY`` first, then the copy
an installed wheel bundles next to this file, then the system loader.

Modules: ``_lib`` (loading), ``_capi`` (the C declarations), ``_errors`` (codes and
exceptions), ``_records`` (Test, Question, Progress, Status, StructuredOutput, QuestionStyle),
``_config`` (Config and the keywords), ``_handles`` (handle leasing, the storages), ``_run``
(the threaded run driver), ``_generator`` (Generator).
"""

from __future__ import annotations

import re
from pathlib import Path

from . import _capi
from ._config import Config
from ._errors import (
    AuthError,
    BadResponseError,
    BusyError,
    CancelledError,
    Error,
    ErrorCode,
    InternalError,
    InvalidArgumentError,
    NetworkError,
    NotFoundError,
    OutOfMemoryError,
    RateLimitError,
    ServerError,
    StorageError,
    TimeoutError,
    TLSError,
)
from ._generator import Document, Generator
from ._handles import MemoryStorage, SqliteStorage, Storage
from ._records import Progress, Question, QuestionStyle, Status, StructuredOutput, Test
from ._run import ProgressCallback

__all__ = [
    "AuthError",
    "BadResponseError",
    "BusyError",
    "CancelledError",
    "Config",
    "Document",
    "Error",
    "ErrorCode",
    "Generator",
    "InternalError",
    "InvalidArgumentError",
    "MemoryStorage",
    "NetworkError",
    "NotFoundError",
    "OutOfMemoryError",
    "Progress",
    "ProgressCallback",
    "Question",
    "QuestionStyle",
    "RateLimitError",
    "ServerError",
    "SqliteStorage",
    "Status",
    "Storage",
    "StorageError",
    "StructuredOutput",
    "TLSError",
    "Test",
    "TimeoutError",
    "__version__",
    "library_path",
    "library_version",
]

#: Where the C library was loaded from.
library_path: str = _capi.library_path


def library_version() -> str:
    """The C library's version, "MAJOR.MINOR.PATCH"."""
    return _capi.mcqgen_version().decode()


def _source_tree_version() -> str:
    # Not installed from a wheel (PYTHONPATH or an editable install): the version of the
    # checkout this package sits in, read as the build backend reads it.
    cmakelists = Path(__file__).resolve().parents[3] / "CMakeLists.txt"
    try:
        match = re.search(r"project\(\s*mcqgen\s+VERSION\s+([0-9][0-9.]*)",
                          cmakelists.read_text(encoding="utf-8"))
    except OSError:
        match = None
    return match.group(1) if match else "0+unknown"


try:
    #: The package's version: the project version, the one in the top CMakeLists.txt.
    from ._version import __version__  # written into the wheel by the build backend
except ImportError:
    __version__ = _source_tree_version()
