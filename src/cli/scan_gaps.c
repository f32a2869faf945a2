/* scan_gaps.c - the gaps `custos collect` recorded, as `custos scan` uses
 * them.
 *
 * collection.json (src/aws/collect.c) lists each call that was not
 * collected: account, region ("*" when the whole account was not: its role
 * could not be assumed), service (the CLI client name), operation, code.
 * A policy is hit by a gap when the gap's call is one the inventory layer
 * makes for the policy's resource type (inventory_calls(): the listing,
 * per-resource calls, joins and account calls).  cmd_scan.c leaves what a
 * gap hits out of the store's resolution scope, so a finding whose data
 * was not collected is never marked resolved.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/scan_gaps.h"
#include "inventory/inventory.h"
#include "json/json.h"
#include "util/buf.h"

static const char *str_of(arena *a, const jv *o, const char *key)
{
    const jv *v = jv_get(o, key);
    return jv_is(v, JV_STRING) ? arena_strndup(a, v->u.str, v->len) : "";
}

int scan_gaps_load(arena *a, const char *inv_dir, scan_gaps *g)
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
        scan_gap *x = &g->items[g->n++];
        x->account = str_of(a, e, "account");
        x->region = str_of(a, e, "region");
        x->service = str_of(a, e, "service");
        x->operation = str_of(a, e, "operation");
        x->code = str_of(a, e, "code");
    }
    return 0;
}

bool scan_gaps_account(const scan_gaps *g, const char *account)
{
    for (size_t i = 0; i < g->n; i++)
        if (strcmp(g->items[i].account, account) == 0 && strcmp(g->items[i].region, "*") == 0)
            return true;
    return false;
}

typedef struct hit_ctx {
    const char *type;
    const scan_gap *gap;
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

bool scan_gaps_hit(const scan_gaps *g, const char *account, const policy *p)
{
    for (size_t i = 0; i < g->n; i++) {
        const scan_gap *x = &g->items[i];
        if (account && strcmp(x->account, account) != 0) continue;
        if (strcmp(x->region, "*") == 0) return true;
        if (!p->rtype) return true; /* unknown needs: assume hit */
        hit_ctx h = {p->rtype->name, x, false};
        inventory_calls(on_call, &h);
        if (h.hit) return true;
    }
    return false;
}
