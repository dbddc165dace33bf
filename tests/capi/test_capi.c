/* The C ABI driven from C11: every NULL and bad-argument path, the blocking and asynchronous
 * runs, cancellation from callbacks and other threads, reading back, and destroying handles in
 * every order while runs are in flight. Offline only. */
#define _POSIX_C_SOURCE 200809L

#include "capi_check.h"

#include <mcqgen/mcqgen.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ---- Helpers ------------------------------------------------------------------------------- */

static char* document_text;

static void sleep_ms(long ms) {
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
}

/* Waits up to `ms` milliseconds until *flag becomes non-zero; returns whether it did. */
static int wait_for_flag_ms(atomic_int* flag, long ms) {
    for (long i = 0; i < ms && !atomic_load(flag); ++i)
        sleep_ms(1);
    return atomic_load(flag);
}

static int wait_for_flag(atomic_int* flag) {
    return wait_for_flag_ms(flag, 30000);
}

static char temp_dir[64];

static const char* temp_path(const char* name) {
    static char path[128];
    snprintf(path, sizeof path, "%s/%s", temp_dir, name);
    return path;
}

static mcqgen_generator* offline_generator(uint64_t seed) {
    mcqgen_config cfg;
    mcqgen_config_init(&cfg, MCQGEN_CONFIG_VERSION);
    cfg.offline = 1;
    cfg.seed = seed;
    mcqgen_generator* gen = NULL;
    CHECK_STATUS(mcqgen_generator_create(&gen, &cfg), MCQGEN_OK);
    return gen;
}

static mcqgen_storage* memory_storage(void) {
    mcqgen_storage* storage = NULL;
    CHECK_STATUS(mcqgen_storage_create_memory(&storage), MCQGEN_OK);
    return storage;
}

/* Blocking and background runs on the sample document. */
static mcqgen_status generate_sample(mcqgen_run_result* out, mcqgen_generator* gen, int32_t count,
                                     mcqgen_storage* storage, mcqgen_progress_fn on_progress,
                                     void* user_data) {
    return mcqgen_generate(out, gen, document_text, MCQGEN_NUL_TERMINATED, count, storage,
                           on_progress, user_data);
}

static mcqgen_status generate_start_sample(mcqgen_job** out, mcqgen_generator* gen, int32_t count,
                                           mcqgen_storage* storage, mcqgen_progress_fn on_progress,
                                           void* user_data) {
    return mcqgen_generate_start(out, gen, document_text, MCQGEN_NUL_TERMINATED, count, storage,
                                 on_progress, user_data);
}

/* Whether no test in `storage` is still generating, i.e. every run on it has ended. */
static int no_run_generating(mcqgen_storage* storage) {
    char* json = NULL;
    CHECK_STATUS(mcqgen_storage_list_json(storage, &json), MCQGEN_OK);
    const int ended = json && strstr(json, "\"generating\"") == NULL;
    mcqgen_free(json);
    return ended;
}

/* A run cancelled after it created some questions ends partial, not failed. */
static void expect_cancelled_partial(const mcqgen_run_result* r) {
    CHECK(r->status == MCQGEN_TEST_PARTIAL);
    CHECK(r->error == MCQGEN_E_CANCELLED);
}

static int count_occurrences(const char* text, const char* needle) {
    int n = 0;
    for (const char* p = strstr(text, needle); p; p = strstr(p + 1, needle))
        ++n;
    return n;
}

/* ---- Progress callbacks -------------------------------------------------------------------- */

typedef struct {
    int events;
    int question_events;
    int in_order;
    int final_status;
    int cancel_at;         /* return non-zero when this many questions exist (0: never) */
    pthread_t thread;      /* the thread of the last callback */
    atomic_int reached;    /* set when `cancel_at`/`block_at` was reached */
    atomic_int release;    /* a blocked callback continues when this is set */
    int block_at;          /* block until `release` when this many questions exist */
    mcqgen_generator* gen; /* for nested calls from the callback */
    mcqgen_status nested;  /* what a nested generate on the same generator returned */
} recorder;

static void recorder_init(recorder* r) {
    memset(r, 0, sizeof *r);
    r->in_order = 1;
    atomic_init(&r->reached, 0);
    atomic_init(&r->release, 0);
    r->nested = MCQGEN_OK;
}

static int record_progress(const mcqgen_progress* p, void* user_data) {
    recorder* r = user_data;
    r->events++;
    r->thread = pthread_self();
    r->final_status = p->status;
    if (p->version != MCQGEN_PROGRESS_VERSION || !p->test_id || !p->message) r->in_order = 0;
    if (p->question_json) {
        r->question_events++;
        char expected[64];
        snprintf(expected, sizeof expected, "%d of %d questions created", r->question_events,
                 p->target);
        if (p->created != r->question_events || strcmp(p->message, expected) != 0 ||
            p->question_json[0] != '{')
            r->in_order = 0;
        if (r->gen && r->question_events == 1) {
            mcqgen_run_result nested = MCQGEN_RUN_RESULT_INIT;
            mcqgen_storage* s = memory_storage();
            r->nested = generate_sample(&nested, r->gen, 1, s, NULL, NULL);
            mcqgen_storage_destroy(s);
        }
    }
    if (r->block_at && p->created == r->block_at && p->question_json) {
        atomic_store(&r->reached, 1);
        wait_for_flag(&r->release);
    }
    if (r->cancel_at && p->created >= r->cancel_at) {
        atomic_store(&r->reached, 1);
        return 1;
    }
    return 0;
}

/* ---- Versions, statuses, config ------------------------------------------------------------ */

