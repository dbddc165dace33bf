/* The C ABI with bad input: documents, counts, NULL pointers, database paths and contents, data
 * with SQL and HTML in it, and a 50 MB document. Each call must return its documented status
 * with a message, and nothing already stored may be lost (rows are counted before and after).
 * tests/capi/test_capi.c covers the API's own argument checks in depth; this is the
 * reliability matrix, the same as for the C++ API, the CLI and Python. Offline only.
 *
 *   mcqgen_reliability_capi_test CHILD_HELPER SAMPLE_DOCUMENT */
#define _GNU_SOURCE

#include "capi_check.h"

#include <mcqgen/mcqgen.h>

#include <sqlite3.h>

#include <ctype.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

static const char* child_helper;
static char* sample;
static char dir[256];

static const char* path_in(const char* name) {
    static char paths[8][512];
    static int next = 0;
    char* p = paths[next++ % 8];
    snprintf(p, 512, "%s/%s", dir, name);
    return p;
}

static void write_all(const char* path, const char* data, size_t size) {
    FILE* f = fopen(path, "wb");
    fwrite(data, 1, size, f);
    fclose(f);
}

/* Rows in the tests and questions tables, read with plain SQLite; -1 when unreadable. */
static void count_rows(const char* path, long long* tests, long long* questions) {
    sqlite3* db = NULL;
    *tests = *questions = -1;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK) {
        sqlite3_stmt* s = NULL;
        if (sqlite3_prepare_v2(db,
                               "SELECT (SELECT count(*) FROM tests), "
                               "(SELECT count(*) FROM questions)",
                               -1, &s, NULL) == SQLITE_OK &&
            sqlite3_step(s) == SQLITE_ROW) {
            *tests = sqlite3_column_int64(s, 0);
            *questions = sqlite3_column_int64(s, 1);
        }
        sqlite3_finalize(s);
    }
    sqlite3_close(db);
}

/* Run options asking for `n` questions, no callback (a C11 compound literal). */
#define RUN_OPTIONS(n)                                                                             \
    (&(const mcqgen_run_options){.version = MCQGEN_RUN_OPTIONS_VERSION, .count = (n)})

static mcqgen_generator* offline_generator(void) {
    mcqgen_config cfg = MCQGEN_CONFIG_INIT;
    mcqgen_config_init(&cfg, MCQGEN_CONFIG_VERSION);
    cfg.offline = 1;
    cfg.seed = 11;
    mcqgen_generator* gen = NULL;
    CHECK_STATUS(mcqgen_generator_create(&gen, &cfg), MCQGEN_OK);
    return gen;
}

/* A database holding one completed test of 3 questions; returns the path. */
static const char* seeded_database(const char* name, char* test_id) {
    const char* path = path_in(name);
    mcqgen_storage* s = NULL;
    CHECK_STATUS(mcqgen_storage_open_sqlite(&s, path), MCQGEN_OK);
    mcqgen_generator* gen = offline_generator();
    mcqgen_run_result r = MCQGEN_RUN_RESULT_INIT;
    CHECK_STATUS(mcqgen_generate(&r, gen, sample, MCQGEN_NUL_TERMINATED, s, RUN_OPTIONS(3)),
                 MCQGEN_OK);
    CHECK(r.status == MCQGEN_TEST_COMPLETED);
    if (test_id) strcpy(test_id, r.test_id);
    mcqgen_generator_destroy(gen);
    mcqgen_storage_destroy(s);
    return path;
}

/* True when `a` and `b` hold the same words, whatever white space separates them. */
static int same_words(const char* a, const char* b) {
    for (;;) {
        while (isspace((unsigned char)*a))
            ++a;
        while (isspace((unsigned char)*b))
            ++b;
        if (*a == '\0' || *b == '\0') return *a == *b;
        while (*a != '\0' && !isspace((unsigned char)*a))
            if (*a++ != *b++) return 0;
        if (*b != '\0' && !isspace((unsigned char)*b)) return 0;
    }
}

/* ---- Documents and counts ------------------------------------------------------------------ */

