/* store.c - the findings store: schema, migrations, lifecycle, queries.
 *
 * All SQL is written once, in the portable subset db.h promises; only the
 * auto-increment key differs between SQLite and PostgreSQL (DDL_ID).
 *
 * Writing a scan writes what changed, not everything (issue 11): a
 * rescan of 175k findings of which nothing changed must cost a fraction of
 * the scan, on SQLite and across PostgreSQL's socket.  So:
 *   1. one sequential read of what the store holds for the scan's accounts
 *      (fingerprint, content hash, status, suppression, scope columns);
 *   2. the comparison, in C: each finding of the scan against its stored
 *      row (a hash table on the 64-bit fingerprint), then the stored rows
 *      in the scan's scope it did not see.  The engine hashes each
 *      finding's JSON on its workers (findings/report.h), so "changed" is
 *      one integer compare; the transitions (new, open, regressed,
 *      suppressed, reopened, resolved) are decided here, as store.h says;
 *   3. only then the writes: events and new findings streamed (COPY on
 *      PostgreSQL), the changed rows streamed into a work table and
 *      applied by kind (content, status, resolution, last-seen), so an
 *      update names only the columns its kind changes;
 *   4. the day's counts from the state computed in 2 (no grouped query),
 *      written only where a number moved.
 * "Last seen" of an unresolved finding is derived, not written: it is the
 * time of its account's latest scan when that scan's scope covered the
 * finding (migration 4 explains), so a steady rescan writes no finding
 * row at all: the scan's own row, one row per account, and nothing else.
 * Everything is one transaction: a crash leaves the previous scan.
 *
 * Suppression rules are globs (fnmatch), matched in C: rules are few and
 * globs are not portable SQL.  A scan matches each finding against the
 * active rules while comparing it; suppress/unsuppress/sync reconcile the
 * stored, unresolved findings with the rules in one pass.  Since rules only
 * leave the active set as time passes, a scan then looks only at the
 * suppressed findings whose rule lapsed (meta 'rules_at', see rules_at).
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
    char *url;   /* redacted */
    int version; /* schema version in use (below current only through the test hook) */
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

/* Migration 4: a rescan writes only what changed (issue 11).  "Last seen"
 * of an unresolved finding is no longer rewritten on every row by every
 * scan: it is the time of its account's latest scan (accounts.last_scan_at)
 * whenever that scan's scope covered the finding's policy and region, and
 * the row's own last_seen otherwise.  A scope (its policies x regions, '*'
 * for every region) is stored once (scopes, scope_cover) and each account
 * points at the scope of its latest scan; a row's last_seen is written
 * only when that derivation would not hold (store.c, "recording a scan").
 * content_hash now covers everything a scan says about a finding (its
 * JSON), so the first scan after this upgrade rewrites each row once. */
static const char *const MIGRATION_4[] = {
    "CREATE TABLE scopes (id " DDL_ID ", scope_key TEXT NOT NULL UNIQUE)",
    "CREATE TABLE scope_cover (scope_id BIGINT NOT NULL, policy TEXT NOT NULL,"
    " region TEXT NOT NULL, PRIMARY KEY (scope_id, policy, region))",
    "ALTER TABLE accounts ADD COLUMN scope_id BIGINT",
    NULL,
};

static const char *const *const MIGRATIONS[] = {MIGRATION_1, MIGRATION_2, MIGRATION_3, MIGRATION_4};
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

static int64_t set_rules_at(store *s, int64_t now);

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
    s->version = v > target ? (int)v : target;
    /* A fresh store has no findings: all of them agree with the rules. */
    if (v == 0 && target >= 4 && set_rules_at(s, 0) < 0) goto bad;
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

/* The clock up to which every unresolved finding agrees with the rules
 * (meta 'rules_at'): rules only leave the active set as time passes (by
 * expiry; additions and removals reconcile at once), so a scan at or
 * after it need only look at suppressed findings whose rule lapsed.
 * *out = -1 when unknown (a store upgraded from before it was kept). */
static int rules_at(store *s, int64_t *out)
{
    *out = -1;
    return db_query_int(s->d, "SELECT CAST(value AS BIGINT) FROM meta WHERE key = 'rules_at'", NULL,
                        0, out) < 0
               ? -1
               : 0;
}

static int64_t set_rules_at(store *s, int64_t now)
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

