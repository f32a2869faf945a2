/* fuzz_template.c - runbook templates (format/template.h) must never
 * crash, leak or read out of bounds.  Input: template text, then a NUL
 * byte, then a JSON context (an empty object when absent or invalid).
 * Invariants: compile errors point inside the text; a rendering that
 * succeeds contains every literal byte of the template outside holes. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "format/template.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    const char *nul = memchr(s, '\0', size);
    size_t tlen = nul ? (size_t)(nul - s) : size;
    arena *a = arena_new(0);
    jv ctx = jv_object(a, 0);
    json_error je;
    if (nul && json_parse(a, nul + 1, size - tlen - 1, &ctx, &je) != 0) ctx = jv_object(a, 0);
    tmpl_error err;
    tmpl *t = tmpl_compile(a, s, tlen, &err);
    if (!t) {
        if (err.offset > tlen || !err.msg[0]) abort();
    } else {
        buf b = BUF_INIT;
        if (tmpl_render(t, &ctx, a, &b, &err) == 0 && tmpl_holes(t) == 0) {
            /* No holes: the output is the text itself. */
            if (b.len != tlen || (tlen && memcmp(b.data, s, tlen) != 0)) abort();
        }
        buf_free(&b);
    }
    arena_free(a);
    return 0;
}
