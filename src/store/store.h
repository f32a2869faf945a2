/* store.h - findings over time: the store, the lifecycle, the queries.
 *
 * One interface for SQLite and PostgreSQL (db.h does the dialects).
 * store_open applies versioned migrations (store.c lists them); a database
 * whose schema is newer than this binary is refused with a clear message,
 * never written to.
 *
 * Lifecycle.  A finding is keyed by its fingerprint (policy + resource +
 * account + region, engine/priority.h).  store_record_scan writes one scan
 * in one transaction: a crash or kill -9 leaves the previous state whole.
 *   not stored before            -> new        (or suppressed)
 *   stored, status resolved      -> regressed  (or suppressed)
 *   stored, any other status     -> open       (or suppressed)
 *   in the scan's scope, absent  -> resolved
 * The scope of a scan is its accounts x (its regions, or all) x its
 * policies: a scan limited to some accounts, regions or policies resolves
 * nothing outside them.  Every transition is an event (finding_events), the
 * data behind diff, history and notifications.
 *
 * Suppressions are rules (a fingerprint, or policy/account/region/resource
 * globs) with a reason, an author and an expiry.  A suppressed finding
 * whose rule expired or was removed reads as open at once (queries compute
 * the effective status) and becomes open in the store at the next scan or
 * suppression change.
 *
 * Times are Unix seconds (UTC).  A scan's time is the inventory's clock
 * (--as-of, else accounts.yaml collected_at, else now), so replaying a
 * snapshot gives the same history.
 */
#ifndef CUSTOS_STORE_H
#define CUSTOS_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "engine/engine.h"
#include "store/db.h"
#include "util/arena.h"

#define STORE_SCHEMA_VERSION 8
#define STORE_DEFAULT_URL "sqlite:custos.db"

typedef struct store store;

/* Opens (creating and migrating as needed).  Returns 0, or -1 with a
 * malloc'd message in *err. */
int store_open(const char *url, store **out, char **err);
void store_close(store *s);
db *store_db(store *s);                  /* for modules with their own tables (notify) */
const char *store_url(const store *s);   /* redacted, for messages */
const char *store_error(const store *s); /* last error message */

/* A finding as stored.  Strings live in the arena given to the query. */
typedef struct stored_finding {
    char fingerprint[17]; /* 16 lowercase hex digits */
    const char *policy, *description, *severity, *category;
    int severity_rank;                                       /* 0 info .. 4 critical */
    const char *resource_type, *resource_id, *resource_name; /* name may be NULL */
    const char *account_id, *account_name, *team, *environment, *region;
    int priority;
    const char *reasons;  /* JSON array of strings */
    const char *fix;      /* may be NULL */
    const char *runbook;  /* may be NULL */
    const char *evidence; /* JSON text, may be NULL */
    const char *status;   /* effective: new/open/regressed/resolved/suppressed */
    int64_t first_seen, last_seen, resolved_at; /* resolved_at 0 = not resolved */
    int64_t first_scan, last_scan;
    int64_t suppression_id; /* 0 = none */
    int64_t suppressed_until;
    const char *suppression_reason, *suppression_author; /* when suppressed */
} stored_finding;

/* A policy that one account's scan covers in some regions only: data it
 * reads was not collected in the others (`custos collect`'s gaps).  Its
 * findings of that account elsewhere are neither resolved nor seen. */
typedef struct scan_hold {
    const char *account, *policy;
    const char *const *regions; /* the regions still covered (may be none) */
    size_t n_regions;
} scan_hold;

/* A call `custos collect` could not make (engine.h). */
typedef collect_gap scan_gap_row;

/* What a scan covered, for resolution.  NULL/0 lists: accounts and
 * policies must be given; regions NULL = every region.  holds narrow the
 * scope per account (the accounts x regions x policies product minus
 * them).  gaps replace the stored gaps of the scan's accounts and of the
 * accounts they name (store_gaps reads them back). */
typedef struct scan_scope {
    const char *const *accounts;
    const account_info *const *account_info; /* parallel to accounts, or NULL */
    size_t n_accounts;
    const char *const *regions;
    size_t n_regions;
    const char *const *policies;
    size_t n_policies;
    const scan_hold *holds;
    size_t n_holds;
    const scan_gap_row *gaps;
    size_t n_gaps;
    /* A shard of a run (store_runs below): run NULL = a scan on its own. */
    const char *run;
    int shard, shards; /* 0 <= shard < shards */
} scan_scope;

typedef struct scan_summary {
    int64_t scan_id;
    int64_t at;
    size_t found, new_, regressed, resolved, suppressed, reopened, open;
    int64_t rows; /* rows the scan wrote (inserted, updated), all tables */
    /* Indexes rebuilt rather than updated: the scan wrote a large share of
     * their table (a store's first scans). */
    int rebuilt;
    /* A shard's scan: how many of the run's shards are recorded now
     * (this one included), and whether that made the run complete. */
    int run_recorded;
    bool run_complete;
} scan_summary;

