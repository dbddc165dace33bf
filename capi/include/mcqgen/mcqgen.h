/*
 * mcqgen.h — the C interface of mcqgen: turn a document into a validated multiple-choice test.
 *
 * Plain C (C99 and later, also valid C++). Every name starts with mcqgen_ or MCQGEN_.
 *
 * Basic usage
 * -----------
 *
 *     mcqgen_config cfg = MCQGEN_CONFIG_INIT;
 *     mcqgen_config_from_env(&cfg);               // environment over the defaults
 *     cfg.offline = 1;                             // tweak fields as needed
 *
 *     mcqgen_generator* gen = NULL;
 *     mcqgen_storage* store = NULL;
 *     if (mcqgen_generator_create(&gen, &cfg) != MCQGEN_OK ||
 *         mcqgen_storage_open_sqlite(&store, "tests.db") != MCQGEN_OK) {
 *         fprintf(stderr, "%s\n", mcqgen_last_error());
 *         ...
 *     }
 *     mcqgen_run_options run = MCQGEN_RUN_OPTIONS_INIT;
 *     run.count = 10;
 *     run.on_progress = on_progress;              // may be NULL
 *     run.user_data = my_state;
 *     mcqgen_run_result result = MCQGEN_RUN_RESULT_INIT;
 *     mcqgen_status s = mcqgen_generate(&result, gen, text, text_len, store, &run);
 *     if (s != MCQGEN_OK) fprintf(stderr, "%s\n", mcqgen_generator_last_error(gen));
 *
 *     char* json = NULL;
 *     if (mcqgen_storage_show_json(&json, store, result.test_id) == MCQGEN_OK) {
 *         puts(json);
 *         mcqgen_free(json);
 *     }
 *     mcqgen_storage_destroy(store);
 *     mcqgen_generator_destroy(gen);
 *
 * Thread safety
 * -------------
 * Different handles may be used from different threads at the same time. One handle must not
 * be used by two threads at once, with these exceptions: mcqgen_generator_cancel,
 * mcqgen_job_cancel and mcqgen_job_wait may be called from any thread at any time, and every
 * ..._destroy function may be called from any thread while a run that uses the handle is in
 * flight. A storage handle may be shared by several generators running on different threads
 * (the storages lock internally). A generator runs one generation at a time; starting a second
 * one while the first runs fails with MCQGEN_E_BUSY.
 *
 * Ownership
 * ---------
 * - Out-parameters come first in every function.
 * - Handles returned through a `T** out` parameter belong to the caller, who frees each with
 *   its matching ..._destroy function (destroy(NULL) does nothing). Handles may be destroyed in
 *   any order: a run in flight keeps the generator and storage it uses alive, destroying a
 *   generator cancels its run, and the memory is released when the run ends.
 * - Strings returned through a `char** out` parameter belong to the caller: free them with
 *   mcqgen_free, never with free().
 * - Strings returned as `const char*` belong to the library: static text, or text owned by the
 *   handle and valid until the next call on that handle (error messages).
 * - Nothing the caller passes in is kept after the call returns (strings and structs are
 *   copied), except the progress callback and its user_data, for the duration of the run.
 *
 * Errors
 * ------
 * Every fallible function returns an mcqgen_status: MCQGEN_OK (0) or a negative code. The
 * status, not the message, tells whether a call failed. The message of the last failure can be
 * read from the handle involved (mcqgen_generator_last_error, ...) and, for every call, from
 * the calling thread (mcqgen_last_error). Messages are UTF-8 and never contain the API key.
 * NULL handles, NULL or non-UTF-8 strings and out-of-range numbers give
 * MCQGEN_E_INVALID_ARGUMENT, never a crash.
 */
#ifndef MCQGEN_MCQGEN_H
#define MCQGEN_MCQGEN_H

#include <stddef.h>
#include <stdint.h>

#if defined(_WIN32)
#if defined(MCQGEN_C_BUILD)
#define MCQGEN_C_API __declspec(dllexport)
#else
#define MCQGEN_C_API __declspec(dllimport)
#endif
#elif defined(__GNUC__)
#define MCQGEN_C_API __attribute__((visibility("default")))
#else
#define MCQGEN_C_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Versions ------------------------------------------------------------------------------ */

