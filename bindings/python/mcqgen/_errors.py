"""Exceptions: one class per mcqgen error code, mapped from the C API's statuses."""

from __future__ import annotations

import builtins
import enum


class ErrorCode(enum.IntEnum):
    """The stable error codes (mcqgen::errc); a C status is the negated code."""

    INVALID_ARGUMENT = 1
    STORAGE = 2
    NETWORK = 3
    TLS = 4
    AUTH = 5
    RATE_LIMITED = 6
    SERVER = 7
    TIMEOUT = 8
    CANCELLED = 9
    BAD_RESPONSE = 10
    INTERNAL = 11
    NOT_FOUND = 12
    # Only in the C API, apart from the range above so it can grow.
    OUT_OF_MEMORY = 100
    BUSY = 101


class Error(Exception):
    """Base of every mcqgen error.

    Attributes:
        code: the ErrorCode.
        status: the C API's status, ``-code``.
    """

    code: ErrorCode = ErrorCode.INTERNAL

    def __init__(self, message: str, *, code: ErrorCode | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = ErrorCode(code)

    @property
    def status(self) -> int:
        return -int(self.code)

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else ""

    def __str__(self) -> str:
        return self.message


class InvalidArgumentError(Error, ValueError):
    """Bad input from the caller: document, count, configuration, argument."""

    code = ErrorCode.INVALID_ARGUMENT


class StorageError(Error):
    """The storage failed: unwritable, corrupt, locked, or another program's database."""

    code = ErrorCode.STORAGE


class NetworkError(Error, ConnectionError):
    """Connecting, reading or writing failed, or the connection was reset."""

    code = ErrorCode.NETWORK


class TLSError(Error):
    """The TLS handshake or the certificate verification failed."""

    code = ErrorCode.TLS


class AuthError(Error):
    """The API refused the key (401/403)."""

    code = ErrorCode.AUTH


class RateLimitError(Error):
    """Rate limited (429) beyond what the retries could get past."""

    code = ErrorCode.RATE_LIMITED


class ServerError(Error):
    """Server errors (5xx, 529) beyond what the retries could get past."""

    code = ErrorCode.SERVER


class TimeoutError(Error, builtins.TimeoutError):  # noqa: A001 - mcqgen.TimeoutError by design
    """A connect, handshake or request deadline passed."""

    code = ErrorCode.TIMEOUT


class CancelledError(Error):
    """The run was cancelled."""

    code = ErrorCode.CANCELLED


class BadResponseError(Error):
    """The API answered something that breaks its contract."""

    code = ErrorCode.BAD_RESPONSE


class InternalError(Error):
    """A bug in mcqgen."""

    code = ErrorCode.INTERNAL


class NotFoundError(Error, LookupError):
    """No test with that id in the storage."""

    code = ErrorCode.NOT_FOUND


class OutOfMemoryError(Error, MemoryError):
    """The library ran out of memory."""

    code = ErrorCode.OUT_OF_MEMORY


class BusyError(Error, RuntimeError):
    """The generator is already running a generation (one at a time per Generator)."""

    code = ErrorCode.BUSY


# Every subclass above stands for one code: the tables follow from the classes.
_BY_CODE: dict[ErrorCode, type[Error]] = {cls.code: cls for cls in Error.__subclasses__()}
assert set(_BY_CODE) == set(ErrorCode), "an ErrorCode without its exception class"

_BY_NAME: dict[str, type[Error]] = {code.name.lower(): cls for code, cls in _BY_CODE.items()}


def error_for_status(status: int, message: str) -> Error:
    """The exception for a negative C status (an unknown status gives an InternalError)."""
    try:
        code = ErrorCode(-status)
    except ValueError:
        return InternalError(f"{message} (unknown status {status})")
    return _BY_CODE[code](message)


def error_for_name(name: str, message: str) -> Error:
    """The exception for an error code's name as the JSON writes it ("rate_limited", ...)."""
    cls = _BY_NAME.get(name)
    if cls is None:
        return InternalError(f"{message} (unknown error '{name}')")
    return cls(message)
