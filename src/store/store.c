/* store.c - the findings store: schema, migrations, lifecycle, queries.
 *
 * All SQL is written once, in the portable subset db.h promises; only the
 * auto-increment key differs between SQLite and PostgreSQL (DDL_ID).
 *
 * Writing a scan is set-based, because a scan can carry 100k+ findings
 * and PostgreSQL is across a socket: the findings are streamed into a
 * temporary table (`seen`, COPY on PostgreSQL) together with the scope of
 * the scan (scope_acc, scope_reg, scope_pol), and a handful of statements
 * then record the transitions as events and apply them:
 *   1. events for findings never stored (new / suppressed),
 *   2. events for stored findings whose status changes (regressed,
 *      suppressed, reopened after a suppression ended),
 *   3. events for stored findings in scope that the scan did not see
 *      (resolved),
 *   4. one upsert of every seen finding (status from the old row),
 *   5. one update resolving the unseen,
 *   6. the day's counts for the accounts in scope (history, trends).
 * Events are written before the rows change because they need the old
 * status.  Everything is one transaction: a crash leaves the previous scan.
 *
 * Suppression rules are globs (fnmatch), matched in C: rules are few and
 * globs are not portable SQL.  A scan matches each finding against the
 * active rules while streaming it; suppress/unsuppress/sync reconcile the
 * stored, unresolved findings with the rules in one pass.
 */
#include "store/store.h"

#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "findings/priority.h"
#include "findings/report.h"
#include "util/buf.h"
#include "util/strmap.h"

struct store {
    db *d;
    char *url; /* redacted */
    char err[512];
};

/* ---- errors ------------------------------------------------------------ */

static int fail(store *s, const char *what)
{
    snprintf(s->err, sizeof s->err, "%s: %s", what, db_errmsg(s->d));
    return -1;
}

const char *store_error(const store *s)
{
    return s->err;
}
const char *store_url(const store *s)
{
    return s->url;
}
db *store_db(store *s)
{
    return s->d;
}

/* ---- schema ------------------------------------------------------------ */

#define DDL_ID "{{ID}}"

/* Migration 1: the whole schema of issue 4.  Later versions append
 * migrations; never edit one that has shipped. */
static const char *const MIGRATION_1[] = {
    "CREATE TABLE scans (id " DDL_ID ", started_at BIGINT NOT NULL, at BIGINT NOT NULL,"
    " inventory TEXT, accounts TEXT NOT NULL, regions TEXT, policies TEXT NOT NULL,"
    " found BIGINT NOT NULL DEFAULT 0, new_count BIGINT NOT NULL DEFAULT 0,"
    " regressed BIGINT NOT NULL DEFAULT 0, resolved BIGINT NOT NULL DEFAULT 0)",
    "CREATE TABLE findings (fingerprint TEXT PRIMARY KEY, policy TEXT NOT NULL,"
    " severity TEXT NOT NULL, severity_rank INTEGER NOT NULL,"
    " resource_type TEXT NOT NULL, resource_id TEXT NOT NULL, resource_name TEXT,"
    " account_id TEXT NOT NULL, account_name TEXT, team TEXT, environment TEXT,"
    " region TEXT NOT NULL, priority INTEGER NOT NULL, status TEXT NOT NULL,"
    " first_seen BIGINT NOT NULL, last_seen BIGINT NOT NULL, resolved_at BIGINT,"
    " first_scan BIGINT NOT NULL, last_scan BIGINT NOT NULL, suppression_id BIGINT,"
    " suppressed_until BIGINT, content_hash TEXT NOT NULL)",
    /* What a finding says (description, reasons, runbook, evidence) is
     * bulky and rarely changes: it lives apart and is rewritten only when
     * its hash changes, so a scan that finds the same problems again
     * rewrites only the narrow lifecycle rows. */
    "CREATE TABLE finding_details (fingerprint TEXT PRIMARY KEY, description TEXT,"
    " category TEXT, reasons TEXT NOT NULL, fix TEXT, runbook TEXT, evidence TEXT)",
    "CREATE INDEX findings_by_status ON findings (status, priority DESC)",
    "CREATE INDEX findings_by_account ON findings (account_id, status, priority DESC)",
    "CREATE INDEX findings_by_team ON findings (team, status, priority DESC)",
    "CREATE INDEX findings_by_policy ON findings (policy)",
    "CREATE TABLE finding_events (id " DDL_ID ", scan_id BIGINT, fingerprint TEXT NOT NULL,"
    " at BIGINT NOT NULL, status TEXT NOT NULL, previous TEXT, team TEXT, account_id TEXT,"
    " priority INTEGER, severity_rank INTEGER)",
    "CREATE INDEX finding_events_by_scan ON finding_events (scan_id)",
    "CREATE INDEX finding_events_by_finding ON finding_events (fingerprint, id)",
    "CREATE INDEX finding_events_by_time ON finding_events (at)",
    "CREATE TABLE suppressions (id " DDL_ID ", fingerprint TEXT, policy TEXT, account TEXT,"
    " region TEXT, resource TEXT, reason TEXT NOT NULL, author TEXT NOT NULL,"
    " created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL, source TEXT NOT NULL)",
    "CREATE TABLE daily_counts (day BIGINT NOT NULL, account_id TEXT NOT NULL,"
    " account_name TEXT, team TEXT, environment TEXT, severity TEXT NOT NULL,"
    " open BIGINT NOT NULL, new_count BIGINT NOT NULL, resolved BIGINT NOT NULL,"
    " regressed BIGINT NOT NULL, suppressed BIGINT NOT NULL, max_priority INTEGER NOT NULL,"
    " PRIMARY KEY (day, account_id, severity))",
    "CREATE INDEX daily_counts_by_account ON daily_counts (account_id, day)",
    "CREATE TABLE deliveries (id " DDL_ID ", team TEXT NOT NULL, contact TEXT NOT NULL,"
    " kind TEXT NOT NULL, dedupe TEXT NOT NULL UNIQUE, subject TEXT, body TEXT NOT NULL,"
    " created_at BIGINT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, last_attempt BIGINT,"
    " last_error TEXT, sent_at BIGINT)",
    "CREATE TABLE accounts (account_id TEXT PRIMARY KEY, name TEXT, team TEXT,"
    " environment TEXT, last_scan BIGINT NOT NULL, last_scan_at BIGINT NOT NULL)",
    "CREATE TABLE notify_marks (team TEXT NOT NULL, contact TEXT NOT NULL,"
    " last_event BIGINT NOT NULL, PRIMARY KEY (team, contact))",
    NULL,
};

/* Migration 2: the dashboard's lists on a 1,000,000-finding store.  Indexes
 * in exactly the list order (overall, per team, per account), so a page of
 * 50 walks 50 index entries instead of sorting every match (3.3 s -> 27 ms
 * on bench/fill_store.py's store); they replace the team and account
 * indexes of migration 1. */
static const char *const MIGRATION_2[] = {
    "DROP INDEX findings_by_team",
    "DROP INDEX findings_by_account",
    "CREATE INDEX findings_by_rank ON findings (priority DESC, severity_rank DESC, policy,"
    " account_id, region, resource_id)",
    "CREATE INDEX findings_by_team_rank ON findings (team, priority DESC, severity_rank DESC,"
    " policy, account_id, region, resource_id)",
    "CREATE INDEX findings_by_account_rank ON findings (account_id, priority DESC,"
    " severity_rank DESC, policy, region, resource_id)",
    NULL,
};

