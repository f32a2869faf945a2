/* gaps.c - what `custos collect` could not collect, kept with the scans
 * (migration 6, issue 9).
 *
 * collect_gaps holds, per account, the gaps its latest scan reported:
 * each scan deletes the rows of its accounts and of the accounts its gaps
 * name (an account not collected at all is not among the scan's accounts,
 * since nothing of it may be resolved), then writes its own.  `custos
 * serve` reads them back (store_gaps) for "not collected" on the
 * dashboard.
 */
#include <string.h>

#include "store/record_int.h"

int rec_write_gaps(rec *x)
{
    const scan_scope *sc = x->sc;
    if (x->s->version < 6) return 0; /* test hook: an older schema */
    int64_t n = db_run(x->s->d,
                       "DELETE FROM collect_gaps WHERE account_id IN (SELECT account_id FROM "
                       "scope_acc)",
                       NULL, 0);
    if (n < 0) return fail(x->s, "cannot replace the collection gaps");
    x->rows += n;
    for (size_t i = 0; i < sc->n_gaps; i++) {
        const char *acc = sc->gaps[i].account_id;
        bool seen = strmap_has(&x->acc_ix, acc);
        for (size_t k = 0; k < i && !seen; k++)
            seen = !strcmp(sc->gaps[k].account_id, acc);
        if (seen) continue;
        db_val p[] = {DB_S(acc)};
        if ((n = db_run(x->s->d, "DELETE FROM collect_gaps WHERE account_id = ?", p, 1)) < 0)
            return fail(x->s, "cannot replace the collection gaps");
        x->rows += n;
    }
    if (!sc->n_gaps) return 0;
    db_copy *c = db_copy_begin(x->s->d, "collect_gaps",
                               "account_id, account_name, region, service, operation, code, "
                               "message, scan_id, at",
                               9);
    int rc = c ? 0 : -1;
    for (size_t i = 0; i < sc->n_gaps && rc == 0; i++) {
        const scan_gap_row *g = &sc->gaps[i];
        rc = db_copy_row(c, (db_val[]){DB_S(g->account_id), DB_S(g->account_name),
                                       DB_S(g->region ? g->region : ""),
                                       DB_S(g->service ? g->service : ""),
                                       DB_S(g->operation ? g->operation : ""), DB_S(g->code),
                                       DB_S(g->message), DB_I(x->scan), DB_I(x->at)});
        x->rows++;
    }
    if (!c || db_copy_end(c) < 0 || rc < 0) return fail(x->s, "cannot store the collection gaps");
    return 0;
}

int store_gaps(store *s, arena *a, stored_gap **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (s->version < 6) return 0;
    db_stmt *q = db_query(s->d,
                          "SELECT account_id, account_name, region, service, operation, code, "
                          "message, scan_id, at FROM collect_gaps ORDER BY COALESCE(account_name, "
                          "account_id), account_id, region, service, operation",
                          NULL, 0);
    if (!q) return fail(s, "cannot read the collection gaps");
    size_t cap = 0;
    int rc;
    while ((rc = db_step(q)) == 1) {
        *out = arena_grow(a, *out, &cap, *n + 1, sizeof **out);
        stored_gap *g = &(*out)[(*n)++];
        g->g.account_id = col_dup(a, q, 0);
        g->g.account_name = col_dup(a, q, 1);
        g->g.region = col_dup(a, q, 2);
        g->g.service = col_dup(a, q, 3);
        g->g.operation = col_dup(a, q, 4);
        g->g.code = col_dup(a, q, 5);
        g->g.message = col_dup(a, q, 6);
        g->scan_id = db_col_int(q, 7);
        g->at = db_col_int(q, 8);
    }
    db_finish(q);
    return rc < 0 ? fail(s, "cannot read the collection gaps") : 0;
}
