/* The C ABI driven from C11: every NULL and bad-argument path, the blocking and asynchronous
 * runs, cancellation from callbacks and other threads, reading back, and destroying handles in
 * every order while runs are in flight. Offline only.
 *
 *   mcqgen_capi_test TEST [DIR]    one test (ctest runs each as capi.c_api.TEST), or 'all'
 *   mcqgen_capi_test --list        the test names
 *
 * Files go to a fresh directory under DIR (ctest passes the build directory), else $TMPDIR. */
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

/* This test's own directory, made under the directory given on the command line or TMPDIR. */
static char temp_dir[1024];

static const char* temp_path(const char* name) {
    static char path[sizeof temp_dir + 64];
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

/* Run options asking for `count` questions, with an optional progress callback. */
static mcqgen_run_options run_options(int32_t count, mcqgen_progress_fn on_progress,
                                      void* user_data) {
    mcqgen_run_options options = MCQGEN_RUN_OPTIONS_INIT;
    options.count = count;
    options.on_progress = on_progress;
    options.user_data = user_data;
    return options;
}

/* Blocking and background runs on the sample document. */
static mcqgen_status generate_sample(mcqgen_run_result* out, mcqgen_generator* gen, int32_t count,
                                     mcqgen_storage* storage, mcqgen_progress_fn on_progress,
                                     void* user_data) {
    const mcqgen_run_options options = run_options(count, on_progress, user_data);
    return mcqgen_generate(out, gen, document_text, MCQGEN_NUL_TERMINATED, storage, &options);
}

static mcqgen_status generate_start_sample(mcqgen_job** out, mcqgen_generator* gen, int32_t count,
                                           mcqgen_storage* storage, mcqgen_progress_fn on_progress,
                                           void* user_data) {
    const mcqgen_run_options options = run_options(count, on_progress, user_data);
    return mcqgen_generate_start(out, gen, document_text, MCQGEN_NUL_TERMINATED, storage, &options);
}

/* Whether no test in `storage` is still generating, i.e. every run on it has ended. */
static int no_run_generating(mcqgen_storage* storage) {
    char* json = NULL;
    CHECK_STATUS(mcqgen_storage_list_json(&json, storage), MCQGEN_OK);
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

    CHECK(mcqgen_run_options_size() == sizeof(mcqgen_run_options));

    /* Every status by its number and its name; the errc range ends at -13 (busy). */
    static const struct {
        mcqgen_status status;
        int value;
        const char* name;
    } statuses[] = {
        {MCQGEN_OK, 0, "ok"},
        {MCQGEN_E_INVALID_ARGUMENT, -1, "invalid_argument"},
        {MCQGEN_E_STORAGE, -2, "storage"},
        {MCQGEN_E_NETWORK, -3, "network"},
        {MCQGEN_E_TLS, -4, "tls"},
        {MCQGEN_E_AUTH, -5, "auth"},
        {MCQGEN_E_RATE_LIMITED, -6, "rate_limited"},
        {MCQGEN_E_SERVER, -7, "server"},
        {MCQGEN_E_TIMEOUT, -8, "timeout"},
        {MCQGEN_E_CANCELLED, -9, "cancelled"},
        {MCQGEN_E_BAD_RESPONSE, -10, "bad_response"},
        {MCQGEN_E_INTERNAL, -11, "internal"},
        {MCQGEN_E_NOT_FOUND, -12, "not_found"},
        {MCQGEN_E_BUSY, -13, "busy"},
        {MCQGEN_E_NOMEM, -100, "out_of_memory"},
    };
    for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; ++i) {
        CHECK((int)statuses[i].status == statuses[i].value);
        const char* got = mcqgen_status_string((mcqgen_status)statuses[i].value);
        CHECK(got != NULL && strcmp(got, statuses[i].name) == 0);
        if (got && strcmp(got, statuses[i].name) != 0)
            fprintf(stderr, "  status %d is \"%s\", expected \"%s\"\n", statuses[i].value, got,
                    statuses[i].name);
    }
    /* A binding walks -1, -2, ... until "unknown": it must stop right after busy. */
    int walked = 0;
    while (strcmp(mcqgen_status_string((mcqgen_status) - (walked + 1)), "unknown") != 0 &&
           walked < 1000)
        ++walked;
    CHECK(walked == 13);
    CHECK(strcmp(mcqgen_status_string((mcqgen_status)-14), "unknown") == 0);
    CHECK(strcmp(mcqgen_status_string((mcqgen_status)-101), "unknown") == 0); /* the old busy */
    CHECK(strcmp(mcqgen_status_string((mcqgen_status)-99), "unknown") == 0);
    CHECK(strcmp(mcqgen_status_string((mcqgen_status)-55), "unknown") == 0);
    CHECK(strcmp(mcqgen_status_string((mcqgen_status)7), "unknown") == 0);
    CHECK(strcmp(mcqgen_status_string((mcqgen_status)1), "unknown") == 0);
    CHECK(strcmp(mcqgen_status_string((mcqgen_status)INT32_MIN), "unknown") == 0);
    CHECK(strcmp(mcqgen_status_string((mcqgen_status)INT32_MAX), "unknown") == 0);

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
    CHECK(cfg.api_version && strcmp(cfg.api_version, "2023-06-01") == 0);
    CHECK(cfg.max_retry_after_ms == 60000);
    CHECK(cfg.max_tokens == 4096);
    CHECK(cfg.structured_output == MCQGEN_STRUCTURED_OUTPUT_AUTOMATIC);
    CHECK(cfg.style == MCQGEN_STYLE_MIXED);

    CHECK_STATUS(mcqgen_config_from_env(NULL), MCQGEN_E_INVALID_ARGUMENT);
    mcqgen_config unset;
    memset(&unset, 0, sizeof unset);
    CHECK_STATUS(mcqgen_config_from_env(&unset), MCQGEN_E_INVALID_ARGUMENT);

    setenv("MCQGEN_MAX_QUESTIONS", "30", 1);
    setenv("MCQGEN_MODEL", "claude-test-model", 1);
    setenv("MCQGEN_STYLE", "statements", 1);
    mcqgen_config env = MCQGEN_CONFIG_INIT;
    CHECK_STATUS(mcqgen_config_from_env(&env), MCQGEN_OK);
    CHECK(env.max_questions == 30);
    CHECK(env.style == MCQGEN_STYLE_STATEMENTS);
    setenv("MCQGEN_STYLE", "quiz", 1);
    CHECK_STATUS(mcqgen_config_from_env(&env), MCQGEN_E_INVALID_ARGUMENT);
    CHECK(strstr(mcqgen_last_error(), "MCQGEN_STYLE") != NULL);
    unsetenv("MCQGEN_STYLE");
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

/* A CA certificate made for this test only (no private key exists any more): what ca_file
 * names has to be a readable PEM file. */
static const char test_ca_pem[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBrjCCAVWgAwIBAgIUXvNi47KCMMIZ/dYMWaJUej8ATgIwCgYIKoZIzj0EAwIw\n"
    "LDEqMCgGA1UEAwwhbWNxZ2VuIGNhcGkgdGVzdCBDQSAobm90IHRydXN0ZWQpMCAX\n"
    "DTI2MTIwMTIxNDgyNVoYDzIxMjYxMTA3MjE0ODI1WjAsMSowKAYDVQQDDCFtY3Fn\n"
    "ZW4gY2FwaSB0ZXN0IENBIChub3QgdHJ1c3RlZCkwWTATBgcqhkjOPQIBBggqhkjO\n"
    "PQMBBwNCAAQ6d/tTN0HddieuTdCIzwjTKLjY8UIJXlO/gUh8bWgWo3cxRYOSPKm3\n"
    "q8j38tkpA6dDYg8mj6ykSWae8m7dpqN1o1MwUTAdBgNVHQ4EFgQUvWmMxOdYgOta\n"
    "d6Mw/uJ4yAO5aPQwHwYDVR0jBBgwFoAUvWmMxOdYgOtad6Mw/uJ4yAO5aPQwDwYD\n"
    "VR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNHADBEAiB1JMJ74ulOptnCRAvMWcLP\n"
    "fTLuAhRMw9RK3ZdbYXgcRQIgGlfhE1as+TqcQJa04zDXa+J0rxRrIvcCLoD/Pttq\n"
    "5kw=\n"
    "-----END CERTIFICATE-----\n";

static int same_string(const char* got, const char* expected) {
    return got && expected && strcmp(got, expected) == 0;
}

/* Every field of `got` equals `expected`, strings by content. */
static void expect_same_config(const mcqgen_config* got, const mcqgen_config* expected) {
    CHECK(got->version == MCQGEN_CONFIG_VERSION);
    if (expected->api_key && expected->api_key[0])
        CHECK(same_string(got->api_key, expected->api_key));
    else
        CHECK(got->api_key == NULL); /* NULL and "" both mean "no key" */
    CHECK(same_string(got->base_url, expected->base_url));
    CHECK(same_string(got->api_version, expected->api_version));
    CHECK(got->max_concurrency == expected->max_concurrency);
    CHECK(got->max_retries == expected->max_retries);
    CHECK(got->connect_timeout_ms == expected->connect_timeout_ms);
    CHECK(got->handshake_timeout_ms == expected->handshake_timeout_ms);
    CHECK(got->request_timeout_ms == expected->request_timeout_ms);
    CHECK(got->max_retry_after_ms == expected->max_retry_after_ms);
    if (expected->ca_file && expected->ca_file[0])
        CHECK(same_string(got->ca_file, expected->ca_file));
    else
        CHECK(got->ca_file == NULL);
    CHECK(got->verify_tls == expected->verify_tls);
    CHECK(got->allow_insecure_http == expected->allow_insecure_http);
    CHECK(same_string(got->model, expected->model));
    CHECK(got->max_tokens == expected->max_tokens);
    CHECK(got->structured_output == expected->structured_output);
    CHECK(got->candidates == expected->candidates);
    CHECK(got->max_questions == expected->max_questions);
    CHECK(got->judge_threshold == expected->judge_threshold);
    CHECK(got->style == expected->style);
    CHECK(got->seed == expected->seed);
    CHECK(got->offline == expected->offline);
}

/* A generator reads back exactly the configuration it was made with, every field set to
 * something other than its default; the caller's strings are copied, not kept. */
static void test_config_round_trip(void) {
    mcqgen_config defaults;
    CHECK_STATUS(mcqgen_config_init(&defaults, MCQGEN_CONFIG_VERSION), MCQGEN_OK);

    const char* ca_path = temp_path("test-ca.pem");
    FILE* ca = fopen(ca_path, "wb");
    CHECK(ca != NULL);
    if (ca) {
        fputs(test_ca_pem, ca);
        fclose(ca);
    }
    /* The strings live in buffers that are scribbled over once the generator exists. */
    char api_key[] = "test-key-not-real";
    char base_url[] = "https://127.0.0.1:1";
    char api_version[] = "2024-02-29";
    char model[] = "claude-round-trip-model";
    char ca_file[1100];
    snprintf(ca_file, sizeof ca_file, "%s", ca_path);

    mcqgen_config cfg;
    CHECK_STATUS(mcqgen_config_init(&cfg, MCQGEN_CONFIG_VERSION), MCQGEN_OK);
    cfg.api_key = api_key;
    cfg.base_url = base_url;
    cfg.api_version = api_version;
    cfg.max_concurrency = 3;
    cfg.max_retries = 7;
    cfg.connect_timeout_ms = 1234;
    cfg.handshake_timeout_ms = 2345;
    cfg.request_timeout_ms = 345678;
    cfg.max_retry_after_ms = 4567;
    cfg.ca_file = ca_file;
    cfg.verify_tls = 0;
    cfg.allow_insecure_http = 1;
    cfg.model = model;
    cfg.max_tokens = 1000;
    cfg.structured_output = MCQGEN_STRUCTURED_OUTPUT_TOOL;
    cfg.candidates = 7;
    cfg.max_questions = 33;
    cfg.judge_threshold = 0.625;
    cfg.style = MCQGEN_STYLE_STATEMENTS;
    cfg.seed = UINT64_C(0xFEDCBA9876543210); /* the top bit set: all 64 bits survive */
    cfg.offline = 1;                         /* nothing is sent, whatever the URL */

    /* Every field differs from its default, so a field that is dropped shows. */
    CHECK(!same_string(cfg.base_url, defaults.base_url));
    CHECK(!same_string(cfg.api_version, defaults.api_version));
    CHECK(!same_string(cfg.model, defaults.model));
    CHECK(defaults.api_key == NULL && defaults.ca_file == NULL);
    CHECK(cfg.max_concurrency != defaults.max_concurrency);
    CHECK(cfg.max_retries != defaults.max_retries);
    CHECK(cfg.connect_timeout_ms != defaults.connect_timeout_ms);
    CHECK(cfg.handshake_timeout_ms != defaults.handshake_timeout_ms);
    CHECK(cfg.request_timeout_ms != defaults.request_timeout_ms);
    CHECK(cfg.max_retry_after_ms != defaults.max_retry_after_ms);
    CHECK(cfg.verify_tls != defaults.verify_tls);
    CHECK(cfg.allow_insecure_http != defaults.allow_insecure_http);
    CHECK(cfg.max_tokens != defaults.max_tokens);
    CHECK(cfg.structured_output != defaults.structured_output);
    CHECK(cfg.candidates != defaults.candidates);
    CHECK(cfg.max_questions != defaults.max_questions);
    CHECK(cfg.judge_threshold != defaults.judge_threshold);
    CHECK(cfg.style != defaults.style);
    CHECK(cfg.seed != defaults.seed);
    CHECK(cfg.offline != defaults.offline);

    mcqgen_config expected = cfg;
    expected.api_key = "test-key-not-real";
    expected.base_url = "https://127.0.0.1:1";
    expected.api_version = "2024-02-29";
    expected.model = "claude-round-trip-model";
    expected.ca_file = ca_path;

    mcqgen_generator* gen = NULL;
    CHECK_STATUS(mcqgen_generator_create(&gen, &cfg), MCQGEN_OK);
    memset(api_key, 'x', sizeof api_key - 1);
    memset(base_url, 'x', sizeof base_url - 1);
    memset(api_version, 'x', sizeof api_version - 1);
    memset(model, 'x', sizeof model - 1);
    memset(ca_file, 'x', strlen(ca_file));

    mcqgen_config got;
    memset(&got, 0xa5, sizeof got); /* filled completely, version included */
    CHECK_STATUS(mcqgen_generator_config(&got, gen), MCQGEN_OK);
    expect_same_config(&got, &expected);
    /* The strings are the generator's own, not the caller's buffers. */
    CHECK(got.api_key != api_key && got.base_url != base_url && got.api_version != api_version &&
          got.model != model && got.ca_file != ca_file);

    /* The generator uses what it reports: max_questions 33 bounds the count. */
    mcqgen_storage* storage = memory_storage();
    mcqgen_run_result r = MCQGEN_RUN_RESULT_INIT;
    CHECK_STATUS(generate_sample(&r, gen, 34, storage, NULL, NULL), MCQGEN_E_INVALID_ARGUMENT);
    CHECK(strstr(mcqgen_generator_last_error(gen), "between 1 and 33") != NULL);
    CHECK(strstr(mcqgen_generator_last_error(gen), "test-key-not-real") == NULL);
    mcqgen_storage_destroy(storage);

    /* Reading back again gives the same; bad arguments are refused and leave *out alone. */
    mcqgen_config again;
    CHECK_STATUS(mcqgen_generator_config(&again, gen), MCQGEN_OK);
    expect_same_config(&again, &expected);
    CHECK_STATUS(mcqgen_generator_config(NULL, gen), MCQGEN_E_INVALID_ARGUMENT);
    again.max_tokens = -42;
    CHECK_STATUS(mcqgen_generator_config(&again, NULL), MCQGEN_E_INVALID_ARGUMENT);
    CHECK(strstr(mcqgen_last_error(), "NULL") != NULL);
    CHECK(again.max_tokens == -42);
    mcqgen_generator_destroy(gen);

    /* The defaults come back as mcqgen_config_init gives them: no key, no CA file. */
    CHECK_STATUS(mcqgen_generator_create(&gen, &defaults), MCQGEN_OK);
    CHECK_STATUS(mcqgen_generator_config(&got, gen), MCQGEN_OK);
    expect_same_config(&got, &defaults);
    mcqgen_generator_destroy(gen);

    /* An empty key is the same as none. */
    mcqgen_config empty_key = defaults;
    empty_key.api_key = "";
    CHECK_STATUS(mcqgen_generator_create(&gen, &empty_key), MCQGEN_OK);
    CHECK_STATUS(mcqgen_generator_config(&got, gen), MCQGEN_OK);
    CHECK(got.api_key == NULL);
    mcqgen_generator_destroy(gen);

    /* The other structured-output values survive too; an unknown one is refused. */
    for (int32_t mode = MCQGEN_STRUCTURED_OUTPUT_AUTOMATIC; mode <= MCQGEN_STRUCTURED_OUTPUT_TOOL;
         ++mode) {
        mcqgen_config c = defaults;
        c.structured_output = mode;
        CHECK_STATUS(mcqgen_generator_create(&gen, &c), MCQGEN_OK);
        CHECK_STATUS(mcqgen_generator_config(&got, gen), MCQGEN_OK);
        CHECK(got.structured_output == mode);
        mcqgen_generator_destroy(gen);
    }
    mcqgen_config c = defaults;
    c.structured_output = 3;
    expect_bad_config(c, "structured_output 3");
    c.structured_output = -1;
    expect_bad_config(c, "structured_output -1");
    c = defaults, c.max_retry_after_ms = -1, expect_bad_config(c, "max_retry_after_ms -1");

    /* Every question style survives; one outside the enum is refused by name. */
    for (int32_t style = MCQGEN_STYLE_MIXED; style <= MCQGEN_STYLE_STATEMENTS; ++style) {
        c = defaults;
        c.style = style;
        CHECK_STATUS(mcqgen_generator_create(&gen, &c), MCQGEN_OK);
        CHECK_STATUS(mcqgen_generator_config(&got, gen), MCQGEN_OK);
        CHECK(got.style == style);
        mcqgen_generator_destroy(gen);
    }
    c = defaults, c.style = MCQGEN_STYLE_STATEMENTS + 1, expect_bad_config(c, "style 4");
    CHECK(strstr(mcqgen_last_error(), "config->style") != NULL);
    c = defaults, c.style = -1, expect_bad_config(c, "style -1");
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
    CHECK_STATUS(mcqgen_storage_list_json(&json, s), MCQGEN_OK);
    CHECK(json && strcmp(json, "[]") == 0);
    mcqgen_free(json);
    CHECK(strcmp(mcqgen_storage_last_error(s), "") == 0);
    mcqgen_storage_destroy(s);
}

/* ---- Blocking runs ------------------------------------------------------------------------- */

/* mcqgen_generate and mcqgen_generate_start both refuse the arguments; nothing is stored. */
static void expect_bad_run(mcqgen_generator* gen, const char* doc, size_t len,
                           mcqgen_storage* storage, const mcqgen_run_options* options) {
    mcqgen_run_result r = MCQGEN_RUN_RESULT_INIT;
    r.status = 77;
    CHECK_STATUS(mcqgen_generate(&r, gen, doc, len, storage, options), MCQGEN_E_INVALID_ARGUMENT);
    CHECK(r.status == MCQGEN_TEST_NONE);
    CHECK(r.error == MCQGEN_E_INVALID_ARGUMENT);
    CHECK(r.test_id[0] == '\0');
    CHECK(r.message[0] != '\0');
    mcqgen_job* job = (mcqgen_job*)&r;
    CHECK_STATUS(mcqgen_generate_start(&job, gen, doc, len, storage, options),
                 MCQGEN_E_INVALID_ARGUMENT);
    CHECK(job == NULL);
}

static void expect_bad_generate(mcqgen_generator* gen, const char* doc, size_t len, int32_t count,
                                mcqgen_storage* storage) {
    const mcqgen_run_options options = run_options(count, NULL, NULL);
    expect_bad_run(gen, doc, len, storage, &options);
}

/* The run options themselves: required for a generation, versioned, and initialisable. */
static void test_run_options(void) {
    CHECK(mcqgen_run_options_size() == sizeof(mcqgen_run_options));
    const mcqgen_run_options init = MCQGEN_RUN_OPTIONS_INIT;
    CHECK(init.version == MCQGEN_RUN_OPTIONS_VERSION);
    CHECK(init.count == 0 && init.on_progress == NULL && init.user_data == NULL);

    mcqgen_run_options options;
    memset(&options, 0x5a, sizeof options);
    CHECK_STATUS(mcqgen_run_options_init(NULL, MCQGEN_RUN_OPTIONS_VERSION),
                 MCQGEN_E_INVALID_ARGUMENT);
    CHECK(strstr(mcqgen_last_error(), "NULL") != NULL);
    CHECK_STATUS(mcqgen_run_options_init(&options, 0), MCQGEN_E_INVALID_ARGUMENT);
    CHECK_STATUS(mcqgen_run_options_init(&options, MCQGEN_RUN_OPTIONS_VERSION + 1),
                 MCQGEN_E_INVALID_ARGUMENT);
    CHECK_STATUS(mcqgen_run_options_init(&options, MCQGEN_RUN_OPTIONS_VERSION), MCQGEN_OK);
    CHECK(options.version == MCQGEN_RUN_OPTIONS_VERSION);
    CHECK(options.count == 0 && options.on_progress == NULL && options.user_data == NULL);

    mcqgen_generator* gen = offline_generator(2);
    mcqgen_storage* storage = memory_storage();
    const char* doc = document_text;

    /* A generation needs options: NULL, an unset version or an unknown one is refused. */
    expect_bad_run(gen, doc, MCQGEN_NUL_TERMINATED, storage, NULL);
    CHECK(strstr(mcqgen_generator_last_error(gen), "options") != NULL);
    mcqgen_run_options bad = run_options(3, NULL, NULL);
    bad.version = 0;
    expect_bad_run(gen, doc, MCQGEN_NUL_TERMINATED, storage, &bad);
    CHECK(strstr(mcqgen_generator_last_error(gen), "MCQGEN_RUN_OPTIONS_VERSION") != NULL);
    bad.version = MCQGEN_RUN_OPTIONS_VERSION + 1;
    expect_bad_run(gen, doc, MCQGEN_NUL_TERMINATED, storage, &bad);
    /* mcqgen_run_options_init's count of 0 must be set before a generation. */
    expect_bad_run(gen, doc, MCQGEN_NUL_TERMINATED, storage, &options);
    CHECK(strstr(mcqgen_generator_last_error(gen), "between 1 and 20") != NULL);

    /* A resume takes NULL options, ignores the count, and checks the version. */
    mcqgen_run_result r = MCQGEN_RUN_RESULT_INIT;
    options.count = 2;
    CHECK_STATUS(mcqgen_generate(&r, gen, doc, MCQGEN_NUL_TERMINATED, storage, &options),
                 MCQGEN_OK);
    CHECK(r.status == MCQGEN_TEST_COMPLETED && r.created == 2);
    mcqgen_run_result resumed = MCQGEN_RUN_RESULT_INIT;
    CHECK_STATUS(mcqgen_resume(&resumed, gen, r.test_id, storage, NULL), MCQGEN_OK);
    CHECK(resumed.status == MCQGEN_TEST_COMPLETED && resumed.created == 2);
    mcqgen_run_options any_count = run_options(-5, NULL, NULL);
    CHECK_STATUS(mcqgen_resume(&resumed, gen, r.test_id, storage, &any_count), MCQGEN_OK);
    CHECK(resumed.status == MCQGEN_TEST_COMPLETED && resumed.target == 2);
    bad.version = 0;
    CHECK_STATUS(mcqgen_resume(&resumed, gen, r.test_id, storage, &bad), MCQGEN_E_INVALID_ARGUMENT);
    CHECK(resumed.status == MCQGEN_TEST_NONE && resumed.error == MCQGEN_E_INVALID_ARGUMENT);
    mcqgen_job* job = (mcqgen_job*)&r;
    CHECK_STATUS(mcqgen_resume_start(&job, gen, r.test_id, storage, &bad),
                 MCQGEN_E_INVALID_ARGUMENT);
    CHECK(job == NULL);
    CHECK_STATUS(mcqgen_resume_start(&job, gen, r.test_id, storage, &any_count), MCQGEN_OK);
    CHECK_STATUS(mcqgen_job_result(&resumed, job), MCQGEN_OK);
    CHECK(resumed.status == MCQGEN_TEST_COMPLETED && resumed.created == 2);
    mcqgen_job_destroy(job);

    /* The options are copied: changing them after the call starts nothing new. */
    recorder rec;
    recorder_init(&rec);
    mcqgen_run_options live = run_options(3, record_progress, &rec);
    CHECK_STATUS(mcqgen_generate_start(&job, gen, doc, MCQGEN_NUL_TERMINATED, storage, &live),
                 MCQGEN_OK);
    live.count = 99;
    live.on_progress = NULL;
    CHECK_STATUS(mcqgen_job_result(&r, job), MCQGEN_OK);
    CHECK(r.status == MCQGEN_TEST_COMPLETED && r.target == 3 && r.created == 3);
    CHECK(rec.question_events == 3 && rec.in_order);
    mcqgen_job_destroy(job);

    mcqgen_storage_destroy(storage);
    mcqgen_generator_destroy(gen);
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
    CHECK_STATUS(mcqgen_resume(&r, gen, NULL, storage, NULL), MCQGEN_E_INVALID_ARGUMENT);
    CHECK_STATUS(mcqgen_resume(&r, gen, "\xff", storage, NULL), MCQGEN_E_INVALID_ARGUMENT);
    CHECK_STATUS(mcqgen_resume(&r, NULL, "x", storage, NULL), MCQGEN_E_INVALID_ARGUMENT);
    CHECK_STATUS(mcqgen_resume(&r, gen, "x", NULL, NULL), MCQGEN_E_INVALID_ARGUMENT);
    CHECK_STATUS(mcqgen_resume(&r, gen, "no-such-test", storage, NULL), MCQGEN_E_NOT_FOUND);
    CHECK(r.error == MCQGEN_E_NOT_FOUND && r.status == MCQGEN_TEST_NONE);
    CHECK(strstr(mcqgen_generator_last_error(gen), "no-such-test") != NULL);

    mcqgen_job* job = (mcqgen_job*)&r;
    CHECK_STATUS(mcqgen_resume_start(&job, gen, NULL, storage, NULL), MCQGEN_E_INVALID_ARGUMENT);
    CHECK(job == NULL);
    CHECK_STATUS(mcqgen_resume_start(NULL, gen, "x", storage, NULL), MCQGEN_E_INVALID_ARGUMENT);
    CHECK_STATUS(mcqgen_resume_start(&job, NULL, "x", storage, NULL), MCQGEN_E_INVALID_ARGUMENT);
    CHECK_STATUS(mcqgen_resume_start(&job, gen, "x", NULL, NULL), MCQGEN_E_INVALID_ARGUMENT);
    CHECK_STATUS(generate_start_sample(NULL, gen, 3, storage, NULL, NULL),
                 MCQGEN_E_INVALID_ARGUMENT);

    /* Nothing was stored by any of these. */
    char* json = NULL;
    CHECK_STATUS(mcqgen_storage_list_json(&json, storage), MCQGEN_OK);
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
    const mcqgen_run_options options = run_options(5, record_progress, &rec);
    CHECK_STATUS(mcqgen_generate(&r, gen, document_text, strlen(document_text), storage, &options),
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
    CHECK_STATUS(mcqgen_storage_test_json(&json, storage, r.test_id), MCQGEN_OK);
    CHECK(json && strstr(json, r.test_id) && strstr(json, "\"status\":\"completed\""));
    mcqgen_free(json);
    CHECK_STATUS(mcqgen_storage_questions_json(&json, storage, r.test_id), MCQGEN_OK);
    CHECK(json && json[0] == '[' && count_occurrences(json, "\"stem\"") == 5);
    mcqgen_free(json);
    CHECK_STATUS(mcqgen_storage_show_json(&json, storage, r.test_id), MCQGEN_OK);
    CHECK(json && strncmp(json, "{\"test\":", 8) == 0 && count_occurrences(json, "\"stem\"") == 5);
    mcqgen_free(json);
    CHECK_STATUS(mcqgen_storage_list_json(&json, storage), MCQGEN_OK);
    CHECK(json && count_occurrences(json, "\"target_questions\"") == 1);
    mcqgen_free(json);

    /* Reading back: every bad argument. */
    json = (char*)&json;
    CHECK_STATUS(mcqgen_storage_test_json(&json, storage, "nope"), MCQGEN_E_NOT_FOUND);
    CHECK(json == NULL);
    CHECK(strstr(mcqgen_storage_last_error(storage), "nope") != NULL);
    CHECK_STATUS(mcqgen_storage_questions_json(&json, storage, "nope"), MCQGEN_E_NOT_FOUND);
    CHECK_STATUS(mcqgen_storage_show_json(&json, storage, "nope"), MCQGEN_E_NOT_FOUND);
    CHECK_STATUS(mcqgen_storage_test_json(&json, storage, NULL), MCQGEN_E_INVALID_ARGUMENT);
    CHECK_STATUS(mcqgen_storage_test_json(&json, storage, "\xff"), MCQGEN_E_INVALID_ARGUMENT);
    CHECK_STATUS(mcqgen_storage_test_json(NULL, storage, r.test_id), MCQGEN_E_INVALID_ARGUMENT);
    CHECK_STATUS(mcqgen_storage_test_json(&json, NULL, r.test_id), MCQGEN_E_INVALID_ARGUMENT);
    CHECK_STATUS(mcqgen_storage_questions_json(&json, NULL, r.test_id), MCQGEN_E_INVALID_ARGUMENT);
    CHECK_STATUS(mcqgen_storage_questions_json(&json, storage, NULL), MCQGEN_E_INVALID_ARGUMENT);
    CHECK_STATUS(mcqgen_storage_questions_json(NULL, storage, r.test_id),
                 MCQGEN_E_INVALID_ARGUMENT);
    CHECK_STATUS(mcqgen_storage_show_json(&json, NULL, r.test_id), MCQGEN_E_INVALID_ARGUMENT);
    CHECK_STATUS(mcqgen_storage_show_json(&json, storage, NULL), MCQGEN_E_INVALID_ARGUMENT);
    CHECK_STATUS(mcqgen_storage_show_json(NULL, storage, r.test_id), MCQGEN_E_INVALID_ARGUMENT);
    CHECK_STATUS(mcqgen_storage_list_json(&json, NULL), MCQGEN_E_INVALID_ARGUMENT);
    CHECK_STATUS(mcqgen_storage_list_json(NULL, storage), MCQGEN_E_INVALID_ARGUMENT);
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
    const mcqgen_run_options options = run_options(0, record_progress, &rec);
    CHECK_STATUS(mcqgen_resume(&resumed, gen, r.test_id, storage, &options), MCQGEN_OK);
    CHECK(resumed.status == MCQGEN_TEST_COMPLETED);
    CHECK(resumed.created == 10);
    CHECK(strcmp(resumed.test_id, r.test_id) == 0);
    CHECK(rec.question_events == 8);

    char* json = NULL;
    CHECK_STATUS(mcqgen_storage_questions_json(&json, storage, r.test_id), MCQGEN_OK);
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
    CHECK_STATUS(mcqgen_storage_test_json(&json, storage, run.result.test_id), MCQGEN_OK);
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
    CHECK_STATUS(mcqgen_job_result(&r, job), MCQGEN_OK);
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
    CHECK_STATUS(mcqgen_job_result(&r, job), MCQGEN_OK);
    CHECK(r.status == MCQGEN_TEST_COMPLETED && r.created == 4);
    CHECK(rec.question_events == 4 && rec.in_order);
    CHECK(!pthread_equal(rec.thread, pthread_self())); /* the job's own thread */
    CHECK_STATUS(mcqgen_job_result(NULL, job), MCQGEN_OK);
    mcqgen_run_result unversioned;
    memset(&unversioned, 0, sizeof unversioned);
    CHECK_STATUS(mcqgen_job_result(&unversioned, job), MCQGEN_E_INVALID_ARGUMENT);
    CHECK(strcmp(mcqgen_job_last_error(job), "") != 0);
    mcqgen_job_destroy(job);

    /* Resume as a job: a completed test comes back as is. */
    CHECK_STATUS(mcqgen_resume_start(&job, gen, r.test_id, storage, NULL), MCQGEN_OK);
    CHECK_STATUS(mcqgen_job_result(&r, job), MCQGEN_OK);
    CHECK(r.status == MCQGEN_TEST_COMPLETED);
    mcqgen_job_destroy(job);

    /* A run that fails reports through the job. */
    CHECK_STATUS(mcqgen_resume_start(&job, gen, "unknown-id", storage, NULL), MCQGEN_OK);
    CHECK_STATUS(mcqgen_job_result(&r, job), MCQGEN_E_NOT_FOUND);
    CHECK(r.status == MCQGEN_TEST_NONE && r.error == MCQGEN_E_NOT_FOUND);
    CHECK(strstr(mcqgen_job_last_error(job), "unknown-id") != NULL);
    mcqgen_job_destroy(job);

    CHECK_STATUS(mcqgen_job_wait(NULL, 0), MCQGEN_E_INVALID_ARGUMENT);
    CHECK_STATUS(mcqgen_job_cancel(NULL), MCQGEN_E_INVALID_ARGUMENT);
    CHECK_STATUS(mcqgen_job_result(&r, NULL), MCQGEN_E_INVALID_ARGUMENT);
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
        w->result_status = mcqgen_job_result(&r, w->job);
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
    CHECK_STATUS(mcqgen_job_result(&r, w.job), MCQGEN_OK);
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

/* ---- Main ---------------------------------------------------------------------------------- */

#define CAPI_TEST(name)                                                                            \
    { #name, test_##name }
static const struct {
    const char* name;
    void (*run)(void);
} tests[] = {
    CAPI_TEST(versions_and_strings),
    CAPI_TEST(config),
    CAPI_TEST(generator_create),
    CAPI_TEST(config_round_trip),
    CAPI_TEST(storage_open),
    CAPI_TEST(run_options),
    CAPI_TEST(generate_bad_arguments),
    CAPI_TEST(generate_and_read_back),
    CAPI_TEST(cancel_from_callback_and_resume),
    CAPI_TEST(nested_call_is_busy),
    CAPI_TEST(cancel_from_another_thread),
    CAPI_TEST(destroy_generator_during_blocking_run),
    CAPI_TEST(job_runs_in_background),
    CAPI_TEST(job_cancel_timeout_and_busy),
    CAPI_TEST(generator_cancel_reaches_job),
    CAPI_TEST(destroy_handles_while_job_runs),
    CAPI_TEST(job_callback_cannot_wait_for_itself),
    CAPI_TEST(job_destroyed_from_its_own_callback),
    CAPI_TEST(create_destroy_churn),
};
enum { test_count = sizeof tests / sizeof tests[0] };

static int usage(const char* program) {
    fprintf(stderr,
            "usage: %s TEST [DIR]   run one test (or 'all'), its files under DIR (default: "
            "$TMPDIR)\n"
            "       %s --list       print the test names\n",
            program, program);
    return 2;
}

int main(int argc, char** argv) {
    if (argc == 2 && strcmp(argv[1], "--list") == 0) {
        for (int i = 0; i < test_count; ++i)
            puts(tests[i].name);
        return 0;
    }
    if (argc < 2 || argc > 3) return usage(argv[0]);
    const char* wanted = argv[1];
    int found = strcmp(wanted, "all") == 0;
    for (int i = 0; i < test_count && !found; ++i)
        found = strcmp(tests[i].name, wanted) == 0;
    if (!found) {
        fprintf(stderr, "%s: no test named '%s' (see --list)\n", argv[0], wanted);
        return 2;
    }
    const char* parent = argc == 3 ? argv[2] : getenv("TMPDIR");
    if (!parent || !*parent) {
        fprintf(stderr, "%s: give a directory for the test files, or set TMPDIR\n", argv[0]);
        return 2;
    }
    const int length = snprintf(temp_dir, sizeof temp_dir, "%s/mcqgen-capi-XXXXXX", parent);
    if (length < 0 || (size_t)length >= sizeof temp_dir) {
        fprintf(stderr, "%s: directory name too long: %s\n", argv[0], parent);
        return 2;
    }
    if (!mkdtemp(temp_dir)) {
        perror(temp_dir);
        return 2;
    }
    document_text = read_whole_file(MCQGEN_SAMPLES_DIR "/indian_constitution.txt", NULL);
    if (!document_text) {
        fprintf(stderr, "cannot read the sample document\n");
        return 1;
    }

    for (int i = 0; i < test_count; ++i) {
        if (strcmp(wanted, "all") != 0 && strcmp(tests[i].name, wanted) != 0) continue;
        printf("%s\n", tests[i].name);
        fflush(stdout);
        tests[i].run();
    }

    char command[sizeof temp_dir + 16];
    snprintf(command, sizeof command, "rm -rf '%s'", temp_dir);
    if (system(command) != 0) fprintf(stderr, "could not remove %s\n", temp_dir);
    free(document_text);
    return capi_check_summary();
}
