/* recheck.c - after a fix: read the resource again, run its policy, and
 * resolve the finding in the same run (issue 13).
 *
 * For each finding one of whose steps made its call or found it already
 * made (fixed, not-fixed, already-applied), the collector (aws_collect,
 * its read role from accounts.yaml and its own calls) collects again, into
 * a temporary inventory, only those findings' accounts, their regions and
 * the calls their policies' resource types are read from (plan.c's rows,
 * with the listings they follow).  The policies then run on it (the
 * engine, the plan's clock) and each finding is:
 *
 *   resolved     its policy no longer matches the resource: the store
 *                resolves that one finding (store_resolve_fixed), nothing
 *                else;
 *   still-found  the policy still matches (reported as not fixed);
 *   not-re-read  the re-read did not cover it (a gap in collection.json
 *                for its account and region, data its policy needs that
 *                was not collected, its policy not loaded): the store is
 *                left as it is.
 *
 * When the policies need data of other types (the engine says what was
 * missing), the accounts' regions are collected again with every call
 * before anything is decided.  Each finding's outcome is an audit log row
 * (phase "recheck").
 */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aws/plan.h"
#include "engine/priority.h"
#include "remediate/rm_internal.h"
#include "store/audit.h"
#include "util/strmap.h"

typedef struct target {
    const rm_step *st; /* its first step */
    size_t step;       /* 0-based */
    rm_recheck *out;
} target;

typedef struct rc_ctx {
    arena *a;
    const rm_plan *p;
    const rm_recheck_options *o;
    target *t;
    size_t n;
    const char **accounts, **regions, **policies;
    size_t nacc, nreg, npol;
    strmap ops; /* "client.Operation" kept */
    bool all_ops;
    char dir[512], inv[600];
} rc_ctx;

static void add_unique(arena *a, const char ***l, size_t *n, const char *s)
{
    if (str_in(*l, *n, s)) return;
    size_t cap = *n;
    *l = arena_grow(a, (void *)*l, &cap, *n + 1, sizeof **l);
    (*l)[(*n)++] = s;
}

static bool is_call(const char *result)
{
    return !strcmp(result, "fixed") || !strcmp(result, "not-fixed") ||
           !strcmp(result, "already-applied");
}

/* The findings to read again, one per fingerprint. */
static void pick_targets(rc_ctx *x, rm_report *r)
{
    size_t cap = 0;
    for (size_t i = 0; i < x->p->n; i++) {
        const rm_step *st = &x->p->steps[i];
        if (!r->o[i].result || !is_call(r->o[i].result)) continue;
        bool seen = false;
        for (size_t k = 0; k < x->n && !seen; k++)
            seen = !strcmp(x->t[k].st->fingerprint, st->fingerprint);
        if (seen) continue;
        x->t = arena_grow(x->a, x->t, &cap, x->n + 1, sizeof *x->t);
        x->t[x->n++] = (target){st, i, NULL};
        add_unique(x->a, &x->accounts, &x->nacc, st->account_id);
        add_unique(x->a, &x->policies, &x->npol, st->policy);
        if (st->region && *st->region && strcmp(st->region, "global") != 0)
            add_unique(x->a, &x->regions, &x->nreg, st->region);
    }
    if (x->n && !x->nreg) add_unique(x->a, &x->regions, &x->nreg, "us-east-1");
}

/* ---- which calls ---- */

typedef struct type_calls {
    rc_ctx *x;
    const char *type;
} type_calls;

static void keep_call(const inventory_call *c, void *arg)
{
    type_calls *tc = arg;
    if (strcmp(c->type, tc->type) != 0) return;
    *strmap_slot(&tc->x->ops, arena_sprintf(tc->x->a, "%s.%s", c->client, c->operation), 1) = 1;
}

/* Every plan row a kept row follows is kept too (its listing). */
static void keep_parents(rc_ctx *x)
{
    size_t n;
    const plan_op *ops = plan_ops(&n);
    for (bool grew = true; grew;) {
        grew = false;
        for (size_t i = 0; i < n; i++) {
            if (!ops[i].parent) continue;
            const char *me = arena_sprintf(x->a, "%s.%s", ops[i].client, ops[i].operation);
            const char *up = arena_sprintf(x->a, "%s.%s", ops[i].client, ops[i].parent);
            if (strmap_get(&x->ops, me, 0) && !strmap_get(&x->ops, up, 0)) {
                *strmap_slot(&x->ops, up, 1) = 1;
                grew = true;
            }
        }
    }
}

static void choose_calls(rc_ctx *x)
{
    strmap_init(&x->ops, x->a, 64);
    for (size_t i = 0; i < x->n; i++)
        for (const resource_type *t = resource_type_find(x->t[i].st->resource_type); t;
             t = t->parent ? resource_type_find(t->parent) : NULL) {
            type_calls tc = {x, t->name};
            inventory_calls(keep_call, &tc);
        }
    keep_parents(x);
}

