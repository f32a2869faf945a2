/* engine.c - policy evaluation over resource sets; see engine.h.
 *
 * Work is split in two levels.  The outer loop walks (scope, resource type)
 * pairs in inventory order and loads one set at a time (the inventory parses
 * its files in parallel).  The inner loop cuts the set into chunks of
 * CHUNK resources and hands chunks to workers; each worker evaluates every
 * policy of that type on each resource of its chunk (resource-major, so a
 * resource's memory is touched while hot).  Each chunk writes its findings
 * to its own slot, and slots are concatenated in chunk order afterwards,
 * which keeps the output independent of scheduling.
 *
 * Scratch memory for filters comes from a per-worker arena reset after each
 * resource; evidence that must survive is copied to the worker's result
 * arena, which the scan_result owns.
 */
#include "engine/engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/parallel.h"

#define CHUNK 256
#define MAX_WORKERS 64

/* Findings stay where the workers wrote them (segments in worker arenas)
 * until the scan ends; then one counting sort places them in their final
 * order in a single exactly-sized array. */
typedef struct segment {
    finding *items;
    size_t n;
} segment;

struct engine_priv {
    arena *worker_out[MAX_WORKERS];
    arena *worker_scratch[MAX_WORKERS];
    int nworkers;
    segment *segs;
    size_t nsegs, capsegs;
};

static double now_secs(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void scan_result_init(scan_result *r)
{
    memset(r, 0, sizeof *r);
    r->a = arena_new(0);
    r->priv = calloc(1, sizeof *r->priv);
    if (!r->priv) abort();
}

void scan_result_free(scan_result *r)
{
    if (r->priv) {
        for (int i = 0; i < MAX_WORKERS; i++) {
            arena_free(r->priv->worker_out[i]);
            arena_free(r->priv->worker_scratch[i]);
        }
        free(r->priv->segs);
        free(r->priv);
    }
    arena_free(r->a);
    free(r->items);
    memset(r, 0, sizeof *r);
}

static void add_segment(scan_result *r, finding *items, size_t n)
{
    struct engine_priv *p = r->priv;
    if (!n) return;
    if (p->nsegs == p->capsegs) {
        size_t cap = p->capsegs ? p->capsegs * 2 : 64;
        segment *segs = realloc(p->segs, cap * sizeof *segs);
        if (!segs) abort();
        p->segs = segs;
        p->capsegs = cap;
    }
    p->segs[p->nsegs++] = (segment){items, n};
    r->n += n;
}

static void ensure_workers(scan_result *r, int n)
{
    struct engine_priv *p = r->priv;
    for (int i = p->nworkers; i < n; i++) {
        p->worker_out[i] = arena_new(1 << 20);
        p->worker_scratch[i] = arena_new(1 << 16);
    }
    if (n > p->nworkers) p->nworkers = n;
}

static bool name_selected(const char *const *names, size_t n, const char *a, const char *b);

/* ---- evaluating one set ---- */

typedef struct chunk_out {
    finding *items;
    size_t n, cap;
} chunk_out;

typedef struct set_job {
    const resource_set *set;
    const policy *const *pols;
    size_t npols;
    const account_info *account;
    time_t now;
    const scan_filter *regions; /* non-NULL: keep only findings in these regions */
    scan_result *r;
    chunk_out *chunks;
} set_job;

static const char *finding_id(arena *a, const resource_type *t, const jv *res, size_t index)
{
    const jv *id = t && t->id_field ? jv_get(res, t->id_field) : NULL;
    if (id && id->kind == JV_STRING) return id->u.str;
    if (id && id->kind == JV_NUMBER) {
        buf b = BUF_INIT;
        json_write_number(&b, id->u.num, id->flags);
        char *s = arena_strdup(a, b.data);
        buf_free(&b);
        return s;
    }
    return arena_sprintf(a, "#%zu", index);
}

static void chunk_push(arena *a, chunk_out *c, const finding *f)
{
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 16;
        c->items = arena_realloc(a, c->items, c->cap * sizeof *f, cap * sizeof *f);
        c->cap = cap;
    }
    c->items[c->n++] = *f;
}

