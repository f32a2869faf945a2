/* suppress.c - suppression rules and reconciling findings with them.
 *
 * Suppression rules are globs (fnmatch), matched in C: rules are few and
 * globs are not portable SQL.  A scan matches each finding against the
 * active rules while comparing it; suppress/unsuppress/sync reconcile the
 * stored, unresolved findings with the rules in one pass.  Since rules only
 * leave the active set as time passes, a scan then looks only at the
 * suppressed findings whose rule lapsed (meta 'rules_at', see rules_at).
 */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/priority.h"
#include "store/store_int.h"
#include "util/buf.h"

static bool glob_ok(const char *pattern, const char *a, const char *b)
{
    if (!pattern) return true;
    return (a && fnmatch(pattern, a, 0) == 0) || (b && fnmatch(pattern, b, 0) == 0);
}

const suppression *store_rule_match(const rule_set *rs, const rule_subject *f)
{
    for (size_t i = 0; i < rs->n; i++) {
        const suppression *r = &rs->r[i];
        if (r->fingerprint && strcmp(r->fingerprint, f->fingerprint) != 0) continue;
        if (!glob_ok(r->policy, f->policy, NULL)) continue;
        if (!glob_ok(r->account, f->account_id, f->account_name)) continue;
        if (!glob_ok(r->region, f->region, NULL)) continue;
        if (!glob_ok(r->resource, f->resource_id, f->resource_name)) continue;
        return r;
    }
    return NULL;
}

static const char SUPPRESSION_COLS[] =
    "id, fingerprint, policy, account, region, resource, reason, author, created_at, "
    "expires_at, source";

static void read_suppression(const db_stmt *q, arena *a, suppression *r)
{
    r->id = db_col_int(q, 0);
    r->fingerprint = col_dup(a, q, 1);
    r->policy = col_dup(a, q, 2);
    r->account = col_dup(a, q, 3);
    r->region = col_dup(a, q, 4);
    r->resource = col_dup(a, q, 5);
    r->reason = col_dup(a, q, 6);
    r->author = col_dup(a, q, 7);
    r->created_at = db_col_int(q, 8);
    r->expires_at = db_col_int(q, 9);
    r->source = col_dup(a, q, 10);
}

int store_suppressions(store *s, bool include_expired, int64_t now, arena *a, suppression **out,
                       size_t *n)
{
    buf sql = BUF_INIT;
    buf_printf(&sql, "SELECT %s FROM suppressions %s ORDER BY id", SUPPRESSION_COLS,
               include_expired ? "" : "WHERE expires_at > ?");
    db_val p[] = {DB_I(now)};
    db_stmt *q = db_query(s->d, sql.data, p, include_expired ? 0 : 1);
    buf_free(&sql);
    if (!q) return fail(s, "cannot read suppressions");
    size_t cap = 0;
    *n = 0;
    *out = arena_grow(a, NULL, &cap, 16, sizeof **out);
    int rc;
    while ((rc = db_step(q)) == 1) {
        *out = arena_grow(a, *out, &cap, *n + 1, sizeof **out);
        read_suppression(q, a, &(*out)[(*n)++]);
    }
    db_finish(q);
    return rc < 0 ? fail(s, "cannot read suppressions") : 0;
}

int store_load_rules(store *s, int64_t now, arena *a, rule_set *rs)
{
    return store_suppressions(s, false, now, a, &rs->r, &rs->n);
}

int store_add_event(store *s, int64_t scan_id, const char *fp, int64_t at, const char *status,
                    const char *previous)
{
    db_val p[] = {scan_id ? DB_I(scan_id) : DB_S(NULL), DB_I(at), DB_S(status), DB_S(previous),
                  DB_S(fp)};
    if (db_run(s->d,
               "INSERT INTO finding_events (scan_id, fingerprint, at, status, previous, team, "
               "account_id, priority, severity_rank) SELECT CAST(? AS BIGINT), fingerprint, "
               "CAST(? AS BIGINT), CAST(? AS TEXT), CAST(? AS TEXT), team, account_id, priority, "
               "severity_rank FROM findings WHERE fingerprint = ?",
               p, 5) < 0)
        return -1;
    return 0;
}

