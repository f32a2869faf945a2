/* yaml.c - YAML text -> jv tree + srcmap, via libyaml's event API.
 *
 * Why events rather than libyaml's document API: the document loader
 * replaces a missing tag with !!str, so a plain `123` and a quoted "123"
 * become indistinguishable; PyYAML's implicit resolution (which Custodian
 * users rely on) needs the scalar style.  Events also let us build each
 * container bottom-up: children are collected in a temporary heap vector
 * and copied once into an exactly-sized arena array, so every jv and
 * jv_member has its final address when it is registered in the srcmap
 * (growing builders move arrays, which would invalidate recorded pointers).
 *
 * Anchors map to the already-built jv (shared, read-only), so an alias
 * costs nothing in memory; but a consumer walking the tree would see the
 * expansion, so each anchor remembers its expanded node count and the
 * document is rejected once the total passes YAML_MAX_NODES (billion
 * laughs).  Nesting is capped at YAML_MAX_DEPTH to bound the C stack.
 *
 * The srcmap is an open-addressing hash table from node address to
 * (line, col), allocated from the caller's arena.
 */
#include "format/yaml.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#define YAML_MAX_DEPTH 200
#define YAML_MAX_NODES 2000000

/* ---------------------------------------------------------------- srcmap */

typedef struct srcmap_slot {
    const void *key;
    int line, col;
} srcmap_slot;

struct srcmap {
    arena *a;
    const char *file;
    srcmap_slot *slots;
    size_t cap, n; /* cap is a power of two */
};

srcmap *srcmap_new(arena *a, const char *file)
{
    srcmap *m = arena_calloc(a, sizeof *m);
    m->a = a;
    m->file = file ? arena_strdup(a, file) : NULL;
    m->cap = 64;
    m->slots = arena_calloc(a, m->cap * sizeof *m->slots);
    return m;
}

static size_t ptr_hash(const void *p)
{
    uint64_t x = (uint64_t)(uintptr_t)p;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return (size_t)x;
}

static srcmap_slot *srcmap_slot_for(srcmap_slot *slots, size_t cap, const void *key)
{
    size_t i = ptr_hash(key) & (cap - 1);
    while (slots[i].key && slots[i].key != key)
        i = (i + 1) & (cap - 1);
    return &slots[i];
}

void srcmap_put(srcmap *m, const void *node, int line, int col)
{
    if (!m || !node) return;
    if ((m->n + 1) * 4 > m->cap * 3) {
        size_t ncap = m->cap * 2;
        srcmap_slot *ns = arena_calloc(m->a, ncap * sizeof *ns);
        for (size_t i = 0; i < m->cap; i++)
            if (m->slots[i].key) *srcmap_slot_for(ns, ncap, m->slots[i].key) = m->slots[i];
        m->slots = ns;
        m->cap = ncap;
    }
    srcmap_slot *s = srcmap_slot_for(m->slots, m->cap, node);
    if (!s->key) m->n++;
    s->key = node;
    s->line = line;
    s->col = col;
}

srcpos srcmap_get(const srcmap *m, const void *node)
{
    srcpos p = {m ? m->file : NULL, 0, 0};
    if (!m || !node) return p;
    const srcmap_slot *s = srcmap_slot_for(m->slots, m->cap, node);
    if (s->key) {
        p.line = s->line;
        p.col = s->col;
    }
    return p;
}

/* ---------------------------------------------------- scalar resolution */

/* Copies s without '_' (YAML 1.1 allows them as digit separators). */
static size_t strip_underscores(const char *s, size_t n, char *out, size_t outcap)
{
    size_t k = 0;
    for (size_t i = 0; i < n && k + 1 < outcap; i++)
        if (s[i] != '_') out[k++] = s[i];
    out[k] = 0;
    return k;
}

static bool all_in(const char *s, size_t n, const char *set)
{
    if (n == 0) return false;
    for (size_t i = 0; i < n; i++)
        if (!strchr(set, s[i])) return false;
    return true;
}

