"""mcqgen: turn a document into a validated multiple-choice test.

A ctypes binding of the mcqgen C library (libmcqgen_c)::

    import mcqgen

    with mcqgen.Generator() as gen, mcqgen.SqliteStorage("tests.db") as store:
        test = gen.generate("polity.txt", 10, storage=store, on_progress=print)
        for q in test.questions:
            print(q.stem, q.options, q.answer)

Claude writes and judges the questions when ``ANTHROPIC_API_KEY`` is set (or ``api_key`` is
given); otherwise the offline generator makes them from the document alone.

Threads: ``generate`` and ``resume`` block the calling thread, which also runs the
``on_progress`` callback, one event at a time; Ctrl-C cancels the run, keeps what was stored
and raises KeyboardInterrupt. ``Generator.cancel()`` may be called from any thread. Different
Generators may run on different threads at once; one Generator runs one generation at a time.
The library is found as described in ``mcqgen._lib`` (``MCQGEN_LIBRARY`` first).
"""

from __future__ import annotations

import contextlib
import dataclasses
import enum
import json
import os
import queue
import threading
from ctypes import byref, c_void_p
from typing import Any, Callable, Iterator, Optional, Union

from . import _capi
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
    error_for_name,
    error_for_status,
)

__all__ = [
    "AuthError",
    "BadResponseError",
    "BusyError",
    "CancelledError",
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
    "Question",
    "RateLimitError",
    "ServerError",
    "SqliteStorage",
    "Status",
    "Storage",
    "StorageError",
    "TLSError",
    "Test",
    "TimeoutError",
    "library_path",
    "library_version",
]

__version__ = _capi.mcqgen_version().decode()

#: Where the C library was loaded from.
library_path: str = _capi.library_path

_INT32_MAX = 2**31 - 1


def library_version() -> str:
    """The C library's version, "MAJOR.MINOR.PATCH"."""
    return _capi.mcqgen_version().decode()


# ---- Records ----------------------------------------------------------------------------------


class Status(str, enum.Enum):
    """The lifecycle of a test."""

    GENERATING = "generating"
    COMPLETED = "completed"
    PARTIAL = "partial"  #: fewer questions than asked; ``Test.message`` says why
    FAILED = "failed"  #: no question could be made


@dataclasses.dataclass
class Question:
    """One accepted multiple-choice question (fields as in the JSON the library writes)."""

    id: int
    position: int  #: 0-based place in its test
    stem: str
    options: list[str]  #: A-D
    answer_index: int  #: the key, 0..3
    explanation: str
    source_quote: str  #: the document's sentence(s) backing the key
    score: float  #: the judge's score, 0..1
    style: str
    difficulty: str

    @property
    def answer(self) -> str:
        """The text of the correct option."""
        return self.options[self.answer_index]

    @property
    def answer_letter(self) -> str:
        """"A", "B", "C" or "D"."""
        return "ABCD"[self.answer_index]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Question:
        return cls(**_known_fields(cls, data))


@dataclasses.dataclass
class Test:
    """A generation request and its outcome, as stored.

    ``questions`` is filled by ``Generator.generate``/``resume`` and ``Storage.show``; it is
    empty from ``Storage.status`` and ``Storage.list_tests``.
    """

    __test__ = False  # not a test case, whatever a test runner thinks of the name

    id: str
    status: Status
    target_questions: int
    questions_generated: int
    progress: float
    message: str
    error: Optional[str]  #: the dominant failure's code name ("rate_limited", ...), or None
    input_tokens: int = 0
    output_tokens: int = 0
    cache_creation_input_tokens: int = 0
    cache_read_input_tokens: int = 0
    requests: int = 0
    estimated_cost_usd: float = 0.0
    candidates_generated: int = 0
    candidates_rejected: int = 0
    rejections: dict[str, int] = dataclasses.field(default_factory=dict)
    seed: int = 0
    provider: str = ""
    created_at: str = ""
    updated_at: str = ""
    questions: list[Question] = dataclasses.field(default_factory=list)

    @classmethod
    def from_json(cls, data: dict[str, Any], questions: Optional[list[Any]] = None) -> Test:
        fields = _known_fields(cls, data)
        fields["status"] = Status(fields["status"])
        fields["seed"] = int(fields.get("seed", 0))
        fields["questions"] = [Question.from_json(q) for q in questions or []]
        return cls(**fields)

    def raise_for_status(self) -> None:
        """Raises the mapped mcqgen.Error when the run ended short because of a failure
        (a partial or failed test with an ``error``); does nothing otherwise."""
        if self.error and self.status in (Status.PARTIAL, Status.FAILED):
            raise error_for_name(self.error, self.message)


