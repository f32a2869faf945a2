/* layout.c - the custos on-disk layout: accounts.yaml + one file per call.
 *
 *   DIR/accounts.yaml
 *   DIR/<account>/<region>/<client>.<Operation>.json         listings
 *   DIR/<account>/<region>/<client>.<Operation>.<id>.json    per-resource calls
 *   DIR/<account>/global/...                                 IAM, S3, account-wide
 *
 * <client> is the boto3 / AWS CLI service name (resource.h), each file the
 * response exactly as `aws <client> <operation> --output json` prints it
 * (all pages merged).  A missing listing file means "no resources".  For
 * per-resource calls, a missing file means the call answered "not
 * configured" (NoSuchBucketPolicy, ...) when the directory holds the same
 * operation for some other resource, and "not collected" (key left
 * absent) when it holds none at all; for whole-document calls (GetUser,
 * DescribeKey) a missing file just keeps the listing entry.  A file whose body is
 * {"Error": {"Code": ...}} is treated like that API error.
 *
 * accounts.yaml (see examples/README.md) is a mapping with `accounts:` (a
 * list of {id, name, team, environment, contacts, ...} or a mapping of id
 * to such entries) and optional `teams:` (team name -> {contacts, ...});
 * an account without contacts inherits its team's.  A bare list of
 * accounts is accepted too.  Directories named like an account id (12
 * digits) but not listed in accounts.yaml are still scanned (named by
 * their id), so an inventory made with nothing but the AWS CLI works
 * without one; other directories are ignored.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "inventory/inv_internal.h"
#include "json/jv_date.h"
#include "util/date.h"
#include "format/yaml.h"

/* ---- small helpers ---- */

typedef struct strvec {
    char **v;
    size_t n, cap;
} strvec;

static void sv_push(strvec *s, const char *x)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 32;
        s->v = realloc(s->v, s->cap * sizeof *s->v);
        if (!s->v) abort();
    }
    s->v[s->n] = strdup(x);
    if (!s->v[s->n]) abort();
    s->n++;
}

static void sv_free(strvec *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->v[i]);
    free(s->v);
    memset(s, 0, sizeof *s);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Entries of dir (files if want_dirs is false, else subdirectories), sorted. */
static int list_dir(const char *dir, bool want_dirs, strvec *out)
{
    DIR *d = opendir(dir);
    if (!d) return -1;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        bool is_dir;
        if (e->d_type == DT_DIR || e->d_type == DT_REG) {
            is_dir = e->d_type == DT_DIR;
        } else {
            char p[4096];
            struct stat st;
            snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
            if (stat(p, &st) != 0) continue;
            is_dir = S_ISDIR(st.st_mode);
        }
        if (is_dir == want_dirs) sv_push(out, e->d_name);
    }
    closedir(d);
    if (out->n) qsort(out->v, out->n, sizeof *out->v, cmp_str);
    return 0;
}

static bool sv_has(const strvec *s, const char *x)
{
    return s->n && bsearch(&x, s->v, s->n, sizeof *s->v, cmp_str) != NULL;
}

/* ---- accounts.yaml ---- */

typedef struct acct_builder {
    account_info *v;
    size_t n, cap;
} acct_builder;

static account_info *ab_push(acct_builder *b)
{
    if (b->n == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 64;
        b->v = realloc(b->v, b->cap * sizeof *b->v);
        if (!b->v) abort();
    }
    memset(&b->v[b->n], 0, sizeof b->v[0]);
    return &b->v[b->n++];
}

static const char *scalar_str(arena *a, const jv *v)
{
    if (jv_is(v, JV_STRING)) return v->u.str;
    if (jv_is(v, JV_NUMBER) && (v->flags & JVF_INT) && v->u.num >= 0 && v->u.num < 1e15)
        return arena_sprintf(a, "%012.0f", v->u.num);
    return NULL;
}

static const account_info *find_acct(const acct_builder *b, const char *id)
{
    for (size_t i = 0; i < b->n; i++)
        if (strcmp(b->v[i].id, id) == 0) return &b->v[i];
    return NULL;
}

