/* Helpers for the C tests of the C ABI. Check macros: each failure is printed with its place,
 * the expression and mcqgen_last_error(), and counted; capi_check_summary() prints the totals
 * and gives the exit status. read_whole_file() reads a file into a NUL-terminated buffer. One
 * translation unit per test program includes this header. */
#ifndef MCQGEN_TESTS_CAPI_CHECK_H
#define MCQGEN_TESTS_CAPI_CHECK_H

#include <mcqgen/mcqgen.h>

#include <stdio.h>
#include <stdlib.h>

static int failures = 0;
static int checks = 0;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        ++checks;                                                                                  \
        if (!(cond)) {                                                                             \
            ++failures;                                                                            \
            fprintf(stderr, "%s:%d: CHECK failed: %s (last error: %s)\n", __FILE__, __LINE__,      \
                    #cond, mcqgen_last_error());                                                   \
        }                                                                                          \
    } while (0)

#define CHECK_STATUS(expr, expected)                                                               \
    do {                                                                                           \
        const mcqgen_status got_ = (expr);                                                         \
        ++checks;                                                                                  \
        if (got_ != (expected)) {                                                                  \
            ++failures;                                                                            \
            fprintf(stderr, "%s:%d: %s returned %s, expected %s (last error: %s)\n", __FILE__,     \
                    __LINE__, #expr, mcqgen_status_string(got_), mcqgen_status_string(expected),   \
                    mcqgen_last_error());                                                          \
        }                                                                                          \
    } while (0)

/* Prints "N checks, M failures" and returns the program's exit status. */
static int capi_check_summary(void) {
    printf("%d checks, %d failures\n", checks, failures);
    return failures == 0 ? 0 : 1;
}

/* The whole file, NUL-terminated, in a buffer to free(); its length in *size if size is not
 * NULL. NULL when the file cannot be read. */
static char* read_whole_file(const char* path, size_t* size) {
    FILE* f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    const long length = ftell(f);
    fseek(f, 0, SEEK_SET);
    char* data = length < 0 ? NULL : malloc((size_t)length + 1);
    if (data && fread(data, 1, (size_t)length, f) != (size_t)length) {
        free(data);
        data = NULL;
    }
    fclose(f);
    if (!data) return NULL;
    data[length] = '\0';
    if (size) *size = (size_t)length;
    return data;
}

#endif