@dataclasses.dataclass(frozen=True)
class Progress:
    """A progress event: when a run starts, after each question is stored, when it ends."""

    test_id: str
    created: int  #: questions stored so far
    target: int  #: questions asked for
    fraction: float  #: created / target
    message: str  #: "3 of 10 questions created"
    status: Status
    question: Optional[Question]  #: the question just stored, or None

    @classmethod
    def _from_c(cls, event: _capi.ProgressEvent) -> Progress:
        question = None
        if event.question_json:
            question = Question.from_json(json.loads(event.question_json.decode("utf-8")))
        return cls(
            test_id=_capi.text(event.test_id),
            created=event.created,
            target=event.target,
            fraction=event.fraction,
            message=_capi.text(event.message),
            status=Status(_capi.TEST_STATUS_NAMES.get(event.status, "generating")),
            question=question,
        )


def _known_fields(cls: type, data: dict[str, Any]) -> dict[str, Any]:
    # Fields a newer library adds are ignored rather than breaking older bindings.
    names = {f.name for f in dataclasses.fields(cls)}
    return {key: value for key, value in data.items() if key in names}


# ---- Handles ----------------------------------------------------------------------------------


def _encode(value: Union[str, "os.PathLike[str]"], what: str) -> bytes:
    text = os.fspath(value)
    if isinstance(text, bytes):
        return text
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InvalidArgumentError(f"{what} is not valid UTF-8: {exc}") from None


def _raise_last(status: int, handle_error: Optional[bytes] = None) -> None:
    """Raises the exception for a failed call; the message comes from the handle if it has one,
    else from this thread's last error (read on the thread that made the call)."""
    message = handle_error if handle_error else _capi.mcqgen_last_error()
    raise error_for_status(status, _capi.text(message))


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
    """Where tests and questions live. Use SqliteStorage or MemoryStorage.

    A storage may be shared by several Generators on different threads.
    """

    _destroy = staticmethod(_capi.mcqgen_storage_destroy)

    def _json(self, read: Callable[..., int], *args: Any, handle: Any = None) -> Any:
        handle = handle or self._require()
        out = c_void_p()
        status = read(handle, *args, byref(out))
        if status != _capi.OK:
            _raise_last(status, _capi.mcqgen_storage_last_error(handle))
        return json.loads(_capi.owned_string(out))

    def status(self, test_id: str) -> Test:
        """The test record, without its questions. Raises NotFoundError for an unknown id."""
        data = self._json(_capi.mcqgen_storage_test_json, _encode(test_id, "test_id"))
        return Test.from_json(data)

    def show(self, test_id: str) -> Test:
        """The test record with its questions. Raises NotFoundError for an unknown id."""
        return self._show(test_id)

    def _show(self, test_id: str, handle: Any = None) -> Test:
        data = self._json(_capi.mcqgen_storage_show_json, _encode(test_id, "test_id"),
                          handle=handle)
        return Test.from_json(data["test"], data["questions"])

    def questions(self, test_id: str) -> list[Question]:
        """The test's questions ordered by position."""
        data = self._json(_capi.mcqgen_storage_questions_json, _encode(test_id, "test_id"))
        return [Question.from_json(q) for q in data]

    def list_tests(self) -> list[Test]:
        """Every test, newest first, without questions."""
        return [Test.from_json(t) for t in self._json(_capi.mcqgen_storage_list_json)]


