"""A Generator's configuration: the keywords of ``Generator()`` into the C ``mcqgen_config``,
and the generator's effective configuration (``mcqgen_generator_config``) back into ``Config``.

``Config`` is the one Python table of the fields: each field names the C field it mirrors and
how a value crosses (strings as UTF-8, timeouts as seconds <-> milliseconds, booleans as 0/1,
the structured-output mode and the question style as their C enum values). The ``Generator`` keywords are the same names,
a test holds the three lists (keywords, ``Config``, the C struct) together.
"""

from __future__ import annotations

import dataclasses
import os
from ctypes import byref
from typing import Any, Callable, Mapping, Optional, Union

from . import _capi
from ._errors import InvalidArgumentError, raise_last
from ._records import QuestionStyle, StructuredOutput

_INT32_MIN, _INT32_MAX = -(2**31), 2**31 - 1


# ---- Conversions: (to C, from C) per kind of field ---------------------------------------------


def encode(value: Union[str, bytes, "os.PathLike[str]"], what: str) -> bytes:
    """UTF-8 bytes of a str or path (bytes as they are) for a C string argument."""
    text = os.fspath(value)
    if isinstance(text, bytes):
        return text
    if not isinstance(text, str):
        raise TypeError(f"{what} must be a str, not {type(value).__name__}")
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InvalidArgumentError(f"{what} is not valid UTF-8: {exc}") from None