static void eval_chunk(size_t chunk, int worker, void *arg)
{
    set_job *j = arg;
    const resource_set *set = j->set;
    arena *out = j->r->priv->worker_out[worker];
    arena *scratch = j->r->priv->worker_scratch[worker];
    chunk_out *co = &j->chunks[chunk];
    size_t lo = chunk * CHUNK, hi = lo + CHUNK < set->n ? lo + CHUNK : set->n;
    jv evidence;
    eval_ctx ctx = {
        .scratch = scratch,
        .account_id = set->account_id,
        .region = set->region,
        .now = j->now,
        .related = set,
        .evidence = &evidence,
    };
    for (size_t i = lo; i < hi; i++) {
        const jv *res = &set->items[i];
        for (size_t p = 0; p < j->npols; p++) {
            const policy *pol = j->pols[p];
            evidence = jv_null();
            ctx.rtype = pol->rtype;
            bool hit = !pol->filters || filter_match(pol->filters, res, &ctx);
            if (hit) {
                const resource_type *t = pol->rtype;
                const char *region = resource_region(t, res, set->region);
                if (j->regions &&
                    !name_selected(j->regions->regions, j->regions->n_regions, region, NULL))
                    continue;
                const jv *name = t && t->name_field ? jv_get(res, t->name_field) : NULL;
                finding f = {
                    .pol = pol,
                    .rtype = t,
                    .id = finding_id(out, t, res, i),
                    .name = name && name->kind == JV_STRING ? name->u.str : NULL,
                    .account = j->account,
                    .account_id = set->account_id,
                    .region = region,
                    .resource = res,
                    .evidence = evidence.kind == JV_NULL ? evidence : jv_copy(out, &evidence),
                };
                chunk_push(out, co, &f);
            }
        }
        arena_reset(scratch);
    }
}

static void eval_set(scan_result *r, const resource_set *set, const policy *const *pols,
                     size_t npols, const account_info *account, int threads, time_t now,
                     const scan_filter *regions)
{
    size_t nchunks = (set->n + CHUNK - 1) / CHUNK;
    if (!nchunks) return;
    chunk_out *chunks = calloc(nchunks, sizeof *chunks);
    if (!chunks) abort();
    set_job j = {set, pols, npols, account, now, regions, r, chunks};
    parallel_for(threads, nchunks, eval_chunk, &j);
    for (size_t c = 0; c < nchunks; c++)
        add_segment(r, chunks[c].items, chunks[c].n);
    free(chunks);
    r->stats.resources += set->n;
    r->stats.sets++;
}

/* ---- selection ---- */

static bool name_selected(const char *const *names, size_t n, const char *a, const char *b)
{
    if (!names) return true;
    for (size_t i = 0; i < n; i++)
        if ((a && !strcmp(names[i], a)) || (b && !strcmp(names[i], b))) return true;
    return false;
}

/* Policies chosen by --policy, each name checked to exist. */
static int select_policies(const policy_set *ps, const scan_filter *f, const policy ***out,
                           size_t *nout, diag_list *diags)
{
    int rc = 0;
    for (size_t i = 0; i < f->n_policies; i++) {
        bool found = false;
        for (size_t k = 0; k < ps->n && !found; k++)
            found = !strcmp(ps->items[k].name, f->policies[i]);
        if (!found) {
            diag_add(diags, (srcpos){0}, "no policy named '%s' in the loaded policies",
                     f->policies[i]);
            rc = -1;
        }
    }
    const policy **sel = calloc(ps->n ? ps->n : 1, sizeof *sel);
    if (!sel) abort();
    size_t n = 0;
    for (size_t k = 0; k < ps->n; k++)
        if (name_selected(f->policies, f->n_policies, ps->items[k].name, NULL))
            sel[n++] = &ps->items[k];
    *out = sel;
    *nout = n;
    return rc;
}

/* Final order: most severe first; within a severity, policies in load
 * order; within a policy, scan order (scopes, then resources), which is
 * already deterministic.  That is a stable sort on a small integer key (the
 * policy's rank), so a counting sort does it in linear time. */
static int rank_cmp(const void *pa, const void *pb)
{
    const policy *a = *(const policy *const *)pa, *b = *(const policy *const *)pb;
    if (a->sev != b->sev) return a->sev > b->sev ? -1 : 1;
    return a < b ? -1 : a > b;
}

static void sort_findings(scan_result *r, const policy_set *ps)
{
    struct engine_priv *p = r->priv;
    size_t np = ps->n;
    const policy **order = malloc((np ? np : 1) * sizeof *order);
    size_t *start = calloc(np + 1, sizeof *start);
    size_t *rank = malloc((np ? np : 1) * sizeof *rank);
    r->items = malloc((r->n ? r->n : 1) * sizeof *r->items);
    if (!order || !start || !rank || !r->items) abort();
    for (size_t i = 0; i < np; i++)
        order[i] = &ps->items[i];
    qsort(order, np, sizeof *order, rank_cmp);
    for (size_t i = 0; i < np; i++)
        rank[order[i] - ps->items] = i;
    for (size_t s = 0; s < p->nsegs; s++)
        for (size_t i = 0; i < p->segs[s].n; i++)
            start[rank[p->segs[s].items[i].pol - ps->items] + 1]++;
    for (size_t i = 0; i < np; i++)
        start[i + 1] += start[i];
    for (size_t s = 0; s < p->nsegs; s++)
        for (size_t i = 0; i < p->segs[s].n; i++) {
            const finding *f = &p->segs[s].items[i];
            r->items[start[rank[f->pol - ps->items]]++] = *f;
        }
    r->cap = r->n;
    p->nsegs = 0;
    free(order);
    free(start);
    free(rank);
}