static bool is_bool(const char *s, bool *val)
{
    static const char *const t[] = {"yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"};
    static const char *const f[] = {"no",    "No",  "NO",  "false", "False",
                                    "FALSE", "off", "Off", "OFF"};
    for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
        if (!strcmp(s, t[i])) return *val = true, true;
        if (!strcmp(s, f[i])) return *val = false, true;
    }
    return false;
}

static bool is_null(const char *s, size_t n)
{
    return n == 0 || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") ||
           !strcmp(s, "NULL");
}

/* Sexagesimal "a:b:c" (each part after the first is 0..59): returns the
 * value, or -1 when the text does not have that shape.  frac is allowed
 * only for floats (the last part may then be "59.5"). */
static int sexagesimal(const char *s, bool allow_frac, double *out)
{
    double v = 0;
    const char *p = s;
    bool first = true;
    while (*p) {
        const char *q = p;
        while (*q >= '0' && *q <= '9')
            q++;
        if (q == p) return -1;
        double part = strtod(p, NULL);
        if (!first && (q - p > 2 || part > 59)) return -1;
        if (*q == '.') {
            if (!allow_frac || first) return -1;
            char *end;
            part = strtod(p, &end);
            if (*end) return -1;
            v = v * 60 + part;
            *out = v;
            return 0;
        }
        v = v * 60 + part;
        first = false;
        if (*q == 0) break;
        if (*q != ':') return -1;
        p = q + 1;
        if (!*p) return -1;
    }
    if (allow_frac) return -1; /* float form needs the fraction */
    *out = v;
    return 0;
}

/* PyYAML int: [-+]?(0b[01_]+ | 0[0-7_]+ | (0|[1-9][0-9_]*) | 0x[0-9a-fA-F_]+ |
 * [1-9][0-9_]*(:[0-5]?[0-9])+) */
static bool resolve_int(const char *s, size_t n, jv *out)
{
    char tmp[128];
    if (n == 0 || n >= sizeof tmp) return false;
    int sign = 1;
    size_t i = 0;
    if (s[0] == '-' || s[0] == '+') sign = s[0] == '-' ? -1 : 1, i = 1;
    const char *b = s + i;
    size_t bn = n - i;
    if (bn == 0) return false;
    int base = 10;
    const char *digits = b;
    size_t dn = bn;
    if (bn > 2 && b[0] == '0' && b[1] == 'b') {
        if (!all_in(b + 2, bn - 2, "01_")) return false;
        base = 2, digits = b + 2, dn = bn - 2;
    } else if (bn > 2 && b[0] == '0' && b[1] == 'x') {
        if (!all_in(b + 2, bn - 2, "0123456789abcdefABCDEF_")) return false;
        base = 16, digits = b + 2, dn = bn - 2;
    } else if (bn > 1 && b[0] == '0') {
        if (!all_in(b + 1, bn - 1, "01234567_")) return false;
        base = 8, digits = b + 1, dn = bn - 1;
    } else if (b[0] >= '1' && b[0] <= '9' && memchr(b, ':', bn)) {
        if (!all_in(b, bn, "0123456789_:")) return false;
        char t2[128];
        strip_underscores(b, bn, t2, sizeof t2);
        double v;
        if (sexagesimal(t2, false, &v) < 0) return false;
        *out = jv_num(sign * v);
        if (fabs(v) < 9007199254740992.0) out->flags |= JVF_INT;
        return true;
    } else if (!(bn == 1 && b[0] == '0') &&
               !(b[0] >= '1' && b[0] <= '9' && all_in(b, bn, "0123456789_"))) {
        return false;
    }
    size_t k = strip_underscores(digits, dn, tmp, sizeof tmp);
    if (k == 0) {
        if (base == 8) { /* "0_" style: just zero */
            *out = jv_int(0);
            return true;
        }
        return false;
    }
    errno = 0;
    char *end;
    unsigned long long u = strtoull(tmp, &end, base);
    if (errno == ERANGE || u > (unsigned long long)INT64_MAX) {
        /* Python ints are unbounded; a double is the closest jv can hold. */
        double d = 0;
        for (size_t j = 0; j < k; j++) {
            int c = (unsigned char)tmp[j];
            int dv = c <= '9' ? c - '0' : (c | 32) - 'a' + 10;
            d = d * base + dv;
        }
        *out = jv_num(sign * d);
        return true;
    }
    *out = jv_int(sign * (int64_t)u);
    return true;
}

