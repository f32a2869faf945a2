/* record_write.c - recording a scan: the writes (steps 3 and 4 of
 * record.c's design).  Everything here was decided by the comparison
 * before the first write: events and new findings are streamed (COPY on
 * PostgreSQL), changed rows go through a work table and are applied by
 * kind, and the day's counts are written only where a number moved.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/priority.h"
#include "json/json.h"
#include "store/record_int.h"

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

int rec_write_events(rec *x)
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
    d->category = rec_meta_str(f->pol, "category");
    if (!f->json) {
        rec_json_str_array(reasons, f->reasons, f->nreasons);
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
int rec_insert_new(rec *x)
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
int rec_update_changed(rec *x)
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
            bool derived =
                ac && rec_covers(rec_scope_of(x, ac->scope_id), o->policy, o->region, tmp);
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
    /* Statistics for the work table, so each UPDATE below walks its rows
     * and looks each finding up by key.  Without them both planners
     * guess it large and scan the whole findings table once per kind of
     * change: 0.2 s for a 1%-changed rescan of 175k findings, where the
     * writes themselves take milliseconds. */
    if (db_exec(x->s->d, db_dialect(x->s->d) == DB_SQLITE ? "ANALYZE temp.upd" : "ANALYZE upd") < 0)
        return fail(x->s, "cannot analyse changed findings");
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
int rec_update_daily_counts(rec *x, const recon_opts *ro)
{
    const scan_scope *sc = x->sc;
    int64_t day = x->at / 86400;
    size_t nsev = SEV_CRITICAL + 1, n = sc->n_accounts * nsev;
    day_row *rows = arena_calloc(x->a, (n + 1) * sizeof *rows);
    bool *present = arena_calloc(x->a, n + 1), *stored = arena_calloc(x->a, n + 1);
    day_row *before = arena_calloc(x->a, (n + 1) * sizeof *before);
    /* Reconcile's changes to rows this scan did not see (expiries). */
    for (size_t i = 0; ro && i < ro->n; i++) {
        old_row *o = rec_old_find(x, ro->fps[i]);
        if (o && !o->seen) o->status = (uint8_t)rec_status_code(ro->statuses[i]);
    }
#define TALLY(acc, sev, st, prio)                                                                  \
    do {                                                                                           \
        size_t at_ = (size_t)(acc)*nsev + (size_t)(sev);                                           \
        present[at_] = true;                                                                       \
        store_tally_status(&rows[at_], STATUS_NAME[st], 1, prio);                                  \
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
int rec_record_accounts(rec *x)
{
    for (size_t i = 0; i < x->sc->n_accounts; i++) {
        const account_info *ai = x->acc[i].info;
        db_val p[] = {DB_S(x->acc[i].id),
                      DB_S(ai ? ai->name : NULL),
                      DB_S(ai ? ai->team : NULL),
                      DB_S(ai ? ai->environment : NULL),
                      DB_I(x->scan),
                      DB_I(x->at),
                      x->legacy ? DB_S(NULL) : DB_I(x->acc[i].new_scope)};
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