/* Migration 3: counts and sparse filters on the same store.  A list page
 * also counts its matches, and a filter (team + prod + high) may match 2,000
 * of a team's 150,000 findings: walking an index that lacks a filter column
 * means one table lookup per entry (124 ms).  So the list indexes now carry
 * every column a dashboard filter reads (covering: the walk never leaves the
 * index), and three narrow indexes lead with the filter columns so a count
 * reads only the matches: 124 ms -> 0.4 ms for that count, page 100 of a
 * team 12 ms -> 1 ms. */
#define FILTER_COLS "status, suppressed_until, environment, fingerprint"
static const char *const MIGRATION_3[] = {
    "DROP INDEX findings_by_rank",
    "DROP INDEX findings_by_team_rank",
    "DROP INDEX findings_by_account_rank",
    "DROP INDEX findings_by_policy",
    "CREATE INDEX findings_by_rank ON findings (priority DESC, severity_rank DESC, policy,"
    " account_id, region, resource_id, team, " FILTER_COLS ")",
    "CREATE INDEX findings_by_team_rank ON findings (team, priority DESC, severity_rank DESC,"
    " policy, account_id, region, resource_id, " FILTER_COLS ")",
    "CREATE INDEX findings_by_account_rank ON findings (account_id, priority DESC,"
    " severity_rank DESC, policy, region, resource_id, team, " FILTER_COLS ")",
    "CREATE INDEX findings_by_team_filter ON findings (team, environment, severity_rank, status,"
    " suppressed_until)",
    "CREATE INDEX findings_by_policy ON findings (policy, team, environment, severity_rank,"
    " status, suppressed_until)",
    "CREATE INDEX findings_by_severity ON findings (severity_rank, environment, status,"
    " suppressed_until)",
    NULL,
};

static const char *const *const MIGRATIONS[] = {MIGRATION_1, MIGRATION_2, MIGRATION_3};
#define NMIGRATIONS ((int)(sizeof MIGRATIONS / sizeof MIGRATIONS[0]))
_Static_assert(NMIGRATIONS == STORE_SCHEMA_VERSION, "one migration per schema version");

static int exec_ddl(store *s, const char *sql)
{
    const char *id = db_dialect(s->d) == DB_SQLITE
                         ? "INTEGER PRIMARY KEY AUTOINCREMENT"
                         : "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY";
    buf b = BUF_INIT;
    const char *p = sql, *hit;
    while ((hit = strstr(p, DDL_ID))) {
        buf_append(&b, p, (size_t)(hit - p));
        buf_puts(&b, id);
        p = hit + strlen(DDL_ID);
    }
    buf_puts(&b, p);
    int rc = db_exec(s->d, b.data);
    buf_free(&b);
    return rc;
}

static int schema_version(store *s, int64_t *v)
{
    *v = 0;
    int rc = db_query_int(
        s->d, "SELECT CAST(value AS BIGINT) FROM meta WHERE key = 'schema_version'", NULL, 0, v);
    return rc < 0 ? -1 : 0;
}

/* Test hook: CUSTOS_DEBUG_SCHEMA_VERSION=K stops migrating at version K, so
 * tests can build an old store and watch this custos upgrade it. */
static int debug_schema_target(void)
{
    const char *k = getenv("CUSTOS_DEBUG_SCHEMA_VERSION");
    int v = k && *k ? atoi(k) : STORE_SCHEMA_VERSION;
    return v >= 1 && v < STORE_SCHEMA_VERSION ? v : STORE_SCHEMA_VERSION;
}