/* One accounts.yaml entry; id_node is where the id came from (for errors). */
static void add_entry(inventory *inv, acct_builder *b, const jv *entry, const jv *id_val,
                      const jv *teams, const srcmap *map, diag_list *diags)
{
    arena *a = inv->meta;
    const char *id = scalar_str(a, id_val);
    if (!id || !*id) {
        diag_add(diags, srcmap_get(map, id_val ? id_val : entry),
                 "account entry needs an id (a string such as \"111122223333\")");
        return;
    }
    if (find_acct(b, id)) {
        diag_add(diags, srcmap_get(map, id_val), "duplicate account id %s", id);
        return;
    }
    const jv *name = jv_get(entry, "name"), *team = jv_get(entry, "team"),
             *env = jv_get(entry, "environment");
    account_info *ai = ab_push(b);
    ai->id = arena_strdup(a, id);
    ai->name = jv_is(name, JV_STRING) ? name->u.str : ai->id;
    ai->team = jv_is(team, JV_STRING) ? team->u.str : NULL;
    ai->environment = jv_is(env, JV_STRING) ? env->u.str : NULL;
    ai->raw = jv_is(entry, JV_OBJECT) ? *entry : jv_object(a, 0);
    /* Inherit the team's contacts when the account has none. */
    const jv *tinfo = ai->team ? jv_get(teams, ai->team) : NULL;
    const jv *tcontacts = jv_get(tinfo, "contacts");
    if (tcontacts && !jv_get(&ai->raw, "contacts")) {
        jv_builder ob;
        jvb_object(&ob, a);
        for (uint32_t i = 0; i < ai->raw.len; i++)
            jvb_set(&ob, ai->raw.u.members[i].key, ai->raw.u.members[i].klen,
                    ai->raw.u.members[i].val);
        jvb_set(&ob, "contacts", 8, *tcontacts);
        ai->raw = jvb_done(&ob);
    }
    for (uint32_t i = 0; jv_is(entry, JV_OBJECT) && i < entry->len; i++) {
        const jv_member *m = &entry->u.members[i];
        if ((strcmp(m->key, "name") == 0 || strcmp(m->key, "team") == 0 ||
             strcmp(m->key, "environment") == 0) &&
            !jv_is(&m->val, JV_STRING))
            diag_add(diags, srcmap_get(map, &m->val), "account %s: %s must be a string", id,
                     m->key);
    }
}

static void parse_accounts(inventory *inv, const jv *doc, const srcmap *map, acct_builder *b,
                           diag_list *diags)
{
    const jv *list = doc, *teams = NULL;
    if (jv_is(doc, JV_OBJECT)) {
        inv->settings = *doc;
        list = jv_get(doc, "accounts");
        teams = jv_get(doc, "teams");
        const jv *when = jv_get(doc, "collected_at");
        double secs;
        if (when && date_parse_jv(when, &secs))
            inv->collected_at = (time_t)secs;
        else if (when)
            diag_add(diags, srcmap_get(map, when),
                     "accounts.yaml: `collected_at` must be an ISO 8601 date-time "
                     "(e.g. 2026-11-01T00:00:00Z)");
        const jv *org = jv_get(doc, "organization");
        if (org && jv_is(org, JV_OBJECT))
            inv->organization = *org;
        else if (org && !jv_is(org, JV_NULL))
            diag_add(diags, srcmap_get(map, org),
                     "accounts.yaml: `organization` must be a mapping");
        if (!list) {
            diag_add(diags, srcmap_get(map, doc), "accounts.yaml: expected an `accounts:` key");
            return;
        }
    }
    if (jv_is(list, JV_ARRAY)) {
        for (uint32_t i = 0; i < list->len; i++) {
            const jv *e = &list->u.items[i];
            if (!jv_is(e, JV_OBJECT)) {
                diag_add(diags, srcmap_get(map, e), "account entry must be a mapping");
                continue;
            }
            add_entry(inv, b, e, jv_get(e, "id"), teams, map, diags);
        }
    } else if (jv_is(list, JV_OBJECT)) {
        for (uint32_t i = 0; i < list->len; i++) {
            const jv_member *m = &list->u.members[i];
            jv key = jv_str_nocopy(m->key, m->klen);
            const jv *id = jv_get(&m->val, "id");
            add_entry(inv, b, &m->val, id ? id : &key, teams, map, diags);
        }
    } else if (!jv_is(list, JV_NULL)) {
        diag_add(diags, srcmap_get(map, list),
                 "accounts.yaml: `accounts` must be a list or a mapping");
    }
}

static int read_accounts_yaml(inventory *inv, acct_builder *b, diag_list *diags)
{
    const char *path = inv_path("%s/accounts.yaml", inv->root);
    size_t len = 0;
    char *text = read_file(path, &len);
    if (!text) {
        if (errno == ENOENT) return 0;
        diag_add(diags, (srcpos){path, 0, 0}, "cannot read: %s", strerror(errno));
        return -1;
    }
    jv doc;
    srcmap *map = srcmap_new(inv->meta, path);
    size_t before = diags->n;
    int rc = yaml_load(inv->meta, path, text, len, &doc, map, diags);
    free(text);
    if (rc != 0) return -1;
    parse_accounts(inv, &doc, map, b, diags);
    return diags->n == before ? 0 : -1;
}

