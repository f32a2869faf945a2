/* query.c - reading the store: findings, scans, events, history, accounts.
 *
 * Every list is ordered by rank (priority, severity, then policy, account,
 * region, resource) and walks an index in exactly that order (migrations 2,
 * 3 and 5 in store.c: overall, per team, per account, per policy, per rare
 * status), testing the other filters while it walks, so a page reads about
 * as many index entries as it returns, on a store that was never analysed
 * too (issue 17).  Pages are chosen by offset or by key (a fingerprint:
 * the rows right after or before it, as six disjoint index seeks), counts
 * stop early (store_count_findings' max), and store_findings_each streams a
 * whole list one row at a time (exports).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"
#include "util/buf.h"

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
    db_val p[1024]; /* the filters once per keyset part */
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
        /* A known status as a literal: the planners match a partial index
         * (migration 5) only against constants. */
        bool known =
            !strcmp(v[i], "new") || !strcmp(v[i], "regressed") || !strcmp(v[i], "resolved");
        buf_puts(&w->sql, first ? "f.status = " : " OR f.status = ");
        if (known) {
            buf_printf(&w->sql, "'%s'", v[i]);
        } else {
            buf_putc(&w->sql, '?');
            w_param(w, DB_S(v[i]));
        }
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

/* The partial index of a list of one rare status (migration 5), which
 * SQLite is told to use: without statistics, or with an empty index (no
 * suppressions yet: ANALYZE records nothing for it), its planner walks the
 * whole rank index instead, 90 ms to find no row of a million.  The index
 * holds only that status's rows in list order, so it is the right plan
 * whatever the other filters.  PostgreSQL sizes partial indexes itself. */
static const char *rare_status_index(const store *s, const finding_query *q)
{
    if (db_dialect(s->d) != DB_SQLITE || s->version < 5 || !q->statuses || q->n_statuses != 1)
        return NULL;
    static const char *const rare[][2] = {{"new", "findings_new"},
                                          {"regressed", "findings_regressed"},
                                          {"resolved", "findings_resolved"},
                                          {"suppressed", "findings_suppressed"}};
    for (size_t i = 0; i < sizeof rare / sizeof rare[0]; i++)
        if (!strcmp(q->statuses[0], rare[i][0])) return rare[i][1];
    return NULL;
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
    /* Every use reads "FROM findings f" then this text. */
    const char *hint = rare_status_index(s, q);
    if (hint) {
        buf b = BUF_INIT;
        buf_printf(&b, " INDEXED BY %s%s", hint, w->sql.data ? w->sql.data : "");
        buf_free(&w->sql);
        w->sql = b;
    }
}

/* ---- the list: a page by offset or by key ------------------------------ */

/* List order, and the same keys as the union's column names (k1..k6). */
#define LIST_ORDER                                                                                 \
    " ORDER BY f.priority DESC, f.severity_rank DESC, f.policy, f.account_id, f.region, "          \
    "f.resource_id"
#define KEY_ORDER " ORDER BY k1 DESC, k2 DESC, k3, k4, k5, k6"
#define KEY_ORDER_BACK " ORDER BY k1, k2, k3 DESC, k4 DESC, k5 DESC, k6 DESC"
#define LIST_ORDER_BACK                                                                            \
    " ORDER BY f.priority, f.severity_rank, f.policy DESC, f.account_id DESC, f.region DESC, "     \
    "f.resource_id DESC"
#define KEY_COLS                                                                                   \
    "f.fingerprint AS fp, f.priority AS k1, f.severity_rank AS k2, f.policy AS k3, "               \
    "f.account_id AS k4, f.region AS k5, f.resource_id AS k6"

/* A finding's place in list order (keyset pagination). */
typedef struct list_key {
    int64_t priority, sev;
    const char *policy, *account_id, *region, *resource_id;
} list_key;

/* The key of the finding with this fingerprint; 1 when there is none. */
static int key_of(store *s, const char *fp, arena *a, list_key *k)
{
    db_val p[] = {DB_S(fp)};
    db_stmt *q = db_query(s->d,
                          "SELECT priority, severity_rank, policy, account_id, region, resource_id "
                          "FROM findings WHERE fingerprint = ?",
                          p, 1);
    if (!q) return -1;
    int rc = db_step(q);
    if (rc == 1) {
        k->priority = db_col_int(q, 0);
        k->sev = db_col_int(q, 1);
        k->policy = col_dup(a, q, 2);
        k->account_id = col_dup(a, q, 3);
        k->region = col_dup(a, q, 4);
        k->resource_id = col_dup(a, q, 5);
    }
    db_finish(q);
    return rc < 0 ? -1 : rc == 1 ? 0 : 1;
}