static int migrate(store *s)
{
    if (db_begin(s->d) < 0) return fail(s, "cannot start a transaction");
    /* Two processes opening a fresh database at once: one migrates, the
     * other waits here and then finds the schema current. */
    if (db_dialect(s->d) == DB_POSTGRES &&
        db_exec(s->d, "SELECT pg_advisory_xact_lock(7362524)") < 0)
        goto bad;
    if (db_exec(s->d,
                "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)") < 0)
        goto bad;
    int64_t v;
    if (schema_version(s, &v) < 0) goto bad;
    if (v > STORE_SCHEMA_VERSION) {
        snprintf(s->err, sizeof s->err,
                 "%s was written by a newer custos (schema version %lld; this custos knows up to "
                 "%d): upgrade custos to read it",
                 s->url, (long long)v, STORE_SCHEMA_VERSION);
        db_rollback(s->d);
        return -1;
    }
    int target = debug_schema_target();
    for (int m = (int)v; m < target; m++) {
        for (const char *const *sql = MIGRATIONS[m]; *sql; sql++)
            if (exec_ddl(s, *sql) < 0) goto bad;
    }
    if (v < target) {
        char ver[16];
        snprintf(ver, sizeof ver, "%d", target);
        db_val p[] = {DB_S(ver)};
        if (db_run(s->d,
                   "INSERT INTO meta (key, value) VALUES ('schema_version', ?) "
                   "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                   p, 1) < 0)
            goto bad;
    }
    if (db_commit(s->d) < 0) goto bad;
    return 0;
bad:
    fail(s, "cannot prepare the findings store");
    db_rollback(s->d);
    return -1;
}

int store_open(const char *url, store **out, char **err)
{
    *out = NULL;
    db *d;
    if (db_open(url, &d, err) < 0) return -1;
    store *s = calloc(1, sizeof *s);
    if (!s) abort();
    s->d = d;
    s->url = db_url_redacted(url);
    if (migrate(s) < 0) {
        if (err) *err = strdup(s->err);
        store_close(s);
        return -1;
    }
    *out = s;
    return 0;
}

void store_close(store *s)
{
    if (!s) return;
    db_close(s->d);
    free(s->url);
    free(s);
}

/* ---- suppression rules ------------------------------------------------- */

typedef struct rule_set {
    suppression *r;
    size_t n;
} rule_set;

static bool glob_ok(const char *pattern, const char *a, const char *b)
{
    if (!pattern) return true;
    return (a && fnmatch(pattern, a, 0) == 0) || (b && fnmatch(pattern, b, 0) == 0);
}

/* The subject of a rule: what a finding is matched on. */
typedef struct rule_subject {
    const char *fingerprint, *policy, *account_id, *account_name, *region, *resource_id,
        *resource_name;
} rule_subject;

static const suppression *rule_match(const rule_set *rs, const rule_subject *f)
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

static char *col_dup(arena *a, const db_stmt *q, size_t i)
{
    const char *t = db_col_text(q, i);
    return t ? arena_strdup(a, t) : NULL;
}

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

static int load_rules(store *s, int64_t now, arena *a, rule_set *rs)
{
    return store_suppressions(s, false, now, a, &rs->r, &rs->n);
}

static int add_event(store *s, int64_t scan_id, const char *fp, int64_t at, const char *status,
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
typedef struct day_row {
    const char *account_id;
    int sev;
    int64_t open, suppressed, new_, resolved, regressed, max_priority;
} day_row;

/* One (severity, status) group of an account's findings into its day row:
 * suppressed counts apart, resolved not at all, the rest as open with their
 * highest priority.  Scans and suppressions must agree on this. */
static void tally_status(day_row *r, const char *status, int64_t count, int64_t max_priority)
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
static int refresh_latest_counts(store *s, const char *account)
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
            tally_status(&rows[sev], db_col_text(q, 1), db_col_int(q, 2), db_col_int(q, 3));
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

static int reconcile(store *s, int64_t now, size_t *suppressed_out)
{
    arena *a = arena_new(0);
    rule_set rs;
    size_t suppressed = 0;
    int rc = -1;
    if (load_rules(s, now, a, &rs) < 0) goto out;
    db_stmt *q = db_query(s->d,
                          "SELECT fingerprint, policy, account_id, account_name, region, "
                          "resource_id, resource_name, status, suppression_id FROM findings "
                          "WHERE status <> 'resolved'",
                          NULL, 0);
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
        const suppression *r = rule_match(&rs, &f);
        if (r ? is_suppressed && sid == r->id : !is_suppressed) continue;
        ch = arena_grow(a, ch, &cap, nch + 1, sizeof *ch);
        ch[nch++] = (change){arena_strdup(a, f.fingerprint), r, arena_strdup(a, status)};
        if (f.account_id && !str_in(touched, ntouched, f.account_id)) {
            touched = arena_grow(a, touched, &tcap, ntouched + 1, sizeof *touched);
            touched[ntouched++] = arena_strdup(a, f.account_id);
        }
    }
    db_finish(q);
    if (st < 0) {
        fail(s, "cannot read findings");
        goto out;
    }
    for (size_t i = 0; i < nch; i++) {
        const suppression *r = ch[i].rule;
        bool was_suppressed = !strcmp(ch[i].previous, "suppressed");
        if (r) {
            db_val p[] = {DB_I(r->id), DB_I(r->expires_at), DB_S(ch[i].fp)};
            if (db_run(s->d,
                       "UPDATE findings SET status = 'suppressed', suppression_id = ?, "
                       "suppressed_until = ? WHERE fingerprint = ?",
                       p, 3) < 0)
                goto bad;
            if (!was_suppressed) {
                suppressed++;
                if (add_event(s, 0, ch[i].fp, now, "suppressed", ch[i].previous) < 0) goto bad;
            }
        } else {
            db_val p[] = {DB_S(ch[i].fp)};
            if (db_run(s->d,
                       "UPDATE findings SET status = 'open', suppression_id = NULL, "
                       "suppressed_until = NULL WHERE fingerprint = ?",
                       p, 1) < 0)
                goto bad;
            if (add_event(s, 0, ch[i].fp, now, "open", "suppressed") < 0) goto bad;
        }
    }
    for (size_t i = 0; i < ntouched; i++)
        if (refresh_latest_counts(s, touched[i]) < 0) goto bad;
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
    if (insert_rule(s, rule, now, id_out) < 0 || reconcile(s, now, matched) < 0) {
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
    if (reconcile(s, now, NULL) < 0) {
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
    if (reconcile(s, now, matched) < 0) {
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

/* ---- recording a scan -------------------------------------------------- */

static const char SEEN_COLS[] =
    "fingerprint, policy, description, severity, severity_rank, category, resource_type, "
    "resource_id, resource_name, account_id, account_name, team, environment, region, priority, "
    "reasons, fix, runbook, evidence, suppression_id, suppressed_until, content_hash, changed";
#define SEEN_NCOLS 23

static const char *meta_str(const policy *p, const char *key)
{
    const jv *v = jv_get(&p->metadata, key);
    return v && v->kind == JV_STRING ? v->u.str : NULL;
}

static void json_str_array(buf *b, const char *const *v, size_t n)
{
    buf_putc(b, '[');
    for (size_t i = 0; i < n; i++) {
        if (i) buf_putc(b, ',');
        json_write_string(b, v[i], strlen(v[i]));
    }
    buf_putc(b, ']');
}

/* FNV-1a over the parts of a finding that live in finding_details. */
static uint64_t content_hash(const char *const *parts, size_t n)
{
    uint64_t h = 14695981039346656037ull;
    for (size_t i = 0; i < n; i++) {
        for (const unsigned char *p = (const unsigned char *)(parts[i] ? parts[i] : ""); *p; p++)
            h = (h ^ *p) * 1099511628211ull;
        h = (h ^ (parts[i] ? 0x1f : 0x1e)) * 1099511628211ull; /* separator; NULL differs from "" */
    }
    return h;
}

/* The content hashes already stored for the scan's accounts. */
static int load_hashes(store *s, arena *a, strmap *m, char ***hashes)
{
    db_stmt *q = db_query(s->d,
                          "SELECT f.fingerprint, f.content_hash FROM findings f WHERE f.account_id "
                          "IN (SELECT account_id FROM scope_acc)",
                          NULL, 0);
    if (!q) return fail(s, "cannot read stored findings");
    size_t n = 0, cap = 0;
    char **h = arena_grow(a, NULL, &cap, 1024, sizeof *h);
    strmap_init(m, a, cap);
    int rc;
    while ((rc = db_step(q)) == 1) {
        h = arena_grow(a, h, &cap, n + 1, sizeof *h);
        *strmap_slot(m, arena_strdup(a, db_col_text(q, 0)), (int)n) = (int)n;
        h[n++] = arena_strdup(a, db_col_text(q, 1) ? db_col_text(q, 1) : "");
    }
    db_finish(q);
    *hashes = h;
    return rc < 0 ? fail(s, "cannot read stored findings") : 0;
}

static int stream_seen(store *s, const scan_result *r, const rule_set *rs, const strmap *known,
                       char *const *hashes)
{
    db_copy *c = db_copy_begin(s->d, "seen", SEEN_COLS, SEEN_NCOLS);
    if (!c) return -1;
    buf reasons = BUF_INIT, evidence = BUF_INIT;
    char fp[17];
    int rc = 0;
    for (size_t i = 0; i < r->n && rc == 0; i++) {
        const finding *f = &r->items[i];
        fingerprint_hex(f->fingerprint, fp);
        buf_reset(&reasons);
        json_str_array(&reasons, f->reasons, f->nreasons);
        buf_reset(&evidence);
        finding_write_evidence(&evidence, f);
        const account_info *ac = f->account;
        const char *name = f->name && strcmp(f->name, f->id) ? f->name : NULL;
        rule_subject subj = {fp,        f->pol->name, f->account_id, ac ? ac->name : NULL,
                             f->region, f->id,        name};
        const suppression *sup = rule_match(rs, &subj);
        const char *parts[] = {f->pol->description, meta_str(f->pol, "category"),
                               reasons.data,        f->fix,
                               f->runbook,          evidence.data};
        char hash[17];
        fingerprint_hex(content_hash(parts, 6), hash);
        int at = strmap_get(known, fp, -1);
        bool changed = at < 0 || strcmp(hashes[at], hash) != 0;
        db_val v[SEEN_NCOLS] = {
            DB_S(fp),
            DB_S(f->pol->name),
            DB_S(changed ? f->pol->description : NULL),
            DB_S(severity_name(f->pol->sev)),
            DB_I(f->pol->sev),
            DB_S(changed ? meta_str(f->pol, "category") : NULL),
            DB_S(f->rtype ? f->rtype->name : "unknown"),
            DB_S(f->id),
            DB_S(name),
            DB_S(f->account_id ? f->account_id : ""),
            DB_S(ac ? ac->name : NULL),
            DB_S(ac ? ac->team : NULL),
            DB_S(ac ? ac->environment : NULL),
            DB_S(f->region ? f->region : ""),
            DB_I(f->priority),
            DB_S(changed ? reasons.data : NULL),
            DB_S(changed ? f->fix : NULL),
            DB_S(changed ? f->runbook : NULL),
            DB_S(changed ? evidence.data : NULL),
            sup ? DB_I(sup->id) : DB_S(NULL),
            sup ? DB_I(sup->expires_at) : DB_S(NULL),
            DB_S(hash),
            DB_I(changed),
        };
        rc = db_copy_row(c, v);
    }
    buf_free(&reasons);
    buf_free(&evidence);
    return db_copy_end(c) < 0 || rc < 0 ? -1 : 0;
}

static int stream_list(store *s, const char *table, const char *col, const char *const *v, size_t n)
{
    db_copy *c = db_copy_begin(s->d, table, col, 1);
    if (!c) return -1;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = db_copy_row(c, (db_val[]){DB_S(v[i])});
    return db_copy_end(c) < 0 || rc < 0 ? -1 : 0;
}

static const char *const SCAN_TEMP_DDL[] = {
    "CREATE TEMP TABLE seen (fingerprint TEXT NOT NULL, policy TEXT, description TEXT,"
    " severity TEXT, severity_rank INTEGER, category TEXT, resource_type TEXT,"
    " resource_id TEXT, resource_name TEXT, account_id TEXT, account_name TEXT, team TEXT,"
    " environment TEXT, region TEXT, priority INTEGER, reasons TEXT, fix TEXT, runbook TEXT,"
    " evidence TEXT, suppression_id BIGINT, suppressed_until BIGINT, content_hash TEXT,"
    " changed INTEGER)",
    "CREATE TEMP TABLE scope_acc (account_id TEXT PRIMARY KEY)",
    "CREATE TEMP TABLE scope_reg (region TEXT PRIMARY KEY)",
    "CREATE TEMP TABLE scope_pol (policy TEXT PRIMARY KEY)",
    NULL,
};

/* Findings of the scope that the scan did not see.  Parameter: 1 when the
 * scan covered every region, else 0. */
#define UNSEEN_IN_SCOPE                                                                            \
    " f.status <> 'resolved' AND f.account_id IN (SELECT account_id FROM scope_acc)"               \
    " AND f.policy IN (SELECT policy FROM scope_pol)"                                              \
    " AND (? = 1 OR f.region IN (SELECT region FROM scope_reg))"                                   \
    " AND NOT EXISTS (SELECT 1 FROM seen s WHERE s.fingerprint = f.fingerprint)"

static int apply_scan(store *s, int64_t scan, int64_t at, bool all_regions)
{
    db_val p_new[] = {DB_I(scan), DB_I(at)};
    if (db_run(s->d,
               "INSERT INTO finding_events (scan_id, fingerprint, at, status, previous, team, "
               "account_id, priority, severity_rank) SELECT CAST(? AS BIGINT), s.fingerprint, "
               "CAST(? AS BIGINT), CASE WHEN "
               "s.suppression_id IS NOT NULL THEN 'suppressed' ELSE 'new' END, NULL, s.team, "
               "s.account_id, s.priority, s.severity_rank FROM seen s WHERE NOT EXISTS "
               "(SELECT 1 FROM findings f WHERE f.fingerprint = s.fingerprint) ORDER BY "
               "s.priority DESC, s.fingerprint",
               p_new, 2) < 0)
        return fail(s, "cannot record new findings");
    if (db_run(s->d,
               "INSERT INTO finding_events (scan_id, fingerprint, at, status, previous, team, "
               "account_id, priority, severity_rank) SELECT CAST(? AS BIGINT), s.fingerprint, "
               "CAST(? AS BIGINT), CASE WHEN "
               "s.suppression_id IS NOT NULL THEN 'suppressed' WHEN f.status = 'resolved' THEN "
               "'regressed' ELSE 'open' END, f.status, s.team, s.account_id, s.priority, "
               "s.severity_rank FROM seen s JOIN findings f ON f.fingerprint = s.fingerprint "
               "WHERE (s.suppression_id IS NOT NULL AND f.status <> 'suppressed') OR "
               "(s.suppression_id IS NULL AND f.status IN ('resolved', 'suppressed')) ORDER BY "
               "s.priority DESC, s.fingerprint",
               p_new, 2) < 0)
        return fail(s, "cannot record changed findings");
    db_val p_res[] = {DB_I(scan), DB_I(at), DB_I(all_regions)};
    if (db_run(s->d,
               "INSERT INTO finding_events (scan_id, fingerprint, at, status, previous, team, "
               "account_id, priority, severity_rank) SELECT CAST(? AS BIGINT), f.fingerprint, "
               "CAST(? AS BIGINT), 'resolved', "
               "f.status, f.team, f.account_id, f.priority, f.severity_rank FROM findings f "
               "WHERE" UNSEEN_IN_SCOPE " ORDER BY f.priority DESC, f.fingerprint",
               p_res, 3) < 0)
        return fail(s, "cannot record resolved findings");
    /* Three narrow statements rather than one upsert: an update that names
     * an indexed column rewrites that index's entry even when the value is
     * the same, and most findings of a scan are the same as last time. */
    db_val p_ins[] = {DB_I(at), DB_I(at), DB_I(scan), DB_I(scan)};
    if (db_run(s->d,
               "INSERT INTO findings (fingerprint, policy, severity, severity_rank, "
               "resource_type, resource_id, resource_name, account_id, account_name, team, "
               "environment, region, priority, suppression_id, suppressed_until, content_hash, "
               "status, first_seen, last_seen, first_scan, last_scan) SELECT s.fingerprint, "
               "s.policy, s.severity, s.severity_rank, s.resource_type, s.resource_id, "
               "s.resource_name, s.account_id, s.account_name, s.team, s.environment, s.region, "
               "s.priority, s.suppression_id, s.suppressed_until, s.content_hash, "
               "CASE WHEN s.suppression_id IS NOT NULL THEN 'suppressed' ELSE 'new' END, "
               "CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT) "
               "FROM seen s WHERE NOT EXISTS (SELECT 1 FROM findings f WHERE f.fingerprint = "
               "s.fingerprint)",
               p_ins, 4) < 0)
        return fail(s, "cannot store new findings");
    /* Status changes (the events above), and what describes the finding
     * when it changed; first_scan tells the rows just inserted apart. */
    db_val p_st[] = {DB_I(scan)};
    if (db_run(s->d,
               "UPDATE findings SET status = CASE WHEN s.suppression_id IS NOT NULL THEN "
               "'suppressed' WHEN findings.status = 'resolved' THEN 'regressed' ELSE 'open' END, "
               "resolved_at = NULL, suppression_id = s.suppression_id, suppressed_until = "
               "s.suppressed_until FROM seen s WHERE s.fingerprint = findings.fingerprint AND "
               "findings.first_scan <> ? AND (findings.status <> CASE WHEN s.suppression_id IS "
               "NOT NULL THEN 'suppressed' WHEN findings.status = 'resolved' THEN 'regressed' "
               "ELSE 'open' END OR findings.suppression_id IS DISTINCT FROM s.suppression_id OR "
               "findings.suppressed_until IS DISTINCT FROM s.suppressed_until)",
               p_st, 1) < 0)
        return fail(s, "cannot update finding statuses");
    if (db_run(s->d,
               "UPDATE findings SET policy = s.policy, severity = s.severity, severity_rank = "
               "s.severity_rank, resource_name = s.resource_name, account_name = "
               "s.account_name, team = s.team, environment = s.environment, priority = "
               "s.priority FROM seen s WHERE s.fingerprint = findings.fingerprint AND "
               "(findings.priority <> s.priority OR findings.severity <> s.severity OR "
               "findings.team IS DISTINCT FROM s.team OR findings.environment IS DISTINCT FROM "
               "s.environment OR "
               "findings.account_name IS DISTINCT FROM s.account_name OR findings.resource_name IS "
               "DISTINCT FROM s.resource_name OR findings.policy <> s.policy)",
               NULL, 0) < 0)
        return fail(s, "cannot update findings");
    /* Unindexed columns only: the cheap part every finding needs. */
    db_val p_seen[] = {DB_I(at), DB_I(scan)};
    if (db_run(s->d,
               "UPDATE findings SET last_seen = ?, last_scan = ?, content_hash = s.content_hash "
               "FROM seen s WHERE s.fingerprint = findings.fingerprint",
               p_seen, 2) < 0)
        return fail(s, "cannot update findings");
    if (db_run(s->d,
               "INSERT INTO finding_details (fingerprint, description, category, reasons, fix, "
               "runbook, evidence) SELECT s.fingerprint, s.description, s.category, s.reasons, "
               "s.fix, s.runbook, s.evidence FROM seen s WHERE s.changed = 1 ON CONFLICT "
               "(fingerprint) DO UPDATE SET description = excluded.description, category = "
               "excluded.category, reasons = excluded.reasons, fix = excluded.fix, runbook = "
               "excluded.runbook, evidence = excluded.evidence",
               NULL, 0) < 0)
        return fail(s, "cannot store finding details");
    db_val p_rs[] = {DB_I(at), DB_I(all_regions)};
    if (db_run(s->d,
               "UPDATE findings SET status = 'resolved', resolved_at = ? WHERE fingerprint IN "
               "(SELECT f.fingerprint FROM findings f WHERE" UNSEEN_IN_SCOPE ")",
               p_rs, 2) < 0)
        return fail(s, "cannot resolve findings");
    return 0;
}

/* The day's counts for the accounts of the scan: what is open now, and
 * what changed today.  Recomputed whole, so a second scan on one day
 * replaces the first's numbers rather than adding to them.  Two grouped
 * queries (the findings by account, severity and status; the day's events)
 * are combined here: one statement joining them cost ten times more. */
static day_row *day_row_for(day_row *rows, size_t *n, const char *account, int sev, arena *a)
{
    for (size_t i = *n; i-- > 0;)
        if (rows[i].sev == sev && !strcmp(rows[i].account_id, account)) return &rows[i];
    rows[*n] = (day_row){.account_id = arena_strdup(a, account), .sev = sev};
    return &rows[(*n)++];
}

static int update_daily_counts(store *s, const scan_scope *sc, int64_t at)
{
    int64_t day = at / 86400, t0 = day * 86400, t1 = t0 + 86400;
    arena *a = arena_new(0);
    size_t n = 0, cap = (sc->n_accounts + 1) * (SEV_CRITICAL + 1);
    day_row *rows = arena_alloc(a, cap * sizeof *rows);
    int rc = -1;
    db_stmt *q = db_query(s->d,
                          "SELECT account_id, severity_rank, status, COUNT(*), MAX(priority) FROM "
                          "findings WHERE account_id IN (SELECT account_id FROM scope_acc) GROUP "
                          "BY account_id, severity_rank, status",
                          NULL, 0);
    int st = q ? 0 : -1;
    while (q && (st = db_step(q)) == 1) {
        int sev = (int)db_col_int(q, 1);
        if (sev < SEV_INFO || sev > SEV_CRITICAL || n == cap) continue;
        tally_status(day_row_for(rows, &n, db_col_text(q, 0), sev, a), db_col_text(q, 2),
                     db_col_int(q, 3), db_col_int(q, 4));
    }
    db_finish(q);
    if (st < 0) goto out;
    db_val pe[] = {DB_I(t0), DB_I(t1)};
    q = db_query(s->d,
                 "SELECT account_id, severity_rank, status, COUNT(*) FROM finding_events WHERE "
                 "at >= ? AND at < ? AND status IN ('new', 'resolved', 'regressed') AND "
                 "account_id IN (SELECT account_id FROM scope_acc) GROUP BY account_id, "
                 "severity_rank, status",
                 pe, 2);
    st = q ? 0 : -1;
    while (q && (st = db_step(q)) == 1) {
        int sev = (int)db_col_int(q, 1);
        if (sev < SEV_INFO || sev > SEV_CRITICAL || n == cap) continue;
        day_row *r = day_row_for(rows, &n, db_col_text(q, 0), sev, a);
        const char *status = db_col_text(q, 2);
        int64_t count = db_col_int(q, 3);
        if (!strcmp(status, "new"))
            r->new_ += count;
        else if (!strcmp(status, "resolved"))
            r->resolved += count;
        else
            r->regressed += count;
    }
    db_finish(q);
    if (st < 0) goto out;
    db_val p_del[] = {DB_I(day)};
    if (db_run(s->d,
               "DELETE FROM daily_counts WHERE day = ? AND account_id IN (SELECT account_id "
               "FROM scope_acc)",
               p_del, 1) < 0)
        goto out;
    db_copy *c = db_copy_begin(s->d, "daily_counts",
                               "day, account_id, account_name, team, environment, severity, open, "
                               "new_count, resolved, regressed, suppressed, max_priority",
                               12);
    if (!c) goto out;
    int crc = 0;
    for (size_t i = 0; i < n && crc == 0; i++) {
        const account_info *ai = NULL;
        for (size_t k = 0; sc->account_info && k < sc->n_accounts && !ai; k++)
            if (!strcmp(sc->accounts[k], rows[i].account_id)) ai = sc->account_info[k];
        db_val v[] = {DB_I(day),
                      DB_S(rows[i].account_id),
                      DB_S(ai ? ai->name : NULL),
                      DB_S(ai ? ai->team : NULL),
                      DB_S(ai ? ai->environment : NULL),
                      DB_S(severity_name((severity)rows[i].sev)),
                      DB_I(rows[i].open),
                      DB_I(rows[i].new_),
                      DB_I(rows[i].resolved),
                      DB_I(rows[i].regressed),
                      DB_I(rows[i].suppressed),
                      DB_I(rows[i].max_priority)};
        crc = db_copy_row(c, v);
    }
    if (db_copy_end(c) < 0 || crc < 0) goto out;
    rc = 0;
out:
    arena_free(a);
    return rc < 0 ? fail(s, "cannot update daily counts") : 0;
}

/* Every account the scan covered, findings or not: the dashboard shows a
 * green tile for an account with nothing wrong, not no tile. */
static int record_accounts(store *s, const scan_scope *sc, int64_t scan, int64_t at)
{
    for (size_t i = 0; i < sc->n_accounts; i++) {
        const account_info *ai = sc->account_info ? sc->account_info[i] : NULL;
        db_val p[] = {DB_S(sc->accounts[i]),
                      DB_S(ai ? ai->name : NULL),
                      DB_S(ai ? ai->team : NULL),
                      DB_S(ai ? ai->environment : NULL),
                      DB_I(scan),
                      DB_I(at)};
        if (db_run(s->d,
                   "INSERT INTO accounts (account_id, name, team, environment, last_scan, "
                   "last_scan_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (account_id) DO UPDATE "
                   "SET name = excluded.name, team = excluded.team, environment = "
                   "excluded.environment, last_scan = excluded.last_scan, last_scan_at = "
                   "excluded.last_scan_at",
                   p, 6) < 0)
            return fail(s, "cannot record the accounts");
    }
    return 0;
}

int store_accounts(store *s, arena *a, stored_account **out, size_t *n)
{
    db_stmt *q = db_query(s->d,
                          "SELECT account_id, name, team, environment, last_scan, last_scan_at "
                          "FROM accounts ORDER BY team, name, account_id",
                          NULL, 0);
    if (!q) return fail(s, "cannot read accounts");
    size_t cap = 0;
    *n = 0;
    *out = arena_grow(a, NULL, &cap, 64, sizeof **out);
    int rc;
    while ((rc = db_step(q)) == 1) {
        *out = arena_grow(a, *out, &cap, *n + 1, sizeof **out);
        stored_account *x = &(*out)[(*n)++];
        x->account_id = col_dup(a, q, 0);
        x->name = col_dup(a, q, 1);
        x->team = col_dup(a, q, 2);
        x->environment = col_dup(a, q, 3);
        x->last_scan = db_col_int(q, 4);
        x->last_scan_at = db_col_int(q, 5);
    }
    db_finish(q);
    return rc < 0 ? fail(s, "cannot read accounts") : 0;
}

static int count_events(store *s, int64_t scan, const char *status, size_t *out)
{
    int64_t v = 0;
    db_val p[] = {DB_I(scan), DB_S(status)};
    if (db_query_int(s->d, "SELECT COUNT(*) FROM finding_events WHERE scan_id = ? AND status = ?",
                     p, 2, &v) < 0)
        return fail(s, "cannot count events");
    *out = (size_t)v;
    return 0;
}

static int summarise(store *s, int64_t scan, scan_summary *o)
{
    if (count_events(s, scan, "new", &o->new_) < 0 ||
        count_events(s, scan, "regressed", &o->regressed) < 0 ||
        count_events(s, scan, "resolved", &o->resolved) < 0 ||
        count_events(s, scan, "suppressed", &o->suppressed) < 0 ||
        count_events(s, scan, "open", &o->reopened) < 0)
        return -1;
    int64_t open = 0;
    db_val p[] = {DB_I(scan)};
    if (db_query_int(s->d,
                     "SELECT COUNT(*) FROM findings WHERE last_scan = ? AND status IN ('new', "
                     "'open', 'regressed')",
                     p, 1, &open) < 0)
        return fail(s, "cannot count findings");
    o->open = (size_t)open;
    db_val pu[] = {DB_I((int64_t)o->found), DB_I((int64_t)o->new_), DB_I((int64_t)o->regressed),
                   DB_I((int64_t)o->resolved), DB_I(scan)};
    if (db_run(s->d,
               "UPDATE scans SET found = ?, new_count = ?, regressed = ?, resolved = ? WHERE "
               "id = ?",
               pu, 5) < 0)
        return fail(s, "cannot update the scan");
    return 0;
}

static int insert_scan(store *s, const scan_scope *sc, int64_t at, const char *inventory,
                       int64_t *id)
{
    buf acc = BUF_INIT, reg = BUF_INIT, pol = BUF_INIT;
    json_str_array(&acc, sc->accounts, sc->n_accounts);
    if (sc->regions) json_str_array(&reg, sc->regions, sc->n_regions);
    json_str_array(&pol, sc->policies, sc->n_policies);
    db_val p[] = {
        DB_I((int64_t)time(NULL)),           DB_I(at),      DB_S(inventory), DB_S(acc.data),
        DB_S(sc->regions ? reg.data : NULL), DB_S(pol.data)};
    db_stmt *q = db_query(s->d,
                          "INSERT INTO scans (started_at, at, inventory, accounts, regions, "
                          "policies) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                          p, 6);
    int rc = q && db_step(q) == 1 ? 0 : -1;
    if (rc == 0) *id = db_col_int(q, 0);
    db_finish(q);
    buf_free(&acc);
    buf_free(&reg);
    buf_free(&pol);
    return rc < 0 ? fail(s, "cannot record the scan") : 0;
}

/* Test hook: CUSTOS_DEBUG_COMMIT_DELAY_MS holds the transaction open just
 * before COMMIT, so tests can kill -9 a scan at its most fragile moment. */
static void debug_commit_delay(void)
{
    const char *ms = getenv("CUSTOS_DEBUG_COMMIT_DELAY_MS");
    if (!ms || !*ms) return;
    fprintf(stderr, "custos: debug: holding the store transaction open for %s ms\n", ms);
    usleep((useconds_t)atol(ms) * 1000);
}

int store_record_scan(store *s, const scan_result *r, const scan_scope *sc, int64_t at,
                      const char *inventory, scan_summary *out)
{
    memset(out, 0, sizeof *out);
    s->err[0] = 0;
    arena *a = arena_new(0);
    rule_set rs;
    int64_t scan = 0;
    if (db_begin(s->d) < 0) {
        arena_free(a);
        return fail(s, "cannot start a transaction");
    }
    if (load_rules(s, at, a, &rs) < 0 || insert_scan(s, sc, at, inventory, &scan) < 0) goto bad;
    for (const char *const *ddl = SCAN_TEMP_DDL; *ddl; ddl++)
        if (db_exec(s->d, *ddl) < 0) {
            fail(s, "cannot create the scan's work tables");
            goto bad;
        }
    strmap known;
    char **hashes;
    if (stream_list(s, "scope_acc", "account_id", sc->accounts, sc->n_accounts) < 0 ||
        load_hashes(s, a, &known, &hashes) < 0 || stream_seen(s, r, &rs, &known, hashes) < 0 ||
        /* indexed after loading: one sort instead of a b-tree insert per row */
        db_exec(s->d, "CREATE UNIQUE INDEX seen_by_fingerprint ON seen (fingerprint)") < 0 ||
        stream_list(s, "scope_reg", "region", sc->regions, sc->regions ? sc->n_regions : 0) < 0 ||
        stream_list(s, "scope_pol", "policy", sc->policies, sc->n_policies) < 0) {
        fail(s, "cannot stream the findings");
        goto bad;
    }
    if (apply_scan(s, scan, at, sc->regions == NULL) < 0) goto bad;
    if (reconcile(s, at, NULL) < 0) goto bad; /* expiries outside the scope */
    if (update_daily_counts(s, sc, at) < 0) goto bad;
    if (record_accounts(s, sc, scan, at) < 0) goto bad;
    out->scan_id = scan;
    out->at = at;
    out->found = r->n;
    if (summarise(s, scan, out) < 0) goto bad;
    if (db_exec(s->d, "DROP TABLE seen; DROP TABLE scope_acc; DROP TABLE scope_reg; "
                      "DROP TABLE scope_pol") < 0) {
        fail(s, "cannot drop the work tables");
        goto bad;
    }
    debug_commit_delay();
    if (db_commit(s->d) < 0) {
        fail(s, "cannot commit the scan");
        goto bad;
    }
    arena_free(a);
    return 0;
bad:
    db_rollback(s->d);
    arena_free(a);
    return -1;
}

/* ---- reading ----------------------------------------------------------- */

/* The effective status: a suppression past its expiry reads as open
 * before any scan has written that down.  One parameter: now. */
#define EFFECTIVE_STATUS                                                                           \
    "CASE WHEN f.status = 'suppressed' AND f.suppressed_until <= ? THEN 'open' ELSE f.status END"

static const char FINDING_COLS[] =
    "f.fingerprint, f.policy, d.description, f.severity, f.severity_rank, d.category, "
    "f.resource_type, f.resource_id, f.resource_name, f.account_id, f.account_name, f.team, "
    "f.environment, f.region, f.priority, d.reasons, d.fix, d.runbook, "
    "d.evidence, " EFFECTIVE_STATUS
    ", f.first_seen, f.last_seen, f.resolved_at, f.first_scan, f.last_scan, f.suppression_id, "
    "f.suppressed_until, sp.reason, sp.author";
#define FINDING_NCOLS 29
#define FINDING_JOINS                                                                              \
    " JOIN finding_details d ON d.fingerprint = f.fingerprint LEFT JOIN suppressions sp ON "       \
    "sp.id = f.suppression_id"
#define FINDING_FROM " FROM findings f" FINDING_JOINS

static void read_finding(const db_stmt *q, size_t c, arena *a, stored_finding *f)
{
    const char *fp = db_col_text(q, c);
    snprintf(f->fingerprint, sizeof f->fingerprint, "%s", fp ? fp : "");
    f->policy = col_dup(a, q, c + 1);
    f->description = col_dup(a, q, c + 2);
    f->severity = col_dup(a, q, c + 3);
    f->severity_rank = (int)db_col_int(q, c + 4);
    f->category = col_dup(a, q, c + 5);
    f->resource_type = col_dup(a, q, c + 6);
    f->resource_id = col_dup(a, q, c + 7);
    f->resource_name = col_dup(a, q, c + 8);
    f->account_id = col_dup(a, q, c + 9);
    f->account_name = col_dup(a, q, c + 10);
    f->team = col_dup(a, q, c + 11);
    f->environment = col_dup(a, q, c + 12);
    f->region = col_dup(a, q, c + 13);
    f->priority = (int)db_col_int(q, c + 14);
    f->reasons = col_dup(a, q, c + 15);
    f->fix = col_dup(a, q, c + 16);
    f->runbook = col_dup(a, q, c + 17);
    f->evidence = col_dup(a, q, c + 18);
    f->status = col_dup(a, q, c + 19);
    f->first_seen = db_col_int(q, c + 20);
    f->last_seen = db_col_int(q, c + 21);
    f->resolved_at = db_col_int(q, c + 22);
    f->first_scan = db_col_int(q, c + 23);
    f->last_scan = db_col_int(q, c + 24);
    bool suppressed = f->status && !strcmp(f->status, "suppressed");
    f->suppression_id = suppressed ? db_col_int(q, c + 25) : 0;
    f->suppressed_until = suppressed ? db_col_int(q, c + 26) : 0;
    f->suppression_reason = suppressed ? col_dup(a, q, c + 27) : NULL;
    f->suppression_author = suppressed ? col_dup(a, q, c + 28) : NULL;
}

/* A WHERE clause under construction with its parameters. */
typedef struct where {
    buf sql;
    db_val p[256];
    size_t np;
    bool overflow; /* more values than p holds */
    bool failed;   /* a lookup it needed failed (the store's error is set) */
} where;

static void w_param(where *w, db_val v)
{
    if (w->np == sizeof w->p / sizeof w->p[0]) {
        w->overflow = true;
        return;
    }
    w->p[w->np++] = v;
}

static void w_and(where *w)
{
    buf_puts(&w->sql, w->sql.len ? " AND " : " WHERE ");
}

static void w_in(where *w, const char *col, const char *const *v, size_t n)
{
    if (!n) return;
    w_and(w);
    buf_printf(&w->sql, "%s IN (", col);
    for (size_t i = 0; i < n; i++) {
        buf_puts(&w->sql, i ? ", ?" : "?");
        w_param(w, DB_S(v[i]));
    }
    buf_putc(&w->sql, ')');
}

static void w_status(where *w, const char *const *v, size_t n, int64_t now)
{
    static const char *const open_like[] = {"new", "open", "regressed"};
    if (!v) {
        v = open_like;
        n = 3;
    }
    w_and(w);
    buf_putc(&w->sql, '(');
    bool first = true;
    for (size_t i = 0; i < n; i++) {
        if (!strcmp(v[i], "suppressed") || !strcmp(v[i], "open")) continue;
        buf_puts(&w->sql, first ? "f.status = ?" : " OR f.status = ?");
        w_param(w, DB_S(v[i]));
        first = false;
    }
    if (str_in(v, n, "open")) {
        buf_puts(&w->sql, first ? "" : " OR ");
        buf_puts(&w->sql,
                 "f.status = 'open' OR (f.status = 'suppressed' AND f.suppressed_until <= ?)");
        w_param(w, DB_I(now));
        first = false;
    }
    if (str_in(v, n, "suppressed")) {
        buf_puts(&w->sql, first ? "" : " OR ");
        buf_puts(&w->sql, "(f.status = 'suppressed' AND f.suppressed_until > ?)");
        w_param(w, DB_I(now));
        first = false;
    }
    if (first) buf_puts(&w->sql, "1 = 0");
    buf_putc(&w->sql, ')');
}

/* The account ids an --account list names (ids or names).  Resolved in a
 * query of their own, so the findings query compares account_id with
 * constants: a subquery there (or an OR across two columns) keeps
 * PostgreSQL from walking the account's index (page 50 of an account on
 * 1,000,000 findings: 82 ms -> 27 ms). */
static int resolve_accounts(store *s, const finding_query *q, arena *a, const char ***ids,
                            size_t *n)
{
    buf sql = BUF_INIT;
    db_val *p = arena_alloc(a, 2 * q->n_accounts * sizeof *p);
    buf_puts(&sql, "SELECT account_id FROM accounts WHERE account_id IN (");
    for (size_t i = 0; i < q->n_accounts; i++) {
        buf_puts(&sql, i ? ", ?" : "?");
        p[i] = p[q->n_accounts + i] = DB_S(q->accounts[i]);
    }
    buf_puts(&sql, ") OR name IN (");
    for (size_t i = 0; i < q->n_accounts; i++)
        buf_puts(&sql, i ? ", ?" : "?");
    buf_puts(&sql, ")");
    db_stmt *st = db_query(s->d, sql.data, p, 2 * q->n_accounts);
    buf_free(&sql);
    if (!st) return -1;
    /* The given values too: an id with findings but no accounts row. */
    size_t cap = 0;
    *n = 0;
    *ids = arena_grow(a, NULL, &cap, q->n_accounts + 8, sizeof **ids);
    for (size_t i = 0; i < q->n_accounts; i++)
        (*ids)[(*n)++] = q->accounts[i];
    int rc;
    while ((rc = db_step(st)) == 1) {
        const char *id = db_col_text(st, 0);
        if (str_in(*ids, *n, id)) continue;
        *ids = arena_grow(a, *ids, &cap, *n + 1, sizeof **ids);
        (*ids)[(*n)++] = arena_strdup(a, id);
    }
    db_finish(st);
    return rc < 0 ? -1 : 0;
}

static void build_where(store *s, where *w, const finding_query *q, int64_t now, arena *a)
{
    if (q->n_accounts) {
        const char **ids;
        size_t n;
        if (resolve_accounts(s, q, a, &ids, &n) < 0) {
            w->failed = true;
            return;
        }
        w_in(w, "f.account_id", ids, n);
    }
    w_in(w, "f.team", q->teams, q->n_teams);
    w_in(w, "f.environment", q->environments, q->n_environments);
    w_in(w, "f.policy", q->policies, q->n_policies);
    w_status(w, q->statuses, q->statuses ? q->n_statuses : 0, now);
    if (q->fingerprint) {
        /* A range, not LIKE: SQLite's LIKE ignores case and cannot use the
         * primary key.  Fingerprints are lowercase hex, all below 'g'. */
        w_and(w);
        buf_puts(&w->sql, "f.fingerprint >= ? AND f.fingerprint < ?");
        w_param(w, DB_S(arena_sprintf(a, "%.16s", q->fingerprint)));
        w_param(w, DB_S(arena_sprintf(a, "%.16sg", q->fingerprint)));
    }
    if (q->min_severity >= 0) {
        w_and(w);
        buf_puts(&w->sql, "f.severity_rank >= ?");
        w_param(w, DB_I(q->min_severity));
    }
    if (q->min_age > 0) {
        w_and(w);
        buf_puts(&w->sql, "f.first_seen <= ?");
        w_param(w, DB_I(now - q->min_age));
    }
}

int store_findings(store *s, const finding_query *qy, arena *a, stored_finding **out, size_t *n)
{
    int64_t now = qy->now ? qy->now : (int64_t)time(NULL);
    where w = {.sql = BUF_INIT};
    w_param(&w, DB_I(now)); /* EFFECTIVE_STATUS in the column list */
    build_where(s, &w, qy, now, a);
    buf sql = BUF_INIT;
    /* The page is chosen on the narrow table (index order, LIMIT/OFFSET)
     * and only its rows are joined to their details. */
#define LIST_ORDER                                                                                 \
    " ORDER BY f.priority DESC, f.severity_rank DESC, f.policy, f.account_id, f.region, "          \
    "f.resource_id"
    buf_printf(&sql,
               "SELECT %s FROM (SELECT f.fingerprint AS fp FROM findings f%s" LIST_ORDER "%s) k "
               "JOIN findings f ON f.fingerprint = k.fp" FINDING_JOINS LIST_ORDER,
               FINDING_COLS, w.sql.data ? w.sql.data : "", qy->limit ? " LIMIT ? OFFSET ?" : "");
    if (qy->limit) {
        w_param(&w, DB_I((int64_t)qy->limit));
        w_param(&w, DB_I((int64_t)qy->offset));
    }
    *n = 0;
    *out = NULL;
    if (w.overflow || w.failed) {
        buf_free(&sql);
        buf_free(&w.sql);
        if (w.failed) return fail(s, "cannot resolve the account names");
        snprintf(s->err, sizeof s->err, "too many filter values");
        return -1;
    }
    db_stmt *q = db_query(s->d, sql.data, w.p, w.np);
    buf_free(&sql);
    buf_free(&w.sql);
    if (!q) return fail(s, "cannot read findings");
    size_t cap = 0;
    *out = arena_grow(a, NULL, &cap, 64, sizeof **out);
    int rc;
    while ((rc = db_step(q)) == 1) {
        *out = arena_grow(a, *out, &cap, *n + 1, sizeof **out);
        read_finding(q, 0, a, &(*out)[(*n)++]);
    }
    db_finish(q);
    return rc < 0 ? fail(s, "cannot read findings") : 0;
}

int store_count_findings(store *s, const finding_query *qy, int64_t max, int64_t *out)
{
    int64_t now = qy->now ? qy->now : (int64_t)time(NULL);
    arena *a = arena_new(0);
    where w = {.sql = BUF_INIT};
    build_where(s, &w, qy, now, a);
    buf sql = BUF_INIT;
    if (max > 0) {
        buf_printf(&sql, "SELECT COUNT(*) FROM (SELECT 1 FROM findings f%s LIMIT ?) c",
                   w.sql.data ? w.sql.data : "");
        w_param(&w, DB_I(max));
    } else {
        buf_printf(&sql, "SELECT COUNT(*) FROM findings f%s", w.sql.data ? w.sql.data : "");
    }
    int rc = w.overflow || w.failed ? -1 : db_query_int(s->d, sql.data, w.p, w.np, out);
    buf_free(&sql);
    buf_free(&w.sql);
    arena_free(a);
    return rc < 0 ? fail(s, "cannot count findings") : 0;
}

int store_scans(store *s, size_t limit, arena *a, stored_scan **out, size_t *n)
{
    db_val p[] = {DB_I(limit ? (int64_t)limit : INT64_MAX)};
    db_stmt *q = db_query(s->d,
                          "SELECT id, at, started_at, inventory, accounts, regions, policies, "
                          "found, new_count, regressed, resolved FROM scans ORDER BY id DESC "
                          "LIMIT ?",
                          p, 1);
    if (!q) return fail(s, "cannot read scans");
    size_t cap = 0;
    *n = 0;
    *out = arena_grow(a, NULL, &cap, 16, sizeof **out);
    int rc;
    while ((rc = db_step(q)) == 1) {
        *out = arena_grow(a, *out, &cap, *n + 1, sizeof **out);
        stored_scan *x = &(*out)[(*n)++];
        x->id = db_col_int(q, 0);
        x->at = db_col_int(q, 1);
        x->started_at = db_col_int(q, 2);
        x->inventory = col_dup(a, q, 3);
        x->accounts = col_dup(a, q, 4);
        x->regions = col_dup(a, q, 5);
        x->policies = col_dup(a, q, 6);
        x->found = db_col_int(q, 7);
        x->new_ = db_col_int(q, 8);
        x->regressed = db_col_int(q, 9);
        x->resolved = db_col_int(q, 10);
    }
    db_finish(q);
    return rc < 0 ? fail(s, "cannot read scans") : 0;
}

int store_events(store *s, int64_t from_scan, int64_t to_scan, const char *fingerprint, arena *a,
                 finding_event **out, size_t *n)
{
    buf sql = BUF_INIT;
    db_val p[5];
    size_t np = 0;
    p[np++] = DB_I((int64_t)time(NULL));
    buf_printf(&sql,
               "SELECT e.id, e.scan_id, e.at, e.fingerprint, e.status, e.previous, %s FROM "
               "finding_events e JOIN findings f ON f.fingerprint = e.fingerprint" FINDING_JOINS
               " WHERE ",
               FINDING_COLS);
    if (fingerprint) {
        buf_puts(&sql, "e.fingerprint >= ? AND e.fingerprint < ?");
        p[np++] = DB_S(arena_sprintf(a, "%.16s", fingerprint));
        p[np++] = DB_S(arena_sprintf(a, "%.16sg", fingerprint));
    } else {
        buf_puts(&sql, "e.scan_id > ?");
        p[np++] = DB_I(from_scan);
        if (to_scan > 0) {
            buf_puts(&sql, " AND e.scan_id <= ?");
            p[np++] = DB_I(to_scan);
        }
    }
    buf_puts(&sql, " ORDER BY e.id");
    db_stmt *q = db_query(s->d, sql.data, p, np);
    buf_free(&sql);
    if (!q) return fail(s, "cannot read events");
    size_t cap = 0;
    *n = 0;
    *out = arena_grow(a, NULL, &cap, 64, sizeof **out);
    int rc;
    while ((rc = db_step(q)) == 1) {
        *out = arena_grow(a, *out, &cap, *n + 1, sizeof **out);
        finding_event *e = &(*out)[(*n)++];
        e->id = db_col_int(q, 0);
        e->scan_id = db_col_int(q, 1);
        e->at = db_col_int(q, 2);
        e->fingerprint = col_dup(a, q, 3);
        e->status = col_dup(a, q, 4);
        e->previous = col_dup(a, q, 5);
        read_finding(q, 6, a, &e->f);
    }
    db_finish(q);
    return rc < 0 ? fail(s, "cannot read events") : 0;
}

int store_history(store *s, int64_t since_day, arena *a, day_count **out, size_t *n)
{
    db_val p[] = {DB_I(since_day)};
    db_stmt *q =
        db_query(s->d,
                 "SELECT day, account_id, account_name, team, environment, severity, "
                 "open, new_count, resolved, regressed, suppressed, max_priority FROM daily_counts "
                 "WHERE day >= ? ORDER BY day, account_id, severity",
                 p, 1);
    if (!q) return fail(s, "cannot read history");
    size_t cap = 0;
    *n = 0;
    *out = arena_grow(a, NULL, &cap, 64, sizeof **out);
    int rc;
    while ((rc = db_step(q)) == 1) {
        *out = arena_grow(a, *out, &cap, *n + 1, sizeof **out);
        day_count *d = &(*out)[(*n)++];
        d->day = db_col_int(q, 0);
        d->account_id = col_dup(a, q, 1);
        d->account_name = col_dup(a, q, 2);
        d->team = col_dup(a, q, 3);
        d->environment = col_dup(a, q, 4);
        d->severity = col_dup(a, q, 5);
        d->open = db_col_int(q, 6);
        d->new_ = db_col_int(q, 7);
        d->resolved = db_col_int(q, 8);
        d->regressed = db_col_int(q, 9);
        d->suppressed = db_col_int(q, 10);
        d->max_priority = db_col_int(q, 11);
    }
    db_finish(q);
    return rc < 0 ? fail(s, "cannot read history") : 0;
}
