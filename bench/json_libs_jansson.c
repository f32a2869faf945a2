/* json_libs_jansson.c - the jansson candidate for bench/json_libs.c. */
#include <jansson.h>
#include <stdio.h>
#include <time.h>

double bench_jansson(const char *const *texts, const size_t *lens, size_t n);

double bench_jansson(const char *const *texts, const size_t *lens, size_t n)
{
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (size_t i = 0; i < n; i++) {
        json_error_t err;
        json_t *j = json_loadb(texts[i], lens[i], 0, &err);
        if (!j) fprintf(stderr, "jansson: %s\n", err.text);
        json_decref(j);
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    return (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
}