#define MCQGEN_C_VERSION_MAJOR 0
#define MCQGEN_C_VERSION_MINOR 1
#define MCQGEN_C_VERSION_PATCH 0
#define MCQGEN_C_VERSION_STRING "0.1.0"
/** The ABI version: the library's SONAME is libmcqgen_c.so.MCQGEN_ABI_VERSION. */
#define MCQGEN_ABI_VERSION 0

/** The library's version, "MAJOR.MINOR.PATCH". Static string. */
MCQGEN_C_API const char* mcqgen_version(void);
/** The library's ABI version; a host compares it with MCQGEN_ABI_VERSION. */
MCQGEN_C_API int32_t mcqgen_abi_version(void);

/* ---- Status codes -------------------------------------------------------------------------- */

/**
 * The result of every fallible call. Each error is the negated mcqgen::errc value of the C++
 * API (one table names them all: mcqgen_status_string). Codes are appended, never renumbered
 * or reused. MCQGEN_E_NOMEM exists only in C and sits apart from the errc range so that range
 * can grow.
 */
typedef enum mcqgen_status {
    MCQGEN_OK = 0,
    MCQGEN_E_INVALID_ARGUMENT = -1, /* bad input: handle, string, count, configuration */
    MCQGEN_E_STORAGE = -2,          /* the storage failed (unwritable, corrupt, locked, foreign) */
    MCQGEN_E_NETWORK = -3,          /* connect/read/write failed, connection reset */
    MCQGEN_E_TLS = -4,              /* TLS handshake or certificate verification failed */
    MCQGEN_E_AUTH = -5,             /* the API refused the key */
    MCQGEN_E_RATE_LIMITED = -6,     /* 429 that retries could not get past */
    MCQGEN_E_SERVER = -7,           /* 5xx / 529 that retries could not get past */
    MCQGEN_E_TIMEOUT = -8,          /* a deadline passed (or mcqgen_job_wait timed out) */
    MCQGEN_E_CANCELLED = -9,        /* the caller cancelled the run */
    MCQGEN_E_BAD_RESPONSE = -10,    /* the API answered something that breaks the contract */
    MCQGEN_E_INTERNAL = -11,        /* a bug in mcqgen */
    MCQGEN_E_NOT_FOUND = -12,       /* no test with that id in the storage */
    MCQGEN_E_BUSY = -13,            /* the generator is already running a generation */
    MCQGEN_E_NOMEM = -100           /* out of memory */
} mcqgen_status;

/**
 * A short lower-case name of a status ("ok", "not_found", "out_of_memory", ...), the same as the
 * C++ mcqgen::to_string(errc); "unknown" for any other value. Static string, never NULL.
 * Bindings walk the codes with it: -1, -2, ... until "unknown", and MCQGEN_E_NOMEM.
 */
MCQGEN_C_API const char* mcqgen_status_string(mcqgen_status status);

/**
 * The message of the last failed call made on this thread, or "" when none failed yet.
 * Owned by the library; valid until the next mcqgen call on this thread.
 */
MCQGEN_C_API const char* mcqgen_last_error(void);

/** Frees a string the library returned through a `char**` parameter. NULL is ignored. */
MCQGEN_C_API void mcqgen_free(void* p);

/* ---- Tests --------------------------------------------------------------------------------- */

/** The lifecycle of a stored test (mcqgen::Status). */
typedef enum mcqgen_test_status {
    MCQGEN_TEST_NONE = -1, /* no test record: the call failed before one was made */
    MCQGEN_TEST_GENERATING = 0,
    MCQGEN_TEST_COMPLETED = 1,
    MCQGEN_TEST_PARTIAL = 2, /* fewer questions than asked; see the error and message */
    MCQGEN_TEST_FAILED = 3   /* no question could be made */
} mcqgen_test_status;

/** "none", "generating", "completed", "partial", "failed" or "unknown". Static string. */
MCQGEN_C_API const char* mcqgen_test_status_string(int32_t test_status);

/* ---- Configuration ------------------------------------------------------------------------- */