static void test_bad_documents_and_counts(void) {
    const char* db = seeded_database("docs.db", NULL);
    long long tests0, questions0, tests1, questions1;
    count_rows(db, &tests0, &questions0);
    CHECK(tests0 == 1 && questions0 == 3);
    mcqgen_storage* s = NULL;
    CHECK_STATUS(mcqgen_storage_open_sqlite(&s, db), MCQGEN_OK);
    mcqgen_generator* gen = offline_generator();
    struct {
        const char* bytes;
        size_t len;
        const char* says;
    } docs[] = {
        {"", 0, "empty"},
        {"\xEF\xBB\xBF", 3, "empty"},
        {" \t\r\n\f\v ", 7, "empty"},
        {"The Council met.\0\0", 18, "NUL"},
        {"\x7f"
         "ELF\x02\x01\x01\x00",
         8, "NUL"},
        {"The Council \x80 met in 1950.", MCQGEN_NUL_TERMINATED, "UTF-8"},
        {"Caf\xe9 society met in 1950.", MCQGEN_NUL_TERMINATED, "UTF-8"},
        {"a \xc0\xaf b c d", MCQGEN_NUL_TERMINATED, "UTF-8"},
        {"a \xed\xa0\x80 b", MCQGEN_NUL_TERMINATED, "UTF-8"},
        {"a \xf4\x90\x80\x80 b", MCQGEN_NUL_TERMINATED, "UTF-8"},
        {"The euro sign \xe2\x82", MCQGEN_NUL_TERMINATED, "UTF-8"},
        {"T\0h\0e\0", 6, "NUL"},                 /* UTF-16 without a byte-order mark */
        {"\xff\xfeT\0\x00\xd8", 6, "surrogate"}, /* UTF-16 with a lone surrogate */
    };
    for (size_t i = 0; i < sizeof docs / sizeof docs[0]; ++i) {
        mcqgen_run_result r = MCQGEN_RUN_RESULT_INIT;
        CHECK_STATUS(mcqgen_generate(&r, gen, docs[i].bytes, docs[i].len, s, RUN_OPTIONS(3)),
                     MCQGEN_E_INVALID_ARGUMENT);
        CHECK(r.status == MCQGEN_TEST_NONE && r.error == MCQGEN_E_INVALID_ARGUMENT);
        CHECK(r.test_id[0] == '\0');
        CHECK(strstr(mcqgen_generator_last_error(gen), docs[i].says) != NULL);
        CHECK(strstr(r.message, docs[i].says) != NULL);
    }
    const int32_t counts[] = {0, -1, 21, 1000, INT32_MAX, INT32_MIN};
    for (size_t i = 0; i < sizeof counts / sizeof counts[0]; ++i) {
        mcqgen_run_result r = MCQGEN_RUN_RESULT_INIT;
        CHECK_STATUS(
            mcqgen_generate(&r, gen, sample, MCQGEN_NUL_TERMINATED, s, RUN_OPTIONS(counts[i])),
            MCQGEN_E_INVALID_ARGUMENT);
        CHECK(strstr(mcqgen_generator_last_error(gen), "between 1 and 20") != NULL);
        char got[32];
        snprintf(got, sizeof got, "got %d", counts[i]);
        CHECK(strstr(mcqgen_generator_last_error(gen), got) != NULL);
    }
    /* NULL in every pointer position that takes one. */
    mcqgen_run_result r = MCQGEN_RUN_RESULT_INIT;
    CHECK_STATUS(mcqgen_generate(&r, NULL, sample, MCQGEN_NUL_TERMINATED, s, RUN_OPTIONS(3)),
                 MCQGEN_E_INVALID_ARGUMENT);
    CHECK_STATUS(mcqgen_generate(&r, gen, NULL, 5, s, RUN_OPTIONS(3)), MCQGEN_E_INVALID_ARGUMENT);
    CHECK_STATUS(mcqgen_generate(&r, gen, sample, MCQGEN_NUL_TERMINATED, NULL, RUN_OPTIONS(3)),
                 MCQGEN_E_INVALID_ARGUMENT);
    CHECK_STATUS(mcqgen_generate(&r, gen, sample, MCQGEN_NUL_TERMINATED, s, NULL),
                 MCQGEN_E_INVALID_ARGUMENT);
    CHECK(strstr(mcqgen_generator_last_error(gen), "options") != NULL);
    CHECK(r.status == MCQGEN_TEST_NONE && r.error == MCQGEN_E_INVALID_ARGUMENT);
    const mcqgen_run_options unversioned = {.version = 0, .count = 3};
    CHECK_STATUS(mcqgen_generate(&r, gen, sample, MCQGEN_NUL_TERMINATED, s, &unversioned),
                 MCQGEN_E_INVALID_ARGUMENT);
    CHECK(strstr(mcqgen_generator_last_error(gen), "MCQGEN_RUN_OPTIONS_VERSION") != NULL);
    const mcqgen_run_options future = {.version = MCQGEN_RUN_OPTIONS_VERSION + 1, .count = 3};
    CHECK_STATUS(mcqgen_generate(&r, gen, sample, MCQGEN_NUL_TERMINATED, s, &future),
                 MCQGEN_E_INVALID_ARGUMENT);
    mcqgen_job* job = (mcqgen_job*)&r;
    CHECK_STATUS(mcqgen_generate_start(&job, gen, sample, MCQGEN_NUL_TERMINATED, s, NULL),
                 MCQGEN_E_INVALID_ARGUMENT);
    CHECK(job == NULL);
    job = (mcqgen_job*)&r;
    CHECK_STATUS(mcqgen_generate_start(&job, gen, sample, MCQGEN_NUL_TERMINATED, s, &future),
                 MCQGEN_E_INVALID_ARGUMENT);
    CHECK(job == NULL);
    CHECK_STATUS(mcqgen_resume(&r, gen, NULL, s, NULL), MCQGEN_E_INVALID_ARGUMENT);
    CHECK_STATUS(mcqgen_resume(&r, gen, "x", s, &unversioned), MCQGEN_E_INVALID_ARGUMENT);
    CHECK_STATUS(mcqgen_run_options_init(NULL, MCQGEN_RUN_OPTIONS_VERSION),
                 MCQGEN_E_INVALID_ARGUMENT);
    CHECK_STATUS(mcqgen_generator_config(NULL, gen), MCQGEN_E_INVALID_ARGUMENT);
    CHECK_STATUS(mcqgen_generate_start(NULL, gen, sample, MCQGEN_NUL_TERMINATED, s, RUN_OPTIONS(3)),
                 MCQGEN_E_INVALID_ARGUMENT);
    char* json = (char*)&json;
    CHECK_STATUS(mcqgen_storage_show_json(&json, NULL, "x"), MCQGEN_E_INVALID_ARGUMENT);
    CHECK(json == NULL);
    CHECK_STATUS(mcqgen_storage_show_json(&json, s, NULL), MCQGEN_E_INVALID_ARGUMENT);
    CHECK_STATUS(mcqgen_storage_show_json(NULL, s, "x"), MCQGEN_E_INVALID_ARGUMENT);
    CHECK_STATUS(mcqgen_storage_list_json(NULL, s), MCQGEN_E_INVALID_ARGUMENT);
    CHECK_STATUS(mcqgen_storage_list_json(&json, NULL), MCQGEN_E_INVALID_ARGUMENT);
    CHECK_STATUS(mcqgen_job_wait(NULL, 0), MCQGEN_E_INVALID_ARGUMENT);
    CHECK_STATUS(mcqgen_job_cancel(NULL), MCQGEN_E_INVALID_ARGUMENT);
    CHECK_STATUS(mcqgen_job_result(&r, NULL), MCQGEN_E_INVALID_ARGUMENT);
    CHECK_STATUS(mcqgen_config_init(NULL, MCQGEN_CONFIG_VERSION), MCQGEN_E_INVALID_ARGUMENT);
    CHECK_STATUS(mcqgen_storage_open_sqlite(NULL, db), MCQGEN_E_INVALID_ARGUMENT);
    mcqgen_generator_destroy(gen);
    mcqgen_storage_destroy(s);
    count_rows(db, &tests1, &questions1);
    CHECK(tests1 == tests0 && questions1 == questions0);
}