static void test_versions_and_strings(void) {
    CHECK(strcmp(mcqgen_version(), MCQGEN_C_VERSION_STRING) == 0);
    CHECK(mcqgen_abi_version() == MCQGEN_ABI_VERSION);
    CHECK(mcqgen_config_size() == sizeof(mcqgen_config));
    CHECK(mcqgen_progress_size() == sizeof(mcqgen_progress));
    CHECK(mcqgen_run_result_size() == sizeof(mcqgen_run_result));

    CHECK(strcmp(mcqgen_status_string(MCQGEN_OK), "ok") == 0);
    CHECK(strcmp(mcqgen_status_string(MCQGEN_E_INVALID_ARGUMENT), "invalid_argument") == 0);
    CHECK(strcmp(mcqgen_status_string(MCQGEN_E_RATE_LIMITED), "rate_limited") == 0);
    CHECK(strcmp(mcqgen_status_string(MCQGEN_E_NOT_FOUND), "not_found") == 0);
    CHECK(strcmp(mcqgen_status_string(MCQGEN_E_NOMEM), "out_of_memory") == 0);
    CHECK(strcmp(mcqgen_status_string(MCQGEN_E_BUSY), "busy") == 0);
    CHECK(strcmp(mcqgen_status_string((mcqgen_status)-55), "unknown") == 0);
    CHECK(strcmp(mcqgen_status_string((mcqgen_status)7), "unknown") == 0);
    for (int s = 0; s >= -12; --s)
        CHECK(strcmp(mcqgen_status_string((mcqgen_status)s), "unknown"));

    CHECK(strcmp(mcqgen_test_status_string(MCQGEN_TEST_PARTIAL), "partial") == 0);
    CHECK(strcmp(mcqgen_test_status_string(MCQGEN_TEST_NONE), "none") == 0);
    CHECK(strcmp(mcqgen_test_status_string(42), "unknown") == 0);

    CHECK(mcqgen_last_error() != NULL);
    CHECK(strcmp(mcqgen_generator_last_error(NULL), "") != 0);
    CHECK(strcmp(mcqgen_storage_last_error(NULL), "") != 0);
    CHECK(strcmp(mcqgen_job_last_error(NULL), "") != 0);
    mcqgen_free(NULL);
}

static void test_config(void) {
    mcqgen_config cfg;
    CHECK_STATUS(mcqgen_config_init(NULL, MCQGEN_CONFIG_VERSION), MCQGEN_E_INVALID_ARGUMENT);
    CHECK(strstr(mcqgen_last_error(), "NULL") != NULL);
    CHECK_STATUS(mcqgen_config_init(&cfg, 0), MCQGEN_E_INVALID_ARGUMENT);
    CHECK_STATUS(mcqgen_config_init(&cfg, MCQGEN_CONFIG_VERSION + 1), MCQGEN_E_INVALID_ARGUMENT);
    CHECK_STATUS(mcqgen_config_init(&cfg, MCQGEN_CONFIG_VERSION), MCQGEN_OK);
    CHECK(cfg.version == MCQGEN_CONFIG_VERSION);
    CHECK(cfg.api_key == NULL);
    CHECK(cfg.ca_file == NULL);
    CHECK(cfg.base_url && strcmp(cfg.base_url, "https://api.anthropic.com") == 0);
    CHECK(cfg.model && cfg.model[0] != '\0');
    CHECK(cfg.max_questions == 20);
    CHECK(cfg.candidates == 4);
    CHECK(cfg.max_concurrency == 8);
    CHECK(cfg.max_retries == 2);
    CHECK(cfg.verify_tls == 1);
    CHECK(cfg.allow_insecure_http == 0);
    CHECK(cfg.offline == 0);
    CHECK(cfg.seed == 0);
    CHECK(cfg.judge_threshold > 0.49 && cfg.judge_threshold < 0.51);
    CHECK(cfg.connect_timeout_ms > 0 && cfg.handshake_timeout_ms > 0 && cfg.request_timeout_ms > 0);

    CHECK_STATUS(mcqgen_config_from_env(NULL), MCQGEN_E_INVALID_ARGUMENT);
    mcqgen_config unset;
    memset(&unset, 0, sizeof unset);
    CHECK_STATUS(mcqgen_config_from_env(&unset), MCQGEN_E_INVALID_ARGUMENT);

    setenv("MCQGEN_MAX_QUESTIONS", "30", 1);
    setenv("MCQGEN_MODEL", "claude-test-model", 1);
    mcqgen_config env = MCQGEN_CONFIG_INIT;
    CHECK_STATUS(mcqgen_config_from_env(&env), MCQGEN_OK);
    CHECK(env.max_questions == 30);
    CHECK(env.model && strcmp(env.model, "claude-test-model") == 0);
    CHECK(env.api_key == NULL); /* the ctest environment clears the keys */
    setenv("MCQGEN_CONCURRENCY", "lots", 1);
    CHECK_STATUS(mcqgen_config_from_env(&env), MCQGEN_E_INVALID_ARGUMENT);
    CHECK(strstr(mcqgen_last_error(), "MCQGEN_CONCURRENCY") != NULL);
    mcqgen_generator* gen = (mcqgen_generator*)&env; /* must be reset to NULL on failure */
    CHECK_STATUS(mcqgen_generator_create(&gen, NULL), MCQGEN_E_INVALID_ARGUMENT);
    CHECK(gen == NULL);
    unsetenv("MCQGEN_CONCURRENCY");
    unsetenv("MCQGEN_MAX_QUESTIONS");
    unsetenv("MCQGEN_MODEL");
}

static void expect_bad_config(mcqgen_config cfg, const char* what) {
    mcqgen_generator* gen = NULL;
    const mcqgen_status status = mcqgen_generator_create(&gen, &cfg);
    CHECK_STATUS(status, MCQGEN_E_INVALID_ARGUMENT);
    CHECK(gen == NULL);
    if (status != MCQGEN_E_INVALID_ARGUMENT) fprintf(stderr, "  (for %s)\n", what);
    mcqgen_generator_destroy(gen);
}

