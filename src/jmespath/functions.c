/* functions.c - the JMESPath built-in functions.
 *
 * One table maps each name to its C function and signature (parameter
 * count, whether the last parameter repeats, accepted types per parameter).
 * The parser looks names up (unknown names and wrong counts fail at compile
 * time); jp_func_call type-checks the evaluated arguments before calling,
 * so each function body may assume its declared types.  "array-number" /
 * "array-string" check the items too; a parameter accepting both decides
 * by the first item, as the reference does.  An &expref is only accepted
 * where the signature says expref.
 *
 * Sorting is a stable merge sort (sort, sort_by): the reference
 * implementation's sort is stable and users rely on ties keeping order.
 * Strings compare by bytes, which for UTF-8 is code point order.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jmespath/jp_internal.h"

/* ---------------------------------------------------------------- helpers */

/* A number result; integral values print without a fraction. */
static jv number(double d)
{
    jv v = jv_num(d);
    if (d == floor(d) && fabs(d) < 9007199254740992.0) v.flags = JVF_INT;
    return v;
}

static int cmp_str(const jv *a, const jv *b)
{
    size_t n = a->len < b->len ? a->len : b->len;
    int r = memcmp(a->u.str, b->u.str, n);
    if (r) return r;
    return a->len < b->len ? -1 : a->len > b->len;
}

/* Orders two numbers or two strings (the caller checked the kinds). */
static int cmp_key(const jv *a, const jv *b)
{
    if (a->kind == JV_NUMBER) return a->u.num < b->u.num ? -1 : a->u.num > b->u.num;
    return cmp_str(a, b);
}

typedef struct keyed {
    jv key, val;
} keyed;

static void merge_sort(keyed *v, keyed *tmp, size_t n)
{
    if (n < 2) return;
    size_t h = n / 2;
    merge_sort(v, tmp, h);
    merge_sort(v + h, tmp, n - h);
    size_t i = 0, j = h, k = 0;
    while (i < h && j < n)
        tmp[k++] = cmp_key(&v[j].key, &v[i].key) < 0 ? v[j++] : v[i++];
    while (i < h)
        tmp[k++] = v[i++];
    while (j < n)
        tmp[k++] = v[j++];
    memcpy(v, tmp, n * sizeof *v);
}

static jv sorted_values(jp_ctx *c, keyed *v, size_t n)
{
    keyed *tmp = arena_alloc(c->a, (n ? n : 1) * sizeof *tmp);
    merge_sort(v, tmp, n);
    jv r = jv_array(c->a, n);
    for (size_t i = 0; i < n; i++)
        r.u.items[i] = v[i].val;
    return r;
}

static int type_error(jp_ctx *c, const char *fn, const char *what, const jv *got)
{
    return jp_fail(c->err, "invalid-type", JP_POS_CALL, "%s(): %s, got %s", fn, what,
                   jv_kind_name((jv_kind)got->kind));
}

/* Evaluates the expref on each item; keys must be all numbers or all
 * strings. */
static int eval_keys(jp_ctx *c, const char *fn, const jp_node *ref, const jv *arr, keyed *out)
{
    for (uint32_t i = 0; i < arr->len; i++) {
        out[i].val = arr->u.items[i];
        if (jp_ev(c, ref, arr->u.items[i], &out[i].key) != 0) return -1;
        const jv *k = &out[i].key;
        if (k->kind != JV_NUMBER && k->kind != JV_STRING)
            return type_error(c, fn, "expression must give a number or a string", k);
        if (i > 0 && k->kind != out[0].key.kind)
            return type_error(c, fn, "expression must give the same type for every item", k);
    }
    return 0;
}

static size_t utf8_count(const char *s, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += ((unsigned char)s[i] & 0xC0) != 0x80;
    return k;
}

/* ---------------------------------------------------------------- functions */

/* abs(number) -> number: absolute value. */
static int f_abs(jp_ctx *c, const jp_arg *a, int n, jv *out)
{
    (void)c, (void)n;
    *out = number(fabs(a[0].v.u.num));
    return 0;
}

/* avg(array[number]) -> number|null: mean; null for an empty array. */
static int f_avg(jp_ctx *c, const jp_arg *a, int n, jv *out)
{
    (void)c, (void)n;
    const jv *v = &a[0].v;
    if (!v->len) {
        *out = jv_null();
        return 0;
    }
    double s = 0;
    for (uint32_t i = 0; i < v->len; i++)
        s += v->u.items[i].u.num;
    *out = jv_num(s / v->len);
    return 0;
}

