/* audit.c - the remediation audit log: append and list (audit.h).
 *
 * One table, audit_log, written only by INSERT.  Migration 8 adds triggers
 * that make UPDATE and DELETE on it fail on both back ends, so a bug or a
 * hand-written statement cannot rewrite history either.
 */
#include <string.h>

#include "store/audit.h"
#include "store/store_int.h"

#define AUDIT_COLS                                                                                 \
    "at, phase, plan_hash, step, who, fingerprint, policy, action, account_id, region,"            \
    " resource_type, resource_id, service, operation, params, request_id, result, message,"        \
    " state_before, state_after"

int store_audit_append(store *s, const audit_entry *e, int64_t *id_out)
{
    if (s->version < 8) {
        snprintf(s->err, sizeof s->err, "the store's schema has no audit log (version %d)",
                 s->version);
        return -1;
    }
    db_val p[] = {
        DB_I(e->at),         DB_S(e->phase),       DB_S(e->plan_hash),     DB_I(e->step),
        DB_S(e->who),        DB_S(e->fingerprint), DB_S(e->policy),        DB_S(e->action),
        DB_S(e->account_id), DB_S(e->region),      DB_S(e->resource_type), DB_S(e->resource_id),
        DB_S(e->service),    DB_S(e->operation),   DB_S(e->params),        DB_S(e->request_id),
        DB_S(e->result),     DB_S(e->message),     DB_S(e->state_before),  DB_S(e->state_after)};
    db_stmt *q = db_query(s->d,
                          "INSERT INTO audit_log (" AUDIT_COLS ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, "
                          "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                          p, sizeof p / sizeof p[0]);
    if (!q) return fail(s, "cannot write the audit log");
    int rc = db_step(q);
    if (rc == 1 && id_out) *id_out = db_col_int(q, 0);
    db_finish(q);
    return rc == 1 ? 0 : fail(s, "cannot write the audit log");
}

static void read_entry(arena *a, db_stmt *q, audit_entry *e)
{
    e->id = db_col_int(q, 0);
    e->at = db_col_int(q, 1);
    e->phase = col_dup(a, q, 2);
    e->plan_hash = col_dup(a, q, 3);
    e->step = db_col_int(q, 4);
    const char **str[] = {&e->who,        &e->fingerprint, &e->policy,        &e->action,
                          &e->account_id, &e->region,      &e->resource_type, &e->resource_id,
                          &e->service,    &e->operation,   &e->params,        &e->request_id,
                          &e->result,     &e->message,     &e->state_before,  &e->state_after};
    for (size_t i = 0; i < sizeof str / sizeof str[0]; i++)
        *str[i] = col_dup(a, q, 5 + i);
}

int store_audit_list(store *s, size_t limit, arena *a, audit_entry **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (s->version < 8) return 0;
    char sql[512];
    snprintf(sql, sizeof sql,
             "SELECT * FROM (SELECT id, " AUDIT_COLS " FROM audit_log ORDER BY id DESC%s) t "
             "ORDER BY id",
             limit ? " LIMIT ?" : "");
    db_val p[] = {DB_I((int64_t)limit)};
    db_stmt *q = db_query(s->d, sql, p, limit ? 1 : 0);
    if (!q) return fail(s, "cannot read the audit log");
    size_t cap = 0;
    int rc;
    while ((rc = db_step(q)) == 1) {
        *out = arena_grow(a, *out, &cap, *n + 1, sizeof **out);
        read_entry(a, q, &(*out)[(*n)++]);
    }
    db_finish(q);
    return rc < 0 ? fail(s, "cannot read the audit log") : 0;
}
