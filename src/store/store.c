/* store.c - the findings store: schema, migrations, opening, statistics.
 *
 * All SQL is written once, in the portable subset db.h promises; only the
 * auto-increment key differs between SQLite and PostgreSQL (DDL_ID).
 * The store's jobs live in their own files (store_int.h lists them); this
 * one owns the schema: the versioned migrations, applied in order when a
 * store is opened, and the statistics the planner needs to use the
 * indexes those migrations create (store_maintain_stats).
 */
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"
#include "util/buf.h"

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

/* Migration 5: plans that do not hinge on statistics (issue 17).  On a
 * store that scans built (never analysed), SQLite answered the open list
 * with findings_by_status: a MULTI-INDEX OR over (status = 'new' OR ...),
 * every open finding fetched and sorted for a page of 50 (329 ms at 873k
 * findings, linear in the store).  Without that index no plan can start
 * from the open list's status test, so it walks an index in list order
 * and tests status while walking, analysed or not.
 * The statuses other than open are rare (a few percent each once a store
 * has settled), and walking the whole rank index to count 2,500 resolved
 * findings took 120 ms; each gets a partial index in list order holding
 * only its rows (a list of that status names it as a literal, which is
 * what lets both planners use it).  They also serve the scan's look at
 * suppressed findings whose rule lapsed, the one query that wanted
 * findings_by_status. */
#define RARE_STATUS_INDEX(name, status)                                                            \
    "CREATE INDEX " name " ON findings (priority DESC, severity_rank DESC, policy, account_id,"    \
    " region, resource_id, team, environment, suppressed_until, fingerprint) WHERE status = "      \
    "'" status "'"
static const char *const MIGRATION_5[] = {
    "DROP INDEX findings_by_status",
    /* A policy's list in list order too (it led with the filter columns
     * only: SQLite sorted the policy's matches, 24,000 to 570,000 rows, or
     * walked the rank index and sorted each priority group). */
    "DROP INDEX findings_by_policy",
    "CREATE INDEX findings_by_policy ON findings (policy, priority DESC, severity_rank DESC,"
    " account_id, region, resource_id, team, environment, status, suppressed_until,"
    " fingerprint)",
    RARE_STATUS_INDEX("findings_new", "new"),
    RARE_STATUS_INDEX("findings_regressed", "regressed"),
    RARE_STATUS_INDEX("findings_resolved", "resolved"),
    RARE_STATUS_INDEX("findings_suppressed", "suppressed"),
    NULL,
};

/* Migration 6: what `custos collect` could not collect (issue 9), as the
 * latest scan of each account said: the dashboard shows it ("not
 * collected: payments-prod eu-west-1 rds: AccessDenied").  Each scan
 * replaces the rows of its accounts. */
static const char *const MIGRATION_6[] = {
    "CREATE TABLE collect_gaps (account_id TEXT NOT NULL, account_name TEXT, region TEXT NOT NULL,"
    " service TEXT NOT NULL, operation TEXT NOT NULL, code TEXT, message TEXT,"
    " scan_id BIGINT NOT NULL, at BIGINT NOT NULL)",
    "CREATE INDEX collect_gaps_by_account ON collect_gaps (account_id)",
    NULL,
};

/* Migration 7: runs of N shards (issue 14, store.h "Runs").  A run's row
 * is written by its first shard; run_shards holds one row per shard that
 * recorded or failed, so "which shards are missing" is the numbers absent. */
static const char *const MIGRATION_7[] = {
    "CREATE TABLE runs (id TEXT PRIMARY KEY, shards INTEGER NOT NULL, started_at BIGINT NOT NULL,"
    " completed_at BIGINT, notified_at BIGINT)",
    "CREATE TABLE run_shards (run_id TEXT NOT NULL, shard INTEGER NOT NULL, state TEXT NOT NULL,"
    " scan_id BIGINT, at BIGINT NOT NULL, message TEXT, PRIMARY KEY (run_id, shard))",
    "ALTER TABLE scans ADD COLUMN run_id TEXT",
    NULL,
};

/* Migration 8: the remediation audit log (issue 13, store/audit.c).
 * Append-only: UPDATE and DELETE raise an error on both back ends.  A
 * statement starting with {{SQLITE}} or {{PG}} runs on that back end only. */
static const char *const MIGRATION_8[] = {
    "CREATE TABLE audit_log (id " DDL_ID ", at BIGINT NOT NULL, phase TEXT NOT NULL,"
    " plan_hash TEXT NOT NULL, step BIGINT NOT NULL, who TEXT, fingerprint TEXT, policy TEXT,"
    " action TEXT, account_id TEXT, region TEXT, resource_type TEXT, resource_id TEXT,"
    " service TEXT, operation TEXT, params TEXT, request_id TEXT, result TEXT NOT NULL,"
    " message TEXT, state_before TEXT, state_after TEXT)",
    "CREATE INDEX audit_log_by_plan ON audit_log (plan_hash, step)",
    "{{SQLITE}}CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log"
    " BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
    "{{SQLITE}}CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log"
    " BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
    "{{PG}}CREATE OR REPLACE FUNCTION custos_audit_append_only() RETURNS trigger"
    " LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$",
    "{{PG}}CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log"
    " FOR EACH ROW EXECUTE FUNCTION custos_audit_append_only()",
    "{{PG}}CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log"
    " FOR EACH STATEMENT EXECUTE FUNCTION custos_audit_append_only()",
    NULL,
};