/* ceil(number) -> number: smallest integer not below the argument. */
static int f_ceil(jp_ctx *c, const jp_arg *a, int n, jv *out)
{
    (void)c, (void)n;
    *out = number(ceil(a[0].v.u.num));
    return 0;
}

/* contains(array|string, any) -> boolean: array has an item equal to the
 * search value, or string has the search string as a substring (a
 * non-string search in a string is false). */
static int f_contains(jp_ctx *c, const jp_arg *a, int n, jv *out)
{
    (void)c, (void)n;
    const jv *s = &a[0].v, *x = &a[1].v;
    bool found = false;
    if (s->kind == JV_ARRAY) {
        for (uint32_t i = 0; i < s->len && !found; i++)
            found = jv_equal(&s->u.items[i], x);
    } else if (x->kind == JV_STRING) {
        found = x->len == 0 || (x->len <= s->len && memmem(s->u.str, s->len, x->u.str, x->len));
    }
    *out = jv_bool(found);
    return 0;
}

/* ends_with(string, string) -> boolean. */
static int f_ends_with(jp_ctx *c, const jp_arg *a, int n, jv *out)
{
    (void)c, (void)n;
    const jv *s = &a[0].v, *x = &a[1].v;
    *out = jv_bool(x->len <= s->len && !memcmp(s->u.str + s->len - x->len, x->u.str, x->len));
    return 0;
}

/* floor(number) -> number: largest integer not above the argument. */
static int f_floor(jp_ctx *c, const jp_arg *a, int n, jv *out)
{
    (void)c, (void)n;
    *out = number(floor(a[0].v.u.num));
    return 0;
}

/* join(string glue, array[string]) -> string: items joined with glue. */
static int f_join(jp_ctx *c, const jp_arg *a, int n, jv *out)
{
    (void)n;
    const jv *g = &a[0].v, *v = &a[1].v;
    size_t total = 0;
    for (uint32_t i = 0; i < v->len; i++)
        total += v->u.items[i].len + (i ? g->len : 0);
    char *d = arena_alloc(c->a, total + 1), *p = d;
    for (uint32_t i = 0; i < v->len; i++) {
        if (i) memcpy(p, g->u.str, g->len), p += g->len;
        memcpy(p, v->u.items[i].u.str, v->u.items[i].len);
        p += v->u.items[i].len;
    }
    *p = 0;
    *out = jv_str_nocopy(d, total);
    return 0;
}

/* keys(object) -> array[string]: member names in document order. */
static int f_keys(jp_ctx *c, const jp_arg *a, int n, jv *out)
{
    (void)n;
    const jv *o = &a[0].v;
    *out = jv_array(c->a, o->len);
    for (uint32_t i = 0; i < o->len; i++)
        out->u.items[i] = jv_str_nocopy(o->u.members[i].key, o->u.members[i].klen);
    return 0;
}

/* length(string|array|object) -> number: code points, items or members. */
static int f_length(jp_ctx *c, const jp_arg *a, int n, jv *out)
{
    (void)c, (void)n;
    const jv *v = &a[0].v;
    *out = jv_int(v->kind == JV_STRING ? (int64_t)utf8_count(v->u.str, v->len) : v->len);
    return 0;
}

/* map(&expr, array) -> array: expr applied to each item (nulls kept). */
static int f_map(jp_ctx *c, const jp_arg *a, int n, jv *out)
{
    (void)n;
    const jv *v = &a[1].v;
    jv r = jv_array(c->a, v->len);
    for (uint32_t i = 0; i < v->len; i++)
        if (jp_ev(c, a[0].ref, v->u.items[i], &r.u.items[i]) != 0) return -1;
    *out = r;
    return 0;
}

/* Shared by max and min: the extreme item (first on ties), or null. */
static int extreme(const jp_arg *a, int sign, jv *out)
{
    const jv *v = &a[0].v;
    *out = jv_null();
    for (uint32_t i = 0; i < v->len; i++)
        if (i == 0 || cmp_key(&v->u.items[i], out) * sign > 0) *out = v->u.items[i];
    return 0;
}

/* max(array[number]|array[string]) -> number|string|null. */
static int f_max(jp_ctx *c, const jp_arg *a, int n, jv *out)
{
    (void)c, (void)n;
    return extreme(a, 1, out);
}