/* ---- Database paths and contents ----------------------------------------------------------- */

/* Opening `path` and generating into it must fail with MCQGEN_E_STORAGE (at either step). */
static void expect_storage_failure(const char* path) {
    mcqgen_storage* s = NULL;
    mcqgen_status status = mcqgen_storage_open_sqlite(&s, path);
    if (status == MCQGEN_OK) {
        char* json = NULL;
        status = mcqgen_storage_list_json(&json, s);
        mcqgen_free(json);
        if (status == MCQGEN_OK) {
            mcqgen_generator* gen = offline_generator();
            mcqgen_run_result r = MCQGEN_RUN_RESULT_INIT;
            status = mcqgen_generate(&r, gen, sample, MCQGEN_NUL_TERMINATED, s, RUN_OPTIONS(2));
            mcqgen_generator_destroy(gen);
        }
        mcqgen_storage_destroy(s);
    } else {
        CHECK(s == NULL);
    }
    if (status != MCQGEN_E_STORAGE) fprintf(stderr, "  path: %s\n", path);
    CHECK_STATUS(status, MCQGEN_E_STORAGE);
    CHECK(mcqgen_last_error()[0] != '\0');
}

static void test_bad_databases(void) {
    size_t size = 0;
    const char* good_path = seeded_database("good.db", NULL);
    char* good = read_whole_file(good_path, &size);
    CHECK(size >= 4096);

    write_all(path_in("plain"), "not a directory", 15);
    expect_storage_failure(path_in("plain/t.db"));
    expect_storage_failure(dir);
    char* garbage = malloc(8192);
    memset(garbage, 0x5a, 8192);
    write_all(path_in("garbage.db"), garbage, 8192);
    free(garbage);
    expect_storage_failure(path_in("garbage.db"));
    write_all(path_in("header.db"), good, 100);
    expect_storage_failure(path_in("header.db"));
    write_all(path_in("half-page.db"), good, 2048);
    expect_storage_failure(path_in("half-page.db"));
    memset(good + 100, 0, 4096 - 100);
    write_all(path_in("zeroed.db"), good, size);
    expect_storage_failure(path_in("zeroed.db"));
    free(good);

    /* Another program's database that looks like ours is refused and left as it was. */
    sqlite3* other = NULL;
    sqlite3_open(path_in("foreign.db"), &other);
    sqlite3_exec(other,
                 "CREATE TABLE tests (id TEXT PRIMARY KEY, status TEXT);"
                 "INSERT INTO tests VALUES ('x', 'theirs');"
                 "PRAGMA user_version = 2; PRAGMA application_id = 1234;",
                 NULL, NULL, NULL);
    sqlite3_close(other);
    size_t before_size = 0, after_size = 0;
    char* before = read_whole_file(path_in("foreign.db"), &before_size);
    expect_storage_failure(path_in("foreign.db"));
    CHECK(strstr(mcqgen_last_error(), "another program") != NULL);
    char* after = read_whole_file(path_in("foreign.db"), &after_size);
    CHECK(before_size == after_size && memcmp(before, after, before_size) == 0);
    free(before);
    free(after);
}

