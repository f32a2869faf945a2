/* placebo.c - reading Cloud Custodian's recorded responses.
 *
 * The recordings answer calls by file number: the N-th call of an
 * operation gets <service>.<Operation>_N.json, and when _N does not exist
 * numbering restarts at _1.  So a listing is the chain _1, _2, ... as long
 * as each page says more follow (NextToken, Marker, ...), and per-resource
 * calls are matched to resources by replaying the counter in listing order
 * (the 3rd bucket gets GetBucketPolicy_3 if it exists).  An operation with
 * no files at all was not part of the recording: its key stays absent.
 *
 * Replay is of one run with a fresh counter per operation, so results do
 * not depend on what other loads did.  File contents are parsed in parallel
 * (parse.c); only the counter replay is sequential, and it is trivial.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "inventory/inv_internal.h"

typedef struct names {
    char **v;
    size_t n, cap;
} names;

static void names_free(names *ns)
{
    for (size_t i = 0; i < ns->n; i++)
        free(ns->v[i]);
    free(ns->v);
}

static int scan_dir(const char *dir, names *ns)
{
    DIR *d = opendir(dir);
    if (!d) return -1;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        if (ns->n == ns->cap) {
            ns->cap = ns->cap ? ns->cap * 2 : 64;
            ns->v = realloc(ns->v, ns->cap * sizeof *ns->v);
            if (!ns->v) abort();
        }
        ns->v[ns->n] = strdup(e->d_name);
        if (!ns->v[ns->n]) abort();
        ns->n++;
    }
    closedir(d);
    return 0;
}

/* The numbers N with "<service>.<op>_N.json" present: a presence bitmap
 * (numbers above the cap are ignored; real recordings stay far below). */
#define MAXN 100000

typedef struct numbers {
    unsigned char *has; /* has[N] for 1 <= N <= max */
    int max;
} numbers;

static numbers find_numbers(const names *ns, const char *service, const char *op)
{
    numbers r = {NULL, 0};
    char prefix[256];
    int pl = snprintf(prefix, sizeof prefix, "%s.%s_", service, op);
    if (pl <= 0 || (size_t)pl >= sizeof prefix) return r;
    for (size_t i = 0; i < ns->n; i++) {
        const char *s = ns->v[i];
        if (strncmp(s, prefix, (size_t)pl) != 0) continue;
        char *end;
        long n = strtol(s + pl, &end, 10);
        if (n < 1 || n > MAXN || strcmp(end, ".json") != 0 || s[pl] == '0' || s[pl] == '+')
            continue;
        if (!r.has) {
            r.has = calloc(MAXN + 1, 1);
            if (!r.has) abort();
        }
        r.has[n] = 1;
        if (n > r.max) r.max = (int)n;
    }
    return r;
}

static bool has_num(const numbers *nb, int n)
{
    return nb->has && n >= 1 && n <= nb->max && nb->has[n];
}

/* The counter after one more call: placebo's "restart at _1". */
static int next_call(const numbers *nb, int prev)
{
    int c = prev + 1;
    return has_num(nb, c) ? c : has_num(nb, 1) ? 1 : 0;
}

static const char *file_for(load_ctx *lc, const char *service, const char *op, int n)
{
    return inv_fmt(lc, "%s/%s.%s_%d.json", lc->inv->root, service, op, n);
}

/* Reads page part+1 of a listing alone; *more tells whether it says more
 * pages follow.  Returns -1 on a bad page. */
static int load_page(load_ctx *lc, const resource_type *t, long part, jv_builder *items, bool *more,
                     diag_list *diags)
{
    pfile page = {.path = file_for(lc, t->service, t->operation, (int)part + 1)};
    inv_parse_files(lc, &page, 1, true);
    *more = false;
    if (page.status == PF_MISSING) return 1;
    if (page.status != PF_OK) {
        inv_file_diag(&page, diags);
        return -1;
    }
    if (page.http >= 400) return 0; /* an error page lists nothing */
    resource_items(t, &page.data, items);
    *more = inv_page_has_more(&page.data);
    return 0;
}