/* PyYAML float: [-+]?([0-9][0-9_]*)\.[0-9_]*([eE][-+][0-9]+)? | \.[0-9_]+([eE][-+][0-9]+)? |
 * [-+]?[0-9][0-9_]*(:[0-5]?[0-9])+\.[0-9_]* | [-+]?\.(inf|Inf|INF) | \.(nan|NaN|NAN) */
static bool resolve_float(const char *s, size_t n, jv *out)
{
    if (!strcmp(s, ".nan") || !strcmp(s, ".NaN") || !strcmp(s, ".NAN")) {
        *out = jv_num(NAN);
        return true;
    }
    size_t i = 0;
    double sign = 1;
    if (n && (s[0] == '-' || s[0] == '+')) sign = s[0] == '-' ? -1 : 1, i = 1;
    const char *b = s + i;
    if (!strcmp(b, ".inf") || !strcmp(b, ".Inf") || !strcmp(b, ".INF")) {
        *out = jv_num(sign * INFINITY);
        return true;
    }
    if (b[0] == '.') {
        if (i != 0) return false; /* ".5" has no sign form in PyYAML's pattern */
    } else if (!(b[0] >= '0' && b[0] <= '9')) {
        return false;
    }
    const char *p = b;
    bool sexa = false;
    while (*p && ((*p >= '0' && *p <= '9') || *p == '_' || *p == ':'))
        sexa |= *p == ':', p++;
    if (*p != '.') return false;
    if (b[0] == '.' && !(p[1] >= '0' && p[1] <= '9') && p[1] != '_') return false;
    char tmp[128];
    if (n >= sizeof tmp) return false;
    if (sexa) {
        if (!all_in(p + 1, strlen(p + 1), "0123456789_") && p[1]) return false;
        strip_underscores(b, strlen(b), tmp, sizeof tmp);
        double v;
        if (sexagesimal(tmp, true, &v) < 0) return false;
        *out = jv_num(sign * v);
        return true;
    }
    p++;
    while (*p && ((*p >= '0' && *p <= '9') || *p == '_'))
        p++;
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p != '-' && *p != '+') return false;
        p++;
        if (!(*p >= '0' && *p <= '9')) return false;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    if (*p) return false;
    strip_underscores(b, strlen(b), tmp, sizeof tmp);
    *out = jv_num(sign * strtod(tmp, NULL));
    return true;
}

/* ---------------------------------------------------------------- loader */

typedef struct anchor {
    char *name;
    jv val;
    size_t nodes; /* expanded node count */
} anchor;

typedef struct loader {
    arena *a;
    const char *file;
    yaml_parser_t parser;
    srcmap *map;
    diag_list *diags;
    anchor *anchors;
    size_t nanchors, capanchors;
    size_t nodes; /* expanded nodes so far */
    bool failed;
} loader;

static void lerr(loader *L, yaml_mark_t m, const char *fmt, const char *detail)
{
    if (L->failed) return;
    L->failed = true;
    srcpos p = {L->file, (int)m.line + 1, (int)m.column + 1};
    diag_add(L->diags, p, fmt, detail ? detail : "");
}

static bool next_event(loader *L, yaml_event_t *ev)
{
    if (yaml_parser_parse(&L->parser, ev)) return true;
    if (!L->failed) {
        yaml_parser_t *p = &L->parser;
        L->failed = true;
        srcpos pos = {L->file, (int)p->problem_mark.line + 1, (int)p->problem_mark.column + 1};
        if (p->context)
            diag_add(L->diags, pos, "YAML syntax error: %s (%s at line %d, column %d)",
                     p->problem ? p->problem : "invalid YAML", p->context,
                     (int)p->context_mark.line + 1, (int)p->context_mark.column + 1);
        else
            diag_add(L->diags, pos, "YAML syntax error: %s",
                     p->problem ? p->problem : "invalid YAML");
    }
    return false;
}

