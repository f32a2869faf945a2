/* inventory.c - the inventory object: open, accounts, scopes, load dispatch.
 *
 * Opening reads only metadata (accounts.yaml and the directory tree), so
 * `custos scan` can list scopes cheaply and load each (type, scope) pair on
 * demand; every load parses its files in parallel (parse.c) and keeps the
 * result in arenas owned by the inventory until inventory_close.  Loads may
 * run concurrently (they share nothing but the arena registry, which is
 * locked), and a loaded resource_set is read-only and already indexed by
 * id, so evaluation threads can share it.
 *
 * aws.account is synthetic, as in Custodian: one document per account
 * ({"account_id", "account_name"}, plus "team"/"environment" when known,
 * and the root user's credential report row under c7n:credential-report
 * when the report was collected, c7n:iam_summary and c7n:password_policy
 * as augment.c describes), in the account's first scope only, like other
 * global types.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "inventory/inv_internal.h"

static int default_threads(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 64 ? 64 : (int)n;
}

static inventory *inv_alloc(const char *root, const inventory_options *opt)
{
    inventory *inv = calloc(1, sizeof *inv);
    if (!inv) abort();
    inv->root = strdup(root);
    if (!inv->root) abort();
    size_t len = strlen(inv->root);
    while (len > 1 && inv->root[len - 1] == '/')
        inv->root[--len] = '\0';
    inv->threads = opt && opt->threads > 0 ? opt->threads : default_threads();
    if (inv->threads > 64) inv->threads = 64;
    inv->meta = arena_new(0);
    inv->organization = jv_null();
    inv->settings = jv_null();
    pthread_mutex_init(&inv->lock, NULL);
    return inv;
}

static int open_placebo(inventory *inv, const inventory_options *opt, diag_list *diags)
{
    if (access(inv->root, R_OK | X_OK) != 0) {
        diag_add(diags, (srcpos){inv_path("%s", inv->root), 0, 0}, "cannot open placebo directory");
        return -1;
    }
    const char *acct = opt && opt->account_id ? opt->account_id : "123456789012";
    const char *region = opt && opt->region ? opt->region : "us-east-1";
    inv->accounts = arena_calloc(inv->meta, sizeof(account_info));
    inv->naccounts = 1;
    account_info *ai = &inv->accounts[0];
    ai->id = arena_strdup(inv->meta, acct);
    ai->name = ai->id;
    ai->raw = jv_object(inv->meta, 0);
    inv->scopes = arena_calloc(inv->meta, sizeof(inv_scope));
    inv->nscopes = 1;
    inv->scopes[0].account = ai;
    inv->scopes[0].region = arena_strdup(inv->meta, region);
    return 0;
}

int inventory_open(const char *spec, const inventory_options *opt, inventory **out,
                   diag_list *diags)
{
    *out = NULL;
    if (!spec || !*spec) {
        diag_add(diags, (srcpos){NULL, 0, 0}, "no inventory given");
        return -1;
    }
    bool placebo = strncmp(spec, "placebo:", 8) == 0;
    inventory *inv = inv_alloc(placebo ? spec + 8 : spec, opt);
    inv->kind = placebo ? INV_PLACEBO : INV_LAYOUT;
    int rc = placebo ? open_placebo(inv, opt, diags) : inv_layout_open(inv, diags);
    if (rc != 0) {
        inventory_close(inv);
        return -1;
    }
    *out = inv;
    return 0;
}

void inventory_release_loads(inventory *inv)
{
    if (!inv) return;
    pthread_mutex_lock(&inv->lock);
    for (size_t i = 0; i < inv->narenas; i++)
        arena_free(inv->arenas[i]);
    inv->narenas = 0;
    pthread_mutex_unlock(&inv->lock);
}

void inventory_close(inventory *inv)
{
    if (!inv) return;
    for (size_t i = 0; i < inv->narenas; i++)
        arena_free(inv->arenas[i]);
    free(inv->arenas);
    arena_free(inv->meta);
    pthread_mutex_destroy(&inv->lock);
    free(inv->root);
    free(inv);
}

size_t inventory_account_count(const inventory *inv)
{
    return inv ? inv->naccounts : 0;
}

const account_info *inventory_account(const inventory *inv, size_t i)
{
    return inv && i < inv->naccounts ? &inv->accounts[i] : NULL;
}

time_t inventory_collected_at(const inventory *inv)
{
    return inv->collected_at;
}

const jv *inventory_setting(const inventory *inv, const char *key)
{
    return jv_get(&inv->settings, key);
}

const jv *inventory_organization(const inventory *inv)
{
    return &inv->organization;
}

const account_info *inventory_account_find(const inventory *inv, const char *id)
{
    for (size_t i = 0; inv && id && i < inv->naccounts; i++)
        if (strcmp(inv->accounts[i].id, id) == 0) return &inv->accounts[i];
    return NULL;
}

size_t inventory_scopes(const inventory *inv, const inv_scope **out)
{
    *out = inv ? inv->scopes : NULL;
    return inv ? inv->nscopes : 0;
}

bool inventory_scope_is_first(const inventory *inv, const inv_scope *scope)
{
    for (size_t i = 0; i < inv->nscopes; i++)
        if (inv->scopes[i].account == scope->account)
            return strcmp(inv->scopes[i].region, scope->region) == 0;
    return false;
}

void inv_finish_set(arena *a, const resource_type *t, const inv_scope *scope, jv *items, size_t n,
                    resource_set *out)
{
    out->type = t;
    out->account_id = scope->account->id;
    out->region = scope->region;
    out->items = items;
    out->n = n;
    out->index = NULL;
    resource_set_index(out, a);
}

static void set_str(jv_builder *b, arena *a, const char *k, const char *v)
{
    if (v) jvb_set(b, k, strlen(k), jv_cstr(a, v));
}

/* The path of an account-wide IAM call's response. */
static const char *account_file(load_ctx *lc, const inv_scope *scope, const char *op)
{
    return lc->inv->kind == INV_PLACEBO
               ? inv_fmt(lc, "%s/iam.%s_1.json", lc->inv->root, op)
               : inv_fmt(lc, "%s/%s/global/iam.%s.json", lc->inv->root, scope->account->id, op);
}

