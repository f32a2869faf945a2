/* pyval.c - Python comparison semantics; see pyval.h.
 *
 * Each operation is written as the Python data model defines it for the
 * types involved (numbers incl. bool, str, list, dict, None, datetime,
 * ipaddress objects, LooseVersion, tuple), because Custodian's results on
 * mixed types come from exactly those rules.  Lists compare
 * lexicographically: the first pair that is not equal decides, and only
 * that pair must be orderable.
 */
#include "filters/pyval.h"

#include <string.h>

static bool is_numeric(const jv *v)
{
    return v->kind == JV_NUMBER || v->kind == JV_TRUE || v->kind == JV_FALSE;
}

static double num_of(const jv *v)
{
    return v->kind == JV_NUMBER ? v->u.num : v->kind == JV_TRUE ? 1.0 : 0.0;
}

static bool hashable(const jv *v)
{
    return v->kind != JV_ARRAY && v->kind != JV_OBJECT;
}

size_t utf8_count(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += ((unsigned char)s[i] & 0xc0) != 0x80;
    return n;
}

static bool jeq(const jv *a, const jv *b)
{
    if (is_numeric(a) && is_numeric(b)) return num_of(a) == num_of(b);
    if (a->kind != b->kind) return false;
    switch (a->kind) {
    case JV_NULL:
        return true;
    case JV_STRING:
        return a->len == b->len && memcmp(a->u.str, b->u.str, a->len) == 0;
    case JV_ARRAY:
        if (a->len != b->len) return false;
        for (uint32_t i = 0; i < a->len; i++)
            if (!jeq(&a->u.items[i], &b->u.items[i])) return false;
        return true;
    case JV_OBJECT:
        if (a->len != b->len) return false;
        for (uint32_t i = 0; i < a->len; i++) {
            const jv *o = jv_getn(b, a->u.members[i].key, a->u.members[i].klen);
            if (!o || !jeq(&a->u.members[i].val, o)) return false;
        }
        return true;
    default:
        return false;
    }
}

static int jcmp(const jv *a, const jv *b, int *cmp)
{
    if (is_numeric(a) && is_numeric(b)) {
        double x = num_of(a), y = num_of(b);
        if (x != x || y != y) { /* NaN: every ordering is false */
            *cmp = 2;
            return 0;
        }
        *cmp = (x > y) - (x < y);
        return 0;
    }
    if (a->kind == JV_STRING && b->kind == JV_STRING) {
        size_t n = a->len < b->len ? a->len : b->len;
        int c = memcmp(a->u.str, b->u.str, n);
        if (c == 0) c = (a->len > b->len) - (a->len < b->len);
        *cmp = (c > 0) - (c < 0);
        return 0;
    }
    if (a->kind == JV_ARRAY && b->kind == JV_ARRAY) {
        uint32_t n = a->len < b->len ? a->len : b->len;
        for (uint32_t i = 0; i < n; i++)
            if (!jeq(&a->u.items[i], &b->u.items[i]))
                return jcmp(&a->u.items[i], &b->u.items[i], cmp);
        *cmp = (a->len > b->len) - (a->len < b->len);
        return 0;
    }
    return -1;
}

bool pv_truthy(const pv *p)
{
    switch (p->kind) {
    case PV_JSON:
        switch (p->j.kind) {
        case JV_NULL:
        case JV_FALSE:
            return false;
        case JV_TRUE:
            return true;
        case JV_NUMBER:
            return p->j.u.num != 0;
        default:
            return p->j.len != 0;
        }
    case PV_TUPLE0:
        return false;
    default: /* PV_IPLIST and the rest are never empty */
        return true;
    }
}

static bool comps_eq(const pv *a, const pv *b)
{
    if (a->n != b->n) return false;
    for (size_t i = 0; i < a->n; i++) {
        const vcomp *x = &a->comps[i], *y = &b->comps[i];
        if (x->is_num != y->is_num) return false;
        if (x->is_num ? x->num != y->num : (x->len != y->len || memcmp(x->s, y->s, x->len)))
            return false;
    }
    return true;
}

