/* record.c - recording a scan in the store (issue 11).
 *
 * Writing a scan writes what changed, not everything (issue 11): a
 * rescan of 175k findings of which nothing changed must cost a fraction of
 * the scan, on SQLite and across PostgreSQL's socket.  So:
 *   1. one sequential read of what the store holds for the scan's accounts
 *      (fingerprint, content hash, status, suppression, scope columns);
 *   2. the comparison, in C: each finding of the scan against its stored
 *      row (a hash table on the 64-bit fingerprint), then the stored rows
 *      in the scan's scope it did not see.  The engine hashes each
 *      finding's JSON on its workers (engine/finding.h), so "changed" is
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
 * This file reads the stored state and compares (steps 1 and 2) and
 * drives the transaction; record_write.c does the writes (3 and 4).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/priority.h"
#include "store/record_int.h"

const char *const STATUS_NAME[ST_COUNT] = {"new", "open", "regressed", "resolved", "suppressed"};

int rec_status_code(const char *name)
{
    for (int i = 0; name && i < ST_COUNT; i++)
        if (!strcmp(name, STATUS_NAME[i])) return i;
    return ST_OPEN; /* unknown statuses read as open, as the queries do */
}
const char *rec_meta_str(const policy *p, const char *key)
{
    const jv *v = jv_get(&p->metadata, key);
    return v && v->kind == JV_STRING ? v->u.str : NULL;
}

void rec_json_str_array(buf *b, const char *const *v, size_t n)
{
    buf_putc(b, '[');
    for (size_t i = 0; i < n; i++) {
        if (i) buf_putc(b, ',');
        json_write_string(b, v[i], strlen(v[i]));
    }
    buf_putc(b, ']');
}

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

old_row *rec_old_find(rec *x, uint64_t fp)
{
    if (!x->fp_cap) return NULL;
    for (size_t i = fp_slot(x, fp);; i = (i + 1) & (x->fp_cap - 1)) {
        uint32_t k = x->fp_ix[i];
        if (!k) return NULL;
        if (x->old[k - 1].fp == fp) return &x->old[k - 1];
    }
}

bool rec_covers(const scope_cov *c, const char *policy, const char *region, arena *a)
{
    if (!c) return false;
    if (strmap_has(&c->keys, arena_sprintf(a, "%s\x1f*", policy))) return true;
    return strmap_has(&c->keys, arena_sprintf(a, "%s\x1f%s", policy, region ? region : ""));
}

bool rec_in_scope(const rec *x, const char *policy, const char *region)
{
    return strmap_has(&x->pol_ix, policy) &&
           (x->all_regions || strmap_has(&x->reg_ix, region ? region : ""));
}

static const scan_hold *hold_of(const rec_account *ac, const char *policy)
{
    for (size_t i = 0; i < ac->nholds; i++)
        if (!strcmp(ac->holds[i]->policy, policy)) return ac->holds[i];
    return NULL;
}

