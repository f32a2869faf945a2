/* engine.c - policy evaluation over resource sets; see engine.h.
 *
 * A scan is a list of tasks (scope, type, part) run by parallel_for.  Each
 * worker owns three arenas: `load` holds the resources of the task it is
 * running and is reset when the task ends; `scratch` holds filter
 * intermediates and is reset after every resource; `out` holds what the
 * findings keep (ids, names, evidence) and lives as long as the result.
 * When a scan is a single task (one big set, say a single inventory file),
 * the set is loaded whole and its resources are cut into chunks of CHUNK
 * instead, so both cores still work.
 *
 * Every task and chunk writes its findings to its own slot; slots are
 * concatenated in task order and then counting-sorted by policy rank, so
 * the output never depends on scheduling.
 */
#include "engine/engine.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inventory/scope.h"
#include "engine/priority.h"
#include "engine/finding.h"
#include "format/template.h"
#include "policy/query.h"
#include "util/parallel.h"
#include "util/shquote.h"

#define CHUNK 256
#define MAX_WORKERS 64

/* Findings stay where the workers wrote them (segments in worker arenas)
 * until the scan ends; then one counting sort places them in their final
 * order in a single exactly-sized array. */
typedef struct segment {
    finding *items;
    size_t n;
} segment;

/* What one worker writes into: kept findings, per-resource scratch, and a
 * buffer reused for rendering findings. */
typedef struct worker_mem {
    arena *out, *scratch;
    buf render, text;
} worker_mem;

struct engine_priv {
    worker_mem w[MAX_WORKERS];
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
            arena_free(r->priv->w[i].out);
            arena_free(r->priv->w[i].scratch);
            buf_free(&r->priv->w[i].render);
            buf_free(&r->priv->w[i].text);
        }
        free(r->priv->segs);
        free(r->priv);
    }
    arena_free(r->a);
    free(r->items);
    diag_free(&r->missing);
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
        p->w[i].out = arena_new(1 << 20);
        p->w[i].scratch = arena_new(1 << 16);
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
    scope_ctx *scope;
    time_t now;
    const scan_filter *regions; /* non-NULL: keep only findings in these regions */
    bool render_json;
    bool hash;
    scan_result *r;
    chunk_out *chunks;
} set_job;