static int check_names_exist(const inventory *inv, const scan_filter *f, diag_list *diags)
{
    int rc = 0;
    for (size_t i = 0; i < f->n_accounts; i++) {
        bool found = false;
        for (size_t k = 0; k < inventory_account_count(inv) && !found; k++) {
            const account_info *a = inventory_account(inv, k);
            found = !strcmp(a->id, f->accounts[i]) || (a->name && !strcmp(a->name, f->accounts[i]));
        }
        if (!found) {
            diag_add(diags, (srcpos){0}, "no account '%s' in the inventory", f->accounts[i]);
            rc = -1;
        }
    }
    return rc;
}

int engine_scan(inventory *inv, const policy_set *ps, const engine_options *opt,
                scan_result *out, diag_list *diags)
{
    int threads = opt->threads > 0 ? opt->threads : parallel_default_threads();
    time_t now = opt->now ? opt->now : time(NULL);
    const policy **sel;
    size_t nsel;
    int rc = select_policies(ps, &opt->filter, &sel, &nsel, diags);
    if (check_names_exist(inv, &opt->filter, diags) < 0) rc = -1;
    if (rc < 0) {
        free(sel);
        return -1;
    }
    ensure_workers(out, threads);
    out->stats.policies = nsel;

    /* Group the selected policies by resource type, in registry order. */
    const policy **bytype = calloc(nsel ? nsel : 1, sizeof *bytype);
    if (!bytype) abort();
    const inv_scope *scopes;
    size_t nscopes = inventory_scopes(inv, &scopes);
    for (size_t s = 0; s < nscopes && rc == 0; s++) {
        const inv_scope *sc = &scopes[s];
        const scan_filter *f = &opt->filter;
        if (!name_selected(f->accounts, f->n_accounts, sc->account->id, sc->account->name))
            continue;
        /* Global types (IAM, S3) load in each account's first scope and
         * report their own region (resource_region), so a --region filter
         * applies to their findings rather than to the scope. */
        bool region_ok = name_selected(f->regions, f->n_regions, sc->region, NULL);
        if (!region_ok && !inventory_scope_is_first(inv, sc)) continue;
        if (region_ok) out->stats.scopes++;
        for (int ti = 0; resource_type_at(ti); ti++) {
            const resource_type *t = resource_type_at(ti);
            if (!region_ok && !t->global) continue;
            size_t np = 0;
            for (size_t k = 0; k < nsel; k++)
                if (sel[k]->rtype == t) bytype[np++] = sel[k];
            if (!np) continue;
            resource_set set;
            double t0 = now_secs();
            if (inventory_load(inv, t, sc, &set, diags) < 0) {
                rc = -1;
                break;
            }
            double t1 = now_secs();
            if (opt->load_only) {
                out->stats.resources += set.n;
                out->stats.sets++;
            } else {
                eval_set(out, &set, bytype, np, sc->account, threads, now,
                         t->global && f->regions ? f : NULL);
            }
            out->stats.load_secs += t1 - t0;
            out->stats.eval_secs += now_secs() - t1;
        }
    }
    free(bytype);
    free(sel);
    if (rc == 0) sort_findings(out, ps);
    return rc;
}

int engine_eval(const policy_set *ps, const jv *resources, const char *account_id,
                const char *region, const engine_options *opt, scan_result *out,
                diag_list *diags)
{
    if (!resources || resources->kind != JV_ARRAY) {
        diag_add(diags, (srcpos){0}, "resources must be a JSON array of resource objects");
        return -1;
    }
    int threads = opt->threads > 0 ? opt->threads : parallel_default_threads();
    time_t now = opt->now ? opt->now : time(NULL);
    const policy **sel;
    size_t nsel;
    if (select_policies(ps, &opt->filter, &sel, &nsel, diags) < 0) {
        free(sel);
        return -1;
    }
    ensure_workers(out, threads);
    out->stats.policies = nsel;
    out->stats.scopes = 1;
    for (size_t k = 0; k < nsel; k++) {
        resource_set set = {
            .type = sel[k]->rtype,
            .account_id = account_id,
            .region = region,
            .items = resources->u.items,
            .n = resources->len,
        };
        eval_set(out, &set, &sel[k], 1, NULL, threads, now, NULL);
    }
    free(sel);
    sort_findings(out, ps);
    return 0;
}