static void test_locked_database(void) {
    char test_id[MCQGEN_TEST_ID_SIZE];
    const char* db = seeded_database("locked.db", test_id);
    long long tests0, questions0, tests1, questions1;
    count_rows(db, &tests0, &questions0);

    int fds[2];
    CHECK(pipe(fds) == 0);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, fds[0]);
    char* argv[] = {(char*)child_helper, "lock", (char*)db, NULL};
    pid_t locker = -1;
    CHECK(posix_spawn(&locker, child_helper, &actions, NULL, argv, environ) == 0);
    posix_spawn_file_actions_destroy(&actions);
    close(fds[1]);
    char line[16] = {0};
    CHECK(read(fds[0], line, 7) == 7 && strncmp(line, "locked\n", 7) == 0);

    /* Reads work in WAL mode; a write waits out SQLite's busy timeout, then fails. */
    mcqgen_storage* s = NULL;
    CHECK_STATUS(mcqgen_storage_open_sqlite(&s, db), MCQGEN_OK);
    char* json = NULL;
    CHECK_STATUS(mcqgen_storage_show_json(&json, s, test_id), MCQGEN_OK);
    mcqgen_free(json);
    mcqgen_generator* gen = offline_generator();
    mcqgen_run_result r = MCQGEN_RUN_RESULT_INIT;
    CHECK_STATUS(mcqgen_generate(&r, gen, sample, MCQGEN_NUL_TERMINATED, s, RUN_OPTIONS(2)),
                 MCQGEN_E_STORAGE);
    CHECK(strstr(mcqgen_generator_last_error(gen), "locked") != NULL);
    kill(locker, SIGKILL);
    waitpid(locker, NULL, 0);
    close(fds[0]);
    count_rows(db, &tests1, &questions1);
    CHECK(tests1 == tests0 && questions1 == questions0);
    /* Once the other process is gone, the same handles work. */
    CHECK_STATUS(mcqgen_generate(&r, gen, sample, MCQGEN_NUL_TERMINATED, s, RUN_OPTIONS(2)),
                 MCQGEN_OK);
    CHECK(r.status == MCQGEN_TEST_COMPLETED);
    mcqgen_generator_destroy(gen);
    mcqgen_storage_destroy(s);
}