#define MCQGEN_CONFIG_VERSION 6
/** Initialiser (C99, C++20) for a config that mcqgen_config_from_env will fill. */
#define MCQGEN_CONFIG_INIT                                                                         \
    { .version = MCQGEN_CONFIG_VERSION }

/** How Claude is asked for JSON (mcqgen::StructuredOutput). */
typedef enum mcqgen_structured_output {
    MCQGEN_STRUCTURED_OUTPUT_AUTOMATIC = 0,   /* per model */
    MCQGEN_STRUCTURED_OUTPUT_JSON_SCHEMA = 1, /* output_config.format with a JSON schema */
    MCQGEN_STRUCTURED_OUTPUT_TOOL = 2         /* a forced tool call */
} mcqgen_structured_output;

/** The form of a test's questions (mcqgen::QuestionStyle); each question stores its own form
 * as its `style`: "cloze", "question" or "statements". */
typedef enum mcqgen_question_style {
    MCQGEN_STYLE_MIXED = 0,     /* each sentence in the form it allows best, spread over the test */
    MCQGEN_STYLE_CLOZE = 1,     /* a sentence of the document with its key term blanked */
    MCQGEN_STYLE_QUESTION = 2,  /* a wh-question or a definition question */
    MCQGEN_STYLE_STATEMENTS = 3 /* "Consider the following statements: 1. ... 2. ..." */
} mcqgen_question_style;

/**
 * Generator configuration (mcqgen::Config, whose groups it follows field by field: http,
 * claude, pipeline, batch). Fill it with mcqgen_config_init or mcqgen_config_from_env, then change
 * fields. `version` says which fields the caller's struct has. Strings are UTF-8; NULL means
 * the default. The ranges and defaults are mcqgen::limits; durations are in milliseconds.
 * C++-only settings: the price table, the context-window table and the log sink.
 */
typedef struct mcqgen_config {
    uint32_t version; /* MCQGEN_CONFIG_VERSION */
    /* http: the connection to the API */
    const char* api_key;          /* Claude API key; NULL or "": offline generator */
    const char* base_url;         /* NULL: "https://api.anthropic.com" */
    const char* api_version;      /* anthropic-version header; NULL: "2023-06-01" */
    int32_t max_concurrency;      /* calls in flight, 1..256, default 8 */
    int32_t max_retries;          /* retries per call, 0..20, default 2 */
    int32_t connect_timeout_ms;   /* TCP connect, 1..600000, default 5000 */
    int32_t handshake_timeout_ms; /* TLS handshake, 1..600000, default 10000 */
    int32_t request_timeout_ms;   /* one request attempt, 1..86400000, default 600000 */
    int32_t max_retry_after_ms;   /* longest server delay obeyed, 0..86400000, default 60000 */
    const char* ca_file;          /* extra CA bundle (PEM) besides the system store; NULL: none */
    int32_t verify_tls;           /* boolean, default 1; 0 only for a development server */
    int32_t allow_insecure_http;  /* boolean, default 0: accept an http:// base_url */
    /* claude: what each request asks for */
    const char* model;         /* NULL: "claude-sonnet-4-6" */
    int32_t max_tokens;        /* per Claude call, 256..64000, default 4096 */
    int32_t structured_output; /* mcqgen_structured_output, default AUTOMATIC */
    int32_t document_tokens;   /* largest document sent whole, 1000..900000, default 32000 */
    int32_t section_tokens;    /* context per call beyond it, 500..900000, default 8000 */
    /* pipeline: how a test is made */
    int32_t candidates;     /* candidates written per question, 1..16, default 4 */
    int32_t max_questions;  /* largest count a request may ask for, 1..1000, default 20 */
    double judge_threshold; /* least judge score accepted, 0..1, default 0.5 */
    int32_t style;          /* mcqgen_question_style, default MIXED */
    uint64_t seed;          /* 0: a random seed, stored with the test */
    int32_t offline;        /* boolean, default 0: offline even when a key is set */
    /* batch: Message Batches at half the price (the storage must keep batches: SQLite does) */
    int32_t batch_enabled;              /* boolean, default 0 */
    int32_t batch_poll_interval_ms;     /* first wait between polls, 10..3600000, default 5000 */
    int32_t batch_max_poll_interval_ms; /* its backoff's ceiling, 10..3600000, default 60000 */
    /* claude, since version 6 */
    const char* judge_model; /* the blind judge's model; NULL or "": the author's `model` */
} mcqgen_config;

