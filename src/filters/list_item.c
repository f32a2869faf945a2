/* list_item.c - Custodian's `list-item` and `marked-for-op` filters.
 *
 * list-item: `key` (JMESPath) selects a list inside the resource; `attrs`
 * is a filter list applied to each element (an implicit `and`, compiled
 * like a policy's filters but with no resource type, since elements are
 * not resources).  Without `count` the resource matches when some element
 * matches; with `count` (and `count_op`, default eq) it matches when the
 * number of matching elements satisfies it.  A missing or empty list is
 * zero elements; a non-list value is an error in Custodian and no match
 * here.
 *
 * marked-for-op: reads the tag written by Custodian's mark-for-op action
 * (default `maid_status`, value "message:op@date") and matches when `op`
 * (default stop) is the marked op and now >= date - skew days - skew_hours.
 * The date is parsed like every other date here (util/date.h); a date
 * without a zone is UTC.
 */
#include <string.h>
#include <strings.h>

#include "filters/filter.h"
#include "filters/pyval.h"
#include "jmespath/jmespath.h"
#include "util/date.h"

extern const filter_type filter_type_list_item;
extern const filter_type filter_type_marked_for_op;

typedef struct list_item_filter {
    filter hdr;
    const jp_node *key;
    filter *attrs; /* NULL = every element matches */
    bool has_count;
    double count;
    int count_op; /* 0 eq, 1 ne, 2 gt, 3 ge, 4 lt, 5 le */
} list_item_filter;

static const char *const COUNT_OPS[][2] = {
    {"eq", "equal"}, {"ne", "not-equal"}, {"gt", "greater-than"},
    {"ge", "gte"},   {"lt", "less-than"}, {"le", "lte"},
};

static bool count_ok(const list_item_filter *f, double n)
{
    switch (f->count_op) {
    case 0:
        return n == f->count;
    case 1:
        return n != f->count;
    case 2:
        return n > f->count;
    case 3:
        return n >= f->count;
    case 4:
        return n < f->count;
    default:
        return n <= f->count;
    }
}

static filter *list_item_compile(filter_compiler *fc, const jv *spec)
{
    list_item_filter *f = arena_calloc(fc->a, sizeof *f);
    bool ok = true;
    const jv *key = NULL;
    for (uint32_t i = 0; i < spec->len; i++) {
        const jv_member *m = &spec->u.members[i];
        const jv *v = &m->val;
        if (!strcmp(m->key, "type")) continue;
        if (!strcmp(m->key, "key")) {
            key = v;
        } else if (!strcmp(m->key, "attrs")) {
            filter_compiler sub = *fc;
            sub.rtype = NULL;
            if (v->kind != JV_ARRAY) {
                fc_error(fc, v, "list-item attrs must be a list of filters");
                ok = false;
            } else if (!(f->attrs = filter_compile_list(&sub, v))) {
                ok = false;
            }
        } else if (!strcmp(m->key, "count")) {
            if (v->kind != JV_NUMBER) {
                fc_error(fc, v, "list-item count must be a number");
                ok = false;
            }
            f->has_count = true;
            f->count = v->u.num;
        } else if (!strcmp(m->key, "count_op")) {
            int k = 0;
            while (k < 6 && !(jv_str_eq(v, COUNT_OPS[k][0]) || jv_str_eq(v, COUNT_OPS[k][1])))
                k++;
            if (k == 6) {
                fc_error(fc, v, "list-item count_op must be a comparison (eq, ne, gt, ge, lt, le)");
                ok = false;
            }
            f->count_op = k;
        } else {
            fc_error(fc, m,
                     "unknown key '%s' in list-item filter (expected key, attrs, count, count_op)",
                     m->key);
            ok = false;
        }
    }
    if (!key || key->kind != JV_STRING) {
        fc_error(fc, key ? (const void *)key : spec, "list-item needs 'key' (a JMESPath string)");
        return NULL;
    }
    jp_error err;
    if (!(f->key = jp_compile(fc->a, key->u.str, key->len, &err))) {
        fc_error(fc, key, "invalid JMESPath key '%s': %s", key->u.str, err.msg);
        return NULL;
    }
    return ok ? &f->hdr : NULL;
}