/* Shared by max_by and min_by. */
static int extreme_by(jp_ctx *c, const char *fn, const jp_arg *a, int sign, jv *out)
{
    const jv *v = &a[0].v;
    *out = jv_null();
    if (!v->len) return 0;
    keyed *k = arena_alloc(c->a, v->len * sizeof *k);
    if (eval_keys(c, fn, a[1].ref, v, k) != 0) return -1;
    uint32_t best = 0;
    for (uint32_t i = 1; i < v->len; i++)
        if (cmp_key(&k[i].key, &k[best].key) * sign > 0) best = i;
    *out = k[best].val;
    return 0;
}

/* max_by(array, &expr) -> any: the item whose expr is largest. */
static int f_max_by(jp_ctx *c, const jp_arg *a, int n, jv *out)
{
    (void)n;
    return extreme_by(c, "max_by", a, 1, out);
}

/* merge(object...) -> object: later members override earlier ones. */
static int f_merge(jp_ctx *c, const jp_arg *a, int n, jv *out)
{
    jv_builder b;
    jvb_object(&b, c->a);
    for (int i = 0; i < n; i++)
        for (uint32_t k = 0; k < a[i].v.len; k++) {
            const jv_member *m = &a[i].v.u.members[k];
            jvb_set(&b, m->key, m->klen, m->val);
        }
    *out = jvb_done(&b);
    return 0;
}

/* min(array[number]|array[string]) -> number|string|null. */
static int f_min(jp_ctx *c, const jp_arg *a, int n, jv *out)
{
    (void)c, (void)n;
    return extreme(a, -1, out);
}

/* min_by(array, &expr) -> any: the item whose expr is smallest. */
static int f_min_by(jp_ctx *c, const jp_arg *a, int n, jv *out)
{
    (void)n;
    return extreme_by(c, "min_by", a, -1, out);
}

/* not_null(any...) -> any: the first argument that is not null. */
static int f_not_null(jp_ctx *c, const jp_arg *a, int n, jv *out)
{
    (void)c;
    *out = jv_null();
    for (int i = 0; i < n; i++)
        if (a[i].v.kind != JV_NULL) {
            *out = a[i].v;
            break;
        }
    return 0;
}

/* reverse(array|string) -> same type, reversed (strings by code point). */
static int f_reverse(jp_ctx *c, const jp_arg *a, int n, jv *out)
{
    (void)n;
    const jv *v = &a[0].v;
    if (v->kind == JV_ARRAY) {
        jv r = jv_array(c->a, v->len);
        for (uint32_t i = 0; i < v->len; i++)
            r.u.items[i] = v->u.items[v->len - 1 - i];
        *out = r;
        return 0;
    }
    char *d = arena_alloc(c->a, v->len + 1);
    size_t end = v->len, k = 0;
    while (end > 0) {
        size_t start = end - 1;
        while (start > 0 && ((unsigned char)v->u.str[start] & 0xC0) == 0x80)
            start--;
        memcpy(d + k, v->u.str + start, end - start);
        k += end - start;
        end = start;
    }
    d[k] = 0;
    *out = jv_str_nocopy(d, k);
    return 0;
}

/* sort(array[number]|array[string]) -> array: ascending, stable. */
static int f_sort(jp_ctx *c, const jp_arg *a, int n, jv *out)
{
    (void)n;
    const jv *v = &a[0].v;
    keyed *k = arena_alloc(c->a, (v->len ? v->len : 1) * sizeof *k);
    for (uint32_t i = 0; i < v->len; i++)
        k[i].key = k[i].val = v->u.items[i];
    *out = sorted_values(c, k, v->len);
    return 0;
}

/* sort_by(array, &expr) -> array: stable sort by expr (all numbers or all
 * strings). */
static int f_sort_by(jp_ctx *c, const jp_arg *a, int n, jv *out)
{
    (void)n;
    const jv *v = &a[0].v;
    keyed *k = arena_alloc(c->a, (v->len ? v->len : 1) * sizeof *k);
    if (eval_keys(c, "sort_by", a[1].ref, v, k) != 0) return -1;
    *out = sorted_values(c, k, v->len);
    return 0;
}

/* starts_with(string, string) -> boolean. */
static int f_starts_with(jp_ctx *c, const jp_arg *a, int n, jv *out)
{
    (void)c, (void)n;
    const jv *s = &a[0].v, *x = &a[1].v;
    *out = jv_bool(x->len <= s->len && !memcmp(s->u.str, x->u.str, x->len));
    return 0;
}