static void add_anchor(loader *L, const char *name, jv val, size_t nodes)
{
    for (size_t i = 0; i < L->nanchors; i++)
        if (!strcmp(L->anchors[i].name, name)) { /* redefinition: the later one wins */
            L->anchors[i].val = val;
            L->anchors[i].nodes = nodes;
            return;
        }
    if (L->nanchors == L->capanchors) {
        L->capanchors = L->capanchors ? L->capanchors * 2 : 8;
        L->anchors = realloc(L->anchors, L->capanchors * sizeof *L->anchors);
        if (!L->anchors) abort();
    }
    L->anchors[L->nanchors++] = (anchor){strdup(name), val, nodes};
}

static bool count_nodes(loader *L, size_t n, yaml_mark_t m)
{
    L->nodes += n;
    if (L->nodes > YAML_MAX_NODES) {
        lerr(L, m, "document expands to too many nodes (alias bomb?)%s", NULL);
        return false;
    }
    return true;
}

typedef struct item {
    jv key; /* mappings: key string */
    jv val;
    int kline, kcol, vline, vcol;
    bool merged; /* came from a << merge */
} item;

typedef struct vec {
    item *v;
    size_t n, cap;
} vec;

static void vec_push(vec *v, item it)
{
    if (v->n == v->cap) {
        v->cap = v->cap ? v->cap * 2 : 8;
        v->v = realloc(v->v, v->cap * sizeof *v->v);
        if (!v->v) abort();
    }
    v->v[v->n++] = it;
}

static int parse_node(loader *L, yaml_event_t *ev, int depth, jv *out, size_t *nodes);

static bool tag_is(const yaml_char_t *tag, const char *name)
{
    return tag && !strcmp((const char *)tag, name);
}

static int resolve_scalar(loader *L, yaml_event_t *ev, jv *out)
{
    const char *s = (const char *)ev->data.scalar.value;
    size_t n = ev->data.scalar.length;
    const yaml_char_t *tag = ev->data.scalar.tag;
    bool plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && !tag;
    bool b;
    if (tag && !tag_is(tag, "!") && strncmp((const char *)tag, "tag:yaml.org,2002:", 18) != 0) {
        lerr(L, ev->start_mark, "unsupported YAML tag %s (safe_load accepts only standard tags)",
             (const char *)tag);
        return -1;
    }
    if (tag_is(tag, YAML_STR_TAG) || tag_is(tag, "!") || (!plain && !tag)) {
        *out = jv_str(L->a, s, n);
        return 0;
    }
    bool any = plain;
    if ((any || tag_is(tag, YAML_NULL_TAG)) && is_null(s, n)) {
        *out = jv_null();
        return 0;
    }
    if ((any || tag_is(tag, YAML_BOOL_TAG)) && is_bool(s, &b)) {
        *out = jv_bool(b);
        return 0;
    }
    if ((any || tag_is(tag, YAML_INT_TAG)) && resolve_int(s, n, out)) return 0;
    if ((any || tag_is(tag, YAML_FLOAT_TAG)) && resolve_float(s, n, out)) return 0;
    if (!any && !tag_is(tag, YAML_TIMESTAMP_TAG)) {
        lerr(L, ev->start_mark, "scalar does not match its tag %s", (const char *)tag);
        return -1;
    }
    /* Everything else, timestamps included, stays a string. */
    *out = jv_str(L->a, s, n);
    return 0;
}

static void register_items(loader *L, jv *items, const vec *v)
{
    for (size_t i = 0; i < v->n; i++)
        srcmap_put(L->map, &items[i], v->v[i].vline, v->v[i].vcol);
}

