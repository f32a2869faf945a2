/* runs.c - runs of N shard scans: recording a shard, reading runs, and
 * claiming a run's notifications (store.h "Runs").
 *
 * A shard's row is written inside its scan's transaction (store_run_record,
 * called last by record.c), so "shard 2 recorded" and shard 2's findings
 * commit together or not at all: a shard killed mid-record leaves its row
 * missing, and its rerun records it.  The run's row is locked before the
 * shards are counted: on PostgreSQL two last shards committing together
 * would otherwise each count the other as missing (READ COMMITTED shows
 * neither the other's uncommitted row), and the run would never complete.
 * SQLite's writers are serialised by BEGIN IMMEDIATE already.
 *
 * Times: started_at and completed_at are wall-clock (when the shards
 * recorded), like scans.started_at; notified_at is the caller's now.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/store_int.h"

static const char *const STATE_NAME[] = {"missing", "recorded", "failed"};

static bool shards_differ(store *s, const char *run, int64_t have, int shards)
{
    if (have == shards) return false;
    snprintf(s->err, sizeof s->err,
             "run '%s' has %lld shards in the store; this shard says %d (--shards or --shard I/N "
             "must be the same for every shard of a run)",
             run, (long long)have, shards);
    return true;
}

/* The run's row, created by its first shard and locked for this
 * transaction; its shard count must be the caller's. */
static int lock_run(store *s, const char *run, int shards, int64_t now)
{
    db_val pi[] = {DB_S(run), DB_I(shards), DB_I(now)};
    if (db_run(s->d,
               "INSERT INTO runs (id, shards, started_at) VALUES (?, ?, ?) "
               "ON CONFLICT (id) DO NOTHING",
               pi, 3) < 0)
        return fail(s, "cannot record the run");
    /* An UPDATE takes the row lock on PostgreSQL (waiting for another
     * shard's commit); it changes nothing. */
    db_val pl[] = {DB_S(run)};
    if (db_run(s->d, "UPDATE runs SET shards = shards WHERE id = ?", pl, 1) < 0)
        return fail(s, "cannot lock the run");
    int64_t have = 0;
    if (db_query_int(s->d, "SELECT shards FROM runs WHERE id = ?", pl, 1, &have) < 0)
        return fail(s, "cannot read the run");
    return shards_differ(s, run, have, shards) ? -1 : 0;
}

static int count_recorded(store *s, const char *run, int64_t *n)
{
    db_val p[] = {DB_S(run)};
    if (db_query_int(s->d,
                     "SELECT COUNT(*) FROM run_shards WHERE run_id = ? AND state = 'recorded'", p,
                     1, n) < 0)
        return fail(s, "cannot count the run's shards");
    return 0;
}

int store_run_record(store *s, const scan_scope *sc, int64_t scan_id, scan_summary *out)
{
    if (!sc->run || s->version < 7) return 0;
    int64_t now = (int64_t)time(NULL), n = 0;
    if (lock_run(s, sc->run, sc->shards, now) < 0) return -1;
    db_val p[] = {DB_S(sc->run), DB_I(sc->shard), DB_I(scan_id), DB_I(now)};
    if (db_run(s->d,
               "INSERT INTO run_shards (run_id, shard, state, scan_id, at, message) "
               "VALUES (?, ?, 'recorded', ?, ?, NULL) ON CONFLICT (run_id, shard) DO UPDATE "
               "SET state = 'recorded', scan_id = excluded.scan_id, at = excluded.at, "
               "message = NULL",
               p, 4) < 0)
        return fail(s, "cannot record the shard");
    db_val ps[] = {DB_S(sc->run), DB_I(scan_id)};
    if (db_run(s->d, "UPDATE scans SET run_id = ? WHERE id = ?", ps, 2) < 0)
        return fail(s, "cannot record the shard");
    if (count_recorded(s, sc->run, &n) < 0) return -1;
    out->run_recorded = (int)n;
    if (n == sc->shards) {
        db_val pc[] = {DB_I(now), DB_S(sc->run)};
        int64_t changed = db_run(
            s->d, "UPDATE runs SET completed_at = ? WHERE id = ? AND completed_at IS NULL", pc, 2);
        if (changed < 0) return fail(s, "cannot complete the run");
        out->run_complete = changed > 0;
    }
    return 0;
}

int store_run_shard_scan(store *s, const char *run, int shard, int shards, int64_t *scan_id)
{
    *scan_id = 0;
    if (s->version < 7) return 0;
    int64_t have = 0;
    db_val pr[] = {DB_S(run)};
    if (db_query_int(s->d, "SELECT shards FROM runs WHERE id = ?", pr, 1, &have) < 0)
        return fail(s, "cannot read the run");
    if (have && shards_differ(s, run, have, shards)) return -1;
    db_val p[] = {DB_S(run), DB_I(shard)};
    if (db_query_int(s->d,
                     "SELECT scan_id FROM run_shards WHERE run_id = ? AND shard = ? AND state = "
                     "'recorded'",
                     p, 2, scan_id) < 0)
        return fail(s, "cannot read the run's shards");
    return 0;
}