class SqliteStorage(Storage):
    """A SQLite database file (created if missing; WAL mode; one transaction per question).

    Raises StorageError when the file cannot be opened or written, is not a SQLite database,
    belongs to another program or comes from a newer mcqgen.
    """

    def __init__(self, path: Union[str, "os.PathLike[str]"]) -> None:
        self.path = os.fspath(path)
        handle = _capi.StorageP()
        status = _capi.mcqgen_storage_open_sqlite(byref(handle), _encode(path, "path"))
        if status != _capi.OK:
            _raise_last(status)
        self._handle = handle

    def __repr__(self) -> str:
        return f"SqliteStorage({self.path!r})"


class MemoryStorage(Storage):
    """Keeps everything in memory for as long as the object lives."""

    def __init__(self) -> None:
        handle = _capi.StorageP()
        status = _capi.mcqgen_storage_create_memory(byref(handle))
        if status != _capi.OK:
            _raise_last(status)
        self._handle = handle


Source = Union[str, bytes, bytearray, "os.PathLike[str]"]
ProgressCallback = Callable[[Progress], Any]


class Generator(_Handle):
    """Makes tests from documents.

    Every argument left as None comes from the environment (as ``Generator.from_env()``:
    ANTHROPIC_API_KEY, MCQGEN_MODEL, MCQ_CANDIDATE_COUNT, ...) or else the library default.
    Timeouts are in seconds. Raises InvalidArgumentError for an unusable value.
    """

    _destroy = staticmethod(_capi.mcqgen_generator_destroy)

    def __init__(
        self,
        api_key: Optional[str] = None,
        model: Optional[str] = None,
        candidates: Optional[int] = None,
        max_concurrency: Optional[int] = None,
        max_retries: Optional[int] = None,
        base_url: Optional[str] = None,
        ca_file: Union[str, "os.PathLike[str]", None] = None,
        seed: int = 0,
        max_questions: Optional[int] = None,
        offline: Optional[bool] = None,
        *,
        max_tokens: Optional[int] = None,
        connect_timeout: Optional[float] = None,
        handshake_timeout: Optional[float] = None,
        request_timeout: Optional[float] = None,
        verify_tls: Optional[bool] = None,
        allow_insecure_http: Optional[bool] = None,
        judge_threshold: Optional[float] = None,
    ) -> None:
        config = _config_from_env()
        _set_strings(config, api_key=api_key, model=model, base_url=base_url, ca_file=ca_file)
        _set_int32s(config, candidates=candidates, max_concurrency=max_concurrency,
                    max_retries=max_retries, max_questions=max_questions, max_tokens=max_tokens)
        _set_timeouts(config, connect_timeout_ms=connect_timeout,
                      handshake_timeout_ms=handshake_timeout, request_timeout_ms=request_timeout)
        _set_flags(config, offline=offline, verify_tls=verify_tls,
                   allow_insecure_http=allow_insecure_http)
        if judge_threshold is not None:
            config.judge_threshold = float(judge_threshold)
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise TypeError(f"seed must be an int, not {type(seed).__name__}")
        if not 0 <= seed < 2**64:
            raise InvalidArgumentError("seed must be within 0..2**64-1")
        config.seed = seed
        self._create(byref(config))

    @classmethod
    def from_env(cls) -> Generator:
        """A Generator configured by the environment alone."""
        generator = cls.__new__(cls)
        generator._create(None)
        return generator

    def _create(self, config: Any) -> None:
        handle = _capi.GeneratorP()
        status = _capi.mcqgen_generator_create(byref(handle), config)
        if status != _capi.OK:
            _raise_last(status)
        self._handle = handle
        self._run: Optional[_Run] = None

    def generate(
        self,
        source: Source,
        n: int,
        storage: Optional[Storage] = None,
        on_progress: Optional[ProgressCallback] = None,
    ) -> Test:
        """Generates ``n`` questions from ``source`` into ``storage``; returns the test with
        its questions.

        ``source`` is the document: a ``str`` naming an existing file or an ``os.PathLike``
        is read as a file (UTF-8), any other ``str`` is the text itself, ``bytes`` are UTF-8
        text. ``storage`` defaults to a new MemoryStorage. ``on_progress(Progress)`` runs on
        this thread after each question is stored (and at the start and the end).

        The returned test is ``completed``, ``partial`` or ``failed``; a cancelled run ends
        ``partial`` with error "cancelled" (``Test.raise_for_status()`` turns a failure into
        its exception). Raises InvalidArgumentError for a bad document or count (nothing is
        stored), AuthError/TLSError when Claude refuses the key or the peer, StorageError,
        BusyError when this Generator is already running, and whatever ``on_progress``
        raised (the run is cancelled first; what was stored stays).
        """
        document = _document_bytes(source)
        count = _int32(n, "n")
        storage = storage if storage is not None else MemoryStorage()
        return self._run_job(
            storage,
            on_progress,
            lambda job, gen, store, callback: _capi.mcqgen_generate_start(
                byref(job), gen, document, len(document), count, store, callback, None
            ),
        )

    def resume(
        self,
        test_id: str,
        storage: Storage,
        on_progress: Optional[ProgressCallback] = None,
    ) -> Test:
        """Generates only what a stored test still lacks (after a partial run, a cancellation
        or a crash), with the test's own seed. Raises NotFoundError for an unknown id;
        otherwise as generate()."""
        test_id_bytes = _encode(test_id, "test_id")
        return self._run_job(
            storage,
            on_progress,
            lambda job, gen, store, callback: _capi.mcqgen_resume_start(
                byref(job), gen, test_id_bytes, store, callback, None
            ),
        )

    def cancel(self) -> None:
        """Cancels the run in progress, if any. Any thread; what was stored is kept."""
        handle = self._handle
        if handle:
            _capi.mcqgen_generator_cancel(handle)

    def close(self) -> None:
        """Cancels the run in progress, if any, and releases the generator (idempotent)."""
        self.cancel()
        super().close()

    def _run_job(
        self,
        storage: Storage,
        on_progress: Optional[ProgressCallback],
        start: Callable[[Any, Any, Any, Any], int],
    ) -> Test:
        run = _Run(on_progress)
        with self._leased() as gen_handle, storage._leased() as storage_handle:
            job = _capi.JobP()
            try:
                status = start(job, gen_handle, storage_handle, run.c_callback)
                if status != _capi.OK:
                    _raise_last(status, _capi.mcqgen_generator_last_error(gen_handle))
                self._run = run  # the callback trampoline must outlive the run
                run.drive(job)
                result = _capi.RunResult(version=_capi.RUN_RESULT_VERSION)
                status = _capi.mcqgen_job_result(job, byref(result))
                if run.error is not None:
                    raise run.error
                if status != _capi.OK:
                    _raise_last(status, _capi.mcqgen_job_last_error(job))
            finally:
                # Whatever interrupted us (even between two statements above), no callback may
                # be left waiting for an answer: release them, then cancel and wait for the job.
                run.abandon()
                _capi.mcqgen_job_destroy(job)  # NULL if the job never started
                if self._run is run:
                    self._run = None
            return storage._show(result.test_id.decode("utf-8"), storage_handle)