/* Brings every unresolved stored finding in line with the active rules:
 * suppresses what a rule now covers, reopens what no rule covers any more
 * (removed or expired).  *changed counts newly suppressed findings. */

/* One (severity, status) group of an account's findings into its day row:
 * suppressed counts apart, resolved not at all, the rest as open with their
 * highest priority.  Scans and suppressions must agree on this. */
void store_tally_status(day_row *r, const char *status, int64_t count, int64_t max_priority)
{
    if (!strcmp(status, "suppressed")) {
        r->suppressed += count;
    } else if (strcmp(status, "resolved") != 0) {
        r->open += count;
        if (max_priority > r->max_priority) r->max_priority = max_priority;
    }
}

/* After a suppress or unsuppress, the latest day's counts of an account it
 * touched are recomputed from the findings, so the dashboard's tiles and
 * `custos history` agree with the lists at once, not after the next scan.
 * That day's new/resolved/regressed stay: they count what scans saw. */
int store_refresh_latest_counts(store *s, const char *account)
{
    db_val pa[] = {DB_S(account)};
    int64_t day;
    if (db_query_int(s->d, "SELECT COALESCE(MAX(day), -1) FROM daily_counts WHERE account_id = ?",
                     pa, 1, &day) < 0)
        return -1;
    if (day < 0) return 0; /* never scanned: no counts to correct */
    day_row rows[SEV_CRITICAL + 1] = {{0}};
    db_stmt *q = db_query(s->d,
                          "SELECT severity_rank, status, COUNT(*), MAX(priority) FROM findings "
                          "WHERE account_id = ? AND status <> 'resolved' GROUP BY severity_rank, "
                          "status",
                          pa, 1);
    int st = q ? 0 : -1;
    while (q && (st = db_step(q)) == 1) {
        int64_t sev = db_col_int(q, 0);
        if (sev >= SEV_INFO && sev <= SEV_CRITICAL)
            store_tally_status(&rows[sev], db_col_text(q, 1), db_col_int(q, 2), db_col_int(q, 3));
    }
    db_finish(q);
    if (st < 0) return -1;
    for (int sev = SEV_INFO; sev <= SEV_CRITICAL; sev++) {
        const char *name = severity_name((severity)sev);
        const day_row *r = &rows[sev];
        db_val pu[] = {DB_I(r->open), DB_I(r->suppressed), DB_I(r->max_priority),
                       DB_I(day),     DB_S(account),       DB_S(name)};
        int64_t n = db_run(s->d,
                           "UPDATE daily_counts SET open = ?, suppressed = ?, max_priority = ? "
                           "WHERE day = ? AND account_id = ? AND severity = ?",
                           pu, 6);
        if (n < 0) return -1;
        if (n > 0 || (!r->open && !r->suppressed)) continue;
        db_val pi[] = {
            DB_I(day), DB_S(name),   DB_I(r->open), DB_I(r->suppressed), DB_I(r->max_priority),
            DB_I(day), DB_S(account)};
        if (db_run(s->d,
                   "INSERT INTO daily_counts (day, account_id, account_name, team, environment, "
                   "severity, open, new_count, resolved, regressed, suppressed, max_priority) "
                   "SELECT ?, account_id, account_name, team, environment, ?, ?, 0, 0, 0, ?, ? "
                   "FROM daily_counts WHERE day = ? AND account_id = ? LIMIT 1",
                   pi, 7) < 0)
            return -1;
    }
    return 0;
}

/* The clock up to which every unresolved finding agrees with the rules
 * (meta 'rules_at'): rules only leave the active set as time passes (by
 * expiry; additions and removals reconcile at once), so a scan at or
 * after it need only look at suppressed findings whose rule lapsed.
 * *out = -1 when unknown (a store upgraded from before it was kept). */
int store_rules_at(store *s, int64_t *out)
{
    *out = -1;
    return db_query_int(s->d, "SELECT CAST(value AS BIGINT) FROM meta WHERE key = 'rules_at'", NULL,
                        0, out) < 0
               ? -1
               : 0;
}