static const char *finding_id(arena *a, const resource_type *t, const jv *res, size_t index)
{
    const jv *id = t && t->id_field ? jv_get(res, t->id_field) : NULL;
    if (id && id->kind == JV_STRING) return arena_strndup(a, id->u.str, id->len);
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

/* Renders f's JSON into the worker's buffer, hashes it when asked, and
 * keeps it in the worker's out arena when asked. */
static void render(worker_mem *w, finding *f, bool keep, bool hash)
{
    buf_reset(&w->render);
    size_t evidence_at = finding_write_json(&w->render, f);
    if (hash) f->content_hash = finding_json_hash(w->render.data, w->render.len);
    if (!keep) return;
    f->json_len = (uint32_t)w->render.len;
    f->evidence_at = (uint32_t)evidence_at;
    f->json = arena_strndup(w->out, w->render.data, w->render.len);
}

/* The object runbook and fix templates are rendered against (README,
 * "Runbooks"): the finding's identity, its account, the resource document
 * and the evidence. */
/* The access key ids a finding is about: the keys the access-key filter
 * matched, and for credential-report matches (which carry no key id) the
 * ListAccessKeys entry created when the report says the key was last
 * rotated.  Null when none is known, so a runbook can fall back. */
static jv finding_access_keys(arena *a, const jv *evidence, const jv *res)
{
    const jv *matched = jv_get(evidence, "c7n:matched-keys");
    const jv *keys = jv_get(res, "c7n:AccessKeys");
    jv_builder b;
    jvb_array(&b, a);
    for (uint32_t i = 0; jv_is(matched, JV_ARRAY) && i < matched->len; i++) {
        const jv *m = &matched->u.items[i], *id = jv_get(m, "AccessKeyId");
        const jv *rot = jv_get(m, "last_rotated");
        for (uint32_t k = 0; !id && jv_is(rot, JV_STRING) && jv_is(keys, JV_ARRAY) && k < keys->len;
             k++) {
            const jv *created = jv_get(&keys->u.items[k], "CreateDate");
            if (created && jv_equal(created, rot)) id = jv_get(&keys->u.items[k], "AccessKeyId");
        }
        if (!id || id->kind != JV_STRING) continue;
        bool seen = false;
        for (uint32_t j = 0; j < b.v.len; j++)
            seen |= jv_equal(&b.v.u.items[j], id);
        if (!seen) jvb_push(&b, *id);
    }
    jv out = jvb_done(&b);
    return out.len ? out : jv_null();
}

static jv finding_context(arena *a, const finding *f, const jv *res, const char *instance)
{
    jv_builder b;
    jvb_object(&b, a);
#define SET(k, v) jvb_set(&b, k, sizeof(k) - 1, v)
#define SETS(k, s) SET(k, (s) ? jv_cstr(a, s) : jv_null())
    SETS("policy", f->pol->name);
    SETS("description", f->pol->description);
    SETS("id", f->id);
    SETS("name", f->name ? f->name : f->id);
    buf arn = BUF_INIT;
    bool has_arn = f->rtype && resource_arn(f->rtype, res, f->account_id, f->region, &arn);
    SETS("arn", has_arn ? arn.data : NULL);
    buf_free(&arn);
    SETS("account", f->account_id);
    const account_info *ai = f->account;
    SETS("account_name", ai && ai->name ? ai->name : f->account_id);
    SETS("team", ai ? ai->team : NULL);
    SETS("environment", ai ? ai->environment : NULL);
    SETS("region", f->region);
    SET("resource", *res);
    SET("evidence", f->evidence);
    SET("access_keys", finding_access_keys(a, &f->evidence, res));
    SETS("instance", instance);
#undef SETS
#undef SET
    return jvb_done(&b);
}

static const char *render_template(worker_mem *w, arena *keep, const tmpl *t, const jv *ctx,
                                   const char *what, const char **error)
{
    tmpl_error te;
    buf_reset(&w->text);
    if (tmpl_render(t, ctx, w->scratch, &w->text, &te) != 0) {
        if (!*error) *error = arena_sprintf(keep, "metadata.%s: %s", what, te.msg);
        return NULL;
    }
    return arena_strndup(keep, w->text.data ? w->text.data : "", w->text.len);
}

/* The runbook's closing section for a policy with actions: custos fix can
 * apply them (where accounts.yaml says `remediate: true`), and the plan
 * and apply commands for this finding, every value one shell word. */
static void fix_with_custos(buf *b, const finding *f)
{
    const jv *acts = &f->pol->actions;
    if (!jv_is(acts, JV_ARRAY) || !acts->len) return;
    if (b->len) buf_puts(b, "\n\n");
    buf_puts(b, "**Fix with custos**: this policy's actions (");
    for (uint32_t i = 0; i < acts->len; i++) {
        const jv *a = &acts->u.items[i], *t = jv_is(a, JV_STRING) ? a : jv_get(a, "type");
        if (i) buf_puts(b, ", ");
        buf_puts(b, jv_is(t, JV_STRING) ? t->u.str : "?");
    }
    const jv *on = f->account ? jv_get(&f->account->raw, "remediate") : NULL;
    buf_printf(b,
               ") can be applied by `custos fix` after review, in an account whose "
               "accounts.yaml entry says `remediate: true` (%s).  Plan, read the plan, "
               "then apply it:\n\n```sh\n",
               jv_is(on, JV_TRUE) ? "this one does"
                                  : "this one does not yet: custos will not "
                                    "change it");
    char fp[17];
    fingerprint_hex(f->fingerprint, fp);
    const char *src = f->pol->pos.file ? f->pol->pos.file : "policies.yml";
    buf_printf(b, "custos fix plan --finding %s -p ", fp);
    if (sh_quote(b, src, strlen(src)) != 0) buf_puts(b, "''");
    buf_puts(b, " --accounts accounts.yaml -o plan.json\ncustos fix apply plan.json -p ");
    if (sh_quote(b, src, strlen(src)) != 0) buf_puts(b, "''");
    buf_puts(b, " --accounts accounts.yaml\n```");
}

static const char *render_runbook(worker_mem *w, arena *keep, const finding *f, const jv *ctx,
                                  const char **error)
{
    buf_reset(&w->text);
    if (f->pol->runbook) {
        tmpl_error te;
        if (tmpl_render(f->pol->runbook, ctx, w->scratch, &w->text, &te) != 0) {
            if (!*error) *error = arena_sprintf(keep, "metadata.runbook: %s", te.msg);
            return NULL;
        }
    }
    fix_with_custos(&w->text, f);
    return w->text.len ? arena_strndup(keep, w->text.data, w->text.len) : NULL;
}

/* Priority, reasons, fingerprint, fix and runbook: everything that needs
 * the resource document, which is gone once the task ends.  Texts go to
 * `keep`: the worker's out arena, or its scratch when the finding's JSON is
 * rendered right away and carries them (a 100k-finding JSON report then
 * keeps one copy of each reason, not two). */
static void annotate(worker_mem *w, arena *keep, const set_job *j, finding *f, const jv *res)
{
    priority pr;
    priority_compute(f->pol, f->rtype, res, &f->evidence, f->account, j->scope, keep, &pr);
    f->priority = (int16_t)pr.score;
    f->nreasons = (uint16_t)pr.n;
    f->reasons = arena_alloc(keep, (pr.n ? pr.n : 1) * sizeof *f->reasons);
    memcpy(f->reasons, pr.reasons, pr.n * sizeof *f->reasons);
    f->fingerprint = finding_fingerprint(f->pol->name, f->rtype ? f->rtype->name : "",
                                         f->account_id, f->region, f->id);
    bool acts = jv_is(&f->pol->actions, JV_ARRAY) && f->pol->actions.len;
    if (!f->pol->fix && !f->pol->runbook && !acts) return;
    jv ctx = finding_context(w->scratch, f, res, pr.instance);
    if (f->pol->fix) f->fix = render_template(w, keep, f->pol->fix, &ctx, "fix", &f->render_error);
    if (f->pol->runbook || acts) f->runbook = render_runbook(w, keep, f, &ctx, &f->render_error);
}

/* Evaluates resources [lo, hi) of set with every policy, appending to co. */
static void eval_range(const set_job *j, const resource_set *set, size_t lo, size_t hi,
                       worker_mem *w, chunk_out *co)
{
    arena *out = w->out, *scratch = w->scratch;
    jv evidence;
    eval_ctx ctx = {
        .scratch = scratch,
        .account_id = set->account_id,
        .region = set->region,
        .now = j->now,
        .related = set,
        .scope = j->scope,
        .evidence = &evidence,
    };
    for (size_t i = lo; i < hi; i++) {
        const jv *res = &set->items[i];
        for (size_t p = 0; p < j->npols; p++) {
            const policy *pol = j->pols[p];
            evidence = jv_null();
            ctx.rtype = pol->rtype;
            if (pol->query && !policy_query_match(pol->query, res)) continue;
            if (pol->filters && !filter_match(pol->filters, res, &ctx)) continue;
            const resource_type *t = pol->rtype;
            const char *region = resource_region(t, res, set->region);
            /* IAM and the account have no region: a --region filter never
             * hides them (as Custodian reports them in any region's run). */
            if (j->regions && strcmp(region, "global") != 0 &&
                !name_selected(j->regions->regions, j->regions->n_regions, region, NULL))
                continue;
            const jv *name = t && t->name_field ? jv_get(res, t->name_field) : NULL;
            /* Copy what the finding keeps: the resource's memory is reset
             * when its task ends. */
            finding f = {
                .pol = pol,
                .rtype = t,
                .id = finding_id(out, t, res, i),
                .name = name && name->kind == JV_STRING ? arena_strndup(out, name->u.str, name->len)
                                                        : NULL,
                .account = j->account,
                .account_id = set->account_id,
                .region = region == set->region ? region : arena_strdup(out, region),
                .evidence = evidence,
            };
            annotate(w, j->render_json ? scratch : out, j, &f, res);
            /* Evidence lives in scratch: render it now, or copy it out. */
            if (j->render_json) {
                render(w, &f, true, j->hash);
                /* The rendered JSON carries these; scratch is reset next. */
                f.evidence = jv_null();
                f.reasons = NULL;
                f.nreasons = 0;
                f.fix = f.runbook = f.render_error = NULL;
            } else {
                if (j->hash) render(w, &f, false, true);
                if (f.evidence.kind != JV_NULL) f.evidence = jv_copy(out, &f.evidence);
            }
            chunk_push(out, co, &f);
        }
        arena_reset(scratch);
    }
}

static void eval_chunk(size_t chunk, int worker, void *arg)
{
    set_job *j = arg;
    size_t lo = chunk * CHUNK, hi = lo + CHUNK < j->set->n ? lo + CHUNK : j->set->n;
    eval_range(j, j->set, lo, hi, &j->r->priv->w[worker], &j->chunks[chunk]);
}

/* Evaluates a whole set in chunks on all cores; job supplies the policies
 * and context (its set, r and chunks are filled in here). */
static void eval_set(scan_result *r, const resource_set *set, const set_job *job, int threads)
{
    size_t nchunks = (set->n + CHUNK - 1) / CHUNK;
    if (!nchunks) return;
    chunk_out *chunks = calloc(nchunks, sizeof *chunks);
    if (!chunks) abort();
    set_job j = *job;
    j.set = set;
    j.r = r;
    j.chunks = chunks;
    parallel_for(threads, nchunks, eval_chunk, &j);
    for (size_t c = 0; c < nchunks; c++)
        add_segment(r, chunks[c].items, chunks[c].n);
    free(chunks);
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

/* ---- set-level filters (value_type: resource_count) ----
 *
 * A Custodian run covers one account and region, and resource_count keeps
 * or drops the whole set a policy matched in that run.  So matches are
 * counted per (policy, account, region) and the groups whose count fails
 * the policy's resource_count are removed before sorting. */

typedef struct group_count {
    const policy *pol;
    const char *account, *region;
    size_t n;
} group_count;

/* Open-addressing table of groups; the hash keeps this linear however
 * many accounts and regions a scan covers. */
typedef struct group_table {
    group_count *slots;
    size_t cap, used;
} group_table;

static uint64_t hash_str(uint64_t h, const char *s)
{
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static uint64_t group_hash(const finding *f)
{
    uint64_t h = (uint64_t)(uintptr_t)f->pol * 0x9E3779B97F4A7C15ULL;
    return hash_str(hash_str(h, f->account_id), f->region);
}

static group_count *group_find(group_table *t, const finding *f)
{
    if (2 * (t->used + 1) > t->cap) {
        group_table bigger = {calloc(t->cap ? 2 * t->cap : 64, sizeof(group_count)),
                              t->cap ? 2 * t->cap : 64, 0};
        if (!bigger.slots) abort();
        for (size_t i = 0; i < t->cap; i++) {
            group_count *g = &t->slots[i];
            if (!g->pol) continue;
            finding key = {.pol = g->pol, .account_id = g->account, .region = g->region};
            size_t k = group_hash(&key) & (bigger.cap - 1);
            while (bigger.slots[k].pol)
                k = (k + 1) & (bigger.cap - 1);
            bigger.slots[k] = *g;
            bigger.used++;
        }
        free(t->slots);
        *t = bigger;
    }
    size_t k = group_hash(f) & (t->cap - 1);
    for (;; k = (k + 1) & (t->cap - 1)) {
        group_count *g = &t->slots[k];
        if (!g->pol) {
            *g = (group_count){f->pol, f->account_id, f->region, 0};
            t->used++;
            return g;
        }
        if (g->pol == f->pol && !strcmp(g->account, f->account_id) && !strcmp(g->region, f->region))
            return g;
    }
}

static void apply_set_level(scan_result *r, const policy_set *ps)
{
    bool any = false;
    for (size_t i = 0; i < ps->n && !any; i++)
        any = filter_has_set_level(ps->items[i].filters);
    if (!any) return;
    struct engine_priv *p = r->priv;
    group_table t = {0};
    for (size_t s = 0; s < p->nsegs; s++)
        for (size_t i = 0; i < p->segs[s].n; i++) {
            const finding *f = &p->segs[s].items[i];
            if (filter_has_set_level(f->pol->filters)) group_find(&t, f)->n++;
        }
    for (size_t s = 0; s < p->nsegs; s++) {
        segment *seg = &p->segs[s];
        size_t m = 0;
        for (size_t i = 0; i < seg->n; i++) {
            const finding *f = &seg->items[i];
            bool keep = !filter_has_set_level(f->pol->filters) ||
                        filter_set_level_pass(f->pol->filters, group_find(&t, f)->n);
            if (keep) seg->items[m++] = *f;
        }
        r->n -= seg->n - m;
        seg->n = m;
    }
    free(t.slots);
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

/* One counting sort on the key (priority, policy rank): highest priority
 * first, then most severe policy, then scan order.  A single pass into one
 * exactly-sized array keeps the peak memory of a 100k-finding scan at one
 * copy of the findings. */
static void sort_findings(scan_result *r, const policy_set *ps)
{
    apply_set_level(r, ps);
    struct engine_priv *p = r->priv;
    size_t np = ps->n ? ps->n : 1;
    size_t nkeys = 101 * np;
    const policy **order = malloc(np * sizeof *order);
    size_t *start = calloc(nkeys + 1, sizeof *start);
    size_t *rank = malloc(np * sizeof *rank);
    r->items = calloc(r->n ? r->n : 1, sizeof *r->items);
    if (!order || !start || !rank || !r->items) abort();
    for (size_t i = 0; i < ps->n; i++)
        order[i] = &ps->items[i];
    qsort(order, ps->n, sizeof *order, rank_cmp);
    for (size_t i = 0; i < ps->n; i++)
        rank[order[i] - ps->items] = i;
#define SORT_KEY(f) ((size_t)(100 - (f)->priority) * np + rank[(f)->pol - ps->items])
    for (size_t s = 0; s < p->nsegs; s++)
        for (size_t i = 0; i < p->segs[s].n; i++)
            start[SORT_KEY(&p->segs[s].items[i]) + 1]++;
    for (size_t k = 0; k < nkeys; k++)
        start[k + 1] += start[k];
    for (size_t s = 0; s < p->nsegs; s++)
        for (size_t i = 0; i < p->segs[s].n; i++) {
            const finding *f = &p->segs[s].items[i];
            r->items[start[SORT_KEY(f)]++] = *f;
        }
#undef SORT_KEY
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

/* ---- scanning an inventory: tasks ---- */

typedef struct scan_task {
    const inv_scope *scope;
    const resource_type *t;
    long part; /* -1: the whole set */
    set_job job;
    /* results */
    chunk_out out;
    size_t nres;
    bool more; /* the part's page says more pages follow */
    int rc;
    diag_list diags;
    double load_secs, eval_secs;
} scan_task;

typedef struct scan_run {
    inventory *inv;
    scan_task *tasks;
    size_t ntasks;
    atomic_size_t done;
    double last_report;
    const engine_options *opt;
    scope_table *scopes;
    arena *load[MAX_WORKERS];
    scan_result *r;
    bool load_only;
} scan_run;

/* A policy's own listing that was not collected is a gap, not "nothing". */
static void note_listing(scope_table *st, const inv_scope *scope, const resource_set *set)
{
    if (!set->missing || !set->type) return;
    char what[256];
    snprintf(what, sizeof what, "%s: %s.%s not collected", set->type->name,
             set->type->client ? set->type->client : set->type->service,
             set->type->operation ? set->type->operation : "?");
    scope_note_missing(scope_table_get(st, scope), what);
}

static int cmp_missing(const void *a, const void *b)
{
    const diag *x = a, *y = b;
    int c = strcmp(x->pos.file ? x->pos.file : "", y->pos.file ? y->pos.file : "");
    return c ? c : strcmp(x->msg, y->msg);
}

static void run_task(size_t i, int worker, void *arg)
{
    scan_run *sr = arg;
    scan_task *t = &sr->tasks[i];
    arena *load = sr->load[worker];
    resource_set set;
    double t0 = now_secs();
    t->rc = inventory_load_part(sr->inv, t->t, t->scope, t->part, load, &set, &t->more, &t->diags);
    double t1 = now_secs();
    if (t->rc == 0 && t->part <= 0) note_listing(sr->scopes, t->scope, &set);
    if (t->rc == 0) {
        t->nres = set.n;
        if (!sr->load_only) eval_range(&t->job, &set, 0, set.n, &sr->r->priv->w[worker], &t->out);
    }
    arena_reset(load);
    scope_table_release(sr->scopes, t->scope);
    t->load_secs = t1 - t0;
    t->eval_secs = now_secs() - t1;
    size_t done = atomic_fetch_add(&sr->done, 1) + 1;
    /* Only the calling thread (worker 0) reports, at most 10 times a second. */
    if (worker == 0 && sr->opt->progress &&
        (t->eval_secs + t->load_secs > 0.1 || now_secs() - sr->last_report > 0.1)) {
        sr->last_report = now_secs();
        sr->opt->progress(done, sr->ntasks, sr->opt->progress_arg);
    }
}

/* One task: load the set whole (inventory-owned, parsed on all cores) and
 * evaluate it in chunks on all cores. */
static void run_single(scan_run *sr, int threads)
{
    scan_task *t = &sr->tasks[0];
    resource_set set;
    double t0 = now_secs();
    t->rc = inventory_load(sr->inv, t->t, t->scope, &set, &t->diags);
    double t1 = now_secs();
    if (t->rc == 0) note_listing(sr->scopes, t->scope, &set);
    if (t->rc == 0) {
        t->nres = set.n;
        if (!sr->load_only) {
            t->job.set = &set;
            eval_set(sr->r, &set, &t->job, threads);
        }
    }
    t->load_secs = t1 - t0;
    t->eval_secs = now_secs() - t1;
}

static void add_task(scan_task **tasks, size_t *n, size_t *cap, const scan_task *t)
{
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 64;
        *tasks = realloc(*tasks, *cap * sizeof **tasks);
        if (!*tasks) abort();
    }
    (*tasks)[(*n)++] = *t;
}

/* Cuts the scan into tasks, in scope order then registry order. */
static size_t plan_tasks(inventory *inv, scope_table *st, const policy **sel, size_t nsel,
                         const policy **bytype, const engine_options *opt, time_t now,
                         scan_result *out, scan_task **tasks_out)
{
    scan_task *tasks = NULL;
    size_t n = 0, cap = 0, used = 0;
    const scan_filter *f = &opt->filter;
    const inv_scope *scopes;
    size_t nscopes = inventory_scopes(inv, &scopes);
    for (size_t s = 0; s < nscopes; s++) {
        const inv_scope *sc = &scopes[s];
        if (!name_selected(f->accounts, f->n_accounts, sc->account->id, sc->account->name))
            continue;
        /* Global types (IAM, S3) load in each account's first scope and
         * report their own region (resource_region), so a --region filter
         * applies to their findings rather than to the scope: S3 buckets by
         * their region, and region-less IAM findings always pass. */
        bool region_ok = name_selected(f->regions, f->n_regions, sc->region, NULL);
        if (!region_ok && !inventory_scope_is_first(inv, sc)) continue;
        if (region_ok) out->stats.scopes++;
        for (int ti = 0; resource_type_at(ti); ti++) {
            const resource_type *t = resource_type_at(ti);
            if (!region_ok && !t->global) continue;
            size_t np = 0;
            bool whole = false;
            for (size_t k = 0; k < nsel; k++)
                if (sel[k]->rtype == t) {
                    bytype[used + np++] = sel[k];
                    whole |= sel[k]->needs_related;
                }
            if (!np) continue;
            size_t parts = whole ? 1 : inventory_parts(inv, t, sc);
            for (size_t p = 0; p < parts; p++) {
                scan_task task = {
                    .scope = sc,
                    .t = t,
                    .part = parts > 1 ? (long)p : -1,
                    .job = {.pols = bytype + used,
                            .npols = np,
                            .account = sc->account,
                            .scope = scope_table_get(st, sc),
                            .now = now,
                            .regions = t->global && f->regions ? f : NULL,
                            .render_json = opt->render_json,
                            .hash = opt->hash,
                            .r = out},
                };
                scope_table_retain(st, sc);
                add_task(&tasks, &n, &cap, &task);
            }
            used += np;
        }
    }
    *tasks_out = tasks;
    return n;
}

int engine_scan(inventory *inv, const policy_set *ps, const engine_options *opt, scan_result *out,
                diag_list *diags)
{
    int threads = opt->threads > 0 ? opt->threads : parallel_default_threads();
    time_t now = opt->now ? opt->now : inventory_collected_at(inv);
    if (!now) now = time(NULL);
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

    /* Each (scope, type) task list gets its own slice of bytype: a policy
     * appears at most once per scope. */
    const inv_scope *scopes;
    size_t nscopes = inventory_scopes(inv, &scopes);
    const policy **bytype = calloc((nsel ? nsel : 1) * (nscopes ? nscopes : 1), sizeof *bytype);
    if (!bytype) abort();
    scan_run sr = {.inv = inv,
                   .r = out,
                   .load_only = opt->load_only,
                   .opt = opt,
                   .scopes = scope_table_new(inv)};
    atomic_init(&sr.done, 0);
    size_t ntasks = plan_tasks(inv, sr.scopes, sel, nsel, bytype, opt, now, out, &sr.tasks);
    sr.ntasks = ntasks;
    sr.last_report = now_secs();
    out->stats.tasks = ntasks;
    if (ntasks == 1) {
        run_single(&sr, threads);
    } else if (ntasks > 1) {
        for (int w = 0; w < threads; w++)
            sr.load[w] = arena_new(1 << 20);
        parallel_for(threads, ntasks, run_task, &sr);
        for (int w = 0; w < threads; w++)
            arena_free(sr.load[w]);
        if (opt->progress) opt->progress(ntasks, ntasks, opt->progress_arg);
    }
    /* Collect in task order.  A paginated listing ends at its first part
     * whose page says no more follow; later parts are other recordings. */
    for (size_t i = 0; i < ntasks; i++) {
        scan_task *t = &sr.tasks[i];
        bool past_end = t->part > 0 && !sr.tasks[i - 1].more;
        if (past_end) t->more = false; /* propagate to the parts after it */
        if (!past_end) {
            for (size_t k = 0; k < t->diags.n; k++)
                diag_add(diags, t->diags.items[k].pos, "%s", t->diags.items[k].msg);
            if (t->rc < 0) rc = -1;
            add_segment(out, t->out.items, t->out.n);
            out->stats.resources += t->nres;
            out->stats.sets += t->part <= 0;
        }
        out->stats.load_secs += t->load_secs;
        out->stats.eval_secs += t->eval_secs;
        diag_free(&t->diags);
    }
    size_t before = diags->n;
    scope_table_diags(sr.scopes, diags);
    if (diags->n > before) rc = -1;
    scope_table_missing(sr.scopes, &out->missing);
    if (out->missing.n) qsort(out->missing.items, out->missing.n, sizeof(diag), cmp_missing);
    scope_table_free(sr.scopes);
    free(sr.tasks);
    free(bytype);
    free(sel);
    if (rc == 0) sort_findings(out, ps);
    return rc;
}

int engine_eval(const policy_set *ps, const jv *resources, const char *account_id,
                const char *region, const engine_options *opt, scan_result *out, diag_list *diags)
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
        /* No inventory: the scope holds only the given resources. */
        scope_ctx *scope = scope_new_static(out->a, account_id, region, &set, 1, NULL, 0, NULL);
        set_job job = {.pols = &sel[k],
                       .npols = 1,
                       .scope = scope,
                       .now = now,
                       .render_json = opt->render_json,
                       .hash = opt->hash};
        eval_set(out, &set, &job, threads);
        scope_free_static(scope);
        out->stats.resources += set.n;
        out->stats.sets++;
    }
    free(sel);
    sort_findings(out, ps);
    return 0;
}
