"""1:1 ctypes declarations of the C API in mcqgen.h.

Every function gets argtypes and restype. Strings handed out by the library through ``char**``
are declared as ``c_void_p`` so the pointer survives to be freed: read them with owned_string().
The struct mirrors are checked against the library's own sizes when this module is imported.
Only what the header defines is here: the Python meaning of codes and statuses is derived from
the library in ``_errors`` and ``_records``.
"""

from __future__ import annotations

import ctypes
from ctypes import (
    CFUNCTYPE,
    POINTER,
    Structure,
    c_char,
    c_char_p,
    c_double,
    c_int,
    c_int32,
    c_int64,
    c_size_t,
    c_uint32,
    c_uint64,
    c_void_p,
)
from typing import Any

from . import _lib

OK = 0
E_NOMEM = -100
CONFIG_VERSION = 6
PROGRESS_VERSION = 1
RUN_OPTIONS_VERSION = 1
RUN_RESULT_VERSION = 1
TEST_ID_SIZE = 64
MESSAGE_SIZE = 256
NUL_TERMINATED = ctypes.c_size_t(-1).value


# ---- Structs ----------------------------------------------------------------------------------


class Config(Structure):
    """mcqgen_config (version 4). Timeouts in milliseconds, booleans as 0/1."""

    _fields_ = [
        ("version", c_uint32),
        # HTTP / API connection
        ("api_key", c_char_p),
        ("base_url", c_char_p),
        ("api_version", c_char_p),
        ("max_concurrency", c_int32),
        ("max_retries", c_int32),
        ("connect_timeout_ms", c_int32),
        ("handshake_timeout_ms", c_int32),
        ("request_timeout_ms", c_int32),
        ("max_retry_after_ms", c_int32),
        ("ca_file", c_char_p),
        ("verify_tls", c_int32),
        ("allow_insecure_http", c_int32),
        # Claude requests
        ("model", c_char_p),
        ("max_tokens", c_int32),
        ("structured_output", c_int32),  # mcqgen_structured_output
        ("document_tokens", c_int32),
        ("section_tokens", c_int32),
        # pipeline
        ("candidates", c_int32),
        ("max_questions", c_int32),
        ("judge_threshold", c_double),
        ("style", c_int32),  # mcqgen_question_style
        ("seed", c_uint64),
        ("offline", c_int32),
        # batch
        ("batch_enabled", c_int32),
        ("batch_poll_interval_ms", c_int32),
        ("batch_max_poll_interval_ms", c_int32),
        # Claude requests, since version 6
        ("judge_model", c_char_p),
    ]


class ProgressEvent(Structure):
    """mcqgen_progress: borrowed, valid only during the callback."""

    _fields_ = [
        ("version", c_uint32),
        ("created", c_int32),
        ("target", c_int32),
        ("status", c_int32),  # mcqgen_test_status
        ("fraction", c_double),
        ("test_id", c_char_p),
        ("message", c_char_p),
        ("question_json", c_char_p),
    ]


# typedef int (*mcqgen_progress_fn)(const mcqgen_progress* progress, void* user_data);
ProgressFn = CFUNCTYPE(c_int, POINTER(ProgressEvent), c_void_p)


class RunOptions(Structure):
    """mcqgen_run_options."""

    _fields_ = [
        ("version", c_uint32),
        ("count", c_int32),
        ("on_progress", ProgressFn),
        ("user_data", c_void_p),
    ]


class RunResult(Structure):
    """mcqgen_run_result."""

    _fields_ = [
        ("version", c_uint32),
        ("status", c_int32),  # mcqgen_test_status
        ("created", c_int32),
        ("target", c_int32),
        ("error", c_int32),  # mcqgen_status
        ("test_id", c_char * TEST_ID_SIZE),
        ("message", c_char * MESSAGE_SIZE),
    ]


# Opaque handles: distinct pointer types, so a storage cannot be passed as a generator.
class _Generator(Structure):
    pass


class _Storage(Structure):
    pass


class _Job(Structure):
    pass


GeneratorP = POINTER(_Generator)
StorageP = POINTER(_Storage)
JobP = POINTER(_Job)

# ---- Functions --------------------------------------------------------------------------------

lib, library_path = _lib.load()


def _declare(name: str, restype: Any, *argtypes: Any) -> Any:
    function = getattr(lib, name)
    function.restype = restype
    function.argtypes = list(argtypes)
    return function