int64_t store_set_rules_at(store *s, int64_t now)
{
    char v[24];
    snprintf(v, sizeof v, "%lld", (long long)now);
    db_val p[] = {DB_S(v)};
    return db_run(s->d,
                  "INSERT INTO meta (key, value) VALUES ('rules_at', ?) ON CONFLICT (key) DO "
                  "UPDATE SET value = excluded.value WHERE CAST(meta.value AS BIGINT) < "
                  "CAST(excluded.value AS BIGINT)",
                  p, 1);
}

int store_reconcile(store *s, int64_t now, recon_opts *ro, size_t *suppressed_out)
{
    arena *a = arena_new(0);
    rule_set rs;
    size_t suppressed = 0;
    int rc = -1;
    if (store_load_rules(s, now, a, &rs) < 0) goto out;
    db_val pn[] = {DB_I(now)};
    bool lapsed = ro && ro->lapsed_only;
    db_stmt *q = db_query(s->d,
                          lapsed ? "SELECT fingerprint, policy, account_id, account_name, region, "
                                   "resource_id, resource_name, status, suppression_id FROM "
                                   "findings f WHERE status = 'suppressed' AND NOT EXISTS (SELECT "
                                   "1 FROM suppressions r WHERE r.id = f.suppression_id AND "
                                   "r.expires_at > ?)"
                                 : "SELECT fingerprint, policy, account_id, account_name, region, "
                                   "resource_id, resource_name, status, suppression_id FROM "
                                   "findings WHERE status <> 'resolved'",
                          pn, lapsed ? 1 : 0);
    if (!q) {
        fail(s, "cannot read findings");
        goto out;
    }
    /* Collect the changes first: a statement must not write the table it
     * is still reading (SQLite would see its own updates). */
    typedef struct change {
        char *fp;
        const suppression *rule;
        char *previous;
    } change;
    const char **touched = NULL; /* the accounts of the changes, once each */
    size_t ntouched = 0, tcap = 0;
    change *ch = NULL;
    size_t nch = 0, cap = 0;
    int st;
    while ((st = db_step(q)) == 1) {
        rule_subject f = {db_col_text(q, 0), db_col_text(q, 1), db_col_text(q, 2),
                          db_col_text(q, 3), db_col_text(q, 4), db_col_text(q, 5),
                          db_col_text(q, 6)};
        const char *status = db_col_text(q, 7);
        int64_t sid = db_col_int(q, 8);
        bool is_suppressed = status && !strcmp(status, "suppressed");
        const suppression *r = store_rule_match(&rs, &f);
        if (r ? is_suppressed && sid == r->id : !is_suppressed) continue;
        ch = arena_grow(a, ch, &cap, nch + 1, sizeof *ch);
        ch[nch++] = (change){arena_strdup(a, f.fingerprint), r, arena_strdup(a, status)};
        if (f.account_id && !(ro && ro->counted && strmap_has(ro->counted, f.account_id)) &&
            !str_in(touched, ntouched, f.account_id)) {
            touched = arena_grow(a, touched, &tcap, ntouched + 1, sizeof *touched);
            touched[ntouched++] = arena_strdup(a, f.account_id);
        }
    }
    db_finish(q);
    if (st < 0) {
        fail(s, "cannot read findings");
        goto out;
    }
    if (ro && nch) {
        ro->fps = arena_alloc(ro->a, nch * sizeof *ro->fps);
        ro->statuses = arena_alloc(ro->a, nch * sizeof *ro->statuses);
    }
    for (size_t i = 0; i < nch; i++) {
        const suppression *r = ch[i].rule;
        bool was_suppressed = !strcmp(ch[i].previous, "suppressed");
        if (ro) {
            ro->fps[ro->n] = strtoull(ch[i].fp, NULL, 16);
            ro->statuses[ro->n++] = r ? "suppressed" : "open";
            ro->rows += 1 + (r ? !was_suppressed : 1); /* the row, and its event */
        }
        if (r) {
            db_val p[] = {DB_I(r->id), DB_I(r->expires_at), DB_S(ch[i].fp)};
            if (db_run(s->d,
                       "UPDATE findings SET status = 'suppressed', suppression_id = ?, "
                       "suppressed_until = ? WHERE fingerprint = ?",
                       p, 3) < 0)
                goto bad;
            if (!was_suppressed) {
                suppressed++;
                if (store_add_event(s, 0, ch[i].fp, now, "suppressed", ch[i].previous) < 0)
                    goto bad;
            }
        } else {
            db_val p[] = {DB_S(ch[i].fp)};
            if (db_run(s->d,
                       "UPDATE findings SET status = 'open', suppression_id = NULL, "
                       "suppressed_until = NULL WHERE fingerprint = ?",
                       p, 1) < 0)
                goto bad;
            if (store_add_event(s, 0, ch[i].fp, now, "open", "suppressed") < 0) goto bad;
        }
    }
    for (size_t i = 0; i < ntouched; i++)
        if (store_refresh_latest_counts(s, touched[i]) < 0) goto bad;
    int64_t m = store_set_rules_at(s, now);
    if (m < 0) goto bad;
    if (ro) ro->rows += m;
    if (suppressed_out) *suppressed_out = suppressed;
    rc = 0;
    goto out;
bad:
    fail(s, "cannot update findings");
out:
    arena_free(a);
    return rc;
}

