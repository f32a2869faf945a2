/* store_int.h - what the store's own files share (not for other modules).
 *
 * The store is split by job: store.c (schema, migrations, opening, the
 * planner's statistics), suppress.c (rules and reconciling findings with
 * them), record.c and record_write.c (recording a scan), query.c (reading
 * findings, scans, events, history), fixed.c (one finding resolved by
 * custos fix's re-read).  They share the handle, the error
 * helper and the suppression rules a scan matches findings against.
 */
#ifndef CUSTOS_STORE_INT_H
#define CUSTOS_STORE_INT_H

#include <stdio.h>

#include "store/store.h"
#include "util/strmap.h"

struct store {
    db *d;
    char *url;   /* redacted */
    int version; /* schema version in use (below current only through the test hook) */
    char err[512];
};

/* Sets the store's error to "what: <driver message>"; returns -1. */
static inline int fail(store *s, const char *what)
{
    snprintf(s->err, sizeof s->err, "%s: %s", what, db_errmsg(s->d));
    return -1;
}

static inline char *col_dup(arena *a, const db_stmt *q, size_t i)
{
    const char *t = db_col_text(q, i);
    return t ? arena_strdup(a, t) : NULL;
}

/* ---- suppression rules (suppress.c) ---- */

typedef struct rule_set {
    suppression *r;
    size_t n;
} rule_set;

/* The subject of a rule: what a finding is matched on. */
typedef struct rule_subject {
    const char *fingerprint, *policy, *account_id, *account_name, *region, *resource_id,
        *resource_name;
} rule_subject;

const suppression *store_rule_match(const rule_set *rs, const rule_subject *f);
/* The rules active at now. */
int store_load_rules(store *s, int64_t now, arena *a, rule_set *rs);
/* A lifecycle event of one stored finding with no scan (suppressions,
 * custos fix's re-read); 0 or -1. */
int store_add_event(store *s, int64_t scan_id, const char *fp, int64_t at, const char *status,
                    const char *previous);
/* The latest day's open/suppressed counts of an account recomputed from
 * its findings; 0 or -1. */
int store_refresh_latest_counts(store *s, const char *account);
int store_rules_at(store *s, int64_t *out);
int64_t store_set_rules_at(store *s, int64_t now);

/* A day's counts of one account and severity. */
typedef struct day_row {
    const char *account_id;
    int sev;
    int64_t open, suppressed, new_, resolved, regressed, max_priority;
} day_row;
void store_tally_status(day_row *r, const char *status, int64_t count, int64_t max_priority);

/* What a scan asks of reconcile (NULL: a suppression change, which looks
 * at every unresolved finding). */
typedef struct recon_opts {
    bool lapsed_only;      /* only suppressed findings whose rule is not active at now */
    int64_t scan_id;       /* the scan, for the rows-written count only */
    const strmap *counted; /* accounts whose day counts the caller recomputes */
    /* out: the findings whose status changed, and to what */
    arena *a;
    uint64_t *fps;
    const char **statuses;
    size_t n;
    int64_t rows; /* rows written */
} recon_opts;
int store_reconcile(store *s, int64_t now, recon_opts *ro, size_t *suppressed_out);

/* ---- bulk writes (bulk.c) ---- */

/* A table whose secondary indexes were dropped for a bulk write in the
 * current transaction, with their definitions to create them again. */
typedef struct store_bulk {
    char **names, **defs;
    size_t n;
    bool active;
} store_bulk;
/* Whether writing `writes` rows of a table of about `table_rows` is
 * cheaper with its indexes rebuilt afterwards. */
bool store_bulk_worth(int64_t writes, int64_t table_rows);
/* Drops the table's secondary indexes (not primary keys or UNIQUE). */
int store_bulk_begin(store *s, const char *table, store_bulk *b);
/* Creates them again as they were; nothing on an inactive b.  b->n
 * stays the number rebuilt until store_bulk_free. */
int store_bulk_end(store *s, store_bulk *b);
void store_bulk_free(store_bulk *b);

/* ---- runs (runs.c) ---- */

/* The shard's row of sc->run (nothing when NULL), in the scan's
 * transaction; fills out->run_recorded and run_complete. */
int store_run_record(store *s, const scan_scope *sc, int64_t scan_id, scan_summary *out);

/* ---- the planner's statistics (store.c) ---- */

/* After a write that grew or changed the findings table by `rows`:
 * refreshes the statistics the query planner chooses indexes by, when
 * they are missing or the table has changed a lot since they were taken.
 * Inside the caller's transaction.  Returns 0 or -1 (the store's error). */
int store_maintain_stats(store *s, int64_t rows);
/* About how many finding rows the table holds, without counting them: the
 * last statistics' count plus the rows written since (an upper bound). */
int store_rows_estimate(store *s, int64_t *rows);

#endif
