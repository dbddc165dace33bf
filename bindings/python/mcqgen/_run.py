"""The threaded run driver: a C job on its own thread, progress delivered on the caller's."""

from __future__ import annotations

import queue
import threading
from ctypes import byref
from typing import Any, Callable, Optional

from . import _capi
from ._errors import raise_last
from ._records import Progress

ProgressCallback = Callable[[Progress], Any]


class _Reply:
    """The calling thread's answer to one progress event: 0 continue, 1 cancel."""

    __slots__ = ("done", "verdict")

    def __init__(self) -> None:
        self.done = threading.Event()
        self.verdict = 1


class Run:
    """One run: the C job works on its own thread while the calling thread waits in short
    steps (so Ctrl-C is delivered) and runs on_progress for each event the job hands over.

    The job's thread blocks in the C callback until the calling thread has answered, so
    returning "cancel" from an exception takes effect before the next question is stored.
    An exception raised by on_progress (KeyboardInterrupt too) is kept in ``error`` for the
    caller to re-raise once the job has ended.
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

    def options(self, count: int = 0) -> _capi.RunOptions:
        """The run options for the C call, with this run's callback."""
        options = _capi.RunOptions()
        status = _capi.mcqgen_run_options_init(byref(options), _capi.RUN_OPTIONS_VERSION)
        if status != _capi.OK:
            raise_last(status)
        options.count = count
        options.on_progress = self.c_callback
        return options

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
