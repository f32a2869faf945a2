/* scan_gaps.c - the gaps `custos collect` recorded, as `custos scan` uses
 * them.
 *
 * collection.json (src/aws/collect.c) lists each call that was not
 * collected: account, region ("*" when the whole account was not: its role
 * could not be assumed; "global" for a global call), service (the CLI
 * client name), operation, code, message.  A policy is hit by a gap when
 * the gap's call is one the inventory layer makes for the policy's
 * resource type (inventory_calls(): the listing, per-resource calls, joins
 * and account calls).  cmd_scan.c leaves what a gap hits out of the
 * store's resolution scope, per account and region (scan_hold): a gap in
 * one account never stops resolution in another, and a finding whose data
 * was not collected is never marked resolved.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/scan_gaps.h"
#include "json/json.h"
#include "util/buf.h"

static const char *str_of(arena *a, const jv *o, const char *key)
{
    const jv *v = jv_get(o, key);
    return jv_is(v, JV_STRING) ? arena_strndup(a, v->u.str, v->len) : "";
}

int scan_gaps_load(arena *a, const char *inv_dir, const inventory *inv, scan_gaps *g)
{
    memset(g, 0, sizeof *g);
    char path[4096];
    snprintf(path, sizeof path, "%s/collection.json", inv_dir);
    size_t len;
    char *text = read_file(path, &len);
    if (!text) return 0; /* not a collected inventory */
    jv doc;
    json_error je;
    int rc = json_parse(a, text, len, &doc, &je);
    free(text);
    const jv *list = rc == 0 ? jv_get(&doc, "not_collected") : NULL;
    if (rc != 0 || (list && !jv_is(list, JV_ARRAY))) {
        fprintf(stderr, "custos scan: %s:%d:%d: not a collection.json: %s\n", path, je.line, je.col,
                rc != 0 ? je.msg : "not_collected is not a list");
        return -1;
    }
    if (!list || !list->len) return 0;
    g->items = arena_calloc(a, list->len * sizeof *g->items);
    for (uint32_t i = 0; i < list->len; i++) {
        const jv *e = &list->u.items[i];
        if (!jv_is(e, JV_OBJECT)) continue;
        collect_gap *x = &g->items[g->n++];
        x->account_id = str_of(a, e, "account");
        const account_info *ai = inv ? inventory_account_find(inv, x->account_id) : NULL;
        x->account_name = ai && ai->name ? ai->name : NULL;
        x->region = str_of(a, e, "region");
        x->service = str_of(a, e, "service");
        x->operation = str_of(a, e, "operation");
        x->code = str_of(a, e, "code");
        x->message = str_of(a, e, "message");
    }
    return 0;
}

bool scan_gaps_account(const scan_gaps *g, const char *account)
{
    for (size_t i = 0; i < g->n; i++)
        if (strcmp(g->items[i].account_id, account) == 0 && strcmp(g->items[i].region, "*") == 0)
            return true;
    return false;
}

typedef struct hit_ctx {
    const char *type;
    const collect_gap *gap;
    bool hit;
} hit_ctx;

static void on_call(const inventory_call *c, void *arg)
{
    hit_ctx *h = arg;
    if (h->hit || !c->type || strcmp(c->type, h->type) != 0) return;
    if (c->client && c->operation && strcmp(c->client, h->gap->service) == 0 &&
        strcmp(c->operation, h->gap->operation) == 0)
        h->hit = true;
}

static bool feeds(const collect_gap *x, const policy *p)
{
    if (!p->rtype) return true; /* unknown needs: assume hit */
    hit_ctx h = {p->rtype->name, x, false};
    inventory_calls(on_call, &h);
    return h.hit;
}

void scan_gaps_holds(arena *a, const scan_gaps *g, const inventory *inv,
                     const char *const *accounts, size_t n_accounts, const policy *const *policies,
                     size_t n_policies, scan_hold **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    size_t cap = 0;
    const inv_scope *scopes;
    size_t nscopes = inventory_scopes(inv, &scopes);
    const char **held = arena_calloc(a, (g->n + 1) * sizeof *held);
    for (size_t k = 0; k < n_accounts; k++) {
        bool any = false;
        for (size_t i = 0; i < g->n && !any; i++)
            any = !strcmp(g->items[i].account_id, accounts[k]);
        if (!any) continue;
        for (size_t j = 0; j < n_policies; j++) {
            const policy *p = policies[j];
            size_t nheld = 0;
            bool everywhere = false, hit = false;
            for (size_t i = 0; i < g->n && !everywhere; i++) {
                const collect_gap *x = &g->items[i];
                if (strcmp(x->account_id, accounts[k]) != 0 || !feeds(x, p)) continue;
                hit = true;
                /* A global call feeds every region's evaluation, and a
                 * global type's findings name any region (S3's buckets). */
                if (!strcmp(x->region, "*") || !strcmp(x->region, "global") || !p->rtype ||
                    p->rtype->global)
                    everywhere = true;
                else
                    held[nheld++] = x->region;
            }
            if (!hit) continue;
            *out = arena_grow(a, *out, &cap, *n + 1, sizeof **out);
            scan_hold *h = &(*out)[(*n)++];
            *h = (scan_hold){.account = accounts[k], .policy = p->name};
            if (everywhere) continue;
            const char **cov = arena_calloc(a, (nscopes + 1) * sizeof *cov);
            for (size_t s = 0; s < nscopes; s++) {
                if (strcmp(scopes[s].account->id, accounts[k]) != 0) continue;
                bool gap = false;
                for (size_t i = 0; i < nheld && !gap; i++)
                    gap = !strcmp(held[i], scopes[s].region);
                if (!gap) cov[h->n_regions++] = scopes[s].region;
            }
            h->regions = cov;
        }
    }
}