bool rec_acc_in_scope(const rec *x, int acc, const char *policy, const char *region)
{
    if (!rec_in_scope(x, policy, region)) return false;
    const scan_hold *h = acc >= 0 && x->acc[acc].nholds ? hold_of(&x->acc[acc], policy) : NULL;
    if (!h) return true;
    for (size_t i = 0; i < h->n_regions; i++)
        if (!strcmp(h->regions[i], region ? region : "")) return true;
    return false;
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
                       .status = (uint8_t)rec_status_code(db_col_text(q, 2)),
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
    for (size_t k = 0; k < sc->n_holds; k++) {
        int i = strmap_get(&x->acc_ix, sc->holds[k].account, -1);
        if (i < 0) continue;
        rec_account *ac = &x->acc[i];
        if (hold_of(ac, sc->holds[k].policy)) continue; /* one per policy */
        size_t cap = ac->nholds;
        ac->holds = arena_grow(x->a, ac->holds, &cap, ac->nholds + 1, sizeof *ac->holds);
        ac->holds[ac->nholds++] = &sc->holds[k];
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

/* The scope row of this key (found, or added with these cover rows). */
static int find_scope(rec *x, const char *key, const char *const *rp, const char *const *rr,
                      size_t nrows, int64_t *id)
{
    db_val pk[] = {DB_S(key)};
    int rc = db_query_int(x->s->d, "SELECT id FROM scopes WHERE scope_key = ?", pk, 1, id);
    if (rc != 1) return rc;
    /* New: concurrent scans of other accounts may add the same one. */
    int64_t n = db_run(x->s->d,
                       "INSERT INTO scopes (scope_key) VALUES (?) ON CONFLICT (scope_key) DO "
                       "NOTHING",
                       pk, 1);
    rc = n < 0 ? -1 : db_query_int(x->s->d, "SELECT id FROM scopes WHERE scope_key = ?", pk, 1, id);
    if (n > 0 && rc == 0) {
        x->rows += n;
        db_copy *c = db_copy_begin(x->s->d, "scope_cover", "scope_id, policy, region", 3);
        int crc = c ? 0 : -1;
        for (size_t i = 0; i < nrows && crc == 0; i++) {
            crc = db_copy_row(c, (db_val[]){DB_I(*id), DB_S(rp[i]), DB_S(rr[i])});
            x->rows++;
        }
        if (!c || db_copy_end(c) < 0 || crc < 0) rc = -1;
    }
    return rc;
}

typedef struct cover_rows {
    const char **p, **r;
    size_t n, cap;
} cover_rows;

static void add_row(rec *x, cover_rows *cr, const char *p, const char *r)
{
    size_t cap = cr->cap;
    cr->p = arena_grow(x->a, cr->p, &cap, cr->n + 1, sizeof *cr->p);
    cr->r = arena_grow(x->a, cr->r, &cr->cap, cr->n + 1, sizeof *cr->r);
    cr->p[cr->n] = p;
    cr->r[cr->n++] = r;
}

/* An account with holds gets a scope of its own: the scan's, less its
 * holds (each held policy covers only the regions the hold names). */
static int held_scope(rec *x, rec_account *ac, const char **pol, size_t np, const char **reg,
                      size_t nr, const char *base_key)
{
    cover_rows cr = {0};
    buf key = BUF_INIT;
    buf_printf(&key, "%s|held:", base_key);
    for (size_t i = 0; i < np; i++) {
        if (i && !strcmp(pol[i], pol[i - 1])) continue;
        const scan_hold *h = hold_of(ac, pol[i]);
        if (!h) {
            for (size_t k = 0; k < (nr ? nr : 1); k++)
                if (!k || strcmp(reg[k], reg[k - 1])) add_row(x, &cr, pol[i], nr ? reg[k] : "*");
            continue;
        }
        const char **hr = arena_alloc(x->a, (h->n_regions + 1) * sizeof *hr);
        memcpy(hr, h->regions, h->n_regions * sizeof *hr);
        qsort(hr, h->n_regions, sizeof *hr, cmp_str);
        size_t nh = 0;
        for (size_t k = 0; k < h->n_regions; k++) {
            if (k && !strcmp(hr[k], hr[k - 1])) continue;
            if (!x->all_regions && !strmap_has(&x->reg_ix, hr[k])) continue;
            add_row(x, &cr, pol[i], hr[k]);
            hr[nh++] = hr[k];
        }
        json_write_string(&key, pol[i], strlen(pol[i]));
        buf_putc(&key, '=');
        rec_json_str_array(&key, hr, nh);
    }
    int rc = find_scope(x, key.data, cr.p, cr.r, cr.n, &ac->new_scope);
    buf_free(&key);
    return rc;
}

/* The scan's scope as a row of `scopes` (found or added) and its
 * coverage, and those of its accounts with holds; then the previous
 * scopes of its accounts. */
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
    rec_json_str_array(&key, pol, np);
    buf_putc(&key, '|');
    if (x->all_regions)
        buf_putc(&key, '*');
    else
        rec_json_str_array(&key, reg, nr);
    cover_rows cr = {0};
    for (size_t i = 0; i < np; i++) {
        if (i && !strcmp(pol[i], pol[i - 1])) continue;
        for (size_t k = 0; k < (nr ? nr : 1); k++)
            if (!k || strcmp(reg[k], reg[k - 1])) add_row(x, &cr, pol[i], nr ? reg[k] : "*");
    }
    int rc = find_scope(x, key.data, cr.p, cr.r, cr.n, &x->scope_id);
    for (size_t i = 0; i < sc->n_accounts && rc == 0; i++) {
        x->acc[i].new_scope = x->scope_id;
        if (x->acc[i].nholds) rc = held_scope(x, &x->acc[i], pol, np, reg, nr, key.data);
    }
    buf_free(&key);
    if (rc != 0) return fail(x->s, "cannot record the scan's scope");
    if (load_cover(x, x->scope_id, &x->cur) < 0) return -1;
    size_t cap = 0;
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < sc->n_accounts; i++) {
            /* First the held scopes (rec_scope_of finds them), then the
             * accounts' previous ones. */
            int64_t id = pass ? x->acc[i].scope_id : x->acc[i].new_scope;
            bool known = !id || id == x->scope_id;
            for (size_t k = 0; k < x->nprev && !known; k++)
                known = x->prev[k].id == id;
            if (known) continue;
            x->prev = arena_grow(x->a, x->prev, &cap, x->nprev + 1, sizeof *x->prev);
            if (load_cover(x, id, &x->prev[x->nprev++]) < 0) return -1;
        }
    return 0;
}

