/* fuzz_collect_config.c - accounts.yaml's collect: settings
 * (aws/collect_config.c) must never crash, leak or hang on any file.
 * Invariants: a rejected file has at least one diagnostic, each naming the
 * file with a line inside it, or the one after its last (libyaml's mark
 * for "at the end"), or none; an accepted one has accounts that
 * each have an id, a role_arn that is an ARN when set, and regions (a list
 * or "every enabled one"), every region a non-empty string. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aws/collect_config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* YAML's line breaks: LF, CR LF, a lone CR, NEL, LS, PS */
    int lines = 1;
    for (size_t i = 0; i < size; i++)
        lines += data[i] == '\n' || (data[i] == '\r' && (i + 1 == size || data[i + 1] != '\n')) ||
                 (i + 1 < size && data[i] == 0xC2 && data[i + 1] == 0x85) ||
                 (i + 2 < size && data[i] == 0xE2 && data[i + 1] == 0x80 &&
                  (data[i + 2] == 0xA8 || data[i + 2] == 0xA9));
    arena *a = arena_new(0);
    diag_list d = DIAG_LIST_INIT;
    collect_config c;
    int rc = collect_config_parse(a, "fuzz.yaml", (const char *)data, size, &c, &d);
    if (rc != 0) {
        if (!d.n) abort();
        for (size_t i = 0; i < d.n; i++)
            if (d.items[i].pos.line < 0 || d.items[i].pos.line > lines + 1) abort();
    } else {
        for (size_t i = 0; i < c.naccounts; i++) {
            const collect_account *ca = &c.accounts[i];
            if (!ca->id || !*ca->id) abort();
            if (ca->role_arn && strncmp(ca->role_arn, "arn:", 4) != 0) abort();
            if (!ca->all_enabled && ca->nregions && !ca->regions) abort();
            for (size_t r = 0; r < ca->nregions; r++)
                if (!ca->regions[r] || !*ca->regions[r]) abort();
        }
    }
    diag_free(&d);
    arena_free(a);
    return 0;
}