int store_run_shard_failed(store *s, const char *run, int shard, int shards, int64_t at,
                           const char *message)
{
    s->err[0] = 0;
    if (db_begin(s->d) < 0) return fail(s, "cannot start a transaction");
    if (lock_run(s, run, shards, (int64_t)time(NULL)) < 0) goto bad;
    db_val p[] = {DB_S(run), DB_I(shard), DB_I(at), DB_S(message)};
    if (db_run(s->d,
               "INSERT INTO run_shards (run_id, shard, state, scan_id, at, message) "
               "VALUES (?, ?, 'failed', NULL, ?, ?) ON CONFLICT (run_id, shard) DO UPDATE "
               "SET state = 'failed', at = excluded.at, message = excluded.message "
               "WHERE run_shards.state <> 'recorded'",
               p, 4) < 0) {
        fail(s, "cannot record the failed shard");
        goto bad;
    }
    if (db_commit(s->d) < 0) {
        fail(s, "cannot commit the failed shard");
        goto bad;
    }
    return 0;
bad:
    db_rollback(s->d);
    return -1;
}

/* The shard rows of the newest `limit` runs (v[0..k), read just before
 * by the same order), in one query rather than one per run. */
static int load_shards(store *s, size_t limit, arena *a, stored_run *v, size_t k)
{
    for (size_t i = 0; i < k; i++)
        v[i].shard =
            arena_calloc(a, (size_t)(v[i].shards > 0 ? v[i].shards : 1) * sizeof(stored_run_shard));
    db_val p[] = {DB_I((int64_t)limit)};
    db_stmt *q =
        db_query(s->d,
                 "SELECT run_id, shard, state, scan_id, at, message FROM run_shards WHERE "
                 "run_id IN (SELECT id FROM runs ORDER BY started_at DESC, id DESC LIMIT ?)",
                 p, 1);
    if (!q) return fail(s, "cannot read the runs' shards");
    int st;
    while ((st = db_step(q)) == 1) {
        const char *id = db_col_text(q, 0);
        stored_run *r = NULL;
        for (size_t i = 0; id && i < k && !r; i++)
            if (!strcmp(v[i].id, id)) r = &v[i];
        int64_t i = db_col_int(q, 1);
        if (!r || i < 0 || i >= r->shards) continue;
        stored_run_shard *sh = &r->shard[i];
        const char *state = db_col_text(q, 2);
        sh->state = state && !strcmp(state, "recorded") ? RUN_SHARD_RECORDED : RUN_SHARD_FAILED;
        sh->scan_id = db_col_int(q, 3);
        sh->at = db_col_int(q, 4);
        sh->message = col_dup(a, q, 5);
        if (sh->state == RUN_SHARD_RECORDED)
            r->recorded++;
        else
            r->failed++;
    }
    db_finish(q);
    return st < 0 ? fail(s, "cannot read the runs' shards") : 0;
}

int store_runs(store *s, size_t limit, arena *a, stored_run **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (s->version < 7) return 0;
    db_val p[] = {DB_I((int64_t)limit)};
    db_stmt *q = db_query(s->d,
                          "SELECT id, shards, started_at, completed_at, notified_at FROM runs "
                          "ORDER BY started_at DESC, id DESC LIMIT ?",
                          p, 1);
    if (!q) return fail(s, "cannot read the runs");
    stored_run *v = arena_alloc(a, (limit ? limit : 1) * sizeof *v);
    size_t k = 0;
    int st = 0;
    while (k < limit && (st = db_step(q)) == 1) {
        stored_run *r = &v[k++];
        memset(r, 0, sizeof *r);
        r->id = col_dup(a, q, 0);
        r->shards = (int)db_col_int(q, 1);
        r->started_at = db_col_int(q, 2);
        r->completed_at = db_col_int(q, 3);
        r->notified_at = db_col_int(q, 4);
    }
    db_finish(q);
    if (st < 0) return fail(s, "cannot read the runs");
    if (load_shards(s, limit, a, v, k) < 0) return -1;
    *out = v;
    *n = k;
    return 0;
}

const char *store_run_shard_state_name(run_shard_state st)
{
    return st <= RUN_SHARD_FAILED ? STATE_NAME[st] : "?";
}

int store_run_claim_notify(store *s, const char *run, int64_t now, arena *a, const char **id_out,
                           bool *claimed)
{
    *claimed = false;
    if (id_out) *id_out = NULL;
    if (s->version < 7) return 0;
    const char *id = run;
    if (!id) {
        db_stmt *q = db_query(s->d,
                              "SELECT id FROM runs WHERE completed_at IS NOT NULL ORDER BY "
                              "completed_at DESC, id DESC LIMIT 1",
                              NULL, 0);
        if (!q) return fail(s, "cannot read the runs");
        int st = db_step(q);
        if (st == 1) id = col_dup(a, q, 0);
        db_finish(q);
        if (st < 0) return fail(s, "cannot read the runs");
        if (!id) return 0;
    }
    if (id_out) *id_out = id == run ? arena_strdup(a, run) : id;
    /* One statement: of two callers, exactly one changes the row. */
    db_val p[] = {DB_I(now), DB_S(id)};
    int64_t changed = db_run(s->d,
                             "UPDATE runs SET notified_at = ? WHERE id = ? AND completed_at IS NOT "
                             "NULL AND notified_at IS NULL",
                             p, 2);
    if (changed < 0) return fail(s, "cannot mark the run notified");
    *claimed = changed > 0;
    return 0;
}
