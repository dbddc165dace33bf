"""Exceptions: one class per mcqgen error code, mapped from the C API's statuses.

The codes and their names come from the library: ``mcqgen_status_string(-i)`` for i = 1, 2, ...
until "unknown", and the C-only out-of-memory status. Each exception class names the code it
stands for; importing this module fails when a code of the library has no class here, or a
class names a code the library does not have.
"""

from __future__ import annotations

import builtins
import enum
import itertools
from typing import Optional

from . import _capi

_UNKNOWN = "unknown"


def _library_codes() -> list[tuple[str, int]]:
    """(name, code) of every error status the library knows, in order."""
    codes = []
    for code in itertools.count(1):
        name = _capi.text(_capi.mcqgen_status_string(-code))
        if name == _UNKNOWN:
            break
        codes.append((name, code))
    codes.append((_capi.text(_capi.mcqgen_status_string(_capi.E_NOMEM)), -_capi.E_NOMEM))
    return codes


ErrorCode = enum.IntEnum(  # type: ignore[misc]
    "ErrorCode",
    [(name.upper(), code) for name, code in _library_codes()],
    module=__name__,
    qualname="ErrorCode",
)
ErrorCode.__doc__ = """The stable error codes (mcqgen::errc, plus the C API's OUT_OF_MEMORY), as
the library numbers and names them; a C status is the negated code. ``code.name.lower()`` is the
name the JSON and ``mcqgen_status_string`` use ("rate_limited", ...)."""


class Error(Exception):
    """Base of every mcqgen error.

    Attributes:
        code: the ErrorCode.
        status: the C API's status, ``-code``.
    """

    code: ErrorCode = ErrorCode.INTERNAL  # type: ignore[attr-defined]
    #: The library's name of the code this class stands for (subclasses only).
    _code_name = ""

    def __init__(self, message: str, *, code: Optional[ErrorCode] = None) -> None:
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

    _code_name = "invalid_argument"


class StorageError(Error):
    """The storage failed: unwritable, corrupt, locked, or another program's database."""

    _code_name = "storage"


class NetworkError(Error, ConnectionError):
    """Connecting, reading or writing failed, or the connection was reset."""

    _code_name = "network"


class TLSError(Error):
    """The TLS handshake or the certificate verification failed."""

    _code_name = "tls"


class AuthError(Error):
    """The API refused the key (401/403)."""

    _code_name = "auth"


class RateLimitError(Error):
    """Rate limited (429) beyond what the retries could get past."""

    _code_name = "rate_limited"


class ServerError(Error):
    """Server errors (5xx, 529) beyond what the retries could get past."""

    _code_name = "server"


class TimeoutError(Error, builtins.TimeoutError):  # noqa: A001 - mcqgen.TimeoutError by design
    """A connect, handshake or request deadline passed."""

    _code_name = "timeout"


class CancelledError(Error):
    """The run was cancelled."""

    _code_name = "cancelled"


class BadResponseError(Error):
    """The API answered something that breaks its contract."""

    _code_name = "bad_response"


class InternalError(Error):
    """A bug in mcqgen."""

    _code_name = "internal"


class NotFoundError(Error, LookupError):
    """No test with that id in the storage."""

    _code_name = "not_found"


class BusyError(Error, RuntimeError):
    """The generator is already running a generation (one at a time per Generator)."""

    _code_name = "busy"


class OutOfMemoryError(Error, MemoryError):
    """The library ran out of memory."""

    _code_name = "out_of_memory"


def _classes_by_code() -> dict[ErrorCode, type[Error]]:
    classes = {cls._code_name: cls for cls in Error.__subclasses__()}
    codes = {code.name.lower(): code for code in ErrorCode}
    missing, unknown = sorted(set(codes) - set(classes)), sorted(set(classes) - set(codes))
    if missing or unknown:
        raise ImportError(
            f"mcqgen: the error codes of {_capi.library_path} and the package's exception "
            f"classes differ: no class for {missing or 'none'}; "
            f"no such code for {unknown or 'none'}"
        )
    for name, cls in classes.items():
        cls.code = codes[name]
    return {codes[name]: cls for name, cls in classes.items()}


_BY_CODE = _classes_by_code()


def error_for_code(code: ErrorCode, message: str) -> Error:
    """The exception for an error code."""
    return _BY_CODE[code](message)


def error_for_status(status: int, message: str) -> Error:
    """The exception for a negative C status (an unknown status gives an InternalError)."""
    try:
        code = ErrorCode(-status)
    except ValueError:
        return InternalError(f"{message} (unknown status {status})")
    return _BY_CODE[code](message)


def code_for_name(name: str) -> ErrorCode:
    """The code for its name as the JSON writes it ("rate_limited", ...); INTERNAL for a name
    the library does not know (it writes only names it knows)."""
    try:
        return ErrorCode[name.upper()]
    except KeyError:
        return ErrorCode.INTERNAL  # type: ignore[attr-defined]


def raise_last(status: int, handle_error: Optional[bytes] = None) -> None:
    """Raises the exception for a failed call; the message comes from the handle if it has one,
    else from this thread's last error (read on the thread that made the call)."""
    message = handle_error if handle_error else _capi.mcqgen_last_error()
    raise error_for_status(status, _capi.text(message))
