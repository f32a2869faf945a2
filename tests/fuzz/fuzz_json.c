/* fuzz_json.c - the JSON parsers: never crash, and the simdjson fast path
 * must agree with the reference parser on every input (same verdict, equal
 * values), so either can serve the inventory reader. */
#include <stdint.h>
#include <stdlib.h>

#include "json/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    arena *a = arena_new(0);
    jv ref, fast;
    json_error e1, e2;
    int r1 = json_parse(a, (const char *)data, size, &ref, &e1);
    int r2 = json_parse_fast(a, (const char *)data, size, &fast, &e2);
    if (r1 != r2) abort();
    if (r1 == 0) {
        if (!jv_equal(&ref, &fast)) abort();
        buf b = BUF_INIT;
        json_write(&b, &ref);
        jv again;
        if (json_parse(a, b.data, b.len, &again, &e1) != 0) abort();
        buf_free(&b);
    }
    arena_free(a);
    return 0;
}
