/* interp.c - evaluates a JMESPath AST over a jv.
 *
 * A plain recursive tree walk: the parser bounds the AST depth, so the
 * recursion is bounded too.  Values are passed by value (a jv is 16 bytes)
 * and results point into the input wherever possible - a field lookup, an
 * index or a chain of them allocates nothing.  Only constructed values
 * (projections, multi-selects, function results) take scratch memory.
 *
 * Semantics follow the specification and the reference implementation:
 * null propagates through field and index lookups, projections drop null
 * results, ordering comparisons between anything other than two numbers
 * or two strings yield null, and a zero slice step is "invalid-value".
 */
#include <string.h>

#include "jmespath/jp_internal.h"

static bool is_null(const jv *v)
{
    return v->kind == JV_NULL;
}

static void field(const jp_node *n, jv in, jv *out)
{
    const jv *v = in.kind == JV_OBJECT ? jv_getn(&in, n->s, n->slen) : NULL;
    *out = v ? *v : jv_null();
}

static void index_(const jp_node *n, jv in, jv *out)
{
    *out = jv_null();
    if (in.kind != JV_ARRAY) return;
    int64_t i = n->num[0];
    if (i < 0) i += in.len;
    if (i >= 0 && i < (int64_t)in.len) *out = in.u.items[i];
}

/* Python's slice.indices(): clamps start/stop for the step's direction. */
static int64_t clamp_slice(int64_t v, int64_t len, bool neg_step)
{
    if (v < 0) {
        v += len;
        if (v < 0) v = neg_step ? -1 : 0;
    } else if (v >= len) {
        v = neg_step ? len - 1 : len;
    }
    return v;
}

static int slice(jp_ctx *c, const jp_node *n, jv in, jv *out)
{
    *out = jv_null();
    if (in.kind != JV_ARRAY) return 0;
    int64_t step = n->has[2] ? n->num[2] : 1;
    if (step == 0) return jp_fail(c->err, "invalid-value", n->pos, "slice step cannot be 0");
    int64_t len = in.len;
    bool neg = step < 0;
    int64_t start = n->has[0] ? clamp_slice(n->num[0], len, neg) : neg ? len - 1 : 0;
    int64_t stop = n->has[1] ? clamp_slice(n->num[1], len, neg) : neg ? -1 : len;
    jv_builder b;
    jvb_array(&b, c->a);
    if (!neg)
        for (int64_t i = start; i < stop; i += step)
            jvb_push(&b, in.u.items[i]);
    else
        for (int64_t i = start; i > stop; i += step)
            jvb_push(&b, in.u.items[i]);
    *out = jvb_done(&b);
    return 0;
}

/* Applies right to each item; keeps non-null results. */
static int project(jp_ctx *c, const jp_node *right, const jv *items, uint32_t nitems,
                   const jp_node *cond, jv *out)
{
    jv_builder b;
    jvb_array(&b, c->a);
    for (uint32_t i = 0; i < nitems; i++) {
        if (cond) {
            jv t;
            if (jp_ev(c, cond, items[i], &t) != 0) return -1;
            if (!jv_truthy(&t)) continue;
        }
        jv r = jv_null();
        if (right->kind == JN_CURRENT)
            r = items[i];
        else if (jp_ev(c, right, items[i], &r) != 0)
            return -1;
        if (!is_null(&r)) jvb_push(&b, r);
    }
    *out = jvb_done(&b);
    return 0;
}

static int vproject(jp_ctx *c, const jp_node *n, jv base, jv *out)
{
    if (base.kind != JV_OBJECT) {
        *out = jv_null();
        return 0;
    }
    jv_builder b;
    jvb_array(&b, c->a);
    for (uint32_t i = 0; i < base.len; i++) {
        jv r = jv_null();
        if (jp_ev(c, n->kids[1], base.u.members[i].val, &r) != 0) return -1;
        if (!is_null(&r)) jvb_push(&b, r);
    }
    *out = jvb_done(&b);
    return 0;
}

static void flatten(jp_ctx *c, jv base, jv *out)
{
    if (base.kind != JV_ARRAY) {
        *out = jv_null();
        return;
    }
    jv_builder b;
    jvb_array(&b, c->a);
    for (uint32_t i = 0; i < base.len; i++) {
        const jv *it = &base.u.items[i];
        if (it->kind == JV_ARRAY)
            for (uint32_t k = 0; k < it->len; k++)
                jvb_push(&b, it->u.items[k]);
        else
            jvb_push(&b, *it);
    }
    *out = jvb_done(&b);
}

/* Index of key among the first used members of o, or used if absent. */
static uint32_t find_member(const jv *o, uint32_t used, const char *key, size_t klen)
{
    for (uint32_t j = 0; j < used; j++)
        if (o->u.members[j].klen == klen && memcmp(o->u.members[j].key, key, klen) == 0) return j;
    return used;
}

static int multi(jp_ctx *c, const jp_node *n, jv in, jv *out)
{
    if (is_null(&in)) {
        *out = in;
        return 0;
    }
    jv r = n->kind == JN_MULTI_LIST ? jv_array(c->a, n->nkids) : jv_object(c->a, n->nkids);
    uint32_t used = 0;
    for (uint32_t k = 0; k < n->nkids; k++) {
        jv v;
        if (jp_ev(c, n->kids[k], in, &v) != 0) return -1;
        if (n->kind == JN_MULTI_LIST) {
            r.u.items[k] = v;
            continue;
        }
        /* a repeated key keeps its first position and its last value */
        uint32_t j = n->op ? find_member(&r, used, n->keys[k], n->klens[k]) : used;
        if (j == used) used++;
        r.u.members[j].key = n->keys[k];
        r.u.members[j].klen = (uint32_t)n->klens[k];
        r.u.members[j].val = v;
    }
    if (n->kind == JN_MULTI_HASH) r.len = used;
    *out = r;
    return 0;
}