/* sum(array[number]) -> number: 0 for an empty array. */
static int f_sum(jp_ctx *c, const jp_arg *a, int n, jv *out)
{
    (void)c, (void)n;
    const jv *v = &a[0].v;
    double s = 0;
    bool all_int = true;
    for (uint32_t i = 0; i < v->len; i++) {
        s += v->u.items[i].u.num;
        all_int = all_int && (v->u.items[i].flags & JVF_INT);
    }
    *out = all_int ? number(s) : jv_num(s);
    return 0;
}

/* to_array(any) -> array: arrays unchanged, anything else wrapped. */
static int f_to_array(jp_ctx *c, const jp_arg *a, int n, jv *out)
{
    (void)n;
    if (a[0].v.kind == JV_ARRAY) {
        *out = a[0].v;
        return 0;
    }
    *out = jv_array(c->a, 1);
    out->u.items[0] = a[0].v;
    return 0;
}

/* to_number(any) -> number|null: numbers unchanged, strings holding a JSON
 * number parsed, anything else null. */
static int f_to_number(jp_ctx *c, const jp_arg *a, int n, jv *out)
{
    (void)c, (void)n;
    const jv *v = &a[0].v;
    *out = jv_null();
    if (v->kind == JV_NUMBER) *out = *v;
    if (v->kind != JV_STRING || v->len == 0 || v->len > 400) return 0;
    const char *s = v->u.str, *p = s, *e = s + v->len;
    bool integral = true;
    if (p < e && *p == '-') p++;
    if (p == e || *p < '0' || *p > '9') return 0;
    if (*p == '0')
        p++;
    else
        while (p < e && *p >= '0' && *p <= '9')
            p++;
    if (p < e && *p == '.') {
        integral = false;
        if (++p == e || *p < '0' || *p > '9') return 0;
        while (p < e && *p >= '0' && *p <= '9')
            p++;
    }
    if (p < e && (*p == 'e' || *p == 'E')) {
        integral = false;
        if (++p < e && (*p == '+' || *p == '-')) p++;
        if (p == e || *p < '0' || *p > '9') return 0;
        while (p < e && *p >= '0' && *p <= '9')
            p++;
    }
    if (p != e) return 0;
    double d = strtod(s, NULL); /* strings are NUL-terminated */
    if (!isfinite(d)) return 0;
    *out = integral ? number(d) : jv_num(d);
    return 0;
}

/* to_string(any) -> string: strings unchanged, anything else as compact
 * JSON. */
static int f_to_string(jp_ctx *c, const jp_arg *a, int n, jv *out)
{
    (void)n;
    if (a[0].v.kind == JV_STRING) {
        *out = a[0].v;
        return 0;
    }
    buf b = BUF_INIT;
    json_write(&b, &a[0].v);
    *out = jv_str(c->a, b.data, b.len);
    buf_free(&b);
    return 0;
}

/* type(any) -> string: "number", "string", "boolean", "array", "object"
 * or "null". */
static int f_type(jp_ctx *c, const jp_arg *a, int n, jv *out)
{
    (void)c, (void)n;
    const char *t = jv_kind_name((jv_kind)a[0].v.kind);
    *out = jv_str_nocopy(t, strlen(t));
    return 0;
}

/* values(object) -> array: member values in document order. */
static int f_values(jp_ctx *c, const jp_arg *a, int n, jv *out)
{
    (void)n;
    const jv *o = &a[0].v;
    *out = jv_array(c->a, o->len);
    for (uint32_t i = 0; i < o->len; i++)
        out->u.items[i] = o->u.members[i].val;
    return 0;
}

