/* run_status.c - runs of shards in words (run_status.h).
 *
 * Missing shards are listed as ranges ("shards 3, 5-7 missing"): with
 * hundreds of shards a run that lost a node misses a block of them, and
 * one line must still say which to rerun.
 */
#include "output/run_status.h"

#include <time.h>

void run_view_pick(const stored_run *runs, size_t n, run_view *v)
{
    v->current = n ? &runs[0] : NULL;
    v->last_complete = NULL;
    if (!v->current || v->current->completed_at) return;
    for (size_t i = 1; i < n && !v->last_complete; i++)
        if (runs[i].completed_at) v->last_complete = &runs[i];
}

void run_time_text(int64_t t, char out[32])
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(out, 32, "%Y-%m-%d %H:%M UTC", &tm);
}

/* The shards in state st as "3, 5-7". */
static void ranges(const stored_run *r, run_shard_state st, buf *out)
{
    int count = 0;
    for (int i = 0; i < r->shards; i++) {
        if (r->shard[i].state != st) continue;
        int j = i;
        while (j + 1 < r->shards && r->shard[j + 1].state == st)
            j++;
        buf_printf(out, "%s%d", count ? ", " : "", i);
        if (j > i) buf_printf(out, "-%d", j);
        count += j - i + 1;
        i = j;
    }
}

void run_status_text(const stored_run *r, buf *out)
{
    if (r->completed_at) {
        buf_printf(out, "complete: %d shard%s", r->shards, r->shards == 1 ? "" : "s");
        return;
    }
    buf_printf(out, "%d of %d shards recorded", r->recorded, r->shards);
    for (int i = 0; i < r->shards; i++) {
        const stored_run_shard *sh = &r->shard[i];
        if (sh->state != RUN_SHARD_FAILED) continue;
        buf_printf(out, "; shard %d failed", i);
        if (sh->message && *sh->message) buf_printf(out, ": %s", sh->message);
    }
    int missing = r->shards - r->recorded - r->failed;
    if (missing <= 0) return;
    buf_printf(out, "; shard%s ", missing == 1 ? "" : "s");
    ranges(r, RUN_SHARD_MISSING, out);
    buf_puts(out, " missing");
}
