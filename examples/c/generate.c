/* generate.c — mcqgen from C: turn a text file into a stored multiple-choice test.
 *
 *   mcqgen-example-c FILE N DB
 *
 * Generates N questions from FILE into the SQLite database DB, printing "k of N" as each
 * question is stored, then prints the test and its questions as JSON. Claude writes the
 * questions when ANTHROPIC_API_KEY is set, the offline generator otherwise.
 * Exit codes, as the mcqgen CLI: 0 completed, 3 partial, 1 failed or error, 2 usage error. */
#include <mcqgen/mcqgen.h>

#include <stdio.h>
#include <stdlib.h>

enum { exit_completed = 0, exit_failed = 1, exit_usage = 2, exit_partial = 3 };

/* Reads a whole file; the caller frees the text. */
static char* read_file(const char* path, size_t* length) {
    FILE* file = fopen(path, "rb");
    if (!file) return NULL;
    char* text = NULL;
    size_t size = 0;
    char chunk[65536];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, file)) > 0) {
        char* grown = realloc(text, size + got);
        if (!grown) {
            free(text);
            fclose(file);
            return NULL;
        }
        text = grown;
        for (size_t i = 0; i < got; ++i)
            text[size + i] = chunk[i];
        size += got;
    }
    fclose(file);
    *length = size;
    return text;
}

/* Called on this thread after each question is committed (and at the start and the end). */
static int print_progress(const mcqgen_progress* progress, void* user_data) {
    (void)user_data;
    if (progress->question_json) fprintf(stderr, "%s\n", progress->message);
    return 0; /* non-zero would cancel the run */
}

static int fail(const char* what, const char* message) {
    fprintf(stderr, "mcqgen-example-c: %s: %s\n", what, message);
    return exit_failed;
}

static int exit_code_for(int32_t test_status) {
    switch (test_status) {
    case MCQGEN_TEST_COMPLETED:
        return exit_completed;
    case MCQGEN_TEST_PARTIAL:
        return exit_partial;
    default:
        return exit_failed;
    }
}

/* Prints the stored test with its questions; returns the exit code for its status. */
static int print_test(mcqgen_storage* storage, const mcqgen_run_result* result) {
    char* json = NULL;
    if (mcqgen_storage_show_json(&json, storage, result->test_id) != MCQGEN_OK)
        return fail("reading the test back", mcqgen_storage_last_error(storage));
    puts(json);
    mcqgen_free(json); /* strings from the library go back to the library */
    fprintf(stderr, "%s: %s\n", mcqgen_test_status_string(result->status), result->message);
    return exit_code_for(result->status);
}

static int run(const char* document, size_t length, int count, const char* db_path) {
    mcqgen_generator* generator = NULL;
    mcqgen_storage* storage = NULL;
    /* NULL config: the defaults, overlaid by the environment (key, model, ...). */
    if (mcqgen_generator_create(&generator, NULL) != MCQGEN_OK)
        return fail("configuration", mcqgen_last_error());
    if (mcqgen_storage_open_sqlite(&storage, db_path) != MCQGEN_OK) {
        mcqgen_generator_destroy(generator);
        return fail(db_path, mcqgen_last_error());
    }

    /* What this run asks for: the count, and a callback for each stored question. */
    mcqgen_run_options options = MCQGEN_RUN_OPTIONS_INIT;
    options.count = count;
    options.on_progress = print_progress;
    options.user_data = NULL; /* handed back to print_progress untouched */

    mcqgen_run_result result = MCQGEN_RUN_RESULT_INIT;
    const mcqgen_status status =
        mcqgen_generate(&result, generator, document, length, storage, &options);
    int code;
    if (status != MCQGEN_OK)
        code = fail(mcqgen_status_string(status), mcqgen_generator_last_error(generator));
    else
        code = print_test(storage, &result);

    mcqgen_storage_destroy(storage);
    mcqgen_generator_destroy(generator);
    return code;
}

int main(int argc, char** argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: %s FILE N DB\n", argv[0]);
        return exit_usage;
    }
    char* end = NULL;
    const long count = strtol(argv[2], &end, 10);
    if (*argv[2] == '\0' || *end != '\0' || count < 1 || count > 1000) {
        fprintf(stderr, "%s: N must be a number of questions, got '%s'\n", argv[0], argv[2]);
        return exit_usage;
    }
    size_t length = 0;
    char* document = read_file(argv[1], &length);
    if (!document) return fail(argv[1], "cannot read the file");
    const int code = run(document, length, (int)count, argv[3]);
    free(document);
    return code;
}
