/* fuzz_suppress.c - suppression rule files: suppress_file_parse must never
 * crash or leak, must report every rejection with a diagnostic, and every
 * rule it accepts must pass suppression_check (a selector, reason, author
 * and expiry). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "store/suppress_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    arena *a = arena_new(0);
    diag_list d = DIAG_LIST_INIT;
    suppression *r;
    size_t n;
    if (suppress_file_parse(a, "fuzz.yaml", (const char *)data, size, &r, &n, &d) == 0) {
        for (size_t i = 0; i < n; i++)
            if (suppression_check(&r[i])) abort();
    } else if (d.n == 0) {
        abort(); /* rejected without saying why */
    }
    diag_free(&d);
    arena_free(a);
    return 0;
}
