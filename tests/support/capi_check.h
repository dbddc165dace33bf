/* Check macros for the C tests of the C ABI: each failure is printed with its place, the
 * expression and mcqgen_last_error(), and counted; capi_check_summary() prints the totals and
 * gives the exit status. One translation unit per test program includes this header. */
#ifndef MCQGEN_TESTS_CAPI_CHECK_H
#define MCQGEN_TESTS_CAPI_CHECK_H

#include <mcqgen/mcqgen.h>

#include <stdio.h>

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

#endif
