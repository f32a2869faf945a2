/* fuzz_fix_plan.c - plan.json as `custos fix apply` loads it
 * (remediate/plan_io.c) must never crash, leak or hang on any file.
 * Invariants: a rejected file has a message; an accepted one has steps
 * whose identity, call and state are all set, the hash its steps give,
 * written again it loads back to the same hash, and the AWS CLI command of
 * each step (cli_equiv.c) holds no control character: whatever a field
 * holds, it is pasted as shell words, never as a second line. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "remediate/remediate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_step(arena *a, const rm_step *st)
{
    if (!st->fingerprint || !st->policy || !st->action || !st->account_id || !st->region ||
        !st->resource_type || !st->resource_id || !st->service || !st->operation)
        abort();
    if (!jv_is(&st->params, JV_OBJECT)) abort();
    const char *cli = rm_cli_equivalent(a, st);
    if (strncmp(cli, "aws ", 4) != 0) abort();
    for (const char *p = cli; *p; p++)
        if ((unsigned char)*p < 0x20) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rm_plan p;
    rm_plan_init(&p);
    buf err = BUF_INIT;
    if (rm_plan_load(&p, (const char *)data, size, &err) != 0) {
        if (!err.len) abort();
    } else {
        for (size_t i = 0; i < p.n; i++)
            check_step(p.a, &p.steps[i]);
        buf out = BUF_INIT;
        rm_plan_write_json(&p, &out);
        rm_plan q;
        rm_plan_init(&q);
        buf err2 = BUF_INIT;
        if (rm_plan_load(&q, out.data, out.len, &err2) != 0) abort();
        if (strcmp(p.hash, q.hash) != 0 || p.n != q.n) abort();
        rm_plan_free(&q);
        buf_free(&err2);
        buf_free(&out);
    }
    buf_free(&err);
    rm_plan_free(&p);
    return 0;
}