/* ---- scopes ---- */

/* Undeclared directories count as accounts only when named like one, so
 * other directories next to the data (notes, exports) are not scanned. */
static bool is_account_id(const char *s)
{
    size_t n = 0;
    for (; s[n]; n++)
        if (s[n] < '0' || s[n] > '9') return false;
    return n == 12;
}

int inv_layout_open(inventory *inv, diag_list *diags)
{
    strvec dirs = {0};
    if (list_dir(inv->root, true, &dirs) != 0) {
        diag_add(diags, (srcpos){inv_path("%s", inv->root), 0, 0},
                 "cannot open inventory directory: %s", strerror(errno));
        return -1;
    }
    acct_builder b = {0};
    int rc = read_accounts_yaml(inv, &b, diags);
    for (size_t i = 0; rc == 0 && i < dirs.n; i++) {
        if (find_acct(&b, dirs.v[i]) || !is_account_id(dirs.v[i])) continue;
        account_info *ai = ab_push(&b);
        ai->id = arena_strdup(inv->meta, dirs.v[i]);
        ai->name = ai->id;
        ai->raw = jv_object(inv->meta, 0);
    }
    sv_free(&dirs);
    if (rc != 0) {
        free(b.v);
        return -1;
    }
    inv->naccounts = b.n;
    inv->accounts = arena_alloc(inv->meta, (b.n ? b.n : 1) * sizeof(account_info));
    if (b.n) memcpy(inv->accounts, b.v, b.n * sizeof(account_info));
    free(b.v);

    size_t cap = 16, n = 0;
    inv_scope *sc = malloc(cap * sizeof *sc);
    if (!sc) abort();
    for (size_t i = 0; i < inv->naccounts; i++) {
        const account_info *ai = &inv->accounts[i];
        strvec regions = {0};
        char *adir = arena_sprintf(inv->meta, "%s/%s", inv->root, ai->id);
        list_dir(adir, true, &regions);
        bool global = false;
        size_t added = 0;
        for (size_t r = 0; r < regions.n; r++) {
            if (strcmp(regions.v[r], "global") == 0) {
                global = true;
                continue;
            }
            if (n == cap) {
                cap *= 2;
                sc = realloc(sc, cap * sizeof *sc);
                if (!sc) abort();
            }
            sc[n].account = ai;
            sc[n].region = arena_strdup(inv->meta, regions.v[r]);
            n++, added++;
        }
        if (global && !added) { /* global data only: report it in us-east-1 */
            if (n == cap) {
                cap *= 2;
                sc = realloc(sc, cap * sizeof *sc);
                if (!sc) abort();
            }
            sc[n].account = ai;
            sc[n].region = "us-east-1";
            n++;
        }
        sv_free(&regions);
    }
    inv->nscopes = n;
    inv->scopes = arena_alloc(inv->meta, (n ? n : 1) * sizeof *sc);
    if (n) memcpy(inv->scopes, sc, n * sizeof *sc);
    free(sc);
    return 0;
}

/* ---- loading ---- */

static const char *scope_dir(load_ctx *lc, const resource_type *t, const inv_scope *scope)
{
    return inv_fmt(lc, "%s/%s/%s", lc->inv->root, scope->account->id,
                   t->global ? "global" : scope->region);
}

/* One (detail spec, resource) pair to apply; file < 0 = no file. */
typedef struct detail_job {
    const detail_spec *d;
    size_t item;
    long file;
} detail_job;

/* Per-resource calls for all of t's detail specs: the files of every spec
 * are parsed in one parallel batch, then applied in spec order. */
