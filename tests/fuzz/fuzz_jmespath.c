/* fuzz_jmespath.c - jp_compile and jp_eval must never crash, leak or hang.
 * Input: the first line is the expression, the rest a JSON document (null
 * when it does not parse, so odd documents still exercise evaluation).
 * Errors must carry a known kind and a position inside the expression. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jmespath/jmespath.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int known_kind(const char *k)
{
    static const char *kinds[] = {"syntax", "invalid-type", "invalid-value", "invalid-arity",
                                  "unknown-function"};
    for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
        if (k && !strcmp(k, kinds[i])) return 1;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    const char *nl = memchr(s, '\n', size);
    size_t elen = nl ? (size_t)(nl - s) : size;
    arena *a = arena_new(0);
    jv doc = jv_null();
    json_error je;
    if (nl && json_parse(a, nl + 1, size - elen - 1, &doc, &je) != 0) doc = jv_null();
    jp_error err;
    memset(&err, 0, sizeof err);
    jp_node *e = jp_compile(a, s, elen, &err);
    if (!e) {
        if (!known_kind(err.kind) || err.pos > elen) abort();
    } else {
        jv out;
        arena *scratch = arena_new(0);
        if (jp_eval(e, &doc, scratch, &out, &err) == 0) {
            buf b = BUF_INIT;
            json_write(&b, &out);
            buf_free(&b);
        } else if (!known_kind(err.kind)) {
            abort();
        }
        const char *names[8];
        size_t lens[8];
        int n = jp_simple_path(e, names, lens, 8);
        for (int i = 0; i < n; i++)
            if (!names[i] || strlen(names[i]) > lens[i]) abort();
        arena_free(scratch);
    }
    arena_free(a);
    return 0;
}