/* The root user's credential report row, when the report was collected,
 * and the account's IAM summary and password policy (augment.c). */
static void account_credentials(load_ctx *lc, const inv_scope *scope, jv *item, diag_list *diags)
{
    bool placebo = lc->inv->kind == INV_PLACEBO;
    static const char *const ops[] = {"GetCredentialReport", "GetAccountSummary",
                                      "GetAccountPasswordPolicy"};
    pfile f[3] = {{0}};
    for (int i = 0; i < 3; i++)
        f[i].path = account_file(lc, scope, ops[i]);
    inv_parse_files(lc, f, 3, placebo);
    for (int i = 0; i < 3; i++)
        inv_file_diag(&f[i], diags);
    if (f[0].status == PF_OK && f[0].http < 400)
        inv_credential_report(lc->a, item, 1, &f[0].data, true);
    /* Layout: with the account's IAM listing or summary present, a missing
     * password policy file means the account has none. */
    bool iam_collected = !placebo && (f[1].status == PF_OK ||
                                      access(account_file(lc, scope, "ListUsers"), F_OK) == 0);
    inv_account_iam(lc->a, item, inv_classify(&f[1]), inv_classify(&f[2]), iam_collected);
}

static int load_account(load_ctx *lc, const resource_type *t, const inv_scope *scope,
                        resource_set *out, diag_list *diags)
{
    arena *a = lc->a;
    size_t before = diags->n;
    jv *item = arena_alloc(a, sizeof(jv));
    jv_builder b;
    jvb_object(&b, a);
    set_str(&b, a, "account_id", scope->account->id);
    set_str(&b, a, "account_name", scope->account->name);
    set_str(&b, a, "team", scope->account->team);
    set_str(&b, a, "environment", scope->account->environment);
    *item = jvb_done(&b);
    account_credentials(lc, scope, item, diags);
    inv_account_extras(lc, scope, item, diags);
    inv_finish_set(a, t, scope, item, 1, out);
    return diags->n == before ? 0 : -1;
}

size_t inv_keep(jv *items, bool *keep, size_t n)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (keep[i]) items[m++] = items[i];
    free(keep);
    return m;
}

static int load_with(load_ctx *lc, const resource_type *t, const inv_scope *scope, long part,
                     resource_set *out, bool *more, diag_list *diags)
{
    inventory *inv = lc->inv;
    memset(out, 0, sizeof *out);
    out->type = t;
    *more = false;
    if (!inv || !t || !scope || !scope->account) {
        diag_add(diags, (srcpos){NULL, 0, 0}, "inventory_load: bad arguments");
        return -1;
    }
    out->account_id = scope->account->id;
    out->region = scope->region;
    if (t->global && !inventory_scope_is_first(inv, scope)) return 0;
    if (!t->operation) return load_account(lc, t, scope, out, diags);
    if (t->parent) {
        resource_set parents;
        int rc = load_with(lc, resource_type_find(t->parent), scope, -1, &parents, more, diags);
        if (rc < 0) return rc;
        return inv_load_children(lc, t, &parents, scope, out, diags);
    }
    return inv->kind == INV_PLACEBO ? inv_placebo_load(lc, t, scope, part, out, more, diags)
                                    : inv_layout_load(lc, t, scope, out, diags);
}

int inventory_load(inventory *inv, const resource_type *t, const inv_scope *scope,
                   resource_set *out, diag_list *diags)
{
    load_ctx lc;
    bool more;
    inv_load_begin(inv, &lc);
    return load_with(&lc, t, scope, -1, out, &more, diags);
}

size_t inventory_parts(inventory *inv, const resource_type *t, const inv_scope *scope)
{
    if (!t->operation || (t->global && !inventory_scope_is_first(inv, scope))) return 1;
    return inv->kind == INV_PLACEBO ? inv_placebo_parts(inv, t) : 1;
}

int inventory_load_part(inventory *inv, const resource_type *t, const inv_scope *scope, long part,
                        arena *a, resource_set *out, bool *more, diag_list *diags)
{
    load_ctx lc;
    inv_load_begin_in(inv, &lc, a);
    return load_with(&lc, t, scope, part, out, more, diags);
}
