/* CHECK / OK for the plain-C ABI tests: count and report failures, keep going. */
#ifndef SWIFTNN_TEST_CHECK_H
#define SWIFTNN_TEST_CHECK_H
#include <stdio.h>
#include "swiftnn.h"

static int failures = 0;

#define CHECK(cond, ...)                                            \
    do {                                                            \
        if (!(cond)) {                                              \
            failures++;                                             \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);    \
            fprintf(stderr, __VA_ARGS__);                           \
            fprintf(stderr, "\n");                                  \
        }                                                           \
    } while (0)

#define OK(call) CHECK((call) == SWIFTNN_OK, "%s -> %s", #call, swiftnn_last_error())

#endif