static void test_generator_create(void) {
    mcqgen_config cfg;
    mcqgen_config_init(&cfg, MCQGEN_CONFIG_VERSION);
    CHECK_STATUS(mcqgen_generator_create(NULL, &cfg), MCQGEN_E_INVALID_ARGUMENT);

    mcqgen_config c = cfg;
    c.version = 0;
    expect_bad_config(c, "version 0");
    c = cfg, c.version = 99, expect_bad_config(c, "version 99");
    c = cfg, c.candidates = 0, expect_bad_config(c, "candidates 0");
    c = cfg, c.candidates = 17, expect_bad_config(c, "candidates 17");
    c = cfg, c.max_questions = 0, expect_bad_config(c, "max_questions 0");
    c = cfg, c.max_questions = 1001, expect_bad_config(c, "max_questions 1001");
    c = cfg, c.max_concurrency = 0, expect_bad_config(c, "max_concurrency 0");
    c = cfg, c.max_retries = -1, expect_bad_config(c, "max_retries -1");
    c = cfg, c.max_tokens = 1, expect_bad_config(c, "max_tokens 1");
    c = cfg, c.connect_timeout_ms = 0, expect_bad_config(c, "connect timeout 0");
    c = cfg, c.handshake_timeout_ms = -5, expect_bad_config(c, "handshake timeout -5");
    c = cfg, c.request_timeout_ms = 0, expect_bad_config(c, "request timeout 0");
    c = cfg, c.judge_threshold = 1.5, expect_bad_config(c, "judge threshold 1.5");
    c = cfg, c.model = "", expect_bad_config(c, "empty model");
    c = cfg, c.model = "\xff\xfe", expect_bad_config(c, "non-UTF-8 model");
    CHECK(strstr(mcqgen_last_error(), "UTF-8") != NULL);
    c = cfg, c.ca_file = "\xc3", expect_bad_config(c, "non-UTF-8 ca_file");
    c = cfg, c.base_url = "\xed\xa0\x80", expect_bad_config(c, "surrogate in base_url");

    /* The key never appears in a message, even when the failure involves it. */
    c = cfg;
    c.api_key = "test-SECRET-KEY-0123456789";
    c.base_url = "ftp://test-SECRET-KEY-0123456789";
    expect_bad_config(c, "ftp base url");
    CHECK(strstr(mcqgen_last_error(), "SECRET") == NULL);
    c.api_key = "test-key-\xff";
    expect_bad_config(c, "non-UTF-8 key");
    CHECK(strstr(mcqgen_last_error(), "api_key") != NULL);

    mcqgen_generator* gen = NULL;
    CHECK_STATUS(mcqgen_generator_create(&gen, NULL), MCQGEN_OK); /* environment: offline */
    CHECK(gen != NULL);
    CHECK(strcmp(mcqgen_generator_last_error(gen), "") == 0);
    CHECK_STATUS(mcqgen_generator_cancel(gen), MCQGEN_OK); /* nothing runs: a no-op */
    mcqgen_generator_destroy(gen);
    CHECK_STATUS(mcqgen_generator_cancel(NULL), MCQGEN_E_INVALID_ARGUMENT);
    mcqgen_generator_destroy(NULL);
    mcqgen_storage_destroy(NULL);
    mcqgen_job_destroy(NULL);
}

/* ---- Storage ------------------------------------------------------------------------------- */

static void test_storage_open(void) {
    mcqgen_storage* s = (mcqgen_storage*)&s;
    CHECK_STATUS(mcqgen_storage_open_sqlite(NULL, temp_path("a.db")), MCQGEN_E_INVALID_ARGUMENT);
    CHECK_STATUS(mcqgen_storage_open_sqlite(&s, NULL), MCQGEN_E_INVALID_ARGUMENT);
    CHECK(s == NULL);
    CHECK_STATUS(mcqgen_storage_open_sqlite(&s, ""), MCQGEN_E_INVALID_ARGUMENT);
    CHECK_STATUS(mcqgen_storage_open_sqlite(&s, "bad-\xff.db"), MCQGEN_E_INVALID_ARGUMENT);
    CHECK_STATUS(mcqgen_storage_open_sqlite(&s, temp_dir), MCQGEN_E_STORAGE); /* a directory */
    CHECK(s == NULL);

    FILE* junk = fopen(temp_path("junk.db"), "wb");
    for (int i = 0; i < 400; ++i)
        fputs("this is not a database ", junk);
    fclose(junk);
    CHECK_STATUS(mcqgen_storage_open_sqlite(&s, temp_path("junk.db")), MCQGEN_E_STORAGE);
    CHECK(s == NULL);
    CHECK(mcqgen_last_error()[0] != '\0');

    CHECK_STATUS(mcqgen_storage_create_memory(NULL), MCQGEN_E_INVALID_ARGUMENT);
    CHECK_STATUS(mcqgen_storage_open_sqlite(&s, temp_path("a.db")), MCQGEN_OK);
    CHECK(s != NULL);
    char* json = (char*)&json;
    CHECK_STATUS(mcqgen_storage_list_json(s, &json), MCQGEN_OK);
    CHECK(json && strcmp(json, "[]") == 0);
    mcqgen_free(json);
    CHECK(strcmp(mcqgen_storage_last_error(s), "") == 0);
    mcqgen_storage_destroy(s);
}

/* ---- Blocking runs ------------------------------------------------------------------------- */