def _config_from_env() -> _capi.Config:
    config = _capi.Config()
    config.version = _capi.CONFIG_VERSION
    status = _capi.mcqgen_config_from_env(byref(config))
    if status != _capi.OK:
        _raise_last(status)
    return config


def _set_strings(config: _capi.Config, **values: Any) -> None:
    for name, value in values.items():
        if value is not None:
            setattr(config, name, _encode(value, name))  # the struct keeps the bytes alive


def _set_int32s(config: _capi.Config, **values: Optional[int]) -> None:
    for name, value in values.items():
        if value is not None:
            setattr(config, name, _int32(value, name))


def _set_timeouts(config: _capi.Config, **seconds: Optional[float]) -> None:
    for name, value in seconds.items():
        if value is not None:
            ms = round(value * 1000)
            if value > 0:
                ms = max(1, ms)  # a positive timeout never rounds down to "none"
            setattr(config, name, _int32(ms, name))


def _set_flags(config: _capi.Config, **flags: Optional[bool]) -> None:
    for name, flag in flags.items():
        if flag is not None:
            setattr(config, name, 1 if flag else 0)


def _int32(value: int, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{what} must be an int, not {type(value).__name__}")
    if not -(2**31) <= value <= _INT32_MAX:
        raise InvalidArgumentError(f"{what} is out of range: {value}")
    return value


def _document_bytes(source: Source) -> bytes:
    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(source)
    if isinstance(source, os.PathLike):
        return _read_document(source)
    if isinstance(source, str):
        if _names_file(source):
            return _read_document(source)
        try:
            return source.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise InvalidArgumentError(f"the document is not valid UTF-8: {exc}") from None
    raise TypeError(f"the document must be str, bytes or a path, not {type(source).__name__}")


def _names_file(text: str) -> bool:
    return len(text) < 4096 and "\n" not in text and "\0" not in text and os.path.isfile(text)


def _read_document(path: Union[str, "os.PathLike[str]"]) -> bytes:
    with open(path, "rb") as file:
        data = file.read()
    return data[3:] if data.startswith(b"\xef\xbb\xbf") else data  # drop a byte-order mark


# ---- Running a job ----------------------------------------------------------------------------


class _Reply:
    """The calling thread's answer to one progress event: 0 continue, 1 cancel."""

    __slots__ = ("done", "verdict")

    def __init__(self) -> None:
        self.done = threading.Event()
        self.verdict = 1


class _Run:
    """One run: the C job works on its own thread while the calling thread waits in short
    steps (so Ctrl-C is delivered) and runs on_progress for each event the job hands over.

    The job's thread blocks in the C callback until the calling thread has answered, so
    returning "cancel" from an exception takes effect before the next question is stored.
    """

    _POLL_SECONDS = 0.02
    _WAIT_MS = 100

    def __init__(self, on_progress: Optional[ProgressCallback]) -> None:
        self._on_progress = on_progress
        self._events: queue.SimpleQueue[tuple[Progress, _Reply]] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._pending: set[_Reply] = set()
        self._abandoned = False
        self.error: Optional[BaseException] = None
        # No Python callback: a NULL function pointer, so the job never takes the GIL.
        self.c_callback = _capi.ProgressFn(self._on_job_thread if on_progress else 0)

    def _on_job_thread(self, event: Any, _user_data: Any) -> int:
        reply = _Reply()
        try:
            progress = Progress._from_c(event.contents)
            with self._lock:
                if self._abandoned:
                    return 1
                self._pending.add(reply)
            self._events.put((progress, reply))
            reply.done.wait()
            return reply.verdict
        except BaseException as exc:  # nothing may escape into C
            if self.error is None:
                self.error = exc
            return 1
        finally:
            with self._lock:
                self._pending.discard(reply)

    def drive(self, job: Any) -> None:
        """Returns when the job has ended. On KeyboardInterrupt (or any exception) here, the
        run is cancelled and waited for before the exception propagates."""
        try:
            if self._on_progress is None:
                while _capi.mcqgen_job_wait(job, self._WAIT_MS) != _capi.OK:
                    pass
                return
            while True:
                try:
                    progress, reply = self._events.get(timeout=self._POLL_SECONDS)
                except queue.Empty:
                    if _capi.mcqgen_job_wait(job, 0) == _capi.OK:
                        return
                    continue
                reply.verdict = self._deliver(progress)
                reply.done.set()
        except BaseException:
            self.abandon()
            _capi.mcqgen_job_cancel(job)
            self._wait_out(job)
            raise

    def _deliver(self, progress: Progress) -> int:
        if self.error is not None:
            return 1
        try:
            self._on_progress(progress)  # type: ignore[misc]
            return 0
        except BaseException as exc:  # KeyboardInterrupt inside the callback too
            self.error = exc
            return 1

    def abandon(self) -> None:
        """Answers "cancel" to every event still waiting, and to every later one."""
        with self._lock:
            self._abandoned = True
            pending = list(self._pending)
        for reply in pending:
            reply.verdict = 1
            reply.done.set()

    def _wait_out(self, job: Any) -> None:
        while True:
            try:
                if _capi.mcqgen_job_wait(job, self._WAIT_MS) == _capi.OK:
                    return
            except KeyboardInterrupt:  # a second Ctrl-C: the run is ending already
                continue