/** sizeof(mcqgen_config) as compiled into the library, for bindings that mirror the struct. */
MCQGEN_C_API size_t mcqgen_config_size(void);

/**
 * Fills `*config` with the library defaults (no API key: offline).
 * @param version MCQGEN_CONFIG_VERSION.
 * The strings it stores are static; they stay valid for the life of the process.
 * @return MCQGEN_OK, or MCQGEN_E_INVALID_ARGUMENT for NULL or an unknown version.
 */
MCQGEN_C_API mcqgen_status mcqgen_config_init(mcqgen_config* config, uint32_t version);

/**
 * Fills `*config` with the defaults overlaid by the environment, as mcqgen::Config::from_env
 * (every variable is MCQGEN_*, e.g. MCQGEN_API_KEY, MCQGEN_MODEL, MCQGEN_CANDIDATES; the
 * original service's ANTHROPIC_API_KEY, CLAUDE_API_KEY, ANTHROPIC_BASE_URL and
 * MCQ_CANDIDATE_COUNT are accepted too; the README lists them all).
 * `config->version` must be set first (MCQGEN_CONFIG_INIT or mcqgen_config_init).
 * The strings it stores live in thread-local storage of the library: valid on this thread
 * until the next mcqgen_config_from_env call on it (mcqgen_generator_create copies them).
 * @return MCQGEN_OK, or MCQGEN_E_INVALID_ARGUMENT for NULL, an unknown version or a variable
 *         set to something unusable (the message names it).
 */
MCQGEN_C_API mcqgen_status mcqgen_config_from_env(mcqgen_config* config);

/* ---- Handles ------------------------------------------------------------------------------- */

/** Makes tests from documents. Opaque. */
typedef struct mcqgen_generator mcqgen_generator;
/** Where tests and questions are stored: SQLite or memory. Opaque. */
typedef struct mcqgen_storage mcqgen_storage;
/** A generation running on a thread of its own. Opaque. */
typedef struct mcqgen_job mcqgen_job;

/**
 * Creates a generator. `config` may be NULL: defaults overlaid by the environment. The config
 * and its strings are copied; nothing is kept.
 * @param[out] out the new handle, owned by the caller (mcqgen_generator_destroy); NULL on
 *             failure.
 * @return MCQGEN_OK, or MCQGEN_E_INVALID_ARGUMENT for a NULL `out`, an unknown config version,
 *         a non-UTF-8 string, a value out of range or a malformed base_url (when a key is set);
 *         MCQGEN_E_TLS when ca_file cannot be loaded (message in mcqgen_last_error).
 */
MCQGEN_C_API mcqgen_status mcqgen_generator_create(mcqgen_generator** out,
                                                   const mcqgen_config* config);

/**
 * The generator's effective configuration, as validated at creation. Strings point into the
 * generator and stay valid while the handle lives (the API key included: it is the caller's own).
 * @param[out] out filled completely; its version is set to MCQGEN_CONFIG_VERSION.
 * @return MCQGEN_OK, or MCQGEN_E_INVALID_ARGUMENT for NULL.
 */
MCQGEN_C_API mcqgen_status mcqgen_generator_config(mcqgen_config* out, const mcqgen_generator* gen);

/**
 * Releases the caller's handle. A run in flight (blocking on another thread, or a job) is
 * cancelled; the memory is freed when the last run using the generator has ended. NULL is
 * ignored. Any thread.
 */
MCQGEN_C_API void mcqgen_generator_destroy(mcqgen_generator* gen);

/**
 * Cancels the generator's run in flight, if any, from any thread (also from its own progress
 * callback). Calls in flight are aborted; everything stored is kept and the run ends `partial`
 * (or `failed`) with error MCQGEN_E_CANCELLED.
 * @return MCQGEN_OK (also when nothing runs), MCQGEN_E_INVALID_ARGUMENT for NULL.
 */
MCQGEN_C_API mcqgen_status mcqgen_generator_cancel(mcqgen_generator* gen);