static void expect_bad_generate(mcqgen_generator* gen, const char* doc, size_t len, int32_t count,
                                mcqgen_storage* storage) {
    mcqgen_run_result r = MCQGEN_RUN_RESULT_INIT;
    r.status = 77;
    CHECK_STATUS(mcqgen_generate(&r, gen, doc, len, count, storage, NULL, NULL),
                 MCQGEN_E_INVALID_ARGUMENT);
    CHECK(r.status == MCQGEN_TEST_NONE);
    CHECK(r.error == MCQGEN_E_INVALID_ARGUMENT);
    CHECK(r.test_id[0] == '\0');
    CHECK(r.message[0] != '\0');
    mcqgen_job* job = (mcqgen_job*)&r;
    CHECK_STATUS(mcqgen_generate_start(&job, gen, doc, len, count, storage, NULL, NULL),
                 MCQGEN_E_INVALID_ARGUMENT);
    CHECK(job == NULL);
}

static void test_generate_bad_arguments(void) {
    mcqgen_generator* gen = offline_generator(1);
    mcqgen_storage* storage = memory_storage();
    const char* doc = document_text;

    expect_bad_generate(NULL, doc, MCQGEN_NUL_TERMINATED, 3, storage);
    CHECK(strstr(mcqgen_last_error(), "gen") != NULL);
    expect_bad_generate(gen, doc, MCQGEN_NUL_TERMINATED, 3, NULL);
    CHECK(strcmp(mcqgen_generator_last_error(gen), mcqgen_last_error()) == 0);
    expect_bad_generate(gen, NULL, 10, 3, storage);
    expect_bad_generate(gen, doc, 0, 3, storage);
    expect_bad_generate(gen, "   \n\t  ", MCQGEN_NUL_TERMINATED, 3, storage);
    expect_bad_generate(gen, "caf\xc3 au lait", MCQGEN_NUL_TERMINATED, 3, storage);
    expect_bad_generate(gen, "binary\0data", 11, 3, storage);
    expect_bad_generate(gen, doc, MCQGEN_NUL_TERMINATED, 0, storage);
    expect_bad_generate(gen, doc, MCQGEN_NUL_TERMINATED, -1, storage);
    expect_bad_generate(gen, doc, MCQGEN_NUL_TERMINATED, 21, storage);
    expect_bad_generate(gen, doc, MCQGEN_NUL_TERMINATED, INT32_MAX, storage);
    CHECK(strstr(mcqgen_generator_last_error(gen), "between 1 and 20") != NULL);

    mcqgen_run_result unversioned;
    memset(&unversioned, 0, sizeof unversioned);
    CHECK_STATUS(generate_sample(&unversioned, gen, 3, storage, NULL, NULL),
                 MCQGEN_E_INVALID_ARGUMENT);
    CHECK(unversioned.status == 0 && unversioned.error == 0); /* left untouched */

    mcqgen_run_result r = MCQGEN_RUN_RESULT_INIT;
    CHECK_STATUS(mcqgen_resume(&r, gen, NULL, storage, NULL, NULL), MCQGEN_E_INVALID_ARGUMENT);
    CHECK_STATUS(mcqgen_resume(&r, gen, "\xff", storage, NULL, NULL), MCQGEN_E_INVALID_ARGUMENT);
    CHECK_STATUS(mcqgen_resume(&r, NULL, "x", storage, NULL, NULL), MCQGEN_E_INVALID_ARGUMENT);
    CHECK_STATUS(mcqgen_resume(&r, gen, "x", NULL, NULL, NULL), MCQGEN_E_INVALID_ARGUMENT);
    CHECK_STATUS(mcqgen_resume(&r, gen, "no-such-test", storage, NULL, NULL), MCQGEN_E_NOT_FOUND);
    CHECK(r.error == MCQGEN_E_NOT_FOUND && r.status == MCQGEN_TEST_NONE);
    CHECK(strstr(mcqgen_generator_last_error(gen), "no-such-test") != NULL);

    mcqgen_job* job = (mcqgen_job*)&r;
    CHECK_STATUS(mcqgen_resume_start(&job, gen, NULL, storage, NULL, NULL),
                 MCQGEN_E_INVALID_ARGUMENT);
    CHECK(job == NULL);
    CHECK_STATUS(mcqgen_resume_start(NULL, gen, "x", storage, NULL, NULL),
                 MCQGEN_E_INVALID_ARGUMENT);
    CHECK_STATUS(mcqgen_resume_start(&job, NULL, "x", storage, NULL, NULL),
                 MCQGEN_E_INVALID_ARGUMENT);
    CHECK_STATUS(mcqgen_resume_start(&job, gen, "x", NULL, NULL, NULL), MCQGEN_E_INVALID_ARGUMENT);
    CHECK_STATUS(generate_start_sample(NULL, gen, 3, storage, NULL, NULL),
                 MCQGEN_E_INVALID_ARGUMENT);

    /* Nothing was stored by any of these. */
    char* json = NULL;
    CHECK_STATUS(mcqgen_storage_list_json(storage, &json), MCQGEN_OK);
    CHECK(json && strcmp(json, "[]") == 0);
    mcqgen_free(json);

    /* The generator is still usable after all that. */
    CHECK_STATUS(generate_sample(&r, gen, 2, storage, NULL, NULL), MCQGEN_OK);
    CHECK(r.status == MCQGEN_TEST_COMPLETED);
    CHECK(strcmp(mcqgen_generator_last_error(gen), "") == 0);
    mcqgen_storage_destroy(storage);
    mcqgen_generator_destroy(gen);
}