static void apply_details(load_ctx *lc, const char *dir, const strvec *files,
                          const resource_type *t, jv *items, bool *keep, size_t n, diag_list *diags)
{
    size_t nd = 0;
    const detail_spec *ds = inv_details(t, &nd);
    if (!nd || !n) return;
    detail_job *jobs = malloc(nd * n * sizeof *jobs);
    pfile *pf = calloc(nd * n, sizeof *pf);
    if (!jobs || !pf) abort();
    size_t nj = 0, m = 0;
    for (size_t k = 0; k < nd; k++) {
        const detail_spec *d = &ds[k];
        if (d->placebo_only) continue;
        char prefix[256];
        int pl = snprintf(prefix, sizeof prefix, "%s.%s.", d->client, d->operation);
        if (pl <= 0 || (size_t)pl >= sizeof prefix) continue;
        bool collected = false;
        for (size_t i = 0; i < files->n && !collected; i++)
            collected = strncmp(files->v[i], prefix, (size_t)pl) == 0;
        if (!collected) continue; /* not collected: keys stay absent */
        for (size_t i = 0; i < n; i++) {
            if (d->only_if && !jv_truthy(jv_get(&items[i], d->only_if))) continue;
            const jv *fk = d->file_key ? jv_get(&items[i], d->file_key) : NULL;
            const char *id =
                d->file_key ? (jv_is(fk, JV_STRING) ? fk->u.str : NULL) : resource_id(t, &items[i]);
            if (id && d->file_tail && strrchr(id, '/')) id = strrchr(id, '/') + 1;
            if (!id || strchr(id, '/')) continue;
            char name[1024];
            snprintf(name, sizeof name, "%s%s.json", prefix, id);
            long file = -1;
            if (sv_has(files, name)) {
                pf[m].path = inv_fmt(lc, "%s/%s", dir, name);
                file = (long)m++;
            } else if (d->mode != DM_SET) {
                /* Detail documents (GetUser, DescribeKey): the listing
                 * entry stands.  Settings (S3): "not configured". */
                continue;
            }
            jobs[nj++] = (detail_job){d, i, file};
        }
    }
    inv_parse_files(lc, pf, m, false);
    for (size_t j = 0; j < nj; j++) {
        detail_job *jb = &jobs[j];
        if (!keep[jb->item]) continue;
        call_result res = {CALL_NOT_FOUND, NULL};
        if (jb->file >= 0) {
            inv_file_diag(&pf[jb->file], diags);
            res = inv_classify(&pf[jb->file]);
        }
        keep[jb->item] = inv_apply_detail(lc->a, jb->d, res, &items[jb->item]);
    }
    free(jobs);
    free(pf);
}

static void layout_ec2_tags(load_ctx *lc, const char *dir, const strvec *files, jv *items, size_t n)
{
    if (!sv_has(files, "ec2.DescribeTags.json")) return;
    pfile f = {.path = inv_fmt(lc, "%s/ec2.DescribeTags.json", dir)};
    inv_parse_files(lc, &f, 1, false);
    if (f.status == PF_OK) inv_ec2_tags(lc->a, items, n, &f.data);
}

static void layout_credential_report(load_ctx *lc, const char *dir, const strvec *files, jv *items,
                                     size_t n, diag_list *diags)
{
    if (!sv_has(files, "iam.GetCredentialReport.json")) return;
    pfile cr = {.path = inv_fmt(lc, "%s/iam.GetCredentialReport.json", dir)};
    inv_parse_files(lc, &cr, 1, false);
    inv_file_diag(&cr, diags);
    if (cr.status == PF_OK) inv_credential_report(lc->a, items, n, &cr.data, false);
}

int inv_layout_load(load_ctx *lcp, const resource_type *t, const inv_scope *scope,
                    resource_set *out, diag_list *diags)
{
    load_ctx lc = *lcp;
    const char *dir = scope_dir(&lc, t, scope);
    strvec files = {0};
    out->missing = true;                             /* until the listing file is found */
    if (list_dir(dir, false, &files) != 0) return 0; /* no data for this scope */
    char lname[256];
    snprintf(lname, sizeof lname, "%s.%s.json", t->client, t->operation);
    if (!sv_has(&files, lname)) {
        sv_free(&files);
        jv_builder got;
        jvb_array(&got, lc.a);
        if (inv_listing_from_gets(&lc, t, scope, &got, diags) > 0) {
            jv l = jvb_done(&got);
            inv_finish_set(lc.a, t, scope, l.u.items, l.len, out);
            out->missing = false;
        }
        return 0;
    }
    out->missing = false;
    size_t before = diags->n;
    pfile lf = {.path = inv_fmt(&lc, "%s/%s", dir, lname)};
    inv_parse_files(&lc, &lf, 1, false);
    if (lf.status != PF_OK) {
        inv_file_diag(&lf, diags);
        sv_free(&files);
        return -1;
    }
    jv_builder ib;
    jvb_array(&ib, lc.a);
    resource_items(t, &lf.data, &ib);
    jv list = jvb_done(&ib);
    size_t n = list.len;
    bool *keep = malloc(n ? n : 1);
    if (!keep) abort();
    memset(keep, 1, n ? n : 1);
    apply_details(&lc, dir, &files, t, list.u.items, keep, n, diags);
    if (strcmp(t->name, "aws.ec2") == 0) layout_ec2_tags(&lc, dir, &files, list.u.items, n);
    if (strcmp(t->name, "aws.iam-user") == 0)
        layout_credential_report(&lc, dir, &files, list.u.items, n, diags);
    size_t m = inv_keep(list.u.items, keep, n);
    inv_apply_joins(&lc, t, scope, list.u.items, m, diags);
    sv_free(&files);
    inv_finish_set(lc.a, t, scope, list.u.items, m, out);
    return diags->n == before ? 0 : -1;
}
