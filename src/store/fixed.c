/* fixed.c - a finding resolved by custos fix's re-read (issue 13).
 *
 * After a fix, custos fix collects the changed resource again and runs its
 * policy on it (src/remediate/recheck.c).  When the policy no longer
 * matches, that one finding is resolved here, in one transaction: its row
 * (status resolved, resolved_at), a "resolved" event without a scan (the
 * events notifications and history read), the day's resolved count and
 * the account's latest open counts.  Only the fingerprint given is ever
 * changed; a finding already resolved or suppressed is left alone.
 */
#include <string.h>

#include "store/store_int.h"

static int resolve_one(store *s, const char *fp, int64_t at, bool *resolved)
{
    db_val pf[] = {DB_S(fp)};
    db_stmt *q = db_query(
        s->d, "SELECT status, account_id, severity FROM findings WHERE fingerprint = ?", pf, 1);
    if (!q) return -1;
    int rc = db_step(q);
    char status[16] = "", account[64] = "", sev[16] = "";
    if (rc == 1) {
        snprintf(status, sizeof status, "%s", db_col_text(q, 0) ? db_col_text(q, 0) : "");
        snprintf(account, sizeof account, "%s", db_col_text(q, 1) ? db_col_text(q, 1) : "");
        snprintf(sev, sizeof sev, "%s", db_col_text(q, 2) ? db_col_text(q, 2) : "");
    }
    db_finish(q);
    if (rc < 0) return -1;
    if (rc == 0 ||
        !(!strcmp(status, "new") || !strcmp(status, "open") || !strcmp(status, "regressed")))
        return 0;
    db_val pu[] = {DB_I(at), DB_S(fp)};
    if (db_run(s->d,
               "UPDATE findings SET status = 'resolved', resolved_at = ? WHERE fingerprint = ?", pu,
               2) < 0)
        return -1;
    if (store_add_event(s, 0, fp, at, "resolved", status) < 0) return -1;
    db_val pd[] = {DB_I(at / 86400), DB_S(account), DB_S(sev)};
    if (db_run(s->d,
               "UPDATE daily_counts SET resolved = resolved + 1 WHERE day = ? AND account_id = ? "
               "AND severity = ?",
               pd, 3) < 0)
        return -1;
    if (store_refresh_latest_counts(s, account) < 0) return -1;
    *resolved = true;
    return 0;
}

int store_resolve_fixed(store *s, const char *fingerprint, int64_t at, bool *resolved)
{
    *resolved = false;
    if (db_begin(s->d) < 0) return fail(s, "cannot start a transaction");
    if (resolve_one(s, fingerprint, at, resolved) < 0) {
        fail(s, "cannot resolve the finding");
        db_rollback(s->d);
        *resolved = false;
        return -1;
    }
    if (db_commit(s->d) < 0) {
        *resolved = false;
        return fail(s, "cannot commit");
    }
    return 0;
}