/**
 * The message of the last failed call on `gen`, "" after a successful one. Owned by the
 * handle, valid until the next call on it. Never NULL (a fixed text for a NULL handle).
 */
MCQGEN_C_API const char* mcqgen_generator_last_error(const mcqgen_generator* gen);

/**
 * Opens (creating if needed) a SQLite database. WAL mode; each question is committed on its own.
 * @param[out] out the new handle, owned by the caller (mcqgen_storage_destroy); NULL on failure.
 * @param path a UTF-8 file path; copied.
 * @return MCQGEN_OK; MCQGEN_E_INVALID_ARGUMENT for NULL or non-UTF-8 arguments;
 *         MCQGEN_E_STORAGE when the file cannot be opened or written, is not a SQLite
 *         database, belongs to another program or comes from a newer mcqgen.
 */
MCQGEN_C_API mcqgen_status mcqgen_storage_open_sqlite(mcqgen_storage** out, const char* path);

/**
 * Creates a storage that keeps everything in memory, for as long as the handle lives.
 * @param[out] out the new handle, owned by the caller (mcqgen_storage_destroy).
 */
MCQGEN_C_API mcqgen_status mcqgen_storage_create_memory(mcqgen_storage** out);

/**
 * Releases the caller's handle; a run using the storage keeps it open until the run ends.
 * NULL is ignored. Any thread.
 */
MCQGEN_C_API void mcqgen_storage_destroy(mcqgen_storage* storage);

/** As mcqgen_generator_last_error, for a storage handle. */
MCQGEN_C_API const char* mcqgen_storage_last_error(const mcqgen_storage* storage);

/* ---- Generation ---------------------------------------------------------------------------- */

/** Pass as a document length to mean "NUL-terminated". */
#define MCQGEN_NUL_TERMINATED ((size_t)-1)

#define MCQGEN_PROGRESS_VERSION 1

/**
 * A progress event: once when a run starts, after each question is committed to storage, and
 * once when the run ends. Borrowed: valid only during the callback. Fields are only ever
 * appended; `version` says which are present.
 */
typedef struct mcqgen_progress {
    uint32_t version;          /* MCQGEN_PROGRESS_VERSION of the library */
    int32_t created;           /* questions stored so far */
    int32_t target;            /* questions asked for */
    int32_t status;            /* mcqgen_test_status: GENERATING until the final event */
    double fraction;           /* created / target */
    const char* test_id;       /* the test's id, NUL-terminated */
    const char* message;       /* "3 of 10 questions created" */
    const char* question_json; /* the question just stored, as JSON; NULL for other events */
} mcqgen_progress;

/** sizeof(mcqgen_progress) as compiled into the library. */
MCQGEN_C_API size_t mcqgen_progress_size(void);

/**
 * Progress callback. Runs on the thread that runs the generation — the calling thread for
 * mcqgen_generate/mcqgen_resume, the job's own thread for the ..._start forms — one event at a
 * time, never concurrently. It must not call into the same generator except
 * mcqgen_generator_cancel. It may call mcqgen_job_cancel and destroy handles (the run goes on
 * holding what it uses; a job destroyed from its own callback is freed when its run ends).
 * Waiting for its own job (mcqgen_job_wait, mcqgen_job_result) fails with MCQGEN_E_BUSY.
 * @return 0 to continue, non-zero to cancel the run (what was stored is kept).
 */
typedef int (*mcqgen_progress_fn)(const mcqgen_progress* progress, void* user_data);

#define MCQGEN_RUN_RESULT_VERSION 1
/** Initialiser (C99, C++20) for a run result: sets the version, zeroes the rest. */
#define MCQGEN_RUN_RESULT_INIT                                                                     \
    { .version = MCQGEN_RUN_RESULT_VERSION }
#define MCQGEN_TEST_ID_SIZE 64
#define MCQGEN_MESSAGE_SIZE 256

/**
 * The outcome of a run. The caller sets `version` (MCQGEN_RUN_RESULT_INIT); the library fills
 * the rest. After a failed call: status MCQGEN_TEST_NONE, test_id "", error = the call's status
 * and message = the start of its error message.
 */