const scope_cov *rec_scope_of(const rec *x, int64_t id)
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
        if (!ac->scope_id || ac->scope_id == ac->new_scope) continue;
        db_val p[] = {DB_I(ac->last_scan_at), DB_I(ac->last_scan), DB_S(ac->id), DB_I(ac->scope_id),
                      DB_I(ac->new_scope)};
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

/* The index of f's account in rec.acc, when holds make it matter. */
static int acc_of(const rec *x, const finding *f)
{
    return x->sc->n_holds ? strmap_get(&x->acc_ix, f->account_id ? f->account_id : "", -1) : -1;
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
        const suppression *sup = rs->n ? store_rule_match(rs, &subj) : NULL;
        x->sup[i] = sup;
        old_row *o = rec_old_find(x, f->fingerprint);
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
        else if (x->legacy || !rec_acc_in_scope(x, acc_of(x, f), f->pol->name, f->region))
            push_write(x, (uint32_t)i, W_SEEN); /* its last-seen is not derivable */
    }
    for (size_t k = 0; k < x->nold; k++) {
        old_row *o = &x->old[k];
        if (o->seen || o->status == ST_RESOLVED ||
            !rec_acc_in_scope(x, o->acc, o->policy, o->region))
            continue;
        push_event(x, (uint32_t)k, ST_RESOLVED, o->status, true);
        push_write(x, (uint32_t)k, W_RESOLVE);
        o->status = ST_RESOLVED;
    }
    return 0;
}