bool pv_eq(const pv *a, const pv *b)
{
    if (a->kind != b->kind) return false;
    switch (a->kind) {
    case PV_JSON:
        return jeq(&a->j, &b->j);
    case PV_DATE:
        return a->t == b->t;
    case PV_IP:
        return ip_equal(&a->ip, &b->ip);
    case PV_VERSION:
        return comps_eq(a, b);
    case PV_TUPLE0:
        return true;
    case PV_IPLIST:
        return a == b;
    }
    return false;
}

static int comps_cmp(const pv *a, const pv *b, int *cmp)
{
    size_t n = a->n < b->n ? a->n : b->n;
    for (size_t i = 0; i < n; i++) {
        const vcomp *x = &a->comps[i], *y = &b->comps[i];
        if (x->is_num != y->is_num) return -1; /* int vs str: TypeError */
        int c;
        if (x->is_num) {
            c = (x->num > y->num) - (x->num < y->num);
        } else {
            size_t m = x->len < y->len ? x->len : y->len;
            c = memcmp(x->s, y->s, m);
            if (c == 0) c = (x->len > y->len) - (x->len < y->len);
        }
        if (c) {
            *cmp = (c > 0) - (c < 0);
            return 0;
        }
    }
    *cmp = (a->n > b->n) - (a->n < b->n);
    return 0;
}

int pv_cmp(const pv *a, const pv *b, int *cmp)
{
    if (a->kind != b->kind) return -1;
    bool te;
    switch (a->kind) {
    case PV_JSON:
        return jcmp(&a->j, &b->j, cmp);
    case PV_DATE:
        *cmp = (a->t > b->t) - (a->t < b->t);
        return 0;
    case PV_IP:
        return ip_compare(&a->ip, &b->ip, cmp, &te) ? 0 : -1;
    case PV_VERSION:
        return comps_cmp(a, b, cmp);
    case PV_TUPLE0:
        *cmp = 0;
        return 0;
    default:
        return -1;
    }
}

static int json_in(const pv *x, const jv *c, bool *out)
{
    switch (c->kind) {
    case JV_ARRAY:
        *out = false;
        if (x->kind != PV_JSON) return 0; /* nothing in JSON equals a datetime etc. */
        for (uint32_t i = 0; i < c->len; i++)
            if (jeq(&x->j, &c->u.items[i])) return *out = true, 0;
        return 0;
    case JV_STRING:
        if (x->kind != PV_JSON || x->j.kind != JV_STRING) return -1;
        *out = x->j.len == 0 || memmem(c->u.str, c->len, x->j.u.str, x->j.len) != NULL;
        return 0;
    case JV_OBJECT:
        if (x->kind == PV_TUPLE0) return *out = false, 0;
        if (x->kind != PV_JSON || !hashable(&x->j)) return -1;
        *out = x->j.kind == JV_STRING && jv_getn(c, x->j.u.str, x->j.len) != NULL;
        return 0;
    default:
        return -1;
    }
}

int pv_in(const pv *x, const pv *c, bool *out)
{
    *out = false;
    bool te;
    switch (c->kind) {
    case PV_JSON:
        return json_in(x, &c->j, out);
    case PV_TUPLE0:
        return 0;
    case PV_IP:
        if (pv_is_none(x)) return 0;
        if (x->kind != PV_IP || !c->ip.is_net) return -1;
        *out = ip_contains(&c->ip, &x->ip, &te);
        return te ? -1 : 0;
    case PV_IPLIST:
        if (pv_is_none(x)) return 0;
        for (size_t i = 0; i < c->n; i++) {
            const ipaddr *e = &c->ips[i];
            if (!e->version || x->kind != PV_IP) continue;
            if (e->is_net) {
                if (ip_contains(e, &x->ip, &te)) return *out = true, 0;
                if (te) return -1;
            } else if (ip_equal(e, &x->ip)) {
                return *out = true, 0;
            }
        }
        return 0;
    default:
        return -1;
    }
}

/* The elements set(x) would hold, as jv values; -1 when x is not
 * iterable or holds unhashable items.  Strings yield their characters. */
typedef struct elems {
    jv *v;
    size_t n;
} elems;