static void test_generate_and_read_back(void) {
    mcqgen_generator* gen = offline_generator(42);
    mcqgen_storage* storage = NULL;
    CHECK_STATUS(mcqgen_storage_open_sqlite(&storage, temp_path("run.db")), MCQGEN_OK);

    recorder rec;
    recorder_init(&rec);
    mcqgen_run_result r = MCQGEN_RUN_RESULT_INIT;
    CHECK_STATUS(mcqgen_generate(&r, gen, document_text, strlen(document_text), 5, storage,
                                 record_progress, &rec),
                 MCQGEN_OK);
    CHECK(r.status == MCQGEN_TEST_COMPLETED);
    CHECK(r.created == 5 && r.target == 5);
    CHECK(r.error == MCQGEN_OK);
    CHECK(strlen(r.test_id) == 36);
    CHECK(strcmp(r.message, "5 of 5 questions created") == 0);
    CHECK(rec.question_events == 5);
    CHECK(rec.events == 7); /* start, five questions, end */
    CHECK(rec.in_order);
    CHECK(rec.final_status == MCQGEN_TEST_COMPLETED);
    CHECK(pthread_equal(rec.thread, pthread_self())); /* blocking: the caller's thread */

    char* json = NULL;
    CHECK_STATUS(mcqgen_storage_test_json(storage, r.test_id, &json), MCQGEN_OK);
    CHECK(json && strstr(json, r.test_id) && strstr(json, "\"status\":\"completed\""));
    mcqgen_free(json);
    CHECK_STATUS(mcqgen_storage_questions_json(storage, r.test_id, &json), MCQGEN_OK);
    CHECK(json && json[0] == '[' && count_occurrences(json, "\"stem\"") == 5);
    mcqgen_free(json);
    CHECK_STATUS(mcqgen_storage_show_json(storage, r.test_id, &json), MCQGEN_OK);
    CHECK(json && strncmp(json, "{\"test\":", 8) == 0 && count_occurrences(json, "\"stem\"") == 5);
    mcqgen_free(json);
    CHECK_STATUS(mcqgen_storage_list_json(storage, &json), MCQGEN_OK);
    CHECK(json && count_occurrences(json, "\"target_questions\"") == 1);
    mcqgen_free(json);

    /* Reading back: every bad argument. */
    json = (char*)&json;
    CHECK_STATUS(mcqgen_storage_test_json(storage, "nope", &json), MCQGEN_E_NOT_FOUND);
    CHECK(json == NULL);
    CHECK(strstr(mcqgen_storage_last_error(storage), "nope") != NULL);
    CHECK_STATUS(mcqgen_storage_questions_json(storage, "nope", &json), MCQGEN_E_NOT_FOUND);
    CHECK_STATUS(mcqgen_storage_show_json(storage, "nope", &json), MCQGEN_E_NOT_FOUND);
    CHECK_STATUS(mcqgen_storage_test_json(storage, NULL, &json), MCQGEN_E_INVALID_ARGUMENT);
    CHECK_STATUS(mcqgen_storage_test_json(storage, "\xff", &json), MCQGEN_E_INVALID_ARGUMENT);
    CHECK_STATUS(mcqgen_storage_test_json(storage, r.test_id, NULL), MCQGEN_E_INVALID_ARGUMENT);
    CHECK_STATUS(mcqgen_storage_test_json(NULL, r.test_id, &json), MCQGEN_E_INVALID_ARGUMENT);
    CHECK_STATUS(mcqgen_storage_questions_json(NULL, r.test_id, &json), MCQGEN_E_INVALID_ARGUMENT);
    CHECK_STATUS(mcqgen_storage_questions_json(storage, NULL, &json), MCQGEN_E_INVALID_ARGUMENT);
    CHECK_STATUS(mcqgen_storage_questions_json(storage, r.test_id, NULL),
                 MCQGEN_E_INVALID_ARGUMENT);
    CHECK_STATUS(mcqgen_storage_show_json(NULL, r.test_id, &json), MCQGEN_E_INVALID_ARGUMENT);
    CHECK_STATUS(mcqgen_storage_show_json(storage, NULL, &json), MCQGEN_E_INVALID_ARGUMENT);
    CHECK_STATUS(mcqgen_storage_show_json(storage, r.test_id, NULL), MCQGEN_E_INVALID_ARGUMENT);
    CHECK_STATUS(mcqgen_storage_list_json(NULL, &json), MCQGEN_E_INVALID_ARGUMENT);
    CHECK_STATUS(mcqgen_storage_list_json(storage, NULL), MCQGEN_E_INVALID_ARGUMENT);
    CHECK(json == NULL);

    /* A NULL result is allowed; so is a NUL-terminated document. */
    CHECK_STATUS(generate_sample(NULL, gen, 1, storage, NULL, NULL), MCQGEN_OK);
    mcqgen_storage_destroy(storage);
    mcqgen_generator_destroy(gen);
}

static void test_cancel_from_callback_and_resume(void) {
    mcqgen_generator* gen = offline_generator(9);
    mcqgen_storage* storage = memory_storage();
    recorder rec;
    recorder_init(&rec);
    rec.cancel_at = 2;
    mcqgen_run_result r = MCQGEN_RUN_RESULT_INIT;
    CHECK_STATUS(generate_sample(&r, gen, 10, storage, record_progress, &rec), MCQGEN_OK);
    expect_cancelled_partial(&r);
    CHECK(r.created == 2);
    CHECK(strstr(r.message, "2 of 10") != NULL);

    recorder_init(&rec);
    mcqgen_run_result resumed = MCQGEN_RUN_RESULT_INIT;
    CHECK_STATUS(mcqgen_resume(&resumed, gen, r.test_id, storage, record_progress, &rec),
                 MCQGEN_OK);
    CHECK(resumed.status == MCQGEN_TEST_COMPLETED);
    CHECK(resumed.created == 10);
    CHECK(strcmp(resumed.test_id, r.test_id) == 0);
    CHECK(rec.question_events == 8);

    char* json = NULL;
    CHECK_STATUS(mcqgen_storage_questions_json(storage, r.test_id, &json), MCQGEN_OK);
    CHECK(json && count_occurrences(json, "\"stem\"") == 10);
    mcqgen_free(json);
    mcqgen_storage_destroy(storage);
    mcqgen_generator_destroy(gen);
}