/* Reads the listing chain into items.  Returns -1 on a bad page. */
static int load_listing(load_ctx *lc, const resource_type *t, const names *ns, jv_builder *items,
                        diag_list *diags)
{
    numbers nb = find_numbers(ns, t->service, t->operation);
    if (!has_num(&nb, 1)) {
        free(nb.has);
        return 1; /* not recorded at all */
    }
    pfile first = {.path = file_for(lc, t->service, t->operation, 1)};
    inv_parse_files(lc, &first, 1, true);
    int rc = 0;
    pfile *rest = NULL;
    size_t nrest = 0;
    if (first.status != PF_OK) {
        inv_file_diag(&first, diags);
        rc = -1;
        goto done;
    }
    if (inv_page_has_more(&first.data)) {
        /* The chain can only continue through contiguous numbers. */
        while (has_num(&nb, (int)nrest + 2))
            nrest++;
        rest = calloc(nrest ? nrest : 1, sizeof *rest);
        if (!rest) abort();
        for (size_t i = 0; i < nrest; i++)
            rest[i].path = file_for(lc, t->service, t->operation, (int)i + 2);
        inv_parse_files(lc, rest, nrest, true);
    }
    const pfile *page = &first;
    for (size_t k = 0;; k++) {
        if (page->http >= 400) break; /* an error page lists nothing */
        resource_items(t, &page->data, items);
        if (!inv_page_has_more(&page->data) || k >= nrest) break;
        page = &rest[k];
        if (page->status != PF_OK) {
            inv_file_diag(page, diags);
            rc = -1;
            break;
        }
    }
done:
    free(rest);
    free(nb.has);
    return rc;
}

/* A related-resource lookup (part -2): Custodian fetches a few related
 * resources by id with one describe call each, so a recording may hold
 * several answers of the listing call beyond the page chain; every
 * resource any of them lists is added once (by id). */
static void add_other_answers(load_ctx *lc, const resource_type *t, const names *ns,
                              jv_builder *items, diag_list *diags)
{
    numbers nb = find_numbers(ns, t->service, t->operation);
    for (int k = 2; k <= nb.max; k++) {
        if (!has_num(&nb, k)) continue;
        pfile f = {.path = file_for(lc, t->service, t->operation, k)};
        inv_parse_files(lc, &f, 1, true);
        if (f.status != PF_OK) {
            inv_file_diag(&f, diags);
            continue;
        }
        if (f.http >= 400) continue;
        jv_builder got;
        jvb_array(&got, lc->a);
        resource_items(t, &f.data, &got);
        for (uint32_t i = 0; i < got.v.len; i++) {
            const char *id = resource_id(t, &got.v.u.items[i]);
            bool dup = !id;
            for (uint32_t j = 0; id && j < items->v.len && !dup; j++) {
                const char *o = resource_id(t, &items->v.u.items[j]);
                dup = o && strcmp(o, id) == 0;
            }
            if (!dup) jvb_push(items, got.v.u.items[i]);
        }
    }
    free(nb.has);
}

/* Applies one detail spec to every resource by replaying its counter. */
static void apply_details(load_ctx *lc, const detail_spec *d, const names *ns, jv *items,
                          bool *keep, size_t n, diag_list *diags)
{
    numbers nb = find_numbers(ns, d->service, d->operation);
    if (!nb.has) return;
    int *num = calloc(n ? n : 1, sizeof *num);
    pfile *files = calloc((size_t)nb.max + 1, sizeof *files);
    if (!num || !files) abort();
    int c = 0;
    for (size_t i = 0; i < n; i++) {
        if (!keep[i] || (d->only_if && !jv_truthy(jv_get(&items[i], d->only_if)))) continue;
        c = next_call(&nb, c);
        num[i] = c;
    }
    /* Parse each distinct file once. */
    pfile *batch = calloc((size_t)nb.max, sizeof *batch);
    if (!batch) abort();
    size_t nbatch = 0;
    for (int k = 1; k <= nb.max; k++)
        if (nb.has[k]) batch[nbatch++].path = file_for(lc, d->service, d->operation, k);
    inv_parse_files(lc, batch, nbatch, true);
    for (size_t i = 0, j = 0; i < nbatch; i++) {
        while (!nb.has[++j]) {
        }
        files[j] = batch[i];
    }
    bool *reported = calloc((size_t)nb.max + 1, 1);
    if (!reported) abort();
    for (size_t i = 0; i < n; i++) {
        if (!keep[i] || !num[i]) continue;
        pfile *f = &files[num[i]];
        if (f->status != PF_OK && f->status != PF_MISSING && !reported[num[i]]) {
            inv_file_diag(f, diags);
            reported[num[i]] = 1;
        }
        keep[i] = inv_apply_detail(lc->a, d, inv_classify(f), &items[i]);
    }
    free(reported);
    free(batch);
    free(files);
    free(num);
    free(nb.has);
}