/* Sorted by name for bsearch. */
static const jp_func table[] = {
    {"abs", f_abs, 1, false, {TY_NUMBER}},
    {"avg", f_avg, 1, false, {TY_ARR_NUM}},
    {"ceil", f_ceil, 1, false, {TY_NUMBER}},
    {"contains", f_contains, 2, false, {TY_ARRAY | TY_STRING, TY_ANY}},
    {"ends_with", f_ends_with, 2, false, {TY_STRING, TY_STRING}},
    {"floor", f_floor, 1, false, {TY_NUMBER}},
    {"join", f_join, 2, false, {TY_STRING, TY_ARR_STR}},
    {"keys", f_keys, 1, false, {TY_OBJECT}},
    {"length", f_length, 1, false, {TY_STRING | TY_ARRAY | TY_OBJECT}},
    {"map", f_map, 2, false, {TY_EXPREF, TY_ARRAY}},
    {"max", f_max, 1, false, {TY_ARR_NUM | TY_ARR_STR}},
    {"max_by", f_max_by, 2, false, {TY_ARRAY, TY_EXPREF}},
    {"merge", f_merge, 1, true, {TY_OBJECT}},
    {"min", f_min, 1, false, {TY_ARR_NUM | TY_ARR_STR}},
    {"min_by", f_min_by, 2, false, {TY_ARRAY, TY_EXPREF}},
    {"not_null", f_not_null, 1, true, {TY_ANY}},
    {"reverse", f_reverse, 1, false, {TY_ARRAY | TY_STRING}},
    {"sort", f_sort, 1, false, {TY_ARR_NUM | TY_ARR_STR}},
    {"sort_by", f_sort_by, 2, false, {TY_ARRAY, TY_EXPREF}},
    {"starts_with", f_starts_with, 2, false, {TY_STRING, TY_STRING}},
    {"sum", f_sum, 1, false, {TY_ARR_NUM}},
    {"to_array", f_to_array, 1, false, {TY_ANY}},
    {"to_number", f_to_number, 1, false, {TY_ANY}},
    {"to_string", f_to_string, 1, false, {TY_ANY}},
    {"type", f_type, 1, false, {TY_ANY}},
    {"values", f_values, 1, false, {TY_OBJECT}},
};

const jp_func *jp_func_lookup(const char *name, size_t len)
{
    size_t lo = 0, hi = sizeof table / sizeof *table;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        const char *t = table[mid].name;
        size_t tl = strlen(t);
        int r = memcmp(name, t, len < tl ? len : tl);
        if (r == 0) r = len < tl ? -1 : len > tl;
        if (r == 0) return &table[mid];
        if (r < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

static void describe(unsigned types, char *d, size_t cap)
{
    static const struct {
        unsigned bit;
        const char *name;
    } names[] = {
        {TY_NULL, "null"},     {TY_BOOL, "boolean"},          {TY_NUMBER, "number"},
        {TY_STRING, "string"}, {TY_ARRAY, "array"},           {TY_OBJECT, "object"},
        {TY_EXPREF, "expref"}, {TY_ARR_NUM, "array[number]"}, {TY_ARR_STR, "array[string]"}};
    d[0] = 0;
    if ((types & TY_ANY) == TY_ANY) {
        snprintf(d, cap, "any value");
        return;
    }
    size_t k = 0;
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (types & names[i].bit)
            k += (size_t)snprintf(d + k, k < cap ? cap - k : 0, "%s%s", k ? " or " : "",
                                  names[i].name);
}

static unsigned kind_bit(const jv *v)
{
    switch (v->kind) {
    case JV_NULL:
        return TY_NULL;
    case JV_TRUE:
    case JV_FALSE:
        return TY_BOOL;
    case JV_NUMBER:
        return TY_NUMBER;
    case JV_STRING:
        return TY_STRING;
    case JV_ARRAY:
        return TY_ARRAY;
    default:
        return TY_OBJECT;
    }
}

/* Does value/arg a satisfy the type bits? */
static bool type_ok(const jp_arg *a, unsigned types)
{
    if (a->ref) return types & TY_EXPREF;
    unsigned k = kind_bit(&a->v);
    if (types & k) return true;
    if (k != TY_ARRAY || !(types & (TY_ARR_NUM | TY_ARR_STR))) return false;
    const jv *v = &a->v;
    if (!v->len) return true;
    unsigned want = kind_bit(&v->u.items[0]);
    if (!(types & (want == TY_NUMBER ? TY_ARR_NUM : want == TY_STRING ? TY_ARR_STR : 0)))
        return false;
    for (uint32_t i = 1; i < v->len; i++)
        if (kind_bit(&v->u.items[i]) != want) return false;
    return true;
}

int jp_func_call(jp_ctx *c, const jp_func *f, const jp_arg *args, int n, jv *out)
{
    for (int i = 0; i < n; i++) {
        unsigned t = f->types[i < f->nparams ? i : f->nparams - 1];
        if (!type_ok(&args[i], t)) {
            char want[120];
            describe(t, want, sizeof want);
            return jp_fail(c->err, "invalid-type", JP_POS_CALL,
                           "%s() argument %d must be %s, got %s", f->name, i + 1, want,
                           args[i].ref ? "expref" : jv_kind_name((jv_kind)args[i].v.kind));
        }
    }
    return f->fn(c, args, n, out);
}
