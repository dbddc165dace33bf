"""The Generator (mcqgen::Generator): configuration, generate and resume."""

from __future__ import annotations

import os
from ctypes import byref
from typing import Any, Callable, Optional, Union

from . import _capi, _config
from ._config import Config, encode, int32
from ._errors import InvalidArgumentError, raise_last
from ._handles import MemoryStorage, Storage, _Handle
from ._records import QuestionStyle, StructuredOutput, Test
from ._run import ProgressCallback, Run

#: What ``generate`` takes as a document: text (str), the bytes of a document in any format the
#: library reads (text, Markdown, HTML, DOCX, EPUB, PDF when built in), or a file (a path object).
Document = Union[str, bytes, bytearray, memoryview, "os.PathLike[str]"]
PathArgument = Union[str, "os.PathLike[str]"]


class Generator(_Handle):
    """Makes tests from documents.

    One keyword per field of the C configuration (``Config`` lists them with their meaning).
    Every keyword left as None comes from the environment (ANTHROPIC_API_KEY, MCQGEN_MODEL,
    MCQ_CANDIDATE_COUNT, ... as ``mcqgen_config_from_env``) or else the library default; read
    the outcome back from ``Generator.config``. Timeouts are in seconds. Raises
    InvalidArgumentError for an unusable value, TypeError for a value of the wrong type.
    """

    _destroy = staticmethod(_capi.mcqgen_generator_destroy)
    _run: Optional[Run] = None

    def __init__(
        self,
        *,
        api_key: Optional[str] = None,
        base_url: Optional[str] = None,
        api_version: Optional[str] = None,
        max_concurrency: Optional[int] = None,
        max_retries: Optional[int] = None,
        connect_timeout: Optional[float] = None,
        handshake_timeout: Optional[float] = None,
        request_timeout: Optional[float] = None,
        max_retry_after: Optional[float] = None,
        ca_file: Optional[PathArgument] = None,
        verify_tls: Optional[bool] = None,
        allow_insecure_http: Optional[bool] = None,
        model: Optional[str] = None,
        max_tokens: Optional[int] = None,
        structured_output: Union[StructuredOutput, str, None] = None,
        document_tokens: Optional[int] = None,
        section_tokens: Optional[int] = None,
        candidates: Optional[int] = None,
        max_questions: Optional[int] = None,
        judge_threshold: Optional[float] = None,
        style: Union[QuestionStyle, str, None] = None,
        seed: Optional[int] = None,
        offline: Optional[bool] = None,
        batch: Optional[bool] = None,
        batch_poll_interval: Optional[float] = None,
        batch_max_poll_interval: Optional[float] = None,
        judge_model: Optional[str] = None,
    ) -> None:
        options = dict(locals())  # the keywords, by name: Config lists the same fields
        del options["self"]
        config = _config.to_c(options)
        handle = _capi.GeneratorP()
        status = _capi.mcqgen_generator_create(byref(handle), byref(config))
        if status != _capi.OK:
            raise_last(status)
        self._handle = handle
        self._config = _config.from_generator(handle)

    @property
    def config(self) -> Config:
        """The effective configuration: what the library validated and uses."""
        return self._config

    def generate(
        self,
        document: Document,
        count: int,
        *,
        storage: Optional[Storage] = None,
        on_progress: Optional[ProgressCallback] = None,
    ) -> Test:
        """Generates ``count`` questions from ``document`` into ``storage``; returns the test
        with its questions (``Test.questions``, which the storage also gives by
        ``Storage.questions(test.id)``).

        ``document`` is text when it is a ``str`` (or ``bytes``, UTF-8), and a file to read
        when it is an ``os.PathLike`` such as ``pathlib.Path`` (UTF-8; a byte-order mark is
        dropped). ``storage`` defaults to a new MemoryStorage. ``on_progress(Progress)`` runs on
        this thread after each question is stored (and at the start and the end).

        The returned test is ``completed``, ``partial`` or ``failed``; a cancelled run ends
        ``partial`` (or ``failed``) with error ``ErrorCode.CANCELLED``
        (``Test.raise_for_status()`` turns a failure into its exception). Raises
        InvalidArgumentError for a bad document or count (nothing is stored), OSError when the
        file cannot be read, AuthError/TLSError when Claude refuses the key or the peer,
        StorageError, BusyError when this Generator is already running, and whatever
        ``on_progress`` raised (the run is cancelled first; what was stored stays).
        """
        data = _document_bytes(document)
        count = int32(count, "count")
        storage = _storage_or_memory(storage)
        run = Run(on_progress)
        options = run.options(count)
        return self._run_job(
            storage,
            run,
            lambda job, gen, store: _capi.mcqgen_generate_start(
                byref(job), gen, data, len(data), store, byref(options)
            ),
        )

    def resume(
        self,
        test_id: str,
        *,
        storage: Storage,
        on_progress: Optional[ProgressCallback] = None,
    ) -> Test:
        """Generates only what a stored test still lacks (after a partial run, a cancellation
        or a crash), with the test's own seed; a completed test is returned as it is. Raises
        NotFoundError for an unknown id; otherwise as generate()."""
        test_id_bytes = encode(test_id, "test_id")
        if not isinstance(storage, Storage):
            raise TypeError(f"storage must be a Storage, not {type(storage).__name__}")
        run = Run(on_progress)
        options = run.options()
        return self._run_job(
            storage,
            run,
            lambda job, gen, store: _capi.mcqgen_resume_start(
                byref(job), gen, test_id_bytes, store, byref(options)
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

    def __repr__(self) -> str:
        return f"Generator(config={getattr(self, '_config', None)!r})"

    def _run_job(self, storage: Storage, run: Run, start: Callable[[Any, Any, Any], int]) -> Test:
        with self._leased() as gen_handle, storage._leased() as storage_handle:
            job = _capi.JobP()
            try:
                status = start(job, gen_handle, storage_handle)
                if status != _capi.OK:
                    raise_last(status, _capi.mcqgen_generator_last_error(gen_handle))
                self._run = run  # the callback trampoline must outlive the run
                run.drive(job)
                result = _capi.RunResult(version=_capi.RUN_RESULT_VERSION)
                status = _capi.mcqgen_job_result(byref(result), job)
                if run.error is not None:
                    raise run.error
                if status != _capi.OK:
                    raise_last(status, _capi.mcqgen_job_last_error(job))
            finally:
                # Whatever interrupted us (even between two statements above), no callback may
                # be left waiting for an answer: release them, then cancel and wait for the job.
                run.abandon()
                _capi.mcqgen_job_destroy(job)  # NULL if the job never started
                if self._run is run:
                    self._run = None
            return storage._test_with_questions(result.test_id.decode("utf-8"), storage_handle)


def _storage_or_memory(storage: Optional[Storage]) -> Storage:
    if storage is None:
        return MemoryStorage()
    if not isinstance(storage, Storage):
        raise TypeError(f"storage must be a Storage, not {type(storage).__name__}")
    return storage


def _document_bytes(document: Document) -> bytes:
    if isinstance(document, str):
        try:
            return document.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise InvalidArgumentError(f"the document is not valid UTF-8: {exc}") from None
    if isinstance(document, (bytes, bytearray, memoryview)):
        return bytes(document)
    if isinstance(document, os.PathLike):
        with open(document, "rb") as file:
            return file.read()  # any format the library reads: it goes by the content
    raise TypeError(
        f"the document must be str or bytes (text) or os.PathLike (a file), "
        f"not {type(document).__name__}"
    )