static int parse_sequence(loader *L, int depth, jv *out, size_t *nodes)
{
    vec v = {0};
    int rc = 0;
    for (;;) {
        yaml_event_t ev;
        if (!next_event(L, &ev)) {
            rc = -1;
            break;
        }
        if (ev.type == YAML_SEQUENCE_END_EVENT) {
            yaml_event_delete(&ev);
            break;
        }
        item it = {.vline = (int)ev.start_mark.line + 1, .vcol = (int)ev.start_mark.column + 1};
        size_t cn = 0;
        rc = parse_node(L, &ev, depth + 1, &it.val, &cn);
        yaml_event_delete(&ev);
        if (rc < 0) break;
        *nodes += cn;
        vec_push(&v, it);
    }
    if (rc == 0) {
        *out = jv_array(L->a, v.n);
        for (size_t i = 0; i < v.n; i++)
            out->u.items[i] = v.v[i].val;
        register_items(L, out->u.items, &v);
    }
    free(v.v);
    return rc;
}

/* Adds the members of mapping m (from a << merge) to v as merged items. */
static void merge_from(vec *v, const jv *m, int line, int col)
{
    for (uint32_t i = 0; i < m->len; i++) {
        const jv_member *mm = &m->u.members[i];
        item it = {.key = jv_str_nocopy(mm->key, mm->klen),
                   .val = mm->val,
                   .kline = line,
                   .kcol = col,
                   .vline = line,
                   .vcol = col,
                   .merged = true};
        vec_push(v, it);
    }
}

static bool key_eq(const jv *a, const jv *b)
{
    return a->len == b->len && memcmp(a->u.str, b->u.str, a->len) == 0;
}

/* PyYAML order: merged pairs first (from a merge list, earlier mappings
 * take precedence), then the mapping's own pairs; later pairs override
 * earlier ones but a key keeps the place of its first occurrence.  The
 * effect: explicit keys beat merged ones. */
static void build_mapping(loader *L, vec *own, vec *merged, jv *out)
{
    vec all = {0};
    for (size_t i = 0; i < merged->n; i++)
        vec_push(&all, merged->v[i]);
    for (size_t i = 0; i < own->n; i++)
        vec_push(&all, own->v[i]);
    /* Dedupe: quadratic for small maps, hashed otherwise. */
    size_t hcap = 16;
    while (hcap < all.n * 2)
        hcap *= 2;
    int32_t *h = malloc(hcap * sizeof *h);
    if (!h) abort();
    memset(h, 0xff, hcap * sizeof *h);
    vec uniq = {0};
    for (size_t i = 0; i < all.n; i++) {
        const jv *k = &all.v[i].key;
        uint64_t x = 1469598103934665603ULL;
        for (uint32_t j = 0; j < k->len; j++)
            x = (x ^ (unsigned char)k->u.str[j]) * 1099511628211ULL;
        size_t slot = (size_t)x & (hcap - 1);
        while (h[slot] >= 0 && !key_eq(&uniq.v[h[slot]].key, k))
            slot = (slot + 1) & (hcap - 1);
        if (h[slot] >= 0 && uniq.v) { /* a used slot implies uniq.v is set */
            item *prev = &uniq.v[h[slot]];
            prev->val = all.v[i].val;
            prev->vline = all.v[i].vline, prev->vcol = all.v[i].vcol;
            if (!all.v[i].merged) prev->kline = all.v[i].kline, prev->kcol = all.v[i].kcol;
        } else {
            h[slot] = (int32_t)uniq.n;
            vec_push(&uniq, all.v[i]);
        }
    }
    free(h);
    *out = jv_object(L->a, uniq.n);
    for (size_t i = 0; i < uniq.n; i++) {
        jv_member *m = &out->u.members[i];
        m->key = uniq.v[i].key.u.str;
        m->klen = uniq.v[i].key.len;
        m->val = uniq.v[i].val;
        srcmap_put(L->map, m, uniq.v[i].kline, uniq.v[i].kcol);
        srcmap_put(L->map, &m->val, uniq.v[i].vline, uniq.v[i].vcol);
    }
    free(all.v);
    free(uniq.v);
}