static const char *const *const MIGRATIONS[] = {MIGRATION_1, MIGRATION_2, MIGRATION_3, MIGRATION_4,
                                                MIGRATION_5, MIGRATION_6, MIGRATION_7, MIGRATION_8};
#define NMIGRATIONS ((int)(sizeof MIGRATIONS / sizeof MIGRATIONS[0]))
_Static_assert(NMIGRATIONS == STORE_SCHEMA_VERSION, "one migration per schema version");

static int exec_ddl(store *s, const char *sql)
{
    const char *id = db_dialect(s->d) == DB_SQLITE
                         ? "INTEGER PRIMARY KEY AUTOINCREMENT"
                         : "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY";
    bool sqlite = db_dialect(s->d) == DB_SQLITE;
    if (!strncmp(sql, "{{SQLITE}}", 10) || !strncmp(sql, "{{PG}}", 6)) {
        bool for_sqlite = sql[2] == 'S';
        if (for_sqlite != sqlite) return 0;
        sql = strstr(sql, "}}") + 2;
    }
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
    s->version = v > target ? (int)v : target;
    /* An upgraded store has never been analysed (custos did not do it
     * before 5): its first plans must not wait for its next scan. */
    if (v > 0 && v < 5 && target >= 5 && store_maintain_stats(s, 1) < 0) goto bad;
    /* A fresh store has no findings: all of them agree with the rules. */
    if (v == 0 && target >= 4 && store_set_rules_at(s, 0) < 0) goto bad;
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

/* ---- the planner's statistics ------------------------------------------ */

/* meta 'stats_rows' is how many finding rows the last ANALYZE saw and
 * 'stats_changed' how many rows scans wrote since.  The statistics are
 * retaken when there are none yet (the first scan) or when the writes since
 * reach half the rows they describe: the planner's row estimates are then
 * off by 1.5x or more, while a steady rescan (a few rows) never pays for
 * it.  SQLite reads every index (analysis_limit 0: 2-4 s at a million
 * findings, against 100 s for the first scan that triggers it; a limit
 * reads each index's first rows only, which all share their leading
 * value, and its "1,000 rows per policy" made a policy's list sort 570,000
 * rows); PostgreSQL's ANALYZE samples on
 * its own, and its autovacuum would also get there, but only after the
 * commit and up to a minute later, while the dashboard reads at once. */
#define STATS_LIMIT "0"
static int meta_int(store *s, const char *key, int64_t *v)
{
    db_val p[] = {DB_S(key)};
    *v = 0;
    int rc = db_query_int(s->d, "SELECT CAST(value AS BIGINT) FROM meta WHERE key = ?", p, 1, v);
    return rc < 0 ? -1 : 0;
}

static int set_meta_int(store *s, const char *key, int64_t v)
{
    char text[24];
    snprintf(text, sizeof text, "%lld", (long long)v);
    db_val p[] = {DB_S(key), DB_S(text)};
    return db_run(s->d,
                  "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET "
                  "value = excluded.value",
                  p, 2) < 0
               ? -1
               : 0;
}

int store_rows_estimate(store *s, int64_t *rows)
{
    int64_t seen, changed;
    if (meta_int(s, "stats_rows", &seen) < 0 || meta_int(s, "stats_changed", &changed) < 0)
        return fail(s, "cannot read the statistics' state");
    *rows = seen + changed;
    return 0;
}

int store_maintain_stats(store *s, int64_t rows)
{
    int64_t seen, changed;
    if (meta_int(s, "stats_rows", &seen) < 0 || meta_int(s, "stats_changed", &changed) < 0)
        return fail(s, "cannot read the statistics' state");
    changed += rows;
    if (changed < 1 || (seen > 0 && changed * 2 < seen)) {
        if (rows && set_meta_int(s, "stats_changed", changed) < 0)
            return fail(s, "cannot record the statistics' state");
        return 0;
    }
    int rc =
        db_dialect(s->d) == DB_SQLITE ? db_exec(s->d, "PRAGMA analysis_limit = " STATS_LIMIT) : 0;
    if (rc == 0)
        rc = db_exec(s->d, db_dialect(s->d) == DB_SQLITE
                               ? "ANALYZE"
                               : "ANALYZE findings, finding_details, finding_events, daily_counts");
    if (rc < 0) return fail(s, "cannot update the planner's statistics");
    /* The first time, the rows themselves (once); later the previous
     * count plus what was written, an upper bound: an update counted as a
     * new row only retakes the statistics sooner. */
    int64_t now_rows = seen + changed;
    if (seen == 0 && db_query_int(s->d, "SELECT COUNT(*) FROM findings", NULL, 0, &now_rows) < 0)
        return fail(s, "cannot count the findings");
    if (set_meta_int(s, "stats_rows", now_rows) < 0 || set_meta_int(s, "stats_changed", 0) < 0)
        return fail(s, "cannot record the statistics' state");
    return 0;
}