/* Writes a scan's findings (r) with its scope, at time `at`, as one
 * transaction.  inventory is a label for the scans table (may be NULL). */
int store_record_scan(store *s, const scan_result *r, const scan_scope *scope, int64_t at,
                      const char *inventory, scan_summary *out);

/* Queries over findings.  Every list is "any of"; NULL/0 = no condition. */
typedef struct finding_query {
    const char *const *accounts; /* ids or names */
    size_t n_accounts;
    const char *const *teams;
    size_t n_teams;
    const char *const *environments;
    size_t n_environments;
    const char *const *policies;
    size_t n_policies;
    const char *const *statuses; /* effective statuses; NULL = new,open,regressed */
    size_t n_statuses;
    const char *fingerprint; /* exact, or a prefix of at least 4 hex digits */
    int min_severity;        /* -1 = any; else severity rank */
    int64_t min_age;         /* seconds open (now - first_seen) >= this; 0 = any */
    int64_t now;             /* for ages and expiry; 0 = time(NULL) */
    size_t limit, offset;    /* limit 0 = all */
    /* Keyset pages: the findings right after (or right before) the one
     * with this full fingerprint, in list order; offset is then ignored.
     * A page so chosen costs the same at any depth, where an offset walks
     * every row before it.  A fingerprint no longer stored falls back to
     * the offset. */
    const char *after, *before;
} finding_query;

/* Findings matching q, highest priority first.  Returns 0 or -1. */
int store_findings(store *s, const finding_query *q, arena *a, stored_finding **out, size_t *n);
/* The same, one finding at a time to fn (its strings valid only during the
 * call), holding one row in memory whatever the result's size: exports of
 * a whole store.  No other store call may be made from fn.  fn returns 0
 * to go on; anything else stops the walk and is returned. */
int store_findings_each(store *s, const finding_query *q,
                        int (*fn)(void *ctx, const stored_finding *f), void *ctx);
/* A read snapshot around several queries (an export that reads twice),
 * without blocking scans.  end always succeeds. */
int store_read_begin(store *s);
void store_read_end(store *s);
/* Total matching q, ignoring limit/offset; with q->after, only those after
 * that finding (a pager counts what follows its page, a walk as long as
 * the count whatever the depth).  max > 0 stops counting at max (*out ==
 * max then means "at least max"): an exact count reads every match, which
 * on a large store costs far more than the page itself. */
int store_count_findings(store *s, const finding_query *q, int64_t max, int64_t *out);

/* Runs.  A run is the N shard scans of one batch job (a Kubernetes
 * Indexed Job, an AWS Batch array job), named by the job (--run).  Each
 * shard's scan records its own accounts in its own transaction, and with
 * it the run's shard row: (run, shard) is recorded once, so a shard that
 * failed and was rerun overwrites its row and, its findings being the
 * same, writes no second event.  The run is complete when all N shards
 * are recorded; the shard whose commit completes it is the one that sees
 * N (PostgreSQL: the run's row is locked first, so two last shards
 * finishing together see each other).  Notifications of a run go out
 * once: store_run_claim_notify marks a complete run notified and says
 * whether this caller did it. */
typedef enum { RUN_SHARD_MISSING, RUN_SHARD_RECORDED, RUN_SHARD_FAILED } run_shard_state;
typedef struct stored_run_shard {
    run_shard_state state;
    int64_t scan_id, at; /* 0 when missing */
    const char *message; /* failed: why; else NULL */
} stored_run_shard;
typedef struct stored_run {
    const char *id;
    int shards, recorded, failed;
    int64_t started_at, completed_at, notified_at; /* 0 = not (yet) */
    stored_run_shard *shard;                       /* [shards] */
} stored_run;

const char *store_run_shard_state_name(run_shard_state st); /* "missing", ... */

/* The newest runs first (by when their first shard recorded), up to
 * limit, each with its shards. */
int store_runs(store *s, size_t limit, arena *a, stored_run **out, size_t *n);
/* The scan that recorded shard of run, or 0 (*scan_id); -1 when the run
 * has another shard count than shards.  A rerun of a
 * shard already recorded records nothing again: (run, shard) is
 * idempotent, and the first record's lifecycle (new stays new) stands. */
int store_run_shard_scan(store *s, const char *run, int shard, int shards, int64_t *scan_id);
/* A shard that could not be scanned or recorded: its row says failed
 * (never over a recorded one).  The run's shard count must agree. */
int store_run_shard_failed(store *s, const char *run, int shard, int shards, int64_t at,
                           const char *message);
/* Marks run (NULL: the newest complete one) notified at now if it is
 * complete and not yet notified: *claimed = true for exactly one caller.
 * *id_out (may be NULL) names the run looked at (arena a). */
int store_run_claim_notify(store *s, const char *run, int64_t now, arena *a, const char **id_out,
                           bool *claimed);