static int cmp_strings(const jv *a, const jv *b)
{
    size_t n = a->len < b->len ? a->len : b->len;
    int r = memcmp(a->u.str, b->u.str, n);
    if (r) return r;
    return a->len < b->len ? -1 : a->len > b->len;
}

static void compare(int op, const jv *l, const jv *r, jv *out)
{
    if (op == JT_EQ || op == JT_NE) {
        *out = jv_bool(jv_equal(l, r) == (op == JT_EQ));
        return;
    }
    int c;
    if (l->kind == JV_NUMBER && r->kind == JV_NUMBER) {
        if (l->u.num != l->u.num || r->u.num != r->u.num) { /* NaN cannot come from JSON */
            *out = jv_bool(false);
            return;
        }
        c = l->u.num < r->u.num ? -1 : l->u.num > r->u.num;
    } else if (l->kind == JV_STRING && r->kind == JV_STRING) {
        c = cmp_strings(l, r);
    } else {
        *out = jv_null();
        return;
    }
    bool res = op == JT_LT ? c < 0 : op == JT_LE ? c <= 0 : op == JT_GT ? c > 0 : c >= 0;
    *out = jv_bool(res);
}

static int call(jp_ctx *c, const jp_node *n, jv in, jv *out)
{
    jp_arg small[4];
    jp_arg *args = n->nkids <= 4 ? small : arena_alloc(c->a, n->nkids * sizeof *args);
    for (uint32_t k = 0; k < n->nkids; k++) {
        const jp_node *a = n->kids[k];
        args[k].ref = NULL;
        if (a->kind == JN_EXPREF) {
            args[k].ref = a->kids[0];
            args[k].v = jv_null();
        } else if (jp_ev(c, a, in, &args[k].v) != 0) {
            return -1;
        }
    }
    if (jp_func_call(c, n->fn, args, (int)n->nkids, out) == 0) return 0;
    if (c->err && c->err->pos == JP_POS_CALL) c->err->pos = n->pos; /* innermost call wins */
    return -1;
}

int jp_ev(jp_ctx *c, const jp_node *n, jv in, jv *out)
{
    jv l = jv_null(), r = jv_null();
    switch (n->kind) {
    case JN_FIELD:
        field(n, in, out);
        return 0;
    case JN_CURRENT:
        *out = in;
        return 0;
    case JN_LITERAL:
        *out = n->lit;
        return 0;
    case JN_INDEX:
        index_(n, in, out);
        return 0;
    case JN_SLICE:
        return slice(c, n, in, out);
    case JN_CHAIN:
        for (uint32_t k = 0; k < n->nkids; k++) {
            const jp_node *kid = n->kids[k];
            if (kid->kind == JN_FIELD)
                field(kid, in, &in); /* the hot path: a.b.c */
            else if (jp_ev(c, kid, in, &in) != 0)
                return -1;
        }
        *out = in;
        return 0;
    case JN_PROJECT:
    case JN_FPROJECT:
        if (jp_ev(c, n->kids[0], in, &l) != 0) return -1;
        if (l.kind != JV_ARRAY) {
            *out = jv_null();
            return 0;
        }
        return project(c, n->kids[1], l.u.items, l.len, n->kind == JN_FPROJECT ? n->kids[2] : NULL,
                       out);
    case JN_VPROJECT:
        if (jp_ev(c, n->kids[0], in, &l) != 0) return -1;
        return vproject(c, n, l, out);
    case JN_FLATTEN:
        if (jp_ev(c, n->kids[0], in, &l) != 0) return -1;
        flatten(c, l, out);
        return 0;
    case JN_MULTI_LIST:
    case JN_MULTI_HASH:
        return multi(c, n, in, out);
    case JN_OR:
    case JN_AND:
        if (jp_ev(c, n->kids[0], in, &l) != 0) return -1;
        if (jv_truthy(&l) == (n->kind == JN_OR)) {
            *out = l;
            return 0;
        }
        return jp_ev(c, n->kids[1], in, out);
    case JN_NOT:
        if (jp_ev(c, n->kids[0], in, &l) != 0) return -1;
        *out = jv_bool(!jv_truthy(&l));
        return 0;
    case JN_CMP:
        if (jp_ev(c, n->kids[0], in, &l) != 0 || jp_ev(c, n->kids[1], in, &r) != 0) return -1;
        compare(n->op, &l, &r, out);
        return 0;
    case JN_EXPREF:
        *out = jv_null();
        return 0; /* only meaningful as a function argument */
    case JN_FUNC:
        return call(c, n, in, out);
    }
    return jp_fail(c->err, "invalid-value", n->pos, "corrupt expression");
}

int jp_eval(const jp_node *e, const jv *data, arena *scratch, jv *out, jp_error *err)
{
    jp_ctx c = {.a = scratch, .err = err};
    jv in = data ? *data : jv_null();
    return jp_ev(&c, e, in, out);
}