static bool keep_op(const char *client, const char *operation, void *arg)
{
    rc_ctx *x = arg;
    if (x->all_ops) return true;
    char key[160];
    snprintf(key, sizeof key, "%s.%s", client, operation);
    return strmap_get(&x->ops, key, 0) != 0;
}

static bool keep_account(const char *account_id, void *arg)
{
    rc_ctx *x = arg;
    return str_in(x->accounts, x->nacc, account_id);
}

/* ---- the temporary inventory ---- */

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    remove(p);
    return 0;
}

static void rm_tree(const char *path)
{
    if (*path) nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static int collect(rc_ctx *x, buf *err)
{
    collect_options co = {.accounts_path = x->o->accounts_path,
                          .out_dir = x->inv,
                          .profile = x->o->profile,
                          .keep_account = keep_account,
                          .keep_arg = x,
                          .regions = x->regions,
                          .n_regions = x->nreg,
                          .keep_op = keep_op,
                          .keep_op_arg = x};
    collect_summary sum;
    diag_list d = DIAG_LIST_INIT;
    int rc = aws_collect(&co, &sum, &d);
    if (rc == COLLECT_ERROR)
        buf_printf(err, "collecting again: %s", d.n && d.items[0].msg ? d.items[0].msg : "failed");
    diag_free(&d);
    return rc == COLLECT_ERROR ? -1 : 0;
}

/* collection.json's gaps hit the target's account and region. */
static const char *gap_of(rc_ctx *x, const jv *gaps, const rm_step *st)
{
    for (uint32_t i = 0; jv_is(gaps, JV_ARRAY) && i < gaps->len; i++) {
        const jv *g = &gaps->u.items[i];
        if (!jv_str_eq(jv_get(g, "account"), st->account_id)) continue;
        const jv *reg = jv_get(g, "region");
        if (jv_str_eq(reg, "*") || jv_str_eq(reg, "global") || jv_str_eq(reg, st->region))
            return arena_sprintf(
                x->a, "not collected again: %s %s",
                jv_is(jv_get(g, "operation"), JV_STRING) ? jv_get(g, "operation")->u.str : "?",
                jv_is(jv_get(g, "code"), JV_STRING) ? jv_get(g, "code")->u.str : "");
    }
    return NULL;
}

/* collection.json of the collection (null when unreadable). */
static jv read_collection(rc_ctx *x)
{
    char path[700];
    snprintf(path, sizeof path, "%s/collection.json", x->inv);
    size_t len;
    char *text = read_file(path, &len);
    jv doc = jv_null();
    json_error je;
    if (!text || json_parse(x->a, text, len, &doc, &je) != 0) doc = jv_null();
    free(text);
    return doc;
}

/* The account was entered (its status collected or partial). */
static bool account_collected(const jv *doc, const char *account_id)
{
    const jv *l = jv_get(doc, "accounts");
    for (uint32_t i = 0; jv_is(l, JV_ARRAY) && i < l->len; i++)
        if (jv_str_eq(jv_get(&l->u.items[i], "id"), account_id))
            return jv_str_eq(jv_get(&l->u.items[i], "status"), "collected") ||
                   jv_str_eq(jv_get(&l->u.items[i], "status"), "partial");
    return false;
}

/* What the engine says the policies needed and was not collected, for
 * the target's account; NULL when nothing. */
static const char *missing_of(const scan_result *res, const rm_step *st)
{
    for (size_t i = 0; i < res->missing.n; i++)
        if (res->missing.items[i].pos.file &&
            !strcmp(res->missing.items[i].pos.file, st->account_id))
            return res->missing.items[i].msg;
    return NULL;
}

static const policy *policy_named(const policy_set *ps, const char *name)
{
    for (size_t i = 0; ps && i < ps->n; i++)
        if (!strcmp(ps->items[i].name, name)) return &ps->items[i];
    return NULL;
}

static bool found_in(const scan_result *res, const char *fingerprint)
{
    char fp[17];
    for (size_t i = 0; i < res->n; i++) {
        fingerprint_hex(res->items[i].fingerprint, fp);
        if (!strcmp(fp, fingerprint)) return true;
    }
    return false;
}

static void set(rm_recheck *c, const char *result, const char *message)
{
    c->result = result;
    c->message = message;
}

/* One target's outcome from the collection's gaps and the scan. */
static int decide_one(rc_ctx *x, store *sto, const jv *doc, const scan_result *res, target *t,
                      bool *want_all, buf *err)
{
    const rm_step *st = t->st;
    rm_recheck *c = t->out;
    const char *why;
    if (!policy_named(x->o->ps, st->policy)) {
        set(c, "not-re-read", "its policy is not among the policies loaded (-p)");
    } else if (!account_collected(doc, st->account_id)) {
        set(c, "not-re-read", "its account was not collected again (see accounts.yaml)");
    } else if ((why = gap_of(x, jv_get(doc, "not_collected"), st))) {
        set(c, "not-re-read", why);
    } else if ((why = missing_of(res, st))) {
        set(c, "not-re-read", arena_sprintf(x->a, "not collected: %s", why));
        if (!x->all_ops) *want_all = true;
    } else if (found_in(res, st->fingerprint)) {
        set(c, "still-found", "its policy still matches the resource");
    } else {
        bool resolved = false;
        if (store_resolve_fixed(sto, st->fingerprint, x->o->now, &resolved) != 0) {
            buf_printf(err, "resolving %s: %s", st->fingerprint, store_error(sto));
            return -1;
        }
        set(c, "resolved",
            resolved ? NULL : "its policy no longer matches (the finding was not open)");
    }
    return 0;
}

/* Collects into a fresh temporary directory, scans it and decides each
 * target (resolving in the store only on the last pass); *want_all when
 * some target lacked data that every call would give. */
static int pass(rc_ctx *x, store *sto, bool last, bool *want_all, buf *err)
{
    *want_all = false;
    const char *tmp = getenv("TMPDIR");
    snprintf(x->dir, sizeof x->dir, "%s/custos-fix-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(x->dir)) {
        buf_printf(err, "cannot make a temporary directory in %s", tmp && *tmp ? tmp : "/tmp");
        x->dir[0] = 0;
        return -1;
    }
    snprintf(x->inv, sizeof x->inv, "%s/inventory", x->dir);
    int rc = collect(x, err);
    inventory *inv = NULL;
    diag_list d = DIAG_LIST_INIT;
    inventory_options io = {0};
    if (rc == 0 && inventory_open(x->inv, &io, &inv, &d) != 0) {
        buf_printf(err, "the inventory collected again: %s", d.n ? d.items[0].msg : "unreadable");
        rc = -1;
    }
    scan_result res;
    scan_result_init(&res);
    engine_options eo = {.now = (time_t)x->o->now,
                         .filter = {x->accounts, x->nacc, NULL, 0, x->policies, x->npol}};
    if (rc == 0 && engine_scan(inv, x->o->ps, &eo, &res, &d) != 0) {
        buf_printf(err, "scanning again: %s", d.n ? d.items[0].msg : "failed");
        rc = -1;
    }
    jv doc = rc == 0 ? read_collection(x) : jv_null();
    /* A first pass that lacks data decides nothing: the second does. */
    bool lacking = false;
    for (size_t i = 0; rc == 0 && !last && i < x->n; i++)
        if (missing_of(&res, x->t[i].st)) lacking = true;
    for (size_t i = 0; rc == 0 && (last || !lacking) && i < x->n; i++)
        rc = decide_one(x, sto, &doc, &res, &x->t[i], want_all, err);
    if (lacking) *want_all = true;
    scan_result_free(&res);
    if (inv) inventory_close(inv);
    diag_free(&d);
    rm_tree(x->dir);
    return rc;
}

static int audit(rc_ctx *x, store *sto, const target *t, buf *err)
{
    const rm_step *st = t->st;
    audit_entry e = {.at = x->o->audit_at,
                     .phase = "recheck",
                     .plan_hash = x->p->hash,
                     .step = (int64_t)t->step + 1,
                     .fingerprint = st->fingerprint,
                     .policy = st->policy,
                     .account_id = st->account_id,
                     .region = st->region,
                     .resource_type = st->resource_type,
                     .resource_id = st->resource_id,
                     .result = t->out->result,
                     .message = t->out->message};
    if (store_audit_append(sto, &e, NULL) == 0) return 0;
    buf_printf(err, "audit log: %s", store_error(sto));
    return -1;
}

int rm_read_again(const rm_plan *p, rm_report *r, store *sto, const rm_recheck_options *o, buf *err)
{
    rc_ctx x = {.a = p->a, .p = p, .o = o};
    pick_targets(&x, r);
    r->checks = arena_calloc(p->a, (x.n ? x.n : 1) * sizeof *r->checks);
    r->nchecks = x.n;
    for (size_t i = 0; i < x.n; i++) {
        x.t[i].out = &r->checks[i];
        r->checks[i] = (rm_recheck){x.t[i].st->fingerprint, x.t[i].st->policy,
                                    x.t[i].st->resource_id, "not-re-read", NULL};
    }
    if (!x.n) return 0;
    choose_calls(&x);
    bool want_all = false;
    int rc = pass(&x, sto, false, &want_all, err);
    if (rc == 0 && want_all) {
        x.all_ops = true;
        rc = pass(&x, sto, true, &want_all, err);
    }
    if (rc != 0)
        for (size_t i = 0; i < x.n; i++)
            if (!strcmp(r->checks[i].result, "not-re-read") && !r->checks[i].message)
                r->checks[i].message = arena_strdup(p->a, err->data ? err->data : "");
    for (size_t i = 0; i < x.n; i++) {
        if (!strcmp(r->checks[i].result, "resolved")) r->resolved++;
        if (audit(&x, sto, &x.t[i], err) != 0) return -1;
    }
    return rc;
}