typedef struct mcqgen_run_result {
    uint32_t version;                  /* set by the caller: MCQGEN_RUN_RESULT_VERSION */
    int32_t status;                    /* mcqgen_test_status */
    int32_t created;                   /* questions stored */
    int32_t target;                    /* questions asked for */
    int32_t error;                     /* mcqgen_status: why the run ended short, or MCQGEN_OK */
    char test_id[MCQGEN_TEST_ID_SIZE]; /* NUL-terminated; "" when no test record exists */
    char message[MCQGEN_MESSAGE_SIZE]; /* "7 of 10 questions created; ..." (cut at a UTF-8
                                          character boundary; the storage has it in full) */
} mcqgen_run_result;

/** sizeof(mcqgen_run_result) as compiled into the library. */
MCQGEN_C_API size_t mcqgen_run_result_size(void);

#define MCQGEN_RUN_OPTIONS_VERSION 1
/** Initialiser (C99, C++20) for run options: sets the version, zeroes the rest. */
#define MCQGEN_RUN_OPTIONS_INIT                                                                    \
    { .version = MCQGEN_RUN_OPTIONS_VERSION }

/**
 * What one run is asked for, besides its document or test id. Fields are only ever appended;
 * `version` says which the caller's struct has. Copied by the call, except the callback and
 * user_data, which are used for the duration of the run.
 */
typedef struct mcqgen_run_options {
    uint32_t version;               /* MCQGEN_RUN_OPTIONS_VERSION */
    int32_t count;                  /* questions wanted, 1..config.max_questions (generate) */
    mcqgen_progress_fn on_progress; /* may be NULL */
    void* user_data;                /* passed back to on_progress untouched */
} mcqgen_run_options;

/** sizeof(mcqgen_run_options) as compiled into the library. */
MCQGEN_C_API size_t mcqgen_run_options_size(void);

/**
 * Fills `*options` with the defaults (count 0: must be set for a generation; no callback).
 * @return MCQGEN_OK, or MCQGEN_E_INVALID_ARGUMENT for NULL or an unknown version.
 */
MCQGEN_C_API mcqgen_status mcqgen_run_options_init(mcqgen_run_options* options, uint32_t version);

/**
 * Generates `count` questions from `document` into `storage`, blocking the calling thread.
 *
 * A run that produced a test record returns MCQGEN_OK whatever its outcome: check
 * `out->status` (COMPLETED, PARTIAL or FAILED) and `out->error`. Cancellation (callback
 * returning non-zero, mcqgen_generator_cancel) is such an outcome: PARTIAL/FAILED with error
 * MCQGEN_E_CANCELLED.
 *
 * @param[out] out the outcome; may be NULL. Its version must be set.
 * @param document the document's bytes, read by their content: plain text (UTF-8, or UTF-16
 *        with a byte-order mark), Markdown, HTML, DOCX, EPUB, or PDF when the library was
 *        built with its PDF component; copied. `len` bytes, or MCQGEN_NUL_TERMINATED (text).
 * @param options the count (required) and the progress callback; not NULL.
 * @return MCQGEN_OK; MCQGEN_E_INVALID_ARGUMENT (bad handle, document, options or count:
 *         nothing is stored); MCQGEN_E_BUSY (the generator is running); MCQGEN_E_AUTH /
 *         MCQGEN_E_TLS (Claude refused the key or the peer; the test is stored as failed);
 *         MCQGEN_E_STORAGE; MCQGEN_E_NOMEM.
 */
MCQGEN_C_API mcqgen_status mcqgen_generate(mcqgen_run_result* out, mcqgen_generator* gen,
                                           const char* document, size_t len,
                                           mcqgen_storage* storage,
                                           const mcqgen_run_options* options);

/**
 * Generates only what a stored test still lacks (after a partial run, a cancellation or a
 * crash), with the test's own seed. A completed test is returned as is. Blocking, as
 * mcqgen_generate.
 * @param options the progress callback; may be NULL (no callback). Its count is ignored.
 * @return as mcqgen_generate, and MCQGEN_E_NOT_FOUND for an unknown test id.
 */