/* Turns a scalar key into its text (PyYAML keeps typed keys; JSON objects
 * only have string keys, so the text is the closest). */
static int mapping_key(loader *L, yaml_event_t *ev, int depth, jv *key, bool *is_merge)
{
    *is_merge = false;
    if (ev->type == YAML_SCALAR_EVENT) {
        *is_merge = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && !ev->data.scalar.tag &&
                    ev->data.scalar.length == 2 && !memcmp(ev->data.scalar.value, "<<", 2);
        *key = jv_str(L->a, (const char *)ev->data.scalar.value, ev->data.scalar.length);
        if (ev->data.scalar.anchor) add_anchor(L, (const char *)ev->data.scalar.anchor, *key, 1);
        return 0;
    }
    if (ev->type == YAML_ALIAS_EVENT) {
        for (size_t i = 0; i < L->nanchors; i++)
            if (!strcmp(L->anchors[i].name, (const char *)ev->data.alias.anchor)) {
                if (L->anchors[i].val.kind == JV_STRING) {
                    *key = L->anchors[i].val;
                    return 0;
                }
                break;
            }
        lerr(L, ev->start_mark, "mapping key alias %s must name a string",
             (const char *)ev->data.alias.anchor);
        return -1;
    }
    (void)depth;
    lerr(L, ev->start_mark, "mapping keys must be scalars%s", "");
    return -1;
}

static int parse_mapping(loader *L, int depth, jv *out, size_t *nodes)
{
    vec own = {0}, merged = {0};
    int rc = 0;
    for (;;) {
        yaml_event_t kev, vev;
        if (!next_event(L, &kev)) {
            rc = -1;
            break;
        }
        if (kev.type == YAML_MAPPING_END_EVENT) {
            yaml_event_delete(&kev);
            break;
        }
        item it = {.kline = (int)kev.start_mark.line + 1, .kcol = (int)kev.start_mark.column + 1};
        bool is_merge;
        rc = mapping_key(L, &kev, depth, &it.key, &is_merge);
        yaml_mark_t kmark = kev.start_mark;
        yaml_event_delete(&kev);
        if (rc < 0) break;
        if (!next_event(L, &vev)) {
            rc = -1;
            break;
        }
        it.vline = (int)vev.start_mark.line + 1, it.vcol = (int)vev.start_mark.column + 1;
        size_t cn = 0;
        rc = parse_node(L, &vev, depth + 1, &it.val, &cn);
        yaml_event_delete(&vev);
        if (rc < 0) break;
        *nodes += cn + 1;
        if (!is_merge) {
            vec_push(&own, it);
            continue;
        }
        /* << : mapping, or sequence of mappings (earlier ones win). */
        if (it.val.kind == JV_OBJECT) {
            merge_from(&merged, &it.val, it.kline, it.kcol);
        } else if (it.val.kind == JV_ARRAY) {
            for (uint32_t i = it.val.len; i-- > 0;) {
                if (it.val.u.items[i].kind != JV_OBJECT) {
                    lerr(L, kmark, "merge key << expects a mapping or a list of mappings%s", "");
                    rc = -1;
                    break;
                }
                merge_from(&merged, &it.val.u.items[i], it.kline, it.kcol);
            }
            if (rc < 0) break;
        } else {
            lerr(L, kmark, "merge key << expects a mapping or a list of mappings%s", "");
            rc = -1;
            break;
        }
    }
    if (rc == 0) build_mapping(L, &own, &merged, out);
    free(own.v);
    free(merged.v);
    return rc;
}