static void test_nested_call_is_busy(void) {
    mcqgen_generator* gen = offline_generator(3);
    mcqgen_storage* storage = memory_storage();
    recorder rec;
    recorder_init(&rec);
    rec.gen = gen;
    mcqgen_run_result r = MCQGEN_RUN_RESULT_INIT;
    CHECK_STATUS(generate_sample(&r, gen, 3, storage, record_progress, &rec), MCQGEN_OK);
    CHECK(rec.nested == MCQGEN_E_BUSY);
    CHECK(r.status == MCQGEN_TEST_COMPLETED);
    mcqgen_storage_destroy(storage);
    mcqgen_generator_destroy(gen);
}

/* ---- Other threads ------------------------------------------------------------------------- */

/* A blocking run of 15 questions on a thread of its own, held in its callback at the first
 * question until `rec.release` is set. */
typedef struct {
    mcqgen_generator* gen;
    mcqgen_storage* storage;
    recorder rec;
    pthread_t thread;
    mcqgen_run_result result;
    mcqgen_status status;
} blocking_run;

static void* run_blocking(void* arg) {
    blocking_run* run = arg;
    run->status =
        generate_sample(&run->result, run->gen, 15, run->storage, record_progress, &run->rec);
    return NULL;
}

/* Starts the run and returns once it is held in its callback. */
static void start_blocked_run(blocking_run* run, mcqgen_generator* gen, mcqgen_storage* storage) {
    const mcqgen_run_result result = MCQGEN_RUN_RESULT_INIT;
    run->gen = gen;
    run->storage = storage;
    recorder_init(&run->rec);
    run->rec.block_at = 1;
    run->result = result;
    run->status = MCQGEN_OK;
    pthread_create(&run->thread, NULL, run_blocking, run);
    CHECK(wait_for_flag(&run->rec.reached));
}

/* Waits for the released run's thread; the run must have ended cancelled. */
static void finish_cancelled_run(blocking_run* run) {
    pthread_join(run->thread, NULL);
    CHECK_STATUS(run->status, MCQGEN_OK);
    expect_cancelled_partial(&run->result);
}

static void test_cancel_from_another_thread(void) {
    blocking_run run;
    start_blocked_run(&run, offline_generator(5), memory_storage());
    CHECK_STATUS(mcqgen_generator_cancel(run.gen), MCQGEN_OK);
    atomic_store(&run.rec.release, 1);
    finish_cancelled_run(&run);
    CHECK(run.result.created >= 1 && run.result.created < 15);
    mcqgen_storage_destroy(run.storage);
    mcqgen_generator_destroy(run.gen);
}

static void test_destroy_generator_during_blocking_run(void) {
    mcqgen_storage* storage = NULL;
    CHECK_STATUS(mcqgen_storage_open_sqlite(&storage, temp_path("zombie.db")), MCQGEN_OK);
    blocking_run run;
    start_blocked_run(&run, offline_generator(6), storage);
    /* Both handles go while the run is blocked in its callback: it is cancelled and ends. */
    mcqgen_generator_destroy(run.gen);
    mcqgen_storage_destroy(run.storage);
    atomic_store(&run.rec.release, 1);
    finish_cancelled_run(&run);

    CHECK_STATUS(mcqgen_storage_open_sqlite(&storage, temp_path("zombie.db")), MCQGEN_OK);
    char* json = NULL;
    CHECK_STATUS(mcqgen_storage_test_json(storage, run.result.test_id, &json), MCQGEN_OK);
    CHECK(json && strstr(json, "\"status\":\"partial\""));
    mcqgen_free(json);
    mcqgen_storage_destroy(storage);
}

/* ---- Jobs ---------------------------------------------------------------------------------- */

/* Starts a job of 15 questions held in its callback (`rec`) at question `block_at` until
 * `rec->release` is set; returns once it is held there. */
static mcqgen_job* start_blocked_job(mcqgen_generator* gen, mcqgen_storage* storage, recorder* rec,
                                     int block_at) {
    recorder_init(rec);
    rec->block_at = block_at;
    mcqgen_job* job = NULL;
    CHECK_STATUS(generate_start_sample(&job, gen, 15, storage, record_progress, rec), MCQGEN_OK);
    CHECK(wait_for_flag(&rec->reached));
    return job;
}

/* Returns the result of the released job, which must have ended cancelled, and destroys it. */
static mcqgen_run_result finish_cancelled_job(mcqgen_job* job) {
    mcqgen_run_result r = MCQGEN_RUN_RESULT_INIT;
    CHECK_STATUS(mcqgen_job_result(job, &r), MCQGEN_OK);
    expect_cancelled_partial(&r);
    mcqgen_job_destroy(job);
    return r;
}