MCQGEN_C_API mcqgen_status mcqgen_resume(mcqgen_run_result* out, mcqgen_generator* gen,
                                         const char* test_id, mcqgen_storage* storage,
                                         const mcqgen_run_options* options);

/**
 * Starts mcqgen_generate on a thread of its own and returns at once. The progress callback
 * runs on that thread. The handle keeps the generator and the storage alive until the run has
 * ended. Arguments are checked here (MCQGEN_E_INVALID_ARGUMENT, MCQGEN_E_BUSY); what the run
 * itself fails with is reported by mcqgen_job_result.
 * @param[out] out the job, owned by the caller (mcqgen_job_destroy); NULL on failure.
 */
MCQGEN_C_API mcqgen_status mcqgen_generate_start(mcqgen_job** out, mcqgen_generator* gen,
                                                 const char* document, size_t len,
                                                 mcqgen_storage* storage,
                                                 const mcqgen_run_options* options);

/** Starts mcqgen_resume on a thread of its own, as mcqgen_generate_start. */
MCQGEN_C_API mcqgen_status mcqgen_resume_start(mcqgen_job** out, mcqgen_generator* gen,
                                               const char* test_id, mcqgen_storage* storage,
                                               const mcqgen_run_options* options);

/**
 * Waits until the job's run has ended or `timeout_ms` passed (negative: no limit; 0: poll).
 * Any thread, also several at once; a failure is recorded in mcqgen_last_error only.
 * @return MCQGEN_OK when the run has ended, MCQGEN_E_TIMEOUT when not yet,
 *         MCQGEN_E_INVALID_ARGUMENT for NULL.
 */
MCQGEN_C_API mcqgen_status mcqgen_job_wait(mcqgen_job* job, int64_t timeout_ms);

/**
 * Asks the job's run to stop, from any thread; what was stored is kept. A failure (NULL) is
 * recorded in mcqgen_last_error only.
 */
MCQGEN_C_API mcqgen_status mcqgen_job_cancel(mcqgen_job* job);

/**
 * Waits for the run to end, then reports it: MCQGEN_OK with the outcome in `*out` (may be
 * NULL; its version must be set), or the status mcqgen_generate would have returned, with the
 * message in mcqgen_job_last_error.
 */
MCQGEN_C_API mcqgen_status mcqgen_job_result(mcqgen_run_result* out, mcqgen_job* job);

/** As mcqgen_generator_last_error, for a job handle. */
MCQGEN_C_API const char* mcqgen_job_last_error(const mcqgen_job* job);

/**
 * Cancels the run if it is still going, waits for it to end, and frees the job. NULL is
 * ignored. Any thread; from the job's own progress callback it cancels without waiting, and the
 * job is freed when its run ends.
 */
MCQGEN_C_API void mcqgen_job_destroy(mcqgen_job* job);

/* ---- Reading back (JSON, as the CLI's --json prints it) ------------------------------------ */

/*
 * Each returns a UTF-8 JSON string through `json_out`, owned by the caller: free it with
 * mcqgen_free. On failure `*json_out` is NULL and the status says why: MCQGEN_E_NOT_FOUND for an
 * unknown test id, MCQGEN_E_STORAGE when the storage fails, MCQGEN_E_INVALID_ARGUMENT for NULL
 * or non-UTF-8 arguments.
 */

/** The test record: {"id", "status", "target_questions", "questions_generated", ...}. */
MCQGEN_C_API mcqgen_status mcqgen_storage_test_json(char** json_out, mcqgen_storage* storage,
                                                    const char* test_id);
/** The test's questions ordered by position: [{"id", "position", "stem", "options", ...}]. */
MCQGEN_C_API mcqgen_status mcqgen_storage_questions_json(char** json_out, mcqgen_storage* storage,
                                                         const char* test_id);
/** Both: {"test": {...}, "questions": [...]}. */
MCQGEN_C_API mcqgen_status mcqgen_storage_show_json(char** json_out, mcqgen_storage* storage,
                                                    const char* test_id);
/** Every test, newest first: [{...}, ...]. */
MCQGEN_C_API mcqgen_status mcqgen_storage_list_json(char** json_out, mcqgen_storage* storage);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* MCQGEN_MCQGEN_H */