def int32(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{what} must be an int, not {type(value).__name__}")
    if not _INT32_MIN <= value <= _INT32_MAX:
        raise InvalidArgumentError(f"{what} is out of range: {value}")
    return value


def _number(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{what} must be a number, not {type(value).__name__}")
    return float(value)


def _milliseconds(seconds: Any, what: str) -> int:
    value = _number(seconds, what)
    if value != value or value in (float("inf"), float("-inf")):
        raise InvalidArgumentError(f"{what} must be a finite number of seconds: {value}")
    ms = round(value * 1000)
    if value > 0:
        ms = max(1, ms)  # a positive timeout never rounds down to "none"
    return int32(ms, what)


def _flag(value: Any, what: str) -> int:
    if not isinstance(value, (bool, int)):
        raise TypeError(f"{what} must be a bool, not {type(value).__name__}")
    return 1 if value else 0


def _seed(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{what} must be an int, not {type(value).__name__}")
    if not 0 <= value < 2**64:
        raise InvalidArgumentError(f"{what} must be within 0..2**64-1, got {value}")
    return value


def _structured_output(value: Any, what: str) -> int:
    try:
        return StructuredOutput(value)._c_value()
    except ValueError:
        raise InvalidArgumentError(
            f"{what} must be one of {[m.value for m in StructuredOutput]}, got {value!r}"
        ) from None


def _question_style(value: Any, what: str) -> int:
    try:
        return QuestionStyle(value)._c_value()
    except ValueError:
        raise InvalidArgumentError(
            f"{what} must be one of {[m.value for m in QuestionStyle]}, got {value!r}"
        ) from None


def _text(value: Optional[bytes]) -> str:
    return value.decode("utf-8") if value else ""


_Kind = tuple[Callable[[Any, str], Any], Callable[[Any], Any]]
STRING: _Kind = (encode, _text)
INT32: _Kind = (int32, int)
SECONDS: _Kind = (_milliseconds, lambda ms: ms / 1000)
DOUBLE: _Kind = (_number, float)
BOOL: _Kind = (_flag, bool)
SEED: _Kind = (_seed, int)
STRUCTURED: _Kind = (_structured_output, StructuredOutput._from_c)
STYLE: _Kind = (_question_style, QuestionStyle._from_c)


def _field(c_name: str, kind: _Kind, **options: Any) -> Any:
    return dataclasses.field(metadata={"c_name": c_name, "kind": kind}, **options)


# ---- The configuration -------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Config:
    """A generator's effective configuration, as the library validated it and uses it
    (mcqgen::Config); ``Generator.config``. Timeouts are in seconds; a string left unset by the
    caller and the environment is the library default, "" for none. ``api_key`` is left out of
    the repr."""

    # HTTP / API connection
    api_key: str = _field("api_key", STRING, repr=False)  #: "": offline generator
    base_url: str = _field("base_url", STRING)
    api_version: str = _field("api_version", STRING)  #: the ``anthropic-version`` header
    max_concurrency: int = _field("max_concurrency", INT32)  #: Claude calls in flight
    max_retries: int = _field("max_retries", INT32)  #: per call
    connect_timeout: float = _field("connect_timeout_ms", SECONDS)
    handshake_timeout: float = _field("handshake_timeout_ms", SECONDS)
    request_timeout: float = _field("request_timeout_ms", SECONDS)  #: one attempt
    max_retry_after: float = _field("max_retry_after_ms", SECONDS)  #: longer server delays ignored
    ca_file: str = _field("ca_file", STRING)  #: extra CA bundle (PEM); "": none
    verify_tls: bool = _field("verify_tls", BOOL)
    allow_insecure_http: bool = _field("allow_insecure_http", BOOL)  #: accept an http:// base_url
    # Claude requests
    model: str = _field("model", STRING)
    max_tokens: int = _field("max_tokens", INT32)  #: per call
    structured_output: StructuredOutput = _field("structured_output", STRUCTURED)
    document_tokens: int = _field("document_tokens", INT32)  #: largest document sent whole
    section_tokens: int = _field("section_tokens", INT32)  #: context per call beyond it
    # The pipeline
    candidates: int = _field("candidates", INT32)  #: candidates written per question
    max_questions: int = _field("max_questions", INT32)  #: largest count a request may ask for
    judge_threshold: float = _field("judge_threshold", DOUBLE)  #: judge score a candidate needs
    style: QuestionStyle = _field("style", STYLE)  #: the form of the questions
    seed: int = _field("seed", SEED)  #: 0: a random seed per test, stored with it
    offline: bool = _field("offline", BOOL)  #: offline even when a key is set
    # Message Batches
    batch: bool = _field("batch_enabled", BOOL)  #: calls as Message Batches, at half the price
    batch_poll_interval: float = _field("batch_poll_interval_ms", SECONDS)  #: first poll wait
    batch_max_poll_interval: float = _field("batch_max_poll_interval_ms", SECONDS)  #: its ceiling
    # Claude requests, continued (the C struct's order)
    judge_model: str = _field("judge_model", STRING)  #: the blind judge's model; "": ``model``

    @property
    def online(self) -> bool:
        """True when runs call Claude: a key is set and offline is false."""
        return bool(self.api_key) and not self.offline

    @classmethod
    def _from_c(cls, config: _capi.Config) -> Config:
        return cls(**{f.name: f.metadata["kind"][1](getattr(config, f.metadata["c_name"]))
                      for f in dataclasses.fields(cls)})


def to_c(options: Mapping[str, Any]) -> _capi.Config:
    """The C config for ``Generator()``'s keywords: the environment over the library defaults
    (mcqgen_config_from_env), then every keyword that is not None. The struct keeps the bytes
    of its strings alive."""
    config = _capi.Config()
    config.version = _capi.CONFIG_VERSION
    status = _capi.mcqgen_config_from_env(byref(config))
    if status != _capi.OK:
        raise_last(status)
    for field in dataclasses.fields(Config):
        value = options[field.name]
        if value is not None:
            setattr(config, field.metadata["c_name"], field.metadata["kind"][0](value, field.name))
    return config


def from_generator(handle: Any) -> Config:
    """The effective configuration of a generator handle (its strings are copied at once)."""
    config = _capi.Config()
    config.version = _capi.CONFIG_VERSION
    status = _capi.mcqgen_generator_config(byref(config), handle)
    if status != _capi.OK:
        raise_last(status, _capi.mcqgen_generator_last_error(handle))
    return Config._from_c(config)