/* Builds the node that starts with ev (already parsed). */
static int parse_node(loader *L, yaml_event_t *ev, int depth, jv *out, size_t *nodes)
{
    if (depth > YAML_MAX_DEPTH) {
        lerr(L, ev->start_mark, "nesting deeper than %s levels", "200");
        return -1;
    }
    const char *anchor_name = NULL;
    int rc;
    *nodes = 1;
    switch (ev->type) {
    case YAML_ALIAS_EVENT:
        for (size_t i = L->nanchors; i-- > 0;)
            if (!strcmp(L->anchors[i].name, (const char *)ev->data.alias.anchor)) {
                *out = L->anchors[i].val;
                *nodes = L->anchors[i].nodes;
                return count_nodes(L, *nodes, ev->start_mark) ? 0 : -1;
            }
        lerr(L, ev->start_mark, "found undefined alias *%s", (const char *)ev->data.alias.anchor);
        return -1;
    case YAML_SCALAR_EVENT:
        anchor_name = (const char *)ev->data.scalar.anchor;
        rc = resolve_scalar(L, ev, out);
        if (rc == 0 && !count_nodes(L, 1, ev->start_mark)) rc = -1;
        break;
    case YAML_SEQUENCE_START_EVENT:
        anchor_name = (const char *)ev->data.sequence_start.anchor;
        if (!count_nodes(L, 1, ev->start_mark)) return -1;
        rc = parse_sequence(L, depth, out, nodes);
        break;
    case YAML_MAPPING_START_EVENT:
        anchor_name = (const char *)ev->data.mapping_start.anchor;
        if (!count_nodes(L, 1, ev->start_mark)) return -1;
        rc = parse_mapping(L, depth, out, nodes);
        break;
    default:
        lerr(L, ev->start_mark, "unexpected YAML event%s", "");
        return -1;
    }
    if (rc == 0 && anchor_name) add_anchor(L, anchor_name, *out, *nodes);
    return rc;
}

static int expect(loader *L, yaml_event_type_t t, yaml_event_t *ev)
{
    if (!next_event(L, ev)) return -1;
    if (ev->type != t) {
        yaml_event_delete(ev);
        return -1;
    }
    return 0;
}

static int load_stream(loader *L, jv *out)
{
    yaml_event_t ev;
    if (expect(L, YAML_STREAM_START_EVENT, &ev) < 0) return -1;
    yaml_event_delete(&ev);
    if (!next_event(L, &ev)) return -1;
    if (ev.type == YAML_STREAM_END_EVENT) { /* empty stream */
        yaml_event_delete(&ev);
        *out = jv_null();
        return 0;
    }
    yaml_event_delete(&ev); /* DOCUMENT_START */
    if (!next_event(L, &ev)) return -1;
    int line = (int)ev.start_mark.line + 1, col = (int)ev.start_mark.column + 1;
    size_t nodes = 0;
    int rc = parse_node(L, &ev, 0, out, &nodes);
    yaml_event_delete(&ev);
    if (rc < 0) return -1;
    srcmap_put(L->map, out, line, col);
    if (expect(L, YAML_DOCUMENT_END_EVENT, &ev) < 0) return -1;
    yaml_event_delete(&ev);
    if (!next_event(L, &ev)) return -1;
    if (ev.type != YAML_STREAM_END_EVENT) {
        lerr(L, ev.start_mark, "expected a single document in the stream%s", "");
        yaml_event_delete(&ev);
        return -1;
    }
    yaml_event_delete(&ev);
    return 0;
}

int yaml_load(arena *a, const char *file, const char *text, size_t len, jv *out, srcmap *map,
              diag_list *diags)
{
    loader L = {.a = a, .file = file, .map = map, .diags = diags};
    *out = jv_null();
    if (!yaml_parser_initialize(&L.parser)) {
        srcpos p = {file, 0, 0};
        diag_add(diags, p, "cannot initialise the YAML parser");
        return -1;
    }
    yaml_parser_set_input_string(&L.parser, (const unsigned char *)text, len);
    int rc = load_stream(&L, out);
    if (rc < 0 && !L.failed) {
        srcpos p = {file, (int)L.parser.mark.line + 1, (int)L.parser.mark.column + 1};
        diag_add(diags, p, "YAML syntax error");
    }
    yaml_parser_delete(&L.parser);
    for (size_t i = 0; i < L.nanchors; i++)
        free(L.anchors[i].name);
    free(L.anchors);
    if (rc < 0) *out = jv_null();
    return rc;
}