static int to_elems(arena *a, const pv *x, elems *e)
{
    jv *charbuf;
    e->v = NULL;
    e->n = 0;
    if (x->kind == PV_TUPLE0) return 0;
    if (x->kind != PV_JSON) return -1;
    const jv *j = &x->j;
    switch (j->kind) {
    case JV_ARRAY:
        for (uint32_t i = 0; i < j->len; i++)
            if (!hashable(&j->u.items[i])) return -1;
        e->v = j->u.items;
        e->n = j->len;
        return 0;
    case JV_OBJECT:
        charbuf = arena_alloc(a, (j->len + 1) * sizeof *charbuf);
        for (uint32_t i = 0; i < j->len; i++)
            charbuf[i] = jv_str_nocopy(j->u.members[i].key, j->u.members[i].klen);
        e->v = charbuf;
        e->n = j->len;
        return 0;
    case JV_STRING: {
        size_t k = 0;
        charbuf = arena_alloc(a, (j->len + 1) * sizeof *charbuf);
        for (uint32_t i = 0; i < j->len;) {
            uint32_t s = i++;
            while (i < j->len && ((unsigned char)j->u.str[i] & 0xc0) == 0x80)
                i++;
            charbuf[k++] = jv_str_nocopy(j->u.str + s, i - s);
        }
        e->v = charbuf;
        e->n = k;
        return 0;
    }
    default:
        return -1;
    }
}

int pv_setop(arena *a, const pv *x, const pv *y, bool difference, bool *out)
{
    elems ex, ey;
    *out = false;
    if (to_elems(a, x, &ex) < 0) return -1;
    if (to_elems(a, y, &ey) < 0) return -1;
    for (size_t i = 0; i < ex.n; i++) {
        bool found = false;
        for (size_t k = 0; k < ey.n && !found; k++)
            found = jeq(&ex.v[i], &ey.v[k]);
        if (found != difference) return *out = true, 0;
    }
    return 0;
}

int pv_len(arena *a, const pv *x, bool unique, size_t *out)
{
    *out = 0;
    if (x->kind == PV_TUPLE0) return 0;
    if (x->kind != PV_JSON) return -1;
    const jv *j = &x->j;
    if (!unique) {
        switch (j->kind) {
        case JV_STRING:
            *out = utf8_count(j->u.str, j->len);
            return 0;
        case JV_ARRAY:
        case JV_OBJECT:
            *out = j->len;
            return 0;
        default:
            return -1;
        }
    }
    elems e;
    if (to_elems(a, x, &e) < 0) return -1;
    size_t n = 0;
    for (size_t i = 0; i < e.n; i++) {
        bool dup = false;
        for (size_t k = 0; k < i && !dup; k++)
            dup = jeq(&e.v[i], &e.v[k]);
        n += !dup;
    }
    *out = n;
    return 0;
}

/* LooseVersion: split into runs of digits, runs of [a-z], and '.', keeping
 * whatever lies between as components too; drop '.' and empties; digit
 * runs become ints. */
pv pv_version(arena *a, const char *s, size_t len)
{
    vcomp *c = arena_alloc(a, (len + 1) * sizeof *c);
    size_t n = 0, i = 0, other = 0;
    bool in_other = false;
    while (i < len) {
        unsigned char ch = (unsigned char)s[i];
        bool dig = ch >= '0' && ch <= '9', low = ch >= 'a' && ch <= 'z';
        if (!dig && !low && ch != '.') {
            if (!in_other) other = i, in_other = true;
            i++;
            continue;
        }
        if (in_other) {
            c[n++] = (vcomp){false, 0, s + other, i - other};
            in_other = false;
        }
        size_t st = i;
        if (dig) {
            double v = 0;
            while (i < len && s[i] >= '0' && s[i] <= '9')
                v = v * 10 + (s[i++] - '0');
            c[n++] = (vcomp){true, v, s + st, i - st};
        } else if (low) {
            while (i < len && s[i] >= 'a' && s[i] <= 'z')
                i++;
            c[n++] = (vcomp){false, 0, s + st, i - st};
        } else {
            i++; /* '.' separator */
        }
    }
    if (in_other) c[n++] = (vcomp){false, 0, s + other, len - other};
    pv p = {0};
    p.kind = PV_VERSION;
    p.comps = c;
    p.n = n;
    return p;
}