static void test_job_runs_in_background(void) {
    mcqgen_generator* gen = offline_generator(11);
    mcqgen_storage* storage = memory_storage();
    recorder rec;
    recorder_init(&rec);
    mcqgen_job* job = NULL;
    CHECK_STATUS(generate_start_sample(&job, gen, 4, storage, record_progress, &rec), MCQGEN_OK);
    CHECK(job != NULL);
    CHECK_STATUS(mcqgen_job_wait(job, -1), MCQGEN_OK);
    CHECK_STATUS(mcqgen_job_wait(job, 0), MCQGEN_OK);
    CHECK_STATUS(mcqgen_job_wait(job, INT64_MAX), MCQGEN_OK);
    mcqgen_run_result r = MCQGEN_RUN_RESULT_INIT;
    CHECK_STATUS(mcqgen_job_result(job, &r), MCQGEN_OK);
    CHECK(r.status == MCQGEN_TEST_COMPLETED && r.created == 4);
    CHECK(rec.question_events == 4 && rec.in_order);
    CHECK(!pthread_equal(rec.thread, pthread_self())); /* the job's own thread */
    CHECK_STATUS(mcqgen_job_result(job, NULL), MCQGEN_OK);
    mcqgen_run_result unversioned;
    memset(&unversioned, 0, sizeof unversioned);
    CHECK_STATUS(mcqgen_job_result(job, &unversioned), MCQGEN_E_INVALID_ARGUMENT);
    CHECK(strcmp(mcqgen_job_last_error(job), "") != 0);
    mcqgen_job_destroy(job);

    /* Resume as a job: a completed test comes back as is. */
    CHECK_STATUS(mcqgen_resume_start(&job, gen, r.test_id, storage, NULL, NULL), MCQGEN_OK);
    CHECK_STATUS(mcqgen_job_result(job, &r), MCQGEN_OK);
    CHECK(r.status == MCQGEN_TEST_COMPLETED);
    mcqgen_job_destroy(job);

    /* A run that fails reports through the job. */
    CHECK_STATUS(mcqgen_resume_start(&job, gen, "unknown-id", storage, NULL, NULL), MCQGEN_OK);
    CHECK_STATUS(mcqgen_job_result(job, &r), MCQGEN_E_NOT_FOUND);
    CHECK(r.status == MCQGEN_TEST_NONE && r.error == MCQGEN_E_NOT_FOUND);
    CHECK(strstr(mcqgen_job_last_error(job), "unknown-id") != NULL);
    mcqgen_job_destroy(job);

    CHECK_STATUS(mcqgen_job_wait(NULL, 0), MCQGEN_E_INVALID_ARGUMENT);
    CHECK_STATUS(mcqgen_job_cancel(NULL), MCQGEN_E_INVALID_ARGUMENT);
    CHECK_STATUS(mcqgen_job_result(NULL, &r), MCQGEN_E_INVALID_ARGUMENT);
    CHECK(r.status == MCQGEN_TEST_NONE);
    mcqgen_storage_destroy(storage);
    mcqgen_generator_destroy(gen);
}

static void test_job_cancel_timeout_and_busy(void) {
    mcqgen_generator* gen = offline_generator(12);
    mcqgen_storage* storage = memory_storage();
    recorder rec;
    mcqgen_job* job = start_blocked_job(gen, storage, &rec, 1);
    CHECK_STATUS(mcqgen_job_wait(job, 10), MCQGEN_E_TIMEOUT);

    /* One run at a time per generator. */
    mcqgen_run_result r = MCQGEN_RUN_RESULT_INIT;
    CHECK_STATUS(generate_sample(&r, gen, 1, storage, NULL, NULL), MCQGEN_E_BUSY);
    CHECK(r.error == MCQGEN_E_BUSY);
    mcqgen_job* second = NULL;
    CHECK_STATUS(generate_start_sample(&second, gen, 1, storage, NULL, NULL), MCQGEN_E_BUSY);
    CHECK(second == NULL);

    CHECK_STATUS(mcqgen_job_cancel(job), MCQGEN_OK);
    atomic_store(&rec.release, 1);
    r = finish_cancelled_job(job);
    CHECK(r.created >= 1 && r.created < 15);

    /* The generator is free again once the job has ended. */
    CHECK_STATUS(generate_sample(&r, gen, 1, storage, NULL, NULL), MCQGEN_OK);
    mcqgen_storage_destroy(storage);
    mcqgen_generator_destroy(gen);
}

static void test_generator_cancel_reaches_job(void) {
    mcqgen_generator* gen = offline_generator(13);
    mcqgen_storage* storage = memory_storage();
    recorder rec;
    mcqgen_job* job = start_blocked_job(gen, storage, &rec, 1);
    CHECK_STATUS(mcqgen_generator_cancel(gen), MCQGEN_OK);
    atomic_store(&rec.release, 1);
    finish_cancelled_job(job);
    mcqgen_storage_destroy(storage);
    mcqgen_generator_destroy(gen);
}

static void test_destroy_handles_while_job_runs(void) {
    /* Storage and generator go first; the job keeps them alive and still reports. */
    mcqgen_storage* storage = NULL;
    CHECK_STATUS(mcqgen_storage_open_sqlite(&storage, temp_path("job-zombie.db")), MCQGEN_OK);
    mcqgen_generator* gen = offline_generator(14);
    recorder rec;
    mcqgen_job* job = start_blocked_job(gen, storage, &rec, 2);
    mcqgen_storage_destroy(storage);
    mcqgen_generator_destroy(gen); /* cancels the run */
    atomic_store(&rec.release, 1);
    CHECK_STATUS(mcqgen_job_wait(job, -1), MCQGEN_OK);
    mcqgen_run_result r = finish_cancelled_job(job);
    CHECK(r.created >= 2 && r.created < 15);

    /* The job goes first, while running: destroy cancels and waits. */
    gen = offline_generator(15);
    storage = memory_storage();
    CHECK_STATUS(generate_start_sample(&job, gen, 20, storage, NULL, NULL), MCQGEN_OK);
    mcqgen_job_destroy(job);
    CHECK(no_run_generating(storage)); /* the run has ended */
    CHECK_STATUS(generate_sample(&r, gen, 1, storage, NULL, NULL), MCQGEN_OK);
    mcqgen_generator_destroy(gen);
    mcqgen_storage_destroy(storage);

    /* Only the job is left; destroying it frees everything. */
    gen = offline_generator(16);
    storage = memory_storage();
    CHECK_STATUS(generate_start_sample(&job, gen, 3, storage, NULL, NULL), MCQGEN_OK);
    mcqgen_generator_destroy(gen);
    mcqgen_storage_destroy(storage);
    CHECK_STATUS(mcqgen_job_wait(job, -1), MCQGEN_OK);
    mcqgen_job_destroy(job);
}

/* A job's own callback may not wait for it, but may cancel it. */
typedef struct {
    mcqgen_job* job;
    atomic_int ready;
    mcqgen_status wait_status;
    mcqgen_status result_status;
} self_waiter;