static void apply_ec2_tags(load_ctx *lc, const names *ns, jv *items, size_t n)
{
    numbers nb = find_numbers(ns, "ec2", "DescribeTags");
    bool have = has_num(&nb, 1);
    free(nb.has);
    if (!have) return;
    for (size_t i = 0; i < n; i++)
        if (jv_get(&items[i], "Tags")) return; /* Custodian trusts the listing */
    pfile f = {.path = file_for(lc, "ec2", "DescribeTags", 1)};
    inv_parse_files(lc, &f, 1, true);
    if (f.status == PF_OK && f.http < 400) inv_ec2_tags(lc->a, items, n, &f.data);
}

static void apply_credential_report(load_ctx *lc, const names *ns, jv *items, size_t n)
{
    numbers nb = find_numbers(ns, "iam", "GetCredentialReport");
    bool have = has_num(&nb, 1);
    free(nb.has);
    if (!have) return;
    pfile f = {.path = file_for(lc, "iam", "GetCredentialReport", 1)};
    inv_parse_files(lc, &f, 1, true);
    if (f.status == PF_OK && f.http < 400) inv_credential_report(lc->a, items, n, &f.data, false);
}

/* A listing loads page by page when nothing else (per-resource calls,
 * DescribeTags, the credential report) must be joined to the whole list. */
static bool splittable(const resource_type *t)
{
    /* Joins (inv_apply_joins) are per resource, so each page gets them on
     * its own; details are read against the whole directory's names. */
    size_t nd = 0;
    inv_details(t, &nd);
    return nd == 0 && t->operation && !t->parent && strcmp(t->name, "aws.ec2") != 0 &&
           strcmp(t->name, "aws.iam-user") != 0;
}

size_t inv_placebo_parts(inventory *inv, const resource_type *t)
{
    if (!splittable(t)) return 1;
    names ns = {0};
    if (scan_dir(inv->root, &ns) != 0) return 1;
    numbers nb = find_numbers(&ns, t->service, t->operation);
    size_t n = 0;
    while (has_num(&nb, (int)n + 1))
        n++;
    free(nb.has);
    names_free(&ns);
    return n ? n : 1;
}

int inv_placebo_load(load_ctx *lcp, const resource_type *t, const inv_scope *scope, long part,
                     resource_set *out, bool *more, diag_list *diags)
{
    inventory *inv = lcp->inv;
    load_ctx lc = *lcp;
    *more = false;
    if (part >= 0) {
        jv_builder items;
        jvb_array(&items, lc.a);
        int rc = load_page(&lc, t, part, &items, more, diags);
        jv list = jvb_done(&items);
        if (rc == 0) inv_apply_joins(&lc, t, scope, list.u.items, list.len, diags);
        inv_finish_set(lc.a, t, scope, list.u.items, list.len, out);
        out->missing = rc == 1 && part == 0;
        return rc == 1 ? 0 : rc;
    }
    names ns = {0};
    if (scan_dir(inv->root, &ns) != 0) {
        diag_add(diags, (srcpos){inv_path("%s", inv->root), 0, 0}, "cannot read placebo directory");
        return -1;
    }
    jv_builder items;
    jvb_array(&items, lc.a);
    size_t before = diags->n;
    int rc = load_listing(&lc, t, &ns, &items, diags);
    bool missing = rc == 1;
    if (missing) rc = 0;
    if (missing && inv_listing_from_gets(&lc, t, scope, &items, diags) > 0) missing = false;
    if (!missing && part == -2) add_other_answers(&lc, t, &ns, &items, diags);
    jv list = jvb_done(&items);
    size_t n = list.len;
    bool *keep = malloc(n ? n : 1);
    if (!keep) abort();
    memset(keep, 1, n ? n : 1);
    size_t nd = 0;
    const detail_spec *ds = inv_details(t, &nd);
    for (size_t k = 0; k < nd; k++)
        apply_details(&lc, &ds[k], &ns, list.u.items, keep, n, diags);
    if (strcmp(t->name, "aws.ec2") == 0) apply_ec2_tags(&lc, &ns, list.u.items, n);
    if (strcmp(t->name, "aws.iam-user") == 0) apply_credential_report(&lc, &ns, list.u.items, n);
    size_t m = inv_keep(list.u.items, keep, n);
    inv_apply_joins(&lc, t, scope, list.u.items, m, diags);
    names_free(&ns);
    inv_finish_set(lc.a, t, scope, list.u.items, m, out);
    out->missing = missing;
    return rc == 0 && diags->n == before ? 0 : -1;
}