static int reconcile(store *s, int64_t now, recon_opts *ro, size_t *suppressed_out)
{
    arena *a = arena_new(0);
    rule_set rs;
    size_t suppressed = 0;
    int rc = -1;
    if (load_rules(s, now, a, &rs) < 0) goto out;
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
        const suppression *r = rule_match(&rs, &f);
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
    int64_t m = set_rules_at(s, now);
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
    if (insert_rule(s, rule, now, id_out) < 0 || reconcile(s, now, NULL, matched) < 0) {
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
    if (reconcile(s, now, NULL, NULL) < 0) {
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
    if (reconcile(s, now, NULL, matched) < 0) {
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

enum { ST_NEW, ST_OPEN, ST_REGRESSED, ST_RESOLVED, ST_SUPPRESSED, ST_COUNT };
static const char *const STATUS_NAME[ST_COUNT] = {"new", "open", "regressed", "resolved",
                                                  "suppressed"};

static int status_code(const char *name)
{
    for (int i = 0; name && i < ST_COUNT; i++)
        if (!strcmp(name, STATUS_NAME[i])) return i;
    return ST_OPEN; /* unknown statuses read as open, as the queries do */
}

/* A stored finding of the scan's accounts: what the comparison needs. */
typedef struct old_row {
    uint64_t fp, hash;
    int64_t suppression_id, suppressed_until, last_seen, last_scan; /* 0 = NULL */
    const char *policy, *region, *team;                             /* interned */
    int32_t acc;                                                    /* index in rec.acc */
    int16_t priority;
    uint8_t sev;    /* severity rank */
    uint8_t status; /* after the scan */
    bool seen;
} old_row;

/* A scan's account: its row in `accounts` before the scan. */
typedef struct rec_account {
    const char *id;
    const account_info *info;
    int64_t scope_id, last_scan, last_scan_at; /* 0: no row, or no scope yet */
} rec_account;

/* What a scan writes, decided in C before anything is written. */
enum { W_FULL = 1, W_STATUS, W_RESOLVE, W_SEEN };
typedef struct write_op {
    uint32_t item; /* scan finding, or old row for W_RESOLVE */
    uint8_t kind;
} write_op;
typedef struct event_op {
    uint32_t item; /* scan finding, or old row for resolutions */
    uint8_t status, previous;
    bool resolved, has_previous;
} event_op;

/* A scope's coverage: "policy\x1fregion" keys, region "*" for every one. */
typedef struct scope_cov {
    int64_t id;
    strmap keys;
} scope_cov;

typedef struct rec {
    store *s;
    arena *a;
    const scan_result *r;
    const scan_scope *sc;
    int64_t scan, at;
    bool all_regions;
    bool legacy; /* schema below 4 (test hook): every seen row gets its last_seen */
    rec_account *acc;
    strmap acc_ix, pol_ix, reg_ix, intern;
    const char **interned;
    size_t ninterned, ninterned_cap;
    old_row *old;
    size_t nold;
    uint32_t *fp_ix; /* open addressing over old, index + 1; 0 = empty */
    size_t fp_cap;
    int64_t scope_id;
    scope_cov cur, *prev;
    size_t nprev;
    /* per scan finding: its status after the scan, its suppression */
    uint8_t *status;
    const suppression **sup;
    write_op *w;
    size_t nw, wcap;
    uint32_t *ins;
    size_t nins, inscap;
    event_op *ev;
    size_t nev, evcap;
    int64_t rows;
    scan_summary *sum;
} rec;

/* One copy of each policy, region and team name: 175k rows, a few dozen
 * distinct values. */
static const char *intern(rec *x, const char *v)
{
    if (!v) return NULL;
    int i = strmap_get(&x->intern, v, -1);
    if (i >= 0) return x->interned[i];
    x->interned =
        arena_grow(x->a, x->interned, &x->ninterned_cap, x->ninterned + 1, sizeof *x->interned);
    char *c = arena_strdup(x->a, v);
    x->interned[x->ninterned] = c;
    *strmap_slot(&x->intern, c, 0) = (int)x->ninterned++;
    return c;
}

static uint64_t hex64(const char *h)
{
    uint64_t v = 0;
    for (int i = 0; h && h[i] && i < 16; i++) {
        char c = h[i];
        v = v << 4 | (uint64_t)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
    }
    return v;
}

static size_t fp_slot(const rec *x, uint64_t fp)
{
    return (size_t)((fp * 0x9e3779b97f4a7c15ull) >> 20) & (x->fp_cap - 1);
}

static old_row *old_find(rec *x, uint64_t fp)
{
    if (!x->fp_cap) return NULL;
    for (size_t i = fp_slot(x, fp);; i = (i + 1) & (x->fp_cap - 1)) {
        uint32_t k = x->fp_ix[i];
        if (!k) return NULL;
        if (x->old[k - 1].fp == fp) return &x->old[k - 1];
    }
}

static bool covers(const scope_cov *c, const char *policy, const char *region, arena *a)
{
    if (!c) return false;
    if (strmap_has(&c->keys, arena_sprintf(a, "%s\x1f*", policy))) return true;
    return strmap_has(&c->keys, arena_sprintf(a, "%s\x1f%s", policy, region ? region : ""));
}

static bool in_scope(const rec *x, const char *policy, const char *region)
{
    return strmap_has(&x->pol_ix, policy) &&
           (x->all_regions || strmap_has(&x->reg_ix, region ? region : ""));
}

/* The stored findings of the scan's accounts: one sequential read. */
static int load_old(rec *x)
{
    /* When the scan covers most of the store's accounts, one pass over the
     * table beats walking an account index with a table lookup per row
     * (which SQLite picks otherwise: 3x the instructions); `|| ''` keeps
     * the planner off the index on either engine. */
    int64_t known = 0;
    if (db_query_int(x->s->d, "SELECT COUNT(*) FROM accounts", NULL, 0, &known) < 0)
        return fail(x->s, "cannot count the accounts");
    bool whole = (int64_t)x->sc->n_accounts * 2 >= known;
    db_stmt *q = db_query(x->s->d,
                          whole ? "SELECT fingerprint, content_hash, status, suppression_id, "
                                  "suppressed_until, policy, region, team, account_id, priority, "
                                  "severity_rank, last_seen, last_scan FROM findings WHERE "
                                  "account_id || '' IN (SELECT account_id FROM scope_acc)"
                                : "SELECT fingerprint, content_hash, status, suppression_id, "
                                  "suppressed_until, policy, region, team, account_id, priority, "
                                  "severity_rank, last_seen, last_scan FROM findings WHERE "
                                  "account_id IN (SELECT account_id FROM scope_acc)",
                          NULL, 0);
    if (!q) return fail(x->s, "cannot read stored findings");
    size_t cap = 0;
    x->old = arena_grow(x->a, NULL, &cap, x->r->n + 1024, sizeof *x->old);
    int rc;
    while ((rc = db_step(q)) == 1) {
        x->old = arena_grow(x->a, x->old, &cap, x->nold + 1, sizeof *x->old);
        old_row *o = &x->old[x->nold++];
        *o = (old_row){.fp = hex64(db_col_text(q, 0)),
                       .hash = hex64(db_col_text(q, 1)),
                       .status = (uint8_t)status_code(db_col_text(q, 2)),
                       .suppression_id = db_col_int(q, 3),
                       .suppressed_until = db_col_int(q, 4),
                       .policy = intern(x, db_col_text(q, 5)),
                       .region = intern(x, db_col_text(q, 6)),
                       .team = intern(x, db_col_text(q, 7)),
                       .acc = (int32_t)strmap_get(&x->acc_ix, db_col_text(q, 8), -1),
                       .priority = (int16_t)db_col_int(q, 9),
                       .sev = (uint8_t)db_col_int(q, 10),
                       .last_seen = db_col_int(q, 11),
                       .last_scan = db_col_int(q, 12)};
    }
    db_finish(q);
    if (rc < 0) return fail(x->s, "cannot read stored findings");
    for (x->fp_cap = 1024; x->fp_cap < 2 * x->nold + 2;)
        x->fp_cap *= 2;
    x->fp_ix = arena_calloc(x->a, x->fp_cap * sizeof *x->fp_ix);
    for (size_t k = 0; k < x->nold; k++) {
        size_t i = fp_slot(x, x->old[k].fp);
        while (x->fp_ix[i])
            i = (i + 1) & (x->fp_cap - 1);
        x->fp_ix[i] = (uint32_t)k + 1;
    }
    return 0;
}

/* The accounts' rows before the scan, and the scopes they point at. */
static int load_accounts(rec *x)
{
    const scan_scope *sc = x->sc;
    x->acc = arena_calloc(x->a, (sc->n_accounts + 1) * sizeof *x->acc);
    strmap_init(&x->acc_ix, x->a, sc->n_accounts);
    for (size_t i = 0; i < sc->n_accounts; i++) {
        x->acc[i].id = sc->accounts[i];
        x->acc[i].info = sc->account_info ? sc->account_info[i] : NULL;
        *strmap_slot(&x->acc_ix, sc->accounts[i], (int)i) = (int)i;
    }
    if (x->legacy) return 0;
    db_stmt *q = db_query(x->s->d,
                          "SELECT account_id, scope_id, last_scan, last_scan_at FROM accounts "
                          "WHERE account_id IN (SELECT account_id FROM scope_acc)",
                          NULL, 0);
    int rc = q ? 0 : -1;
    while (q && (rc = db_step(q)) == 1) {
        int i = strmap_get(&x->acc_ix, db_col_text(q, 0), -1);
        if (i < 0) continue;
        x->acc[i].scope_id = db_col_int(q, 1);
        x->acc[i].last_scan = db_col_int(q, 2);
        x->acc[i].last_scan_at = db_col_int(q, 3);
    }
    db_finish(q);
    return rc < 0 ? fail(x->s, "cannot read the accounts") : 0;
}

static int load_cover(rec *x, int64_t id, scope_cov *c)
{
    c->id = id;
    strmap_init(&c->keys, x->a, 64);
    db_val p[] = {DB_I(id)};
    db_stmt *q =
        db_query(x->s->d, "SELECT policy, region FROM scope_cover WHERE scope_id = ?", p, 1);
    int rc = q ? 0 : -1;
    while (q && (rc = db_step(q)) == 1)
        *strmap_slot(&c->keys,
                     arena_sprintf(x->a, "%s\x1f%s", db_col_text(q, 0), db_col_text(q, 1)), 0) = 1;
    db_finish(q);
    return rc < 0 ? fail(x->s, "cannot read scan scopes") : 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The scan's scope as a row of `scopes` (found or added) and its
 * coverage; then the previous scopes of its accounts. */
static int resolve_scope(rec *x)
{
    const scan_scope *sc = x->sc;
    size_t np = sc->n_policies, nr = x->all_regions ? 0 : sc->n_regions;
    const char **pol = arena_alloc(x->a, (np + 1) * sizeof *pol);
    const char **reg = arena_alloc(x->a, (nr + 1) * sizeof *reg);
    memcpy(pol, sc->policies, np * sizeof *pol);
    if (nr) memcpy(reg, sc->regions, nr * sizeof *reg);
    qsort(pol, np, sizeof *pol, cmp_str);
    qsort(reg, nr, sizeof *reg, cmp_str);
    buf key = BUF_INIT;
    json_str_array(&key, pol, np);
    buf_putc(&key, '|');
    if (x->all_regions)
        buf_putc(&key, '*');
    else
        json_str_array(&key, reg, nr);
    db_val pk[] = {DB_S(key.data)};
    int rc =
        db_query_int(x->s->d, "SELECT id FROM scopes WHERE scope_key = ?", pk, 1, &x->scope_id);
    if (rc == 1) {
        /* New: concurrent scans of other accounts may add the same one. */
        int64_t n = db_run(x->s->d,
                           "INSERT INTO scopes (scope_key) VALUES (?) ON CONFLICT (scope_key) DO "
                           "NOTHING",
                           pk, 1);
        rc = n < 0 ? -1
                   : db_query_int(x->s->d, "SELECT id FROM scopes WHERE scope_key = ?", pk, 1,
                                  &x->scope_id);
        if (n > 0) {
            x->rows += n;
            db_copy *c = db_copy_begin(x->s->d, "scope_cover", "scope_id, policy, region", 3);
            int crc = c ? 0 : -1;
            for (size_t i = 0; i < np && crc == 0; i++) {
                if (i && !strcmp(pol[i], pol[i - 1])) continue;
                for (size_t k = 0; k < (nr ? nr : 1) && crc == 0; k++) {
                    if (k && !strcmp(reg[k], reg[k - 1])) continue;
                    crc = db_copy_row(
                        c, (db_val[]){DB_I(x->scope_id), DB_S(pol[i]), DB_S(nr ? reg[k] : "*")});
                    x->rows++;
                }
            }
            if (!c || db_copy_end(c) < 0 || crc < 0) rc = -1;
        }
    }
    buf_free(&key);
    if (rc != 0) return fail(x->s, "cannot record the scan's scope");
    if (load_cover(x, x->scope_id, &x->cur) < 0) return -1;
    size_t cap = 0;
    for (size_t i = 0; i < sc->n_accounts; i++) {
        int64_t id = x->acc[i].scope_id;
        bool known = !id || id == x->scope_id;
        for (size_t k = 0; k < x->nprev && !known; k++)
            known = x->prev[k].id == id;
        if (known) continue;
        x->prev = arena_grow(x->a, x->prev, &cap, x->nprev + 1, sizeof *x->prev);
        if (load_cover(x, id, &x->prev[x->nprev++]) < 0) return -1;
    }
    return 0;
}

static const scope_cov *scope_of(const rec *x, int64_t id)
{
    if (!id) return NULL;
    if (id == x->scope_id) return &x->cur;
    for (size_t k = 0; k < x->nprev; k++)
        if (x->prev[k].id == id) return &x->prev[k];
    return NULL;
}

/* When an account's scope changes, the unresolved findings the old scope
 * covered and the new one does not keep their last-seen time in their
 * rows (it can no longer be derived from the account's latest scan). */
static int keep_last_seen(rec *x)
{
    for (size_t i = 0; i < x->sc->n_accounts; i++) {
        const rec_account *ac = &x->acc[i];
        if (!ac->scope_id || ac->scope_id == x->scope_id) continue;
        db_val p[] = {DB_I(ac->last_scan_at), DB_I(ac->last_scan), DB_S(ac->id), DB_I(ac->scope_id),
                      DB_I(x->scope_id)};
        int64_t n = db_run(x->s->d,
                           "UPDATE findings SET last_seen = ?, last_scan = ? WHERE account_id = ? "
                           "AND status <> 'resolved' AND EXISTS (SELECT 1 FROM scope_cover c "
                           "WHERE c.scope_id = ? AND c.policy = findings.policy AND c.region IN "
                           "('*', findings.region)) AND NOT EXISTS (SELECT 1 FROM scope_cover c "
                           "WHERE c.scope_id = ? AND c.policy = findings.policy AND c.region IN "
                           "('*', findings.region))",
                           p, 5);
        if (n < 0) return fail(x->s, "cannot keep last-seen times");
        x->rows += n;
    }
    return 0;
}

static void push_write(rec *x, uint32_t item, uint8_t kind)
{
    x->w = arena_grow(x->a, x->w, &x->wcap, x->nw + 1, sizeof *x->w);
    x->w[x->nw++] = (write_op){item, kind};
}

static void push_event(rec *x, uint32_t item, int status, int previous, bool resolved)
{
    x->ev = arena_grow(x->a, x->ev, &x->evcap, x->nev + 1, sizeof *x->ev);
    x->ev[x->nev++] = (event_op){.item = item,
                                 .status = (uint8_t)status,
                                 .previous = (uint8_t)(previous < 0 ? 0 : previous),
                                 .resolved = resolved,
                                 .has_previous = previous >= 0};
}

/* The comparison: every scan finding against the stored row of its
 * fingerprint, then the stored rows of the scope that the scan did not
 * see.  Decides every transition (the rules of store.h) and every write. */
static int diff(rec *x, const rule_set *rs)
{
    const scan_result *r = x->r;
    x->status = arena_alloc(x->a, (r->n + 1) * sizeof *x->status);
    x->sup = arena_alloc(x->a, (r->n + 1) * sizeof *x->sup);
    char fp[17];
    for (size_t i = 0; i < r->n; i++) {
        const finding *f = &r->items[i];
        fingerprint_hex(f->fingerprint, fp);
        const account_info *ac = f->account;
        const char *name = f->name && strcmp(f->name, f->id) ? f->name : NULL;
        rule_subject subj = {fp,        f->pol->name, f->account_id, ac ? ac->name : NULL,
                             f->region, f->id,        name};
        const suppression *sup = rs->n ? rule_match(rs, &subj) : NULL;
        x->sup[i] = sup;
        old_row *o = old_find(x, f->fingerprint);
        if (!o) {
            x->status[i] = sup ? ST_SUPPRESSED : ST_NEW;
            x->ins = arena_grow(x->a, x->ins, &x->inscap, x->nins + 1, sizeof *x->ins);
            x->ins[x->nins++] = (uint32_t)i;
            push_event(x, (uint32_t)i, x->status[i], -1, false);
            continue;
        }
        if (o->seen) {
            snprintf(x->s->err, sizeof x->s->err, "the scan has finding %s twice", fp);
            return -1;
        }
        o->seen = true;
        int was = o->status;
        int now = sup ? ST_SUPPRESSED : was == ST_RESOLVED ? ST_REGRESSED : ST_OPEN;
        x->status[i] = (uint8_t)now;
        if ((sup && was != ST_SUPPRESSED) || (!sup && (was == ST_RESOLVED || was == ST_SUPPRESSED)))
            push_event(x, (uint32_t)i, now, was, false);
        bool status_changed = was != now || o->suppression_id != (sup ? sup->id : 0) ||
                              o->suppressed_until != (sup ? sup->expires_at : 0);
        o->status = (uint8_t)now;
        o->priority = f->priority;
        o->sev = (uint8_t)f->pol->sev;
        if (o->hash != f->content_hash)
            push_write(x, (uint32_t)i, W_FULL);
        else if (status_changed)
            push_write(x, (uint32_t)i, W_STATUS);
        else if (x->legacy || !in_scope(x, f->pol->name, f->region))
            push_write(x, (uint32_t)i, W_SEEN); /* its last-seen is not derivable */
    }
    for (size_t k = 0; k < x->nold; k++) {
        old_row *o = &x->old[k];
        if (o->seen || o->status == ST_RESOLVED || !in_scope(x, o->policy, o->region)) continue;
        push_event(x, (uint32_t)k, ST_RESOLVED, o->status, true);
        push_write(x, (uint32_t)k, W_RESOLVE);
        o->status = ST_RESOLVED;
    }
    return 0;
}

/* Events in the order the set-based statements wrote them: new, then
 * changed, then resolved, each by priority (highest first), then
 * fingerprint.  Notifications and diff read them in id order. */
static const rec *sort_rec;
static int ev_class(const event_op *e)
{
    return e->resolved ? 2 : e->has_previous ? 1 : 0;
}
static int cmp_event(const void *pa, const void *pb)
{
    const event_op *a = pa, *b = pb;
    int ca = ev_class(a), cb = ev_class(b);
    if (ca != cb) return ca - cb;
    int pa_ = a->resolved ? sort_rec->old[a->item].priority : sort_rec->r->items[a->item].priority;
    int pb_ = b->resolved ? sort_rec->old[b->item].priority : sort_rec->r->items[b->item].priority;
    if (pa_ != pb_) return pb_ - pa_;
    uint64_t fa = a->resolved ? sort_rec->old[a->item].fp : sort_rec->r->items[a->item].fingerprint;
    uint64_t fb = b->resolved ? sort_rec->old[b->item].fp : sort_rec->r->items[b->item].fingerprint;
    return fa < fb ? -1 : fa > fb;
}

static int write_events(rec *x)
{
    if (!x->nev) return 0;
    sort_rec = x;
    qsort(x->ev, x->nev, sizeof *x->ev, cmp_event);
    sort_rec = NULL;
    db_copy *c = db_copy_begin(x->s->d, "finding_events",
                               "scan_id, fingerprint, at, status, previous, team, account_id, "
                               "priority, severity_rank",
                               9);
    if (!c) return fail(x->s, "cannot record the scan's events");
    int rc = 0;
    char fp[17];
    for (size_t i = 0; i < x->nev && rc == 0; i++) {
        const event_op *e = &x->ev[i];
        const char *team, *account;
        int prio, sev;
        if (e->resolved) {
            const old_row *o = &x->old[e->item];
            fingerprint_hex(o->fp, fp);
            team = o->team;
            account = o->acc >= 0 ? x->acc[o->acc].id : NULL;
            prio = o->priority;
            sev = o->sev;
        } else {
            const finding *f = &x->r->items[e->item];
            fingerprint_hex(f->fingerprint, fp);
            team = f->account ? f->account->team : NULL;
            account = f->account_id ? f->account_id : "";
            prio = f->priority;
            sev = (int)f->pol->sev;
        }
        db_val v[] = {DB_I(x->scan),
                      DB_S(fp),
                      DB_I(x->at),
                      DB_S(STATUS_NAME[e->status]),
                      DB_S(e->has_previous ? STATUS_NAME[e->previous] : NULL),
                      DB_S(team),
                      DB_S(account),
                      DB_I(prio),
                      DB_I(sev)};
        rc = db_copy_row(c, v);
        switch (e->status) {
        case ST_NEW:
            x->sum->new_++;
            break;
        case ST_REGRESSED:
            x->sum->regressed++;
            break;
        case ST_RESOLVED:
            x->sum->resolved++;
            break;
        case ST_SUPPRESSED:
            x->sum->suppressed++;
            break;
        default:
            x->sum->reopened++;
            break;
        }
    }
    x->rows += (int64_t)x->nev;
    if (db_copy_end(c) < 0 || rc < 0) return fail(x->s, "cannot record the scan's events");
    return 0;
}

/* What describes a finding (finding_details).  From the finding's parts,
 * or, when the engine rendered its JSON (and let the parts go), from that
 * JSON: the evidence is its last member, taken verbatim. */
typedef struct details {
    const char *description, *category, *reasons, *fix, *runbook, *evidence;
} details;

static int get_details(const finding *f, arena *tmp, buf *reasons, buf *evidence, details *d)
{
    buf_reset(reasons);
    buf_reset(evidence);
    d->description = f->pol->description;
    d->category = meta_str(f->pol, "category");
    if (!f->json) {
        json_str_array(reasons, f->reasons, f->nreasons);
        finding_write_evidence(evidence, f);
        d->fix = f->fix;
        d->runbook = f->runbook;
    } else {
        jv doc;
        json_error je;
        if (json_parse(tmp, f->json, f->json_len, &doc, &je) != 0) return -1;
        const jv *rs = jv_get(&doc, "reasons"), *fx = jv_get(&doc, "fix"),
                 *rb = jv_get(&doc, "runbook");
        buf_putc(reasons, '[');
        for (size_t i = 0; rs && rs->kind == JV_ARRAY && i < rs->len; i++) {
            const jv *e = &rs->u.items[i];
            if (i) buf_putc(reasons, ',');
            if (e->kind == JV_STRING) json_write_string(reasons, e->u.str, e->len);
        }
        buf_putc(reasons, ']');
        d->fix = fx && fx->kind == JV_STRING ? fx->u.str : NULL;
        d->runbook = rb && rb->kind == JV_STRING ? rb->u.str : NULL;
        if (f->evidence_at >= f->json_len) return -1;
        buf_append(evidence, f->json + f->evidence_at, f->json_len - 1 - f->evidence_at);
    }
    d->reasons = reasons->data;
    d->evidence = evidence->data;
    return 0;
}

static const char FINDINGS_INSERT_COLS[] =
    "fingerprint, policy, severity, severity_rank, resource_type, resource_id, resource_name, "
    "account_id, account_name, team, environment, region, priority, suppression_id, "
    "suppressed_until, content_hash, status, first_seen, last_seen, first_scan, last_scan";
#define FINDINGS_INSERT_NCOLS 21
static const char DETAILS_COLS[] = "fingerprint, description, category, reasons, fix, runbook, "
                                   "evidence";

/* New findings: straight into their tables (COPY on PostgreSQL). */
static int insert_new(rec *x)
{
    if (!x->nins) return 0;
    db_copy *c = db_copy_begin(x->s->d, "findings", FINDINGS_INSERT_COLS, FINDINGS_INSERT_NCOLS);
    if (!c) return fail(x->s, "cannot store new findings");
    int rc = 0;
    char fp[17], hash[17];
    for (size_t k = 0; k < x->nins && rc == 0; k++) {
        size_t i = x->ins[k];
        const finding *f = &x->r->items[i];
        const account_info *ac = f->account;
        const suppression *sup = x->sup[i];
        fingerprint_hex(f->fingerprint, fp);
        fingerprint_hex(f->content_hash, hash);
        db_val v[FINDINGS_INSERT_NCOLS] = {
            DB_S(fp),
            DB_S(f->pol->name),
            DB_S(severity_name(f->pol->sev)),
            DB_I(f->pol->sev),
            DB_S(f->rtype ? f->rtype->name : "unknown"),
            DB_S(f->id),
            DB_S(f->name && strcmp(f->name, f->id) ? f->name : NULL),
            DB_S(f->account_id ? f->account_id : ""),
            DB_S(ac ? ac->name : NULL),
            DB_S(ac ? ac->team : NULL),
            DB_S(ac ? ac->environment : NULL),
            DB_S(f->region ? f->region : ""),
            DB_I(f->priority),
            sup ? DB_I(sup->id) : DB_S(NULL),
            sup ? DB_I(sup->expires_at) : DB_S(NULL),
            DB_S(hash),
            DB_S(STATUS_NAME[x->status[i]]),
            DB_I(x->at),
            DB_I(x->at),
            DB_I(x->scan),
            DB_I(x->scan),
        };
        rc = db_copy_row(c, v);
    }
    if (db_copy_end(c) < 0 || rc < 0) return fail(x->s, "cannot store new findings");
    c = db_copy_begin(x->s->d, "finding_details", DETAILS_COLS, 7);
    if (!c) return fail(x->s, "cannot store finding details");
    arena *tmp = arena_new(0);
    buf reasons = BUF_INIT, evidence = BUF_INIT;
    for (size_t k = 0; k < x->nins && rc == 0; k++) {
        const finding *f = &x->r->items[x->ins[k]];
        details d;
        arena_reset(tmp);
        if (get_details(f, tmp, &reasons, &evidence, &d) < 0) {
            rc = -1;
            break;
        }
        fingerprint_hex(f->fingerprint, fp);
        db_val v[] = {DB_S(fp),    DB_S(d.description), DB_S(d.category), DB_S(d.reasons),
                      DB_S(d.fix), DB_S(d.runbook),     DB_S(d.evidence)};
        rc = db_copy_row(c, v);
    }
    buf_free(&reasons);
    buf_free(&evidence);
    arena_free(tmp);
    if (db_copy_end(c) < 0 || rc < 0) return fail(x->s, "cannot store finding details");
    x->rows += 2 * (int64_t)x->nins;
    return 0;
}

static const char UPD_COLS[] =
    "fingerprint, kind, policy, severity, severity_rank, resource_name, account_name, team, "
    "environment, priority, content_hash, status, suppression_id, suppressed_until, "
    "resolved_at, last_seen, last_scan, description, category, reasons, fix, runbook, evidence";
#define UPD_NCOLS 23

/* Changed rows: streamed into a work table, then one statement per kind
 * of change, each naming only the columns that kind changes (an update
 * that names an indexed column rewrites that index's entry). */
static int update_changed(rec *x)
{
    if (!x->nw) return 0;
    if (db_exec(x->s->d,
                "CREATE TEMP TABLE upd (fingerprint TEXT NOT NULL, kind INTEGER, policy TEXT,"
                " severity TEXT, severity_rank INTEGER, resource_name TEXT, account_name TEXT,"
                " team TEXT, environment TEXT, priority INTEGER, content_hash TEXT, status TEXT,"
                " suppression_id BIGINT, suppressed_until BIGINT, resolved_at BIGINT,"
                " last_seen BIGINT, last_scan BIGINT, description TEXT, category TEXT,"
                " reasons TEXT, fix TEXT, runbook TEXT, evidence TEXT)") < 0)
        return fail(x->s, "cannot create the scan's work table");
    db_copy *c = db_copy_begin(x->s->d, "upd", UPD_COLS, UPD_NCOLS);
    if (!c) return fail(x->s, "cannot stream changed findings");
    arena *tmp = arena_new(0);
    buf reasons = BUF_INIT, evidence = BUF_INIT;
    char fp[17], hash[17];
    int rc = 0;
    size_t counts[W_SEEN + 1] = {0};
    for (size_t k = 0; k < x->nw && rc == 0; k++) {
        const write_op *w = &x->w[k];
        counts[w->kind]++;
        if (w->kind == W_RESOLVE) {
            const old_row *o = &x->old[w->item];
            const rec_account *ac = o->acc >= 0 ? &x->acc[o->acc] : NULL;
            bool derived = ac && covers(scope_of(x, ac->scope_id), o->policy, o->region, tmp);
            fingerprint_hex(o->fp, fp);
            db_val v[UPD_NCOLS] = {DB_S(fp), DB_I(W_RESOLVE)};
            for (size_t j = 2; j < UPD_NCOLS; j++)
                v[j] = DB_S(NULL);
            v[14] = DB_I(x->at);
            v[15] = DB_I(derived ? ac->last_scan_at : o->last_seen);
            v[16] = DB_I(derived ? ac->last_scan : o->last_scan);
            rc = db_copy_row(c, v);
            arena_reset(tmp);
            continue;
        }
        const finding *f = &x->r->items[w->item];
        const account_info *ac = f->account;
        const suppression *sup = x->sup[w->item];
        details d = {0};
        arena_reset(tmp);
        if (w->kind == W_FULL && get_details(f, tmp, &reasons, &evidence, &d) < 0) {
            rc = -1;
            break;
        }
        fingerprint_hex(f->fingerprint, fp);
        fingerprint_hex(f->content_hash, hash);
        db_val v[UPD_NCOLS] = {
            DB_S(fp),
            DB_I(w->kind),
            DB_S(f->pol->name),
            DB_S(severity_name(f->pol->sev)),
            DB_I(f->pol->sev),
            DB_S(f->name && strcmp(f->name, f->id) ? f->name : NULL),
            DB_S(ac ? ac->name : NULL),
            DB_S(ac ? ac->team : NULL),
            DB_S(ac ? ac->environment : NULL),
            DB_I(f->priority),
            DB_S(hash),
            DB_S(STATUS_NAME[x->status[w->item]]),
            sup ? DB_I(sup->id) : DB_S(NULL),
            sup ? DB_I(sup->expires_at) : DB_S(NULL),
            DB_S(NULL),
            DB_I(x->at),
            DB_I(x->scan),
            DB_S(d.description),
            DB_S(d.category),
            DB_S(d.reasons),
            DB_S(d.fix),
            DB_S(d.runbook),
            DB_S(d.evidence),
        };
        rc = db_copy_row(c, v);
    }
    buf_free(&reasons);
    buf_free(&evidence);
    arena_free(tmp);
    if (db_copy_end(c) < 0 || rc < 0) return fail(x->s, "cannot stream changed findings");
    if (db_exec(x->s->d, "CREATE UNIQUE INDEX upd_by_fingerprint ON upd (fingerprint)") < 0)
        return fail(x->s, "cannot index changed findings");
    static const char *const SQL[W_SEEN + 1] = {
        [W_FULL] = "UPDATE findings SET policy = u.policy, severity = u.severity, severity_rank "
                   "= u.severity_rank, resource_name = u.resource_name, account_name = "
                   "u.account_name, team = u.team, environment = u.environment, priority = "
                   "u.priority, content_hash = u.content_hash, status = u.status, resolved_at = "
                   "NULL, suppression_id = u.suppression_id, suppressed_until = "
                   "u.suppressed_until, last_seen = u.last_seen, last_scan = u.last_scan FROM "
                   "upd u WHERE u.kind = 1 AND u.fingerprint = findings.fingerprint",
        [W_STATUS] = "UPDATE findings SET status = u.status, resolved_at = NULL, suppression_id "
                     "= u.suppression_id, suppressed_until = u.suppressed_until, last_seen = "
                     "u.last_seen, last_scan = u.last_scan FROM upd u WHERE u.kind = 2 AND "
                     "u.fingerprint = findings.fingerprint",
        [W_RESOLVE] = "UPDATE findings SET status = 'resolved', resolved_at = u.resolved_at, "
                      "last_seen = u.last_seen, last_scan = u.last_scan FROM upd u WHERE u.kind = "
                      "3 AND u.fingerprint = findings.fingerprint",
        [W_SEEN] = "UPDATE findings SET last_seen = u.last_seen, last_scan = u.last_scan FROM "
                   "upd u WHERE u.kind = 4 AND u.fingerprint = findings.fingerprint",
    };
    for (int k = W_FULL; k <= W_SEEN; k++) {
        if (!counts[k]) continue;
        int64_t n = db_run(x->s->d, SQL[k], NULL, 0);
        if (n < 0) return fail(x->s, "cannot update findings");
        x->rows += n;
    }
    if (counts[W_FULL]) {
        int64_t n = db_run(
            x->s->d,
            "INSERT INTO finding_details (fingerprint, description, category, reasons, fix, "
            "runbook, evidence) SELECT fingerprint, description, category, reasons, fix, "
            "runbook, evidence FROM upd WHERE kind = 1 ON CONFLICT (fingerprint) DO UPDATE SET "
            "description = excluded.description, category = excluded.category, reasons = "
            "excluded.reasons, fix = excluded.fix, runbook = excluded.runbook, evidence = "
            "excluded.evidence",
            NULL, 0);
        if (n < 0) return fail(x->s, "cannot store finding details");
        x->rows += n;
    }
    if (db_exec(x->s->d, "DROP TABLE upd") < 0) return fail(x->s, "cannot drop the work table");
    return 0;
}

/* The day's counts of the scan's accounts, kept incrementally: open,
 * suppressed and the highest open priority from the state the comparison
 * just computed (every stored row of those accounts plus the new ones),
 * new/resolved/regressed as the day's row so far plus this scan's events
 * (what recounting the day's events gave).  Only rows whose numbers
 * change are written. */
static int update_daily_counts(rec *x, const recon_opts *ro)
{
    const scan_scope *sc = x->sc;
    int64_t day = x->at / 86400;
    size_t nsev = SEV_CRITICAL + 1, n = sc->n_accounts * nsev;
    day_row *rows = arena_calloc(x->a, (n + 1) * sizeof *rows);
    bool *present = arena_calloc(x->a, n + 1), *stored = arena_calloc(x->a, n + 1);
    day_row *before = arena_calloc(x->a, (n + 1) * sizeof *before);
    /* Reconcile's changes to rows this scan did not see (expiries). */
    for (size_t i = 0; ro && i < ro->n; i++) {
        old_row *o = old_find(x, ro->fps[i]);
        if (o && !o->seen) o->status = (uint8_t)status_code(ro->statuses[i]);
    }
#define TALLY(acc, sev, st, prio)                                                                  \
    do {                                                                                           \
        size_t at_ = (size_t)(acc)*nsev + (size_t)(sev);                                           \
        present[at_] = true;                                                                       \
        tally_status(&rows[at_], STATUS_NAME[st], 1, prio);                                        \
    } while (0)
    for (size_t k = 0; k < x->nold; k++) {
        const old_row *o = &x->old[k];
        if (o->acc >= 0 && o->sev <= SEV_CRITICAL) TALLY(o->acc, o->sev, o->status, o->priority);
    }
    for (size_t k = 0; k < x->nins; k++) {
        const finding *f = &x->r->items[x->ins[k]];
        int a = strmap_get(&x->acc_ix, f->account_id ? f->account_id : "", -1);
        if (a >= 0) TALLY(a, f->pol->sev, x->status[x->ins[k]], f->priority);
    }
#undef TALLY
    for (size_t i = 0; i < x->nev; i++) {
        const event_op *e = &x->ev[i];
        int a, sev;
        if (e->resolved) {
            a = x->old[e->item].acc;
            sev = x->old[e->item].sev;
        } else {
            const finding *f = &x->r->items[e->item];
            a = strmap_get(&x->acc_ix, f->account_id ? f->account_id : "", -1);
            sev = (int)f->pol->sev;
        }
        if (a < 0 || sev < SEV_INFO || sev > SEV_CRITICAL) continue;
        day_row *r = &rows[(size_t)a * nsev + (size_t)sev];
        present[(size_t)a * nsev + (size_t)sev] = true;
        if (e->status == ST_NEW) r->new_++;
        if (e->status == ST_RESOLVED) r->resolved++;
        if (e->status == ST_REGRESSED) r->regressed++;
    }
    db_val pd[] = {DB_I(day)};
    db_stmt *q = db_query(x->s->d,
                          "SELECT account_id, severity, open, new_count, resolved, regressed, "
                          "suppressed, max_priority, account_name, team, environment FROM "
                          "daily_counts WHERE day = ? AND account_id IN (SELECT account_id FROM "
                          "scope_acc)",
                          pd, 1);
    int st = q ? 0 : -1;
    bool *same_labels = arena_calloc(x->a, n + 1);
    while (q && (st = db_step(q)) == 1) {
        int a = strmap_get(&x->acc_ix, db_col_text(q, 0), -1);
        int sev = -1;
        for (int k = SEV_INFO; k <= SEV_CRITICAL; k++)
            if (db_col_text(q, 1) && !strcmp(db_col_text(q, 1), severity_name((severity)k)))
                sev = k;
        if (a < 0 || sev < 0) continue;
        size_t i = (size_t)a * nsev + (size_t)sev;
        stored[i] = present[i] = true;
        before[i] = (day_row){.open = db_col_int(q, 2),
                              .new_ = db_col_int(q, 3),
                              .resolved = db_col_int(q, 4),
                              .regressed = db_col_int(q, 5),
                              .suppressed = db_col_int(q, 6),
                              .max_priority = db_col_int(q, 7)};
        rows[i].new_ += before[i].new_;
        rows[i].resolved += before[i].resolved;
        rows[i].regressed += before[i].regressed;
        const account_info *ai = x->acc[a].info;
        const char *want[] = {ai ? ai->name : NULL, ai ? ai->team : NULL,
                              ai ? ai->environment : NULL};
        same_labels[i] = true;
        for (int k = 0; k < 3; k++) {
            const char *have = db_col_text(q, 8 + (size_t)k);
            if (!have != !want[k] || (have && strcmp(have, want[k]))) same_labels[i] = false;
        }
    }
    db_finish(q);
    if (st < 0) return fail(x->s, "cannot read daily counts");
    for (size_t i = 0; i < n; i++) {
        const day_row *r = &rows[i], *b = &before[i];
        if (!present[i]) continue;
        if (stored[i] && same_labels[i] && r->open == b->open && r->new_ == b->new_ &&
            r->resolved == b->resolved && r->regressed == b->regressed &&
            r->suppressed == b->suppressed && r->max_priority == b->max_priority)
            continue;
        const account_info *ai = x->acc[i / nsev].info;
        db_val v[] = {DB_I(day),
                      DB_S(x->acc[i / nsev].id),
                      DB_S(ai ? ai->name : NULL),
                      DB_S(ai ? ai->team : NULL),
                      DB_S(ai ? ai->environment : NULL),
                      DB_S(severity_name((severity)(i % nsev))),
                      DB_I(r->open),
                      DB_I(r->new_),
                      DB_I(r->resolved),
                      DB_I(r->regressed),
                      DB_I(r->suppressed),
                      DB_I(r->max_priority)};
        int64_t w = db_run(x->s->d,
                           "INSERT INTO daily_counts (day, account_id, account_name, team, "
                           "environment, severity, open, new_count, resolved, regressed, "
                           "suppressed, max_priority) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                           "ON CONFLICT (day, account_id, severity) DO UPDATE SET account_name = "
                           "excluded.account_name, team = excluded.team, environment = "
                           "excluded.environment, open = excluded.open, new_count = "
                           "excluded.new_count, resolved = excluded.resolved, regressed = "
                           "excluded.regressed, suppressed = excluded.suppressed, max_priority = "
                           "excluded.max_priority",
                           v, 12);
        if (w < 0) return fail(x->s, "cannot update daily counts");
        x->rows += w;
    }
    return 0;
}

/* Every account the scan covered, findings or not: the dashboard shows a
 * green tile for an account with nothing wrong, not no tile.  The row also
 * says which scope the account's latest scan had (derived last-seen). */
static int record_accounts(rec *x)
{
    for (size_t i = 0; i < x->sc->n_accounts; i++) {
        const account_info *ai = x->acc[i].info;
        db_val p[] = {DB_S(x->acc[i].id),
                      DB_S(ai ? ai->name : NULL),
                      DB_S(ai ? ai->team : NULL),
                      DB_S(ai ? ai->environment : NULL),
                      DB_I(x->scan),
                      DB_I(x->at),
                      x->legacy ? DB_S(NULL) : DB_I(x->scope_id)};
        int64_t n = db_run(
            x->s->d,
            x->legacy ? "INSERT INTO accounts (account_id, name, team, environment, last_scan, "
                        "last_scan_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (account_id) DO "
                        "UPDATE SET name = excluded.name, team = excluded.team, environment = "
                        "excluded.environment, last_scan = excluded.last_scan, last_scan_at = "
                        "excluded.last_scan_at"
                      : "INSERT INTO accounts (account_id, name, team, environment, last_scan, "
                        "last_scan_at, scope_id) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT "
                        "(account_id) DO UPDATE SET name = excluded.name, team = excluded.team, "
                        "environment = excluded.environment, last_scan = excluded.last_scan, "
                        "last_scan_at = excluded.last_scan_at, scope_id = excluded.scope_id",
            p, x->legacy ? 6 : 7);
        if (n < 0) return fail(x->s, "cannot record the accounts");
        x->rows += n;
    }
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

static int stream_list(store *s, const char *table, const char *col, const char *const *v, size_t n)
{
    db_copy *c = db_copy_begin(s->d, table, col, 1);
    if (!c) return -1;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = db_copy_row(c, (db_val[]){DB_S(v[i])});
    return db_copy_end(c) < 0 || rc < 0 ? -1 : 0;
}

/* Hashes the findings the engine did not (a caller that did not ask). */
static void ensure_hashes(const scan_result *r)
{
    buf b = BUF_INIT;
    for (size_t i = 0; i < r->n; i++) {
        finding *f = &r->items[i];
        if (f->content_hash) continue;
        if (f->json) {
            f->content_hash = finding_json_hash(f->json, f->json_len);
            continue;
        }
        buf_reset(&b);
        finding_write_json(&b, f);
        f->content_hash = finding_json_hash(b.data, b.len);
    }
    buf_free(&b);
}

static int record(rec *x, const char *inventory)
{
    store *s = x->s;
    rule_set rs;
    int64_t checked;
    if (load_rules(s, x->at, x->a, &rs) < 0 || rules_at(s, &checked) < 0 ||
        insert_scan(s, x->sc, x->at, inventory, &x->scan) < 0)
        return -1;
    x->rows += 1;
    strmap_init(&x->pol_ix, x->a, x->sc->n_policies);
    for (size_t i = 0; i < x->sc->n_policies; i++)
        *strmap_slot(&x->pol_ix, x->sc->policies[i], 1) = 1;
    strmap_init(&x->reg_ix, x->a, x->sc->n_regions);
    for (size_t i = 0; !x->all_regions && i < x->sc->n_regions; i++)
        *strmap_slot(&x->reg_ix, x->sc->regions[i], 1) = 1;
    strmap_init(&x->intern, x->a, 256);
    if (db_exec(s->d, "CREATE TEMP TABLE scope_acc (account_id TEXT PRIMARY KEY)") < 0 ||
        stream_list(s, "scope_acc", "account_id", x->sc->accounts, x->sc->n_accounts) < 0)
        return fail(s, "cannot stream the scan's accounts");
    if (load_accounts(x) < 0 || load_old(x) < 0) return -1;
    if (!x->legacy && resolve_scope(x) < 0) return -1;
    if (diff(x, &rs) < 0) return -1;
    if (!x->legacy && keep_last_seen(x) < 0) return -1;
    if (write_events(x) < 0 || insert_new(x) < 0 || update_changed(x) < 0) return -1;
    /* Suppressions that lapsed on findings the scan did not see; all of
     * them when a rule change was reconciled at a later clock than this
     * scan's (a replayed snapshot) or the store cannot tell. */
    recon_opts ro = {.lapsed_only = checked >= 0 && x->at >= checked,
                     .scan_id = x->scan,
                     .counted = &x->acc_ix,
                     .a = x->a};
    if (reconcile(s, x->at, &ro, NULL) < 0) return -1;
    x->rows += ro.rows;
    if (update_daily_counts(x, &ro) < 0 || record_accounts(x) < 0) return -1;
    scan_summary *o = x->sum;
    o->scan_id = x->scan;
    o->at = x->at;
    o->found = x->r->n;
    for (size_t i = 0; i < x->r->n; i++)
        if (x->status[i] == ST_NEW || x->status[i] == ST_OPEN || x->status[i] == ST_REGRESSED)
            o->open++;
    db_val pu[] = {DB_I((int64_t)o->found), DB_I((int64_t)o->new_), DB_I((int64_t)o->regressed),
                   DB_I((int64_t)o->resolved), DB_I(x->scan)};
    if (db_run(s->d,
               "UPDATE scans SET found = ?, new_count = ?, regressed = ?, resolved = ? WHERE "
               "id = ?",
               pu, 5) < 0)
        return fail(s, "cannot update the scan");
    x->rows += 1;
    if (db_exec(s->d, "DROP TABLE scope_acc") < 0) return fail(s, "cannot drop the work tables");
    return 0;
}

int store_record_scan(store *s, const scan_result *r, const scan_scope *sc, int64_t at,
                      const char *inventory, scan_summary *out)
{
    memset(out, 0, sizeof *out);
    s->err[0] = 0;
    ensure_hashes(r);
    rec x = {.s = s,
             .a = arena_new(0),
             .r = r,
             .sc = sc,
             .at = at,
             .all_regions = sc->regions == NULL,
             .legacy = s->version < 4,
             .sum = out};
    if (db_begin(s->d) < 0) {
        arena_free(x.a);
        return fail(s, "cannot start a transaction");
    }
    if (record(&x, inventory) < 0) goto bad;
    out->rows = x.rows;
    debug_commit_delay();
    if (db_commit(s->d) < 0) {
        fail(s, "cannot commit the scan");
        goto bad;
    }
    arena_free(x.a);
    return 0;
bad:
    if (!s->err[0]) fail(s, "cannot record the scan");
    db_rollback(s->d);
    arena_free(x.a);
    return -1;
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

/* ---- reading ----------------------------------------------------------- */

/* The effective status: a suppression past its expiry reads as open
 * before any scan has written that down.  One parameter: now. */
#define EFFECTIVE_STATUS                                                                           \
    "CASE WHEN f.status = 'suppressed' AND f.suppressed_until <= ? THEN 'open' ELSE f.status END"

#define FINDING_COLS_WITH(last_seen, last_scan)                                                    \
    "f.fingerprint, f.policy, d.description, f.severity, f.severity_rank, d.category, "            \
    "f.resource_type, f.resource_id, f.resource_name, f.account_id, f.account_name, f.team, "      \
    "f.environment, f.region, f.priority, d.reasons, d.fix, d.runbook, "                           \
    "d.evidence, " EFFECTIVE_STATUS ", f.first_seen, " last_seen                                   \
    ", f.resolved_at, f.first_scan, " last_scan                                                    \
    ", f.suppression_id, f.suppressed_until, sp.reason, sp.author"
#define FINDING_NCOLS 29
#define FINDING_JOINS_BASE                                                                         \
    " JOIN finding_details d ON d.fingerprint = f.fingerprint LEFT JOIN suppressions sp ON "       \
    "sp.id = f.suppression_id"
/* Last seen (schema 4): an unresolved finding that its account's latest
 * scan covered was seen by that scan (else the scan would have resolved
 * it), so its time is the account's; otherwise the row's own. */
static const char FINDING_COLS_4[] = FINDING_COLS_WITH("COALESCE(cv.last_scan_at, f.last_seen)",
                                                       "COALESCE(cv.last_scan, f.last_scan)");
static const char FINDING_JOINS_4[] =
    FINDING_JOINS_BASE " LEFT JOIN accounts cv ON cv.account_id = f.account_id AND f.status <> "
                       "'resolved' AND EXISTS (SELECT 1 FROM scope_cover c WHERE c.scope_id = "
                       "cv.scope_id AND c.policy = f.policy AND c.region IN ('*', f.region))";
/* Before schema 4 (the upgrade test's old stores) every row held it. */
static const char FINDING_COLS_3[] = FINDING_COLS_WITH("f.last_seen", "f.last_scan");

static const char *finding_cols(const store *s)
{
    return s->version >= 4 ? FINDING_COLS_4 : FINDING_COLS_3;
}
static const char *finding_joins(const store *s)
{
    return s->version >= 4 ? FINDING_JOINS_4 : FINDING_JOINS_BASE;
}

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
               "JOIN findings f ON f.fingerprint = k.fp%s" LIST_ORDER,
               finding_cols(s), w.sql.data ? w.sql.data : "", qy->limit ? " LIMIT ? OFFSET ?" : "",
               finding_joins(s));
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
               "finding_events e JOIN findings f ON f.fingerprint = e.fingerprint%s WHERE ",
               finding_cols(s), finding_joins(s));
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