static int wait_for_self(const mcqgen_progress* p, void* user_data) {
    self_waiter* w = user_data;
    if (p->question_json && atomic_load(&w->ready)) {
        mcqgen_run_result r = MCQGEN_RUN_RESULT_INIT;
        w->wait_status = mcqgen_job_wait(w->job, -1);
        w->result_status = mcqgen_job_result(w->job, &r);
        mcqgen_job_cancel(w->job);
        atomic_store(&w->ready, 0);
    }
    return 0;
}

static void test_job_callback_cannot_wait_for_itself(void) {
    mcqgen_generator* gen = offline_generator(17);
    mcqgen_storage* storage = memory_storage();
    self_waiter w = {NULL, 0, MCQGEN_OK, MCQGEN_OK};
    atomic_init(&w.ready, 0);
    CHECK_STATUS(generate_start_sample(&w.job, gen, 15, storage, wait_for_self, &w), MCQGEN_OK);
    atomic_store(&w.ready, 1);
    mcqgen_run_result r = MCQGEN_RUN_RESULT_INIT;
    CHECK_STATUS(mcqgen_job_result(w.job, &r), MCQGEN_OK);
    if (atomic_load(&w.ready) == 0) { /* the callback saw `ready` before the run ended */
        CHECK_STATUS(w.wait_status, MCQGEN_E_BUSY);
        CHECK_STATUS(w.result_status, MCQGEN_E_BUSY);
        CHECK(r.error == MCQGEN_E_CANCELLED);
    }
    mcqgen_job_destroy(w.job);
    mcqgen_storage_destroy(storage);
    mcqgen_generator_destroy(gen);
}

/* Everything is destroyed from inside the job's own callback; the run ends on its own. */
typedef struct {
    mcqgen_job* job;
    mcqgen_generator* gen;
    mcqgen_storage* storage;
    atomic_int ready;
    atomic_int destroyed;
} self_destroyer;

static int destroy_everything(const mcqgen_progress* p, void* user_data) {
    self_destroyer* d = user_data;
    if (p->question_json && atomic_load(&d->ready) && !atomic_load(&d->destroyed)) {
        mcqgen_storage_destroy(d->storage);
        mcqgen_generator_destroy(d->gen);
        mcqgen_job_destroy(d->job);
        atomic_store(&d->destroyed, 1);
    }
    return 0;
}

static void test_job_destroyed_from_its_own_callback(void) {
    self_destroyer d = {NULL, offline_generator(18), NULL, 0, 0};
    atomic_init(&d.ready, 0);
    atomic_init(&d.destroyed, 0);
    CHECK_STATUS(mcqgen_storage_open_sqlite(&d.storage, temp_path("self.db")), MCQGEN_OK);
    CHECK_STATUS(generate_start_sample(&d.job, d.gen, 15, d.storage, destroy_everything, &d),
                 MCQGEN_OK);
    atomic_store(&d.ready, 1);
    /* The run was cancelled by the generator's destruction and ends soon; wait for its record. */
    if (!wait_for_flag_ms(&d.destroyed, 3000)) {
        /* The run ended before seeing `ready`: clean up here. */
        mcqgen_job_destroy(d.job);
        mcqgen_generator_destroy(d.gen);
        mcqgen_storage_destroy(d.storage);
        return;
    }
    mcqgen_storage* reopened = NULL;
    CHECK_STATUS(mcqgen_storage_open_sqlite(&reopened, temp_path("self.db")), MCQGEN_OK);
    int ended = 0;
    for (int i = 0; i < 3000 && !(ended = no_run_generating(reopened)); ++i)
        sleep_ms(1);
    CHECK(ended);
    mcqgen_storage_destroy(reopened);
}

/* ---- Churn --------------------------------------------------------------------------------- */

static void test_create_destroy_churn(void) {
    for (int i = 0; i < 200; ++i) {
        mcqgen_generator* gen = offline_generator((uint64_t)i + 1);
        mcqgen_storage* memory = memory_storage();
        mcqgen_storage* sqlite = NULL;
        CHECK_STATUS(mcqgen_storage_open_sqlite(&sqlite, temp_path("churn.db")), MCQGEN_OK);
        if (i % 2) {
            mcqgen_generator_destroy(gen);
            mcqgen_storage_destroy(memory);
            mcqgen_storage_destroy(sqlite);
        } else {
            mcqgen_storage_destroy(sqlite);
            mcqgen_storage_destroy(memory);
            mcqgen_generator_destroy(gen);
        }
    }
}

int main(void) {
    document_text = read_whole_file(MCQGEN_SAMPLES_DIR "/indian_constitution.txt", NULL);
    if (!document_text) {
        fprintf(stderr, "cannot read the sample document\n");
        return 1;
    }
    snprintf(temp_dir, sizeof temp_dir, "/tmp/mcqgen-capi-XXXXXX");
    if (!mkdtemp(temp_dir)) {
        perror("mkdtemp");
        return 1;
    }

    test_versions_and_strings();
    test_config();
    test_generator_create();
    test_storage_open();
    test_generate_bad_arguments();
    test_generate_and_read_back();
    test_cancel_from_callback_and_resume();
    test_nested_call_is_busy();
    test_cancel_from_another_thread();
    test_destroy_generator_during_blocking_run();
    test_job_runs_in_background();
    test_job_cancel_timeout_and_busy();
    test_generator_cancel_reaches_job();
    test_destroy_handles_while_job_runs();
    test_job_callback_cannot_wait_for_itself();
    test_job_destroyed_from_its_own_callback();
    test_create_destroy_churn();

    char command[128];
    snprintf(command, sizeof command, "rm -rf '%s'", temp_dir);
    if (system(command) != 0) fprintf(stderr, "could not remove %s\n", temp_dir);
    free(document_text);
    return capi_check_summary();
}
