/* t.h - the tiny unit-test harness.
 *
 * Each test file defines TEST(name) functions and a main() that RUNs them.
 * Output is one "PASS name" or "FAIL name: file:line: condition" line per
 * test, which tests/run.sh counts.  The program exits 1 if any test failed.
 */
#ifndef CUSTOS_T_H
#define CUSTOS_T_H

#include <stdio.h>
#include <string.h>

static int t_failed_total;
static int t_failed_now;
static const char *t_name;

#define TEST(name) static void name(void)
#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            if (!t_failed_now) printf("FAIL %s: %s:%d: %s\n", t_name, __FILE__, __LINE__, #cond);  \
            t_failed_now = 1;                                                                      \
        }                                                                                          \
    } while (0)
#define CHECK_STR(a, b)                                                                            \
    do {                                                                                           \
        const char *t_a = (a), *t_b = (b);                                                         \
        if (!t_a || !t_b || strcmp(t_a, t_b) != 0) {                                               \
            if (!t_failed_now)                                                                     \
                printf("FAIL %s: %s:%d: \"%s\" != \"%s\"\n", t_name, __FILE__, __LINE__,           \
                       t_a ? t_a : "(null)", t_b ? t_b : "(null)");                                \
            t_failed_now = 1;                                                                      \
        }                                                                                          \
    } while (0)
#define RUN(name)                                                                                  \
    do {                                                                                           \
        t_name = #name;                                                                            \
        t_failed_now = 0;                                                                          \
        name();                                                                                    \
        if (!t_failed_now) printf("PASS %s\n", #name);                                             \
        t_failed_total += t_failed_now;                                                            \
    } while (0)
#define T_EXIT() return t_failed_total ? 1 : 0

#endif