static bool list_item_match(const filter *base, const jv *resource, eval_ctx *ctx)
{
    const list_item_filter *f = (const list_item_filter *)base;
    jv items;
    jp_error err;
    if (jp_eval(f->key, resource, ctx->scratch, &items, &err) < 0) return false;
    pv p = pv_json(items);
    if (!pv_truthy(&p)) return f->has_count && count_ok(f, 0);
    if (items.kind != JV_ARRAY) return false;
    size_t n = 0;
    for (uint32_t i = 0; i < items.len; i++)
        if (!f->attrs || filter_match(f->attrs, &items.u.items[i], ctx)) n++;
    return f->has_count ? count_ok(f, (double)n) : n > 0;
}

const filter_type filter_type_list_item = {"list-item", NULL, list_item_compile, list_item_match};

/* ------------------------------------------------------------ marked-for-op */

typedef struct marked_filter {
    filter hdr;
    const char *tag, *op;
    double skew_seconds;
} marked_filter;

static filter *marked_compile(filter_compiler *fc, const jv *spec)
{
    marked_filter *f = arena_calloc(fc->a, sizeof *f);
    f->tag = "maid_status";
    f->op = "stop";
    bool ok = true;
    for (uint32_t i = 0; i < spec->len; i++) {
        const jv_member *m = &spec->u.members[i];
        const jv *v = &m->val;
        if (!strcmp(m->key, "type")) continue;
        if (!strcmp(m->key, "tag") || !strcmp(m->key, "op") || !strcmp(m->key, "tz")) {
            if (v->kind != JV_STRING) {
                fc_error(fc, v, "marked-for-op %s must be a string", m->key);
                ok = false;
            } else if (!strcmp(m->key, "tag")) {
                f->tag = arena_strdup(fc->a, v->u.str);
            } else if (!strcmp(m->key, "op")) {
                f->op = arena_strdup(fc->a, v->u.str);
            } else if (strcasecmp(v->u.str, "utc") && strcasecmp(v->u.str, "gmt")) {
                fc_error(fc, v, "marked-for-op tz: only utc is supported");
                ok = false;
            }
        } else if (!strcmp(m->key, "skew") || !strcmp(m->key, "skew_hours")) {
            if (v->kind != JV_NUMBER || v->u.num < 0) {
                fc_error(fc, v, "marked-for-op %s must be a non-negative number", m->key);
                ok = false;
            } else {
                f->skew_seconds += v->u.num * (m->key[4] == '_' ? 3600.0 : 86400.0);
            }
        } else {
            fc_error(fc, m,
                     "unknown key '%s' in marked-for-op filter (expected tag, op, skew, "
                     "skew_hours, tz)",
                     m->key);
            ok = false;
        }
    }
    return ok ? &f->hdr : NULL;
}

static bool marked_match(const filter *base, const jv *resource, eval_ctx *ctx)
{
    const marked_filter *f = (const marked_filter *)base;
    const jv *tags = jv_get(resource, "Tags");
    const jv *val = NULL;
    for (uint32_t i = 0; tags && tags->kind == JV_ARRAY && i < tags->len; i++)
        if (jv_str_eq(jv_get(&tags->u.items[i], "Key"), f->tag)) {
            val = jv_get(&tags->u.items[i], "Value");
            break;
        }
    if (!val || val->kind != JV_STRING) return false;
    const char *s = val->u.str, *end = s + val->len;
    const char *colon = NULL;
    for (const char *p = s; p < end; p++)
        if (*p == ':') colon = p;
    if (!colon || !memchr(s, '@', val->len)) return false;
    const char *t = colon + 1;
    while (t < end && (*t == ' ' || *t == '\t'))
        t++;
    const char *at = memchr(t, '@', (size_t)(end - t));
    if (!at) return false;
    size_t oplen = (size_t)(at - t);
    if (oplen != strlen(f->op) || memcmp(t, f->op, oplen)) return false;
    double when;
    const char *d = at + 1;
    size_t dl = (size_t)(end - d);
    while (dl && (d[dl - 1] == ' ' || d[dl - 1] == '\t'))
        dl--;
    if (!date_parse(d, dl, &when)) return false;
    return (double)ctx->now >= when - f->skew_seconds;
}

const filter_type filter_type_marked_for_op = {"marked-for-op", NULL, marked_compile, marked_match};