static int insert_scan(store *s, const scan_scope *sc, int64_t at, const char *inventory,
                       int64_t *id)
{
    buf acc = BUF_INIT, reg = BUF_INIT, pol = BUF_INIT;
    rec_json_str_array(&acc, sc->accounts, sc->n_accounts);
    if (sc->regions) rec_json_str_array(&reg, sc->regions, sc->n_regions);
    rec_json_str_array(&pol, sc->policies, sc->n_policies);
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

/* The size of the tables a scan writes, for the bulk decision: the
 * finding rows the planner's statistics last counted plus those written
 * since (an upper bound), and the highest event id. */
static int table_sizes(rec *x, int64_t *findings, int64_t *events)
{
    if (store_rows_estimate(x->s, findings) < 0) return -1;
    if ((int64_t)x->nold > *findings) *findings = (int64_t)x->nold;
    if (db_query_int(x->s->d, "SELECT COALESCE(MAX(id), 0) FROM finding_events", NULL, 0, events) <
        0)
        return fail(x->s, "cannot size the event log");
    return 0;
}

/* Step 3: the writes, each table's indexes rebuilt instead of updated
 * when the scan writes a large share of its rows (bulk.c). */
static int write_findings(rec *x)
{
    int64_t touched = (int64_t)x->nins, nfind = 0, nev = 0;
    for (size_t i = 0; i < x->nw; i++)
        if (x->w[i].kind != W_SEEN) touched++; /* last seen is in no index */
    /* With no table size yet: only whether there are writes enough, so a
     * steady rescan runs no query for the sizes. */
    bool bulk_f = store_bulk_worth(touched, 0), bulk_e = store_bulk_worth((int64_t)x->nev, 0);
    if ((bulk_f || bulk_e) && table_sizes(x, &nfind, &nev) < 0) return -1;
    bulk_f = bulk_f && store_bulk_worth(touched, nfind);
    bulk_e = bulk_e && store_bulk_worth((int64_t)x->nev, nev);
    store_bulk fb = {0}, eb = {0};
    int rc = 0;
    if (bulk_e) rc = store_bulk_begin(x->s, "finding_events", &eb);
    if (rc == 0) rc = rec_write_events(x);
    if (rc == 0) rc = store_bulk_end(x->s, &eb);
    if (rc == 0 && bulk_f) rc = store_bulk_begin(x->s, "findings", &fb);
    if (rc == 0) rc = rec_insert_new(x);
    if (rc == 0) rc = rec_update_changed(x);
    if (rc == 0) rc = store_bulk_end(x->s, &fb);
    x->sum->rebuilt = (int)(eb.n + fb.n);
    store_bulk_free(&eb);
    store_bulk_free(&fb);
    return rc;
}

static int record(rec *x, const char *inventory)
{
    store *s = x->s;
    rule_set rs;
    int64_t checked;
    if (store_load_rules(s, x->at, x->a, &rs) < 0 || store_rules_at(s, &checked) < 0 ||
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
    if (write_findings(x) < 0) return -1;
    /* Suppressions that lapsed on findings the scan did not see; all of
     * them when a rule change was reconciled at a later clock than this
     * scan's (a replayed snapshot) or the store cannot tell. */
    recon_opts ro = {.lapsed_only = checked >= 0 && x->at >= checked,
                     .scan_id = x->scan,
                     .counted = &x->acc_ix,
                     .a = x->a};
    if (store_reconcile(s, x->at, &ro, NULL) < 0) return -1;
    x->rows += ro.rows;
    if (rec_update_daily_counts(x, &ro) < 0 || rec_record_accounts(x) < 0 || rec_write_gaps(x) < 0)
        return -1;
    /* After the writes, in the same transaction: the first scan's
     * statistics are there before its commit makes the rows visible. */
    if (store_maintain_stats(s, (int64_t)(x->nins + x->nw)) < 0) return -1;
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
    /* Last: the run's row stays locked only until the commit. */
    if (store_run_record(s, x->sc, x->scan, o) < 0) return -1;
    if (x->sc->run) x->rows += 2;
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
    /* Recordings one at a time, as SQLite's BEGIN IMMEDIATE has them: two
     * shards' bulk writes (bulk.c) would otherwise each hold the table
     * shared and wait for the other to let go of it, a deadlock that
     * PostgreSQL ends by failing one of them. */
    if (db_dialect(s->d) == DB_POSTGRES &&
        db_exec(s->d, "SELECT pg_advisory_xact_lock(7362525)") < 0) {
        fail(s, "cannot wait for the store's other writers");
        goto bad;
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