/* "After the key" (or before it, back) in list order, as six disjoint
 * parts, each an equality prefix of the sort key and one range on the
 * next column: every part is a seek into an index in list order (the
 * overall, team or account one) and a walk of at most a page, whatever
 * the depth.  (A row-value comparison cannot say it: the order mixes DESC
 * and ASC columns.)  NKEY_PARTS parts; part i's condition into w. */
#define NKEY_PARTS 6
static void key_part(where *w, const list_key *k, int part, bool back)
{
    static const char *const col[] = {"f.priority",   "f.severity_rank", "f.policy",
                                      "f.account_id", "f.region",        "f.resource_id"};
    const db_val v[] = {DB_I(k->priority),   DB_I(k->sev),    DB_S(k->policy),
                        DB_S(k->account_id), DB_S(k->region), DB_S(k->resource_id)};
    for (int c = 0; c < part; c++) {
        w_and(w);
        buf_printf(&w->sql, "%s = ?", col[c]);
        w_param(w, v[c]);
    }
    /* priority and severity descend, the rest ascend */
    bool later_is_less = part < 2;
    w_and(w);
    buf_printf(&w->sql, "%s %s ?", col[part], later_is_less != back ? "<" : ">");
    w_param(w, v[part]);
}

/* The filters' WHERE once more, into w (text and parameters). */
static void w_copy(where *w, const where *filter)
{
    if (filter->sql.len) buf_puts(&w->sql, filter->sql.data);
    for (size_t i = 0; i < filter->np; i++)
        w_param(w, filter->p[i]);
    if (filter->overflow) w->overflow = true;
}

/* A list query's filters and, for a keyset page, its key. */
typedef struct list_plan {
    where filter;
    /* The filters without the severity test, for the parts that fix the
     * severity by equality: SQLite prefers a range on a column to an
     * equality on it when both are given, and then sorts a whole priority
     * group (133 ms for a deep page of severity >= high). */
    where filter_eq;
    list_key key;
    const list_key *k; /* NULL: by offset */
    bool back;
    int min_sev;
} list_plan;

/* Part `part` of the keyset condition with the filters into w; false when
 * the part cannot match (the key's severity is below the filter's). */
static bool part_where(where *w, const list_plan *lp, int part, bool back)
{
    bool sev_fixed = part >= 2 && lp->min_sev >= 0;
    if (sev_fixed && lp->k->sev < lp->min_sev) return false;
    w_copy(w, sev_fixed ? &lp->filter_eq : &lp->filter);
    key_part(w, lp->k, part, back);
    return true;
}

/* The SQL choosing the page's fingerprints (column fp), in list order
 * when forward, reversed when back; parameters appended to out. */
static void page_select(buf *sql, where *out, const list_plan *lp, const finding_query *q)
{
    const where *filter = &lp->filter;
    const list_key *k = lp->k;
    bool back = lp->back;
    if (!k) {
        buf_printf(sql, "SELECT f.fingerprint AS fp FROM findings f%s" LIST_ORDER "%s",
                   filter->sql.len ? filter->sql.data : "", q->limit ? " LIMIT ? OFFSET ?" : "");
        w_copy(out, filter);
        if (q->limit) {
            w_param(out, DB_I((int64_t)q->limit));
            w_param(out, DB_I((int64_t)q->offset));
        }
        return;
    }
    buf_puts(sql, "SELECT fp FROM (");
    for (int part = 0, any = 0; part < NKEY_PARTS; part++) {
        where w = {.sql = BUF_INIT};
        if (!part_where(&w, lp, part, back)) {
            buf_free(&w.sql);
            continue;
        }
        buf_printf(sql, "%sSELECT * FROM (SELECT " KEY_COLS " FROM findings f%s%s%s) p%d",
                   any++ ? " UNION ALL " : "", w.sql.data, back ? LIST_ORDER_BACK : LIST_ORDER,
                   q->limit ? " LIMIT ?" : "", part);
        w_copy(out, &w);
        if (q->limit) w_param(out, DB_I((int64_t)q->limit));
        buf_free(&w.sql);
    }
    buf_printf(sql, ") u%s%s", back ? KEY_ORDER_BACK : KEY_ORDER, q->limit ? " LIMIT ?" : "");
    if (q->limit) w_param(out, DB_I((int64_t)q->limit));
}