# const char* mcqgen_version(void);
mcqgen_version = _declare("mcqgen_version", c_char_p)
# int32_t mcqgen_abi_version(void);
mcqgen_abi_version = _declare("mcqgen_abi_version", c_int32)
# const char* mcqgen_status_string(mcqgen_status status);
mcqgen_status_string = _declare("mcqgen_status_string", c_char_p, c_int)
# const char* mcqgen_last_error(void);
mcqgen_last_error = _declare("mcqgen_last_error", c_char_p)
# void mcqgen_free(void* p);
mcqgen_free = _declare("mcqgen_free", None, c_void_p)
# const char* mcqgen_test_status_string(int32_t test_status);
mcqgen_test_status_string = _declare("mcqgen_test_status_string", c_char_p, c_int32)

# size_t mcqgen_config_size(void);
mcqgen_config_size = _declare("mcqgen_config_size", c_size_t)
# size_t mcqgen_progress_size(void);
mcqgen_progress_size = _declare("mcqgen_progress_size", c_size_t)
# size_t mcqgen_run_options_size(void);
mcqgen_run_options_size = _declare("mcqgen_run_options_size", c_size_t)
# size_t mcqgen_run_result_size(void);
mcqgen_run_result_size = _declare("mcqgen_run_result_size", c_size_t)
# mcqgen_status mcqgen_config_init(mcqgen_config* config, uint32_t version);
mcqgen_config_init = _declare("mcqgen_config_init", c_int, POINTER(Config), c_uint32)
# mcqgen_status mcqgen_config_from_env(mcqgen_config* config);
mcqgen_config_from_env = _declare("mcqgen_config_from_env", c_int, POINTER(Config))
# mcqgen_status mcqgen_run_options_init(mcqgen_run_options* options, uint32_t version);
mcqgen_run_options_init = _declare(
    "mcqgen_run_options_init", c_int, POINTER(RunOptions), c_uint32
)

# mcqgen_status mcqgen_generator_create(mcqgen_generator** out, const mcqgen_config* config);
mcqgen_generator_create = _declare(
    "mcqgen_generator_create", c_int, POINTER(GeneratorP), POINTER(Config)
)
# mcqgen_status mcqgen_generator_config(mcqgen_config* out, const mcqgen_generator* gen);
mcqgen_generator_config = _declare(
    "mcqgen_generator_config", c_int, POINTER(Config), GeneratorP
)
# void mcqgen_generator_destroy(mcqgen_generator* gen);
mcqgen_generator_destroy = _declare("mcqgen_generator_destroy", None, GeneratorP)
# mcqgen_status mcqgen_generator_cancel(mcqgen_generator* gen);
mcqgen_generator_cancel = _declare("mcqgen_generator_cancel", c_int, GeneratorP)
# const char* mcqgen_generator_last_error(const mcqgen_generator* gen);
mcqgen_generator_last_error = _declare("mcqgen_generator_last_error", c_char_p, GeneratorP)

# mcqgen_status mcqgen_storage_open_sqlite(mcqgen_storage** out, const char* path);
mcqgen_storage_open_sqlite = _declare(
    "mcqgen_storage_open_sqlite", c_int, POINTER(StorageP), c_char_p
)
# mcqgen_status mcqgen_storage_create_memory(mcqgen_storage** out);
mcqgen_storage_create_memory = _declare("mcqgen_storage_create_memory", c_int, POINTER(StorageP))
# void mcqgen_storage_destroy(mcqgen_storage* storage);
mcqgen_storage_destroy = _declare("mcqgen_storage_destroy", None, StorageP)
# const char* mcqgen_storage_last_error(const mcqgen_storage* storage);
mcqgen_storage_last_error = _declare("mcqgen_storage_last_error", c_char_p, StorageP)

