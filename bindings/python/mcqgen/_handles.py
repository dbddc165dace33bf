"""C handles owned by Python objects: the leasing base class and the storages."""

from __future__ import annotations

import contextlib
import json
import os
import threading
from ctypes import byref, c_void_p
from typing import Any, Callable, Iterator, Optional, Union

from . import _capi
from ._config import encode
from ._errors import InvalidArgumentError, NotFoundError, raise_last
from ._records import Question, Test


class _Handle:
    """Owns one C handle: released once by close(), a ``with`` block or, last, the collector.

    A run leases the handles it uses; closing a leased handle takes effect when the run ends
    (a Generator's run is cancelled at once), so handles may be closed in any order, from any
    thread, even from an ``on_progress`` callback.
    """

    _handle: Any = None
    _leases = 0
    _closing = False
    _destroy: Callable[[Any], None]
    # Guards leases and closing, for every handle. Reentrant: __del__ may run on a thread that
    # holds it, when a collection happens inside a locked section.
    _lock = threading.RLock()

    def close(self) -> None:
        """Releases the handle (idempotent)."""
        with _Handle._lock:
            self._closing = True
            handle = self._handle if self._leases == 0 else None
            if handle:
                self._handle = None
        if handle:
            type(self)._destroy(handle)

    @property
    def closed(self) -> bool:
        return self._closing or not self._handle

    def _require(self) -> Any:
        if self.closed:
            raise InvalidArgumentError(f"this {type(self).__name__} is closed")
        return self._handle

    @contextlib.contextmanager
    def _leased(self) -> Iterator[Any]:
        with _Handle._lock:
            handle = self._require()
            self._leases += 1
        try:
            yield handle
        finally:
            with _Handle._lock:
                self._leases -= 1
                release = self._closing and self._leases == 0 and self._handle
                if release:
                    self._handle = None
            if release:
                type(self)._destroy(handle)

    def __enter__(self) -> Any:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # at interpreter shutdown the module may already be gone
            pass


class Storage(_Handle):
    """Where tests and questions live (mcqgen::Storage). Use SqliteStorage or MemoryStorage.

    A storage may be shared by several Generators on different threads.
    """

    _destroy = staticmethod(_capi.mcqgen_storage_destroy)

    def _json(self, read: Callable[..., int], *args: Any, handle: Any = None) -> Any:
        handle = handle or self._require()
        out = c_void_p()
        status = read(byref(out), handle, *args)
        if status != _capi.OK:
            raise_last(status, _capi.mcqgen_storage_last_error(handle))
        return json.loads(_capi.owned_string(out))

    def find_test(self, test_id: str) -> Optional[Test]:
        """The test record (without its questions), or None for an unknown id."""
        try:
            return self.test(test_id)
        except NotFoundError:
            return None

    def test(self, test_id: str) -> Test:
        """The test record, without its questions. Raises NotFoundError for an unknown id."""
        data = self._json(_capi.mcqgen_storage_test_json, encode(test_id, "test_id"))
        return Test.from_json(data)

    def questions(self, test_id: str) -> list[Question]:
        """The test's questions ordered by position. Raises NotFoundError for an unknown id."""
        data = self._json(_capi.mcqgen_storage_questions_json, encode(test_id, "test_id"))
        return [Question.from_json(q) for q in data]

    def tests(self) -> list[Test]:
        """Every test, newest first, without questions."""
        return [Test.from_json(t) for t in self._json(_capi.mcqgen_storage_list_json)]

    def _test_with_questions(self, test_id: str, handle: Any) -> Test:
        # One read for both (a consistent pair), on a handle the caller has leased.
        data = self._json(_capi.mcqgen_storage_show_json, encode(test_id, "test_id"),
                          handle=handle)
        return Test.from_json(data["test"], data["questions"])


class SqliteStorage(Storage):
    """A SQLite database file (created if missing; WAL mode; one transaction per question).

    Raises StorageError when the file cannot be opened or written, is not a SQLite database,
    belongs to another program or comes from a newer mcqgen.
    """

    def __init__(self, path: Union[str, "os.PathLike[str]"]) -> None:
        self.path = os.fspath(path)
        handle = _capi.StorageP()
        status = _capi.mcqgen_storage_open_sqlite(byref(handle), encode(path, "path"))
        if status != _capi.OK:
            raise_last(status)
        self._handle = handle

    def __repr__(self) -> str:
        return f"SqliteStorage({self.path!r})"


class MemoryStorage(Storage):
    """Keeps everything in memory for as long as the object lives."""

    def __init__(self) -> None:
        handle = _capi.StorageP()
        status = _capi.mcqgen_storage_create_memory(byref(handle))
        if status != _capi.OK:
            raise_last(status)
        self._handle = handle