/* The filters, and the page's key when it is chosen by key (lp->k NULL
 * for an offset: no cursor, or its finding is gone). */
static int prepare_list(store *s, const finding_query *q, int64_t now, arena *a, list_plan *lp)
{
    lp->k = NULL;
    lp->back = false;
    lp->min_sev = q->min_severity;
    build_where(s, &lp->filter, q, now, a);
    if (lp->filter.failed) return fail(s, "cannot resolve the account names");
    if (lp->filter.overflow) {
        snprintf(s->err, sizeof s->err, "too many filter values");
        return -1;
    }
    const char *cursor = q->after ? q->after : q->before;
    if (!cursor) return 0;
    int rc = key_of(s, cursor, a, &lp->key);
    if (rc < 0) return fail(s, "cannot read the page's key");
    if (rc == 1) return 0;
    lp->k = &lp->key;
    lp->back = !q->after;
    if (q->min_severity >= 0) {
        finding_query eq = *q;
        eq.min_severity = -1;
        build_where(s, &lp->filter_eq, &eq, now, a);
        if (lp->filter_eq.failed) return fail(s, "cannot resolve the account names");
    }
    return 0;
}

static void plan_free(list_plan *lp)
{
    buf_free(&lp->filter.sql);
    buf_free(&lp->filter_eq.sql);
}

/* Runs the list query; rows to fn (each in a fresh scratch arena when
 * scratch is given, else in a). */
typedef int (*row_fn)(void *ctx, const stored_finding *f);
static int list_run(store *s, const finding_query *qy, arena *a, bool stream, row_fn fn, void *ctx)
{
    int64_t now = qy->now ? qy->now : (int64_t)time(NULL);
    list_plan *lp = arena_calloc(a, sizeof *lp); /* big: off the stack */
    lp->filter.sql = lp->filter_eq.sql = (buf)BUF_INIT;
    where *w = arena_calloc(a, sizeof *w);
    w->sql = (buf)BUF_INIT;
    int rc = prepare_list(s, qy, now, a, lp);
    if (rc < 0) {
        plan_free(lp);
        return -1;
    }
    /* The page is chosen on the narrow table (index order) and only its
     * rows are joined to their details. */
    buf inner = BUF_INIT, sql = BUF_INIT;
    w_param(w, DB_I(now)); /* EFFECTIVE_STATUS in the column list */
    page_select(&inner, w, lp, qy);
    buf_printf(&sql, "SELECT %s FROM (%s) k JOIN findings f ON f.fingerprint = k.fp%s" LIST_ORDER,
               finding_cols(s), inner.data, finding_joins(s));
    buf_free(&inner);
    plan_free(lp);
    db_stmt *q = NULL;
    if (w->overflow) {
        snprintf(s->err, sizeof s->err, "too many filter values");
    } else {
        q = stream ? db_query_stream(s->d, sql.data, w->p, w->np)
                   : db_query(s->d, sql.data, w->p, w->np);
        if (!q) fail(s, "cannot read findings");
    }
    buf_free(&sql);
    buf_free(&w->sql);
    if (!q) return -1;
    arena *scratch = stream ? arena_new(0) : NULL;
    int st;
    rc = 0;
    while (rc == 0 && (st = db_step(q)) == 1) {
        stored_finding f = {0};
        if (scratch) arena_reset(scratch);
        read_finding(q, 0, scratch ? scratch : a, &f);
        rc = fn(ctx, &f);
    }
    db_finish(q);
    arena_free(scratch);
    if (rc != 0) return rc;
    return st < 0 ? fail(s, "cannot read findings") : 0;
}

typedef struct collect {
    arena *a;
    stored_finding *v;
    size_t n, cap;
} collect;

static int collect_row(void *ctx, const stored_finding *f)
{
    collect *c = ctx;
    c->v = arena_grow(c->a, c->v, &c->cap, c->n + 1, sizeof *c->v);
    c->v[c->n++] = *f;
    return 0;
}