/* Scans, newest first. */
typedef struct stored_scan {
    int64_t id, at, started_at;
    const char *inventory, *accounts, *regions, *policies; /* JSON arrays; regions may be NULL */
    int64_t found, new_, regressed, resolved;
} stored_scan;
int store_scans(store *s, size_t limit, arena *a, stored_scan **out, size_t *n);

/* Lifecycle events, oldest first. */
typedef struct finding_event {
    int64_t id, scan_id, at;
    const char *fingerprint, *status, *previous; /* previous may be NULL */
    stored_finding f; /* the finding's current row (f.status effective) */
} finding_event;
/* Events with from_scan < scan_id <= to_scan (to_scan 0 = latest), or of
 * one finding when fingerprint is given. */
int store_events(store *s, int64_t from_scan, int64_t to_scan, const char *fingerprint, arena *a,
                 finding_event **out, size_t *n);

/* The net change of one finding over scans (from, to]: the status its
 * last event there set, where its status before the first differs in
 * kind (absent or resolved; new, open or regressed; suppressed): new then
 * resolved, or resolved then regressed, is no change. */
typedef struct finding_change {
    const char *change; /* new, open (reopened), regressed, resolved, suppressed */
    int64_t scan_id;    /* of that last event */
    stored_finding f;   /* the finding's current row (f.status effective) */
} finding_change;
/* The changes in (from, to] (to 0 = latest) of these teams (n_teams 0 =
 * all), by team (none first; byte order), change, priority (highest
 * first) and fingerprint, one at a time to fn as store_findings_each
 * does: memory stays flat whatever the number of changes (custos diff of
 * a first scan is every finding).  fn returns 0 to go on. */
int store_changes_each(store *s, int64_t from, int64_t to, const char *const *teams, size_t n_teams,
                       int (*fn)(void *ctx, const finding_change *c), void *ctx);
/* How many changes of each kind each team has (the same window and
 * teams), in the same order (team, change). */
typedef struct change_count {
    const char *team; /* NULL: none */
    const char *change;
    int64_t n;
} change_count;
int store_change_counts(store *s, int64_t from, int64_t to, const char *const *teams,
                        size_t n_teams, arena *a, change_count **out, size_t *n);

/* Counts per day (Unix day number = at / 86400) per account and severity,
 * the data behind trends.  Days with no scan are absent (carry forward). */
typedef struct day_count {
    int64_t day;
    const char *account_id, *account_name, *team, *environment, *severity;
    int64_t open, new_, resolved, regressed, suppressed;
    int64_t max_priority; /* of the open findings (0 when none) */
} day_count;
int store_history(store *s, int64_t since_day, arena *a, day_count **out, size_t *n);

/* Every account a scan has covered, by team then name. */
typedef struct stored_account {
    const char *account_id, *name, *team, *environment; /* may be NULL but the id */
    int64_t last_scan, last_scan_at;
} stored_account;
int store_accounts(store *s, arena *a, stored_account **out, size_t *n);

/* What the latest scan of each account said was not collected, by
 * account name, region, service, operation (scan_id: that scan). */
typedef struct stored_gap {
    scan_gap_row g;
    int64_t scan_id, at;
} stored_gap;
int store_gaps(store *s, arena *a, stored_gap **out, size_t *n);

/* Suppressions. */
typedef struct suppression {
    int64_t id;
    const char *fingerprint;                          /* exact finding, or NULL */
    const char *policy, *account, *region, *resource; /* globs (fnmatch), NULL = any */
    const char *reason, *author;
    int64_t created_at, expires_at;
    const char *source; /* "cli" or the YAML file it came from */
} suppression;

/* custos fix's re-read (issue 13): one finding whose resource was read
 * again after a fix and no longer matches its policy.  An open finding
 * (new, open or regressed) becomes resolved at `at` with a "resolved"
 * event (no scan), and its account's latest day counts follow; any other
 * status is left as it is (*resolved false).  Nothing else is touched:
 * the next full scan resolves or regresses as usual.  0 or -1. */
int store_resolve_fixed(store *s, const char *fingerprint, int64_t at, bool *resolved);

/* Adds a rule and suppresses the open findings it matches now; *id_out
 * gets its id; *matched how many findings it suppressed. */
int store_suppress(store *s, const suppression *rule, int64_t now, int64_t *id_out,
                   size_t *matched);
/* Removes a rule by id, or every rule for a fingerprint (prefix ok); the
 * findings it suppressed reopen.  *removed = rules removed. */
int store_unsuppress(store *s, int64_t id, const char *fingerprint, int64_t now, size_t *removed);
/* Replaces every rule whose source is `source` with rules (a YAML file
 * kept in git), in one transaction. */
int store_sync_suppressions(store *s, const char *source, const suppression *rules, size_t n,
                            int64_t now, size_t *matched);
int store_suppressions(store *s, bool include_expired, int64_t now, arena *a, suppression **out,
                       size_t *n);

#endif