# (gen, document, len, storage, options): the arguments after `out` of mcqgen_generate and
# mcqgen_generate_start; (gen, test_id, storage, options) those of the two resume functions.
_GENERATE_ARGS = (GeneratorP, c_char_p, c_size_t, StorageP, POINTER(RunOptions))
_RESUME_ARGS = (GeneratorP, c_char_p, StorageP, POINTER(RunOptions))
# mcqgen_status mcqgen_generate(mcqgen_run_result* out, mcqgen_generator* gen,
#     const char* document, size_t len, mcqgen_storage* storage,
#     const mcqgen_run_options* options);
mcqgen_generate = _declare("mcqgen_generate", c_int, POINTER(RunResult), *_GENERATE_ARGS)
# mcqgen_status mcqgen_resume(mcqgen_run_result* out, mcqgen_generator* gen,
#     const char* test_id, mcqgen_storage* storage, const mcqgen_run_options* options);
mcqgen_resume = _declare("mcqgen_resume", c_int, POINTER(RunResult), *_RESUME_ARGS)
# mcqgen_status mcqgen_generate_start(mcqgen_job** out, mcqgen_generator* gen,
#     const char* document, size_t len, mcqgen_storage* storage,
#     const mcqgen_run_options* options);
mcqgen_generate_start = _declare("mcqgen_generate_start", c_int, POINTER(JobP), *_GENERATE_ARGS)
# mcqgen_status mcqgen_resume_start(mcqgen_job** out, mcqgen_generator* gen,
#     const char* test_id, mcqgen_storage* storage, const mcqgen_run_options* options);
mcqgen_resume_start = _declare("mcqgen_resume_start", c_int, POINTER(JobP), *_RESUME_ARGS)
# mcqgen_status mcqgen_job_wait(mcqgen_job* job, int64_t timeout_ms);
mcqgen_job_wait = _declare("mcqgen_job_wait", c_int, JobP, c_int64)
# mcqgen_status mcqgen_job_cancel(mcqgen_job* job);
mcqgen_job_cancel = _declare("mcqgen_job_cancel", c_int, JobP)
# mcqgen_status mcqgen_job_result(mcqgen_run_result* out, mcqgen_job* job);
mcqgen_job_result = _declare("mcqgen_job_result", c_int, POINTER(RunResult), JobP)
# const char* mcqgen_job_last_error(const mcqgen_job* job);
mcqgen_job_last_error = _declare("mcqgen_job_last_error", c_char_p, JobP)
# void mcqgen_job_destroy(mcqgen_job* job);
mcqgen_job_destroy = _declare("mcqgen_job_destroy", None, JobP)

# mcqgen_status mcqgen_storage_test_json(char** json_out, mcqgen_storage* storage,
#     const char* test_id);
mcqgen_storage_test_json = _declare(
    "mcqgen_storage_test_json", c_int, POINTER(c_void_p), StorageP, c_char_p
)
# mcqgen_status mcqgen_storage_questions_json(char** json_out, mcqgen_storage* storage,
#     const char* test_id);
mcqgen_storage_questions_json = _declare(
    "mcqgen_storage_questions_json", c_int, POINTER(c_void_p), StorageP, c_char_p
)
# mcqgen_status mcqgen_storage_show_json(char** json_out, mcqgen_storage* storage,
#     const char* test_id);
mcqgen_storage_show_json = _declare(
    "mcqgen_storage_show_json", c_int, POINTER(c_void_p), StorageP, c_char_p
)
# mcqgen_status mcqgen_storage_list_json(char** json_out, mcqgen_storage* storage);
mcqgen_storage_list_json = _declare(
    "mcqgen_storage_list_json", c_int, POINTER(c_void_p), StorageP
)


def owned_string(pointer: c_void_p) -> str:
    """Reads a string the library handed out, then frees it."""
    if not pointer.value:
        return ""
    try:
        return ctypes.string_at(pointer.value).decode("utf-8")
    finally:
        mcqgen_free(pointer)


def text(value: bytes | None) -> str:
    """A borrowed C string from the library, decoded."""
    return value.decode("utf-8", "replace") if value else ""


#: Each struct mirror with the library's own size function.
STRUCT_SIZES = (
    (Config, mcqgen_config_size),
    (ProgressEvent, mcqgen_progress_size),
    (RunOptions, mcqgen_run_options_size),
    (RunResult, mcqgen_run_result_size),
)


def _check_library() -> None:
    abi = mcqgen_abi_version()
    if abi != _lib.ABI_VERSION:
        raise ImportError(
            f"mcqgen: {library_path} has ABI version {abi}; this package needs "
            f"{_lib.ABI_VERSION}"
        )
    for struct, size_function in STRUCT_SIZES:
        size = size_function()
        if ctypes.sizeof(struct) != size:
            raise ImportError(
                f"mcqgen: the Python mirror of {struct.__name__} is {ctypes.sizeof(struct)} "
                f"bytes but {library_path} says {size}: package and library do not match"
            )


_check_library()