int store_findings(store *s, const finding_query *qy, arena *a, stored_finding **out, size_t *n)
{
    collect c = {.a = a};
    c.v = arena_grow(a, NULL, &c.cap, qy->limit && qy->limit < 64 ? qy->limit : 64, sizeof *c.v);
    int rc = list_run(s, qy, a, false, collect_row, &c);
    *out = rc == 0 ? c.v : NULL;
    *n = rc == 0 ? c.n : 0;
    return rc;
}

int store_findings_each(store *s, const finding_query *qy,
                        int (*fn)(void *ctx, const stored_finding *f), void *ctx)
{
    arena *a = arena_new(0);
    int rc = list_run(s, qy, a, true, fn, ctx);
    arena_free(a);
    return rc;
}

int store_read_begin(store *s)
{
    /* A deferred BEGIN on SQLite: a read snapshot without the write lock
     * (db_begin takes it), so scans go on while an export reads. */
    int rc = db_exec(s->d, db_dialect(s->d) == DB_SQLITE
                               ? "BEGIN"
                               : "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    return rc < 0 ? fail(s, "cannot start a read transaction") : 0;
}

void store_read_end(store *s)
{
    db_rollback(s->d);
}

int store_count_findings(store *s, const finding_query *qy, int64_t max, int64_t *out)
{
    int64_t now = qy->now ? qy->now : (int64_t)time(NULL);
    arena *a = arena_new(0);
    list_plan *lp = arena_calloc(a, sizeof *lp);
    where *w = arena_calloc(a, sizeof *w);
    buf sql = BUF_INIT;
    int rc = prepare_list(s, qy, now, a, lp);
    const where *filter = &lp->filter;
    if (rc == 0 && lp->k && !lp->back) {
        /* What follows the key: each part counted up to max (a walk of
         * at most max index entries), the sum capped at max. */
        buf_puts(&sql, "SELECT SUM(c) FROM (");
        for (int part = 0, any = 0; part < NKEY_PARTS; part++) {
            where *pw = arena_calloc(a, sizeof *pw);
            if (!part_where(pw, lp, part, false)) continue;
            if (max > 0)
                buf_printf(&sql,
                           "%sSELECT COUNT(*) AS c FROM (SELECT 1 FROM findings f%s LIMIT ?) x%d",
                           any++ ? " UNION ALL " : "", pw->sql.data, part);
            else
                buf_printf(&sql, "%sSELECT COUNT(*) AS c FROM findings f%s",
                           any++ ? " UNION ALL " : "", pw->sql.data);
            w_copy(w, pw);
            if (max > 0) w_param(w, DB_I(max));
            buf_free(&pw->sql);
        }
        buf_puts(&sql, ") t");
    } else if (rc == 0 && max > 0) {
        buf_printf(&sql, "SELECT COUNT(*) FROM (SELECT 1 FROM findings f%s LIMIT ?) c",
                   filter->sql.len ? filter->sql.data : "");
        w_copy(w, filter);
        w_param(w, DB_I(max));
    } else if (rc == 0) {
        buf_printf(&sql, "SELECT COUNT(*) FROM findings f%s",
                   filter->sql.len ? filter->sql.data : "");
        w_copy(w, filter);
    }
    if (rc == 0) {
        rc = w->overflow ? -1 : db_query_int(s->d, sql.data, w->p, w->np, out);
        if (rc < 0) fail(s, "cannot count findings");
        if (rc == 0 && max > 0 && *out > max) *out = max;
    }
    buf_free(&sql);
    plan_free(lp);
    buf_free(&w->sql);
    arena_free(a);
    return rc < 0 ? -1 : 0;
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

/* ---- net changes over a window of scans (custos diff) ------------------ */

/* A status's kind for a diff: 0 absent or resolved (not a problem now),
 * 1 new, open or regressed (a problem now), 2 suppressed. */
#define STATE_OF(x)                                                                                \
    "(CASE WHEN " x " IS NULL OR " x " = 'resolved' THEN 0 WHEN " x " = 'suppressed' THEN 2 "      \
    "ELSE 1 END)"

/* Byte order for text on PostgreSQL too (its default collation ignores
 * a team name's hyphens), as strcmp and SQLite sort. */
static const char *byte_order(const store *s)
{
    return db_dialect(s->d) == DB_POSTGRES ? " COLLATE \"C\"" : "";
}

/* " FROM ... WHERE ..." of the window's net changes: each finding's first
 * (fe) and last (l) event in (from, to], its row f (with its details'
 * joins when details), kept when the kinds differ.  Parameters appended
 * to p in text order. */
static void changes_from(const store *s, buf *sql, db_val *p, size_t *np, int64_t from, int64_t to,
                         const char *const *teams, size_t n_teams, bool details)
{
    buf_puts(sql, " FROM (SELECT fingerprint, MIN(id) AS first_id, MAX(id) AS last_id FROM "
                  "finding_events WHERE scan_id > ?");
    p[(*np)++] = DB_I(from);
    if (to > 0) {
        buf_puts(sql, " AND scan_id <= ?");
        p[(*np)++] = DB_I(to);
    }
    buf_printf(sql,
               " GROUP BY fingerprint) w JOIN finding_events fe ON fe.id = w.first_id JOIN "
               "finding_events l ON l.id = w.last_id JOIN findings f ON f.fingerprint = "
               "w.fingerprint%s WHERE " STATE_OF("fe.previous") " <> " STATE_OF("l.status"),
               details ? finding_joins(s) : "");
    if (!n_teams) return;
    buf_puts(sql, " AND f.team IN (");
    for (size_t i = 0; i < n_teams; i++) {
        buf_puts(sql, i ? ", ?" : "?");
        p[(*np)++] = DB_S(teams[i]);
    }
    buf_putc(sql, ')');
}

int store_changes_each(store *s, int64_t from, int64_t to, const char *const *teams, size_t n_teams,
                       int (*fn)(void *ctx, const finding_change *c), void *ctx)
{
    db_val *p = malloc((4 + n_teams) * sizeof *p);
    if (!p) {
        snprintf(s->err, sizeof s->err, "out of memory");
        return -1;
    }
    size_t np = 0;
    p[np++] = DB_I((int64_t)time(NULL)); /* EFFECTIVE_STATUS in the columns */
    buf sql = BUF_INIT;
    buf_printf(&sql, "SELECT l.status, l.scan_id, %s", finding_cols(s));
    changes_from(s, &sql, p, &np, from, to, teams, n_teams, true);
    buf_printf(&sql, " ORDER BY COALESCE(f.team, '')%s, l.status%s, f.priority DESC, f.fingerprint",
               byte_order(s), byte_order(s));
    db_stmt *q = db_query_stream(s->d, sql.data, p, np);
    buf_free(&sql);
    free(p);
    if (!q) return fail(s, "cannot read changes");
    arena *a = arena_new(0);
    int rc = 0, st;
    while (rc == 0 && (st = db_step(q)) == 1) {
        arena_reset(a);
        finding_change c = {.change = col_dup(a, q, 0), .scan_id = db_col_int(q, 1)};
        read_finding(q, 2, a, &c.f);
        rc = fn(ctx, &c);
    }
    db_finish(q);
    arena_free(a);
    if (rc != 0) return rc;
    return st < 0 ? fail(s, "cannot read changes") : 0;
}

int store_change_counts(store *s, int64_t from, int64_t to, const char *const *teams,
                        size_t n_teams, arena *a, change_count **out, size_t *n)
{
    db_val *p = arena_alloc(a, (3 + n_teams) * sizeof *p);
    size_t np = 0;
    buf sql = BUF_INIT;
    buf_puts(&sql, "SELECT f.team, l.status, COUNT(*)");
    changes_from(s, &sql, p, &np, from, to, teams, n_teams, false);
    buf_printf(&sql, " GROUP BY f.team, l.status ORDER BY COALESCE(f.team, '')%s, l.status%s",
               byte_order(s), byte_order(s));
    db_stmt *q = db_query(s->d, sql.data, p, np);
    buf_free(&sql);
    if (!q) return fail(s, "cannot count changes");
    size_t cap = 0;
    *n = 0;
    *out = arena_grow(a, NULL, &cap, 16, sizeof **out);
    int rc;
    while ((rc = db_step(q)) == 1) {
        *out = arena_grow(a, *out, &cap, *n + 1, sizeof **out);
        change_count *c = &(*out)[(*n)++];
        c->team = col_dup(a, q, 0);
        c->change = col_dup(a, q, 1);
        c->n = db_col_int(q, 2);
    }
    db_finish(q);
    return rc < 0 ? fail(s, "cannot count changes") : 0;
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