/* ---- SQL and HTML are data ----------------------------------------------------------------- */

static char* replace_all(const char* text, const char* from, const char* to) {
    size_t n = 0;
    for (const char* p = strstr(text, from); p; p = strstr(p + strlen(from), from))
        ++n;
    char* out = malloc(strlen(text) + n * strlen(to) + 1);
    char* o = out;
    for (const char* p = text;;) {
        const char* hit = strstr(p, from);
        if (!hit) {
            strcpy(o, p);
            break;
        }
        memcpy(o, p, (size_t)(hit - p));
        o += hit - p;
        strcpy(o, to);
        o += strlen(to);
        p = hit + strlen(from);
    }
    return out;
}

static void test_sql_and_html_are_data(void) {
    const char* db = path_in("nasty.db");
    /* Prose that breaks naive SQL, HTML and format strings in every sentence (a line of outright
       SQL would never be quoted: the generator asks about prose only). */
    char* text = replace_all(sample, " the ", " the O'Brien's 100% & ");
    mcqgen_storage* s = NULL;
    CHECK_STATUS(mcqgen_storage_open_sqlite(&s, db), MCQGEN_OK);
    mcqgen_generator* gen = offline_generator();
    mcqgen_run_result r = MCQGEN_RUN_RESULT_INIT;
    CHECK_STATUS(mcqgen_generate(&r, gen, text, MCQGEN_NUL_TERMINATED, s, RUN_OPTIONS(4)),
                 MCQGEN_OK);
    CHECK(r.created > 0);
    char* json = NULL;
    CHECK_STATUS(mcqgen_storage_questions_json(&json, s, r.test_id), MCQGEN_OK);
    CHECK(json && strstr(json, "O'Brien's 100% & ") != NULL);
    mcqgen_free(json);
    const char* ids[] = {"'; DROP TABLE tests; --", "<script>alert(1)</script>", "%s%n%x"};
    for (size_t i = 0; i < 3; ++i) {
        mcqgen_run_result missing = MCQGEN_RUN_RESULT_INIT;
        CHECK_STATUS(mcqgen_resume(&missing, gen, ids[i], s, NULL), MCQGEN_E_NOT_FOUND);
        CHECK_STATUS(mcqgen_storage_show_json(&json, s, ids[i]), MCQGEN_E_NOT_FOUND);
    }
    mcqgen_generator_destroy(gen);
    mcqgen_storage_destroy(s);
    long long tests = 0, questions = 0;
    count_rows(db, &tests, &questions);
    CHECK(tests == 1 && questions == r.created);
    /* The stored document is the text given, normalised: the same words, white space aside. */
    sqlite3* raw = NULL;
    sqlite3_open_v2(db, &raw, SQLITE_OPEN_READONLY, NULL);
    sqlite3_stmt* st = NULL;
    sqlite3_prepare_v2(raw, "SELECT text FROM documents", -1, &st, NULL);
    CHECK(sqlite3_step(st) == SQLITE_ROW);
    CHECK(same_words((const char*)sqlite3_column_text(st, 0), text));
    sqlite3_finalize(st);
    sqlite3_close(raw);
    free(text);
}

/* ---- A 50 MB document ---------------------------------------------------------------------- */

