/* json_libs_jsonc.c - the json-c candidate for bench/json_libs.c. */
#include <json-c/json.h>
#include <stdio.h>
#include <time.h>

double bench_jsonc(const char *const *texts, const size_t *lens, size_t n);

double bench_jsonc(const char *const *texts, const size_t *lens, size_t n)
{
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (size_t i = 0; i < n; i++) {
        json_tokener *tok = json_tokener_new_ex(1000);
        json_object *o = json_tokener_parse_ex(tok, texts[i], (int)lens[i]);
        if (!o) fprintf(stderr, "json-c failed\n");
        json_object_put(o);
        json_tokener_free(tok);
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    return (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
}
