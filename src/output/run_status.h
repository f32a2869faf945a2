/* run_status.h - what the store's runs of shards say, in words.
 *
 * One wording for `custos findings` (stderr) and the dashboard: the
 * newest run, and when it is not complete, which of its shards are
 * missing or failed and which run was the last complete one.
 */
#ifndef CUSTOS_OUTPUT_RUN_STATUS_H
#define CUSTOS_OUTPUT_RUN_STATUS_H

#include "store/store.h"
#include "util/buf.h"

typedef struct run_view {
    const stored_run *current;       /* the newest run, or NULL (no runs) */
    const stored_run *last_complete; /* when current is incomplete: the newest complete, or NULL */
} run_view;

/* Picks from runs, newest first (store_runs). */
void run_view_pick(const stored_run *runs, size_t n, run_view *v);

/* "3 of 4 shards recorded; shard 1 failed: MESSAGE; shard 3 missing" or
 * "complete: 4 shards", appended to out (plain text, not escaped). */
void run_status_text(const stored_run *r, buf *out);

/* "2026-12-07 10:00 UTC" */
void run_time_text(int64_t t, char out[32]);

#endif