static int insert_rule(store *s, const suppression *r, int64_t now, int64_t *id)
{
    db_val p[] = {DB_S(r->fingerprint), DB_S(r->policy),
                  DB_S(r->account),     DB_S(r->region),
                  DB_S(r->resource),    DB_S(r->reason),
                  DB_S(r->author),      DB_I(now),
                  DB_I(r->expires_at),  DB_S(r->source ? r->source : "cli")};
    db_stmt *q = db_query(s->d,
                          "INSERT INTO suppressions (fingerprint, policy, account, region, "
                          "resource, reason, author, created_at, expires_at, source) VALUES "
                          "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                          p, 10);
    if (!q || db_step(q) != 1) {
        db_finish(q);
        return -1;
    }
    if (id) *id = db_col_int(q, 0);
    db_finish(q);
    return 0;
}

int store_suppress(store *s, const suppression *rule, int64_t now, int64_t *id_out, size_t *matched)
{
    if (db_begin(s->d) < 0) return fail(s, "cannot start a transaction");
    if (insert_rule(s, rule, now, id_out) < 0 || store_reconcile(s, now, NULL, matched) < 0) {
        if (!s->err[0]) fail(s, "cannot add the suppression");
        db_rollback(s->d);
        return -1;
    }
    if (db_commit(s->d) < 0) return fail(s, "cannot commit");
    return 0;
}

int store_unsuppress(store *s, int64_t id, const char *fingerprint, int64_t now, size_t *removed)
{
    if (db_begin(s->d) < 0) return fail(s, "cannot start a transaction");
    int64_t n;
    if (fingerprint) {
        char like[40];
        snprintf(like, sizeof like, "%.32s%%", fingerprint);
        db_val p[] = {DB_S(like)};
        n = db_run(s->d, "DELETE FROM suppressions WHERE fingerprint LIKE ?", p, 1);
    } else {
        db_val p[] = {DB_I(id)};
        n = db_run(s->d, "DELETE FROM suppressions WHERE id = ?", p, 1);
    }
    if (n < 0) {
        fail(s, "cannot remove the suppression");
        db_rollback(s->d);
        return -1;
    }
    if (store_reconcile(s, now, NULL, NULL) < 0) {
        db_rollback(s->d);
        return -1;
    }
    if (db_commit(s->d) < 0) return fail(s, "cannot commit");
    if (removed) *removed = (size_t)n;
    return 0;
}

int store_sync_suppressions(store *s, const char *source, const suppression *rules, size_t n,
                            int64_t now, size_t *matched)
{
    if (db_begin(s->d) < 0) return fail(s, "cannot start a transaction");
    db_val p[] = {DB_S(source)};
    if (db_run(s->d, "DELETE FROM suppressions WHERE source = ?", p, 1) < 0) goto bad;
    for (size_t i = 0; i < n; i++) {
        suppression r = rules[i];
        r.source = source;
        if (insert_rule(s, &r, now, NULL) < 0) goto bad;
    }
    if (store_reconcile(s, now, NULL, matched) < 0) {
        db_rollback(s->d);
        return -1;
    }
    if (db_commit(s->d) < 0) return fail(s, "cannot commit");
    return 0;
bad:
    fail(s, "cannot store the suppressions");
    db_rollback(s->d);
    return -1;
}