static uint64_t rng_state = 1;
static uint64_t next_random(void) {
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static void name(char* out) {
    static const char* syllables[] = {"var", "nok", "tel", "lin", "bra", "dos", "mir", "ka",
                                      "zu",  "ren", "ost", "el",  "vi",  "tam", "gor", "sha"};
    out[0] = '\0';
    for (int i = 0, n = 2 + (int)(next_random() % 2); i < n; ++i)
        strcat(out, syllables[next_random() % 16]);
    out[0] = (char)(out[0] - 'a' + 'A');
}

/* Prose that never repeats itself, as reliability_support.hpp makes it. */
static char* varied_document(size_t bytes) {
    char* text = malloc(bytes + 512);
    size_t used = 0;
    for (int sentence = 0; used < bytes; ++sentence) {
        char a[16], b[16], c[16];
        name(a), name(b), name(c);
        const unsigned year = 1400 + (unsigned)(next_random() % 620);
        const unsigned number = 12 + (unsigned)(next_random() % 9000);
        switch (next_random() % 6) {
        case 0:
            used += (size_t)sprintf(
                text + used, "In %u, the Council of %s elected %s %s as its chair with %u votes.",
                year, a, b, c, number);
            break;
        case 1:
            used += (size_t)sprintf(text + used,
                                    "The %s Assembly has %u members and meets in %s every spring.",
                                    a, number, b);
            break;
        case 2:
            used += (size_t)sprintf(text + used, "%s %s founded the %s Institute of Botany in %u.",
                                    a, b, c, year);
            break;
        case 3:
            used += (size_t)sprintf(
                text + used,
                "The river %s flows for %u kilometres through %s before it reaches the %s Sea.", a,
                number, b, c);
            break;
        case 4:
            used += (size_t)sprintf(text + used,
                                    "A census in %u counted %u households in the valley of %s.",
                                    year, number, a);
            break;
        default:
            used += (size_t)sprintf(
                text + used,
                "The %s Library keeps %u manuscripts, the oldest of them copied in %u.", a, number,
                year);
            break;
        }
        used += (size_t)sprintf(text + used, "%s", sentence % 5 == 4 ? "\n\n" : " ");
    }
    return text;
}

static void test_big_document(void) {
    const size_t size = 50u * 1024 * 1024;
    char* text = varied_document(size);
    mcqgen_storage* s = NULL;
    CHECK_STATUS(mcqgen_storage_open_sqlite(&s, path_in("big.db")), MCQGEN_OK);
    mcqgen_generator* gen = offline_generator();
    mcqgen_run_result r = MCQGEN_RUN_RESULT_INIT;
    CHECK_STATUS(mcqgen_generate(&r, gen, text, strlen(text), s, RUN_OPTIONS(20)), MCQGEN_OK);
    CHECK(r.status == MCQGEN_TEST_COMPLETED && r.created == 20);
    mcqgen_generator_destroy(gen);
    mcqgen_storage_destroy(s);
    free(text);
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    const long peak_mb = usage.ru_maxrss / 1024;
    printf("50 MB document: peak RSS %ld MB\n", peak_mb);
    const char* report = getenv("MCQGEN_RELIABILITY_REPORT");
    if (report) {
        FILE* f = fopen(report, "a");
        fprintf(f, "capi.big_document: bytes=%zu peak_rss_mb=%ld\n", size, peak_mb);
        fclose(f);
    }
    /* Bounded: a few copies of the document (as in test_bad_input.cpp). Sanitizers add their
     * own overhead. */
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
    CHECK(peak_mb < 12 * 50);
#endif
}

int main(int argc, char** argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s CHILD_HELPER SAMPLE_DOCUMENT\n", argv[0]);
        return 2;
    }
    child_helper = argv[1];
    sample = read_whole_file(argv[2], NULL);
    if (!sample) return 2;
    const char* tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/mcqgen-capi-reliability-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir)) return 2;

    test_bad_documents_and_counts();
    test_bad_databases();
    test_locked_database();
    test_sql_and_html_are_data();
    if (!getenv("MCQGEN_SKIP_BIG_DOCUMENT")) test_big_document();

    char command[600];
    snprintf(command, sizeof command, "rm -rf '%s'", dir);
    if (system(command) != 0) fprintf(stderr, "could not remove %s\n", dir);
    free(sample);
    return capi_check_summary();
}
