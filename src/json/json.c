/* json.c - JSON values: construction, comparison, parsing and writing.
 *
 * The parser is a strict RFC 8259 recursive-descent parser.  It is the
 * reference: it reports line and column on errors, and the simdjson fast
 * path (json_simd.cpp) falls back to it to explain a failure.  Nesting is
 * capped at JSON_MAX_DEPTH so hostile input cannot exhaust the stack.
 * Duplicate object keys are kept; jv_get returns the last one, which is
 * what Python's json module (and so botocore and Custodian) would keep.
 */
#include "json/json.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JSON_MAX_DEPTH 512

jv jv_int(int64_t i)
{
    jv v = jv_num((double)i);
    /* Near INT64_MAX the double rounds up to 2^63, which has no int64_t:
     * converting it back would be undefined (and it is not exact anyway). */
    if (v.u.num < 9223372036854775808.0 && (int64_t)v.u.num == i) v.flags = JVF_INT;
    return v;
}

jv jv_str(arena *a, const char *s, size_t len)
{
    return jv_str_nocopy(arena_strndup(a, s, len), len);
}

jv jv_cstr(arena *a, const char *s)
{
    return jv_str(a, s, strlen(s));
}

jv jv_array(arena *a, size_t n)
{
    jv v = {.kind = JV_ARRAY, .len = (uint32_t)n};
    v.u.items = n ? arena_calloc(a, n * sizeof(jv)) : NULL;
    return v;
}

jv jv_object(arena *a, size_t n)
{
    jv v = {.kind = JV_OBJECT, .len = (uint32_t)n};
    v.u.members = n ? arena_calloc(a, n * sizeof(jv_member)) : NULL;
    return v;
}

void jvb_array(jv_builder *b, arena *a)
{
    b->a = a;
    b->v = (jv){.kind = JV_ARRAY};
    b->cap = 0;
}

void jvb_object(jv_builder *b, arena *a)
{
    b->a = a;
    b->v = (jv){.kind = JV_OBJECT};
    b->cap = 0;
}

static void *grow(jv_builder *b, void *p, size_t elem)
{
    if (b->v.len < b->cap) return p;
    size_t ncap = b->cap ? b->cap * 2 : 8;
    p = arena_realloc(b->a, p, b->cap * elem, ncap * elem);
    b->cap = ncap;
    return p;
}

void jvb_push(jv_builder *b, jv item)
{
    b->v.u.items = grow(b, b->v.u.items, sizeof(jv));
    b->v.u.items[b->v.len++] = item;
}

void jvb_set(jv_builder *b, const char *key, size_t klen, jv val)
{
    for (uint32_t i = 0; i < b->v.len; i++) {
        jv_member *m = &b->v.u.members[i];
        if (m->klen == klen && memcmp(m->key, key, klen) == 0) {
            m->val = val;
            return;
        }
    }
    b->v.u.members = grow(b, b->v.u.members, sizeof(jv_member));
    jv_member *m = &b->v.u.members[b->v.len++];
    m->key = key;
    m->klen = (uint32_t)klen;
    m->val = val;
}

const jv *jv_getn(const jv *obj, const char *key, size_t klen)
{
    if (!obj || obj->kind != JV_OBJECT) return NULL;
    for (uint32_t i = obj->len; i-- > 0;) {
        const jv_member *m = &obj->u.members[i];
        if (m->klen == klen && memcmp(m->key, key, klen) == 0) return &m->val;
    }
    return NULL;
}

const jv *jv_get(const jv *obj, const char *key)
{
    return jv_getn(obj, key, strlen(key));
}

bool jv_num_in(const jv *v, int64_t lo, int64_t hi, int64_t *out)
{
    if (!v || v->kind != JV_NUMBER) return false;
    if (!(v->u.num >= (double)lo && v->u.num <= (double)hi)) return false;
    /* (double)hi may round up past hi (hi near INT64_MAX): clamp after. */
    int64_t i = v->u.num >= 9223372036854775807.0 ? INT64_MAX : (int64_t)v->u.num;
    if (i > hi) i = hi;
    *out = i;
    return true;
}

bool jv_str_eq(const jv *v, const char *s)
{
    if (!v || v->kind != JV_STRING) return false;
    size_t n = strlen(s);
    return v->len == n && memcmp(v->u.str, s, n) == 0;
}

const char *jv_kind_name(jv_kind k)
{
    switch (k) {
    case JV_NULL:
        return "null";
    case JV_FALSE:
    case JV_TRUE:
        return "boolean";
    case JV_NUMBER:
        return "number";
    case JV_STRING:
        return "string";
    case JV_ARRAY:
        return "array";
    case JV_OBJECT:
        return "object";
    }
    return "unknown";
}

bool jv_truthy(const jv *v)
{
    if (!v) return false;
    switch (v->kind) {
    case JV_NULL:
    case JV_FALSE:
        return false;
    case JV_TRUE:
    case JV_NUMBER:
        return true;
    case JV_STRING:
    case JV_ARRAY:
    case JV_OBJECT:
        return v->len > 0;
    }
    return false;
}

bool jv_equal(const jv *a, const jv *b)
{
    if (!a || !b) return false; /* a missing member (jv_get's NULL) equals nothing */
    if (a->kind != b->kind) return false;
    switch (a->kind) {
    case JV_NULL:
    case JV_FALSE:
    case JV_TRUE:
        return true;
    case JV_NUMBER:
        return a->u.num == b->u.num;
    case JV_STRING:
        return a->len == b->len && memcmp(a->u.str, b->u.str, a->len) == 0;
    case JV_ARRAY:
        if (a->len != b->len) return false;
        for (uint32_t i = 0; i < a->len; i++)
            if (!jv_equal(&a->u.items[i], &b->u.items[i])) return false;
        return true;
    case JV_OBJECT: {
        if (a->len != b->len) return false;
        /* Compare effective values: with duplicate keys the last one wins,
         * as everywhere else (jv_get). */
        for (uint32_t i = 0; i < a->len; i++) {
            const jv_member *m = &a->u.members[i];
            const jv *mine = jv_getn(a, m->key, m->klen);
            const jv *o = jv_getn(b, m->key, m->klen);
            if (!o || !jv_equal(mine, o)) return false;
        }
        return true;
    }
    }
    return false;
}

jv jv_copy(arena *a, const jv *v)
{
    jv r = *v;
    switch (v->kind) {
    case JV_STRING:
        r.u.str = arena_strndup(a, v->u.str, v->len);
        break;
    case JV_ARRAY:
        r.u.items = v->len ? arena_alloc(a, v->len * sizeof(jv)) : NULL;
        for (uint32_t i = 0; i < v->len; i++)
            r.u.items[i] = jv_copy(a, &v->u.items[i]);
        break;
    case JV_OBJECT:
        r.u.members = v->len ? arena_alloc(a, v->len * sizeof(jv_member)) : NULL;
        for (uint32_t i = 0; i < v->len; i++) {
            const jv_member *m = &v->u.members[i];
            r.u.members[i].key = arena_strndup(a, m->key, m->klen);
            r.u.members[i].klen = m->klen;
            r.u.members[i].val = jv_copy(a, &m->val);
        }
        break;
    default:
        break;
    }
    return r;
}

/* ------------------------------------------------------------------ parser */

typedef struct parser {
    arena *a;
    const char *s, *p, *end;
    json_error *err;
    int depth;
    jv_member *stack; /* children of the open containers */
    size_t sp, scap;
} parser;

static int fail(parser *ps, const char *at, const char *fmt, const char *detail)
{
    json_error *e = ps->err;
    if (!e) return -1;
    e->offset = (size_t)(at - ps->s);
    e->line = 1;
    e->col = 1;
    for (const char *q = ps->s; q < at; q++) {
        if (*q == '\n') {
            e->line++;
            e->col = 1;
        } else if (((unsigned char)*q & 0xC0) != 0x80) {
            e->col++;
        }
    }
    snprintf(e->msg, sizeof e->msg, fmt, detail);
    return -1;
}

static void skip_ws(parser *ps)
{
    while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\n' || *ps->p == '\r' || *ps->p == '\t'))
        ps->p++;
}

static int parse_value(parser *ps, jv *out);

static int hex4(const char *p, unsigned *out)
{
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (unsigned)(c - 'A' + 10);
        else
            return -1;
    }
    *out = v;
    return 0;
}

static size_t put_utf8(char *d, unsigned cp)
{
    if (cp < 0x80) {
        d[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        d[0] = (char)(0xC0 | (cp >> 6));
        d[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        d[0] = (char)(0xE0 | (cp >> 12));
        d[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        d[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    d[0] = (char)(0xF0 | (cp >> 18));
    d[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    d[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    d[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Length of a valid UTF-8 sequence starting at p, or 0. */
static size_t utf8_len(const unsigned char *p, const unsigned char *end)
{
    unsigned c = p[0];
    size_t n;
    unsigned min;
    if (c < 0x80) return 1;
    if ((c & 0xE0) == 0xC0)
        n = 2, min = 0x80;
    else if ((c & 0xF0) == 0xE0)
        n = 3, min = 0x800;
    else if ((c & 0xF8) == 0xF0)
        n = 4, min = 0x10000;
    else
        return 0;
    if ((size_t)(end - p) < n) return 0;
    unsigned cp = c & (0x7F >> n);
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return n;
}

static int parse_string(parser *ps, const char **out, uint32_t *len_out)
{
    const char *start = ++ps->p; /* after the quote */
    const char *q = start;
    /* Fast scan: no escapes, plain ASCII. */
    while (q < ps->end && *q != '"' && *q != '\\' && (unsigned char)*q >= 0x20 &&
           (unsigned char)*q < 0x80)
        q++;
    if (q < ps->end && *q == '"') {
        *out = arena_strndup(ps->a, start, (size_t)(q - start));
        *len_out = (uint32_t)(q - start);
        ps->p = q + 1;
        return 0;
    }
    /* Slow path: decode into a buffer no longer than the source. */
    const char *close = q;
    while (close < ps->end && *close != '"') {
        if (*close == '\\' && close + 1 < ps->end) close++;
        close++;
    }
    if (close >= ps->end) return fail(ps, start - 1, "unterminated string%s", "");
    char *d = arena_alloc(ps->a, (size_t)(close - start) + 1);
    size_t n = 0;
    q = start;
    while (q < close) {
        unsigned char c = (unsigned char)*q;
        if (c == '\\') {
            q++;
            switch (*q) {
            case '"':
                d[n++] = '"';
                q++;
                break;
            case '\\':
                d[n++] = '\\';
                q++;
                break;
            case '/':
                d[n++] = '/';
                q++;
                break;
            case 'b':
                d[n++] = '\b';
                q++;
                break;
            case 'f':
                d[n++] = '\f';
                q++;
                break;
            case 'n':
                d[n++] = '\n';
                q++;
                break;
            case 'r':
                d[n++] = '\r';
                q++;
                break;
            case 't':
                d[n++] = '\t';
                q++;
                break;
            case 'u': {
                unsigned cp;
                if (close - q < 5 || hex4(q + 1, &cp) < 0)
                    return fail(ps, q - 1, "invalid \\u escape in string%s", "");
                q += 5;
                if (cp >= 0xD800 && cp <= 0xDBFF && close - q >= 6 && q[0] == '\\' && q[1] == 'u') {
                    unsigned lo;
                    if (hex4(q + 2, &lo) == 0 && lo >= 0xDC00 && lo <= 0xDFFF) {
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                        q += 6;
                    }
                }
                /* A lone surrogate is kept as its 3-byte form, as Python does. */
                n += put_utf8(d + n, cp);
                break;
            }
            default:
                return fail(ps, q - 1, "invalid escape in string%s", "");
            }
        } else if (c < 0x20) {
            return fail(ps, q, "control character in string (must be escaped)%s", "");
        } else if (c < 0x80) {
            d[n++] = (char)c;
            q++;
        } else {
            size_t l = utf8_len((const unsigned char *)q, (const unsigned char *)close);
            if (!l) return fail(ps, q, "invalid UTF-8 in string%s", "");
            memcpy(d + n, q, l);
            n += l;
            q += l;
        }
    }
    d[n] = '\0';
    *out = d;
    *len_out = (uint32_t)n;
    ps->p = close + 1;
    return 0;
}

static int parse_number(parser *ps, jv *out)
{
    const char *q = ps->p;
    bool neg = false, is_int = true;
    if (q < ps->end && *q == '-') neg = true, q++;
    if (q >= ps->end || *q < '0' || *q > '9') return fail(ps, ps->p, "invalid number%s", "");
    if (*q == '0' && q + 1 < ps->end && q[1] >= '0' && q[1] <= '9')
        return fail(ps, ps->p, "leading zero in number%s", "");
    uint64_t mant = 0;
    int digits = 0;
    while (q < ps->end && *q >= '0' && *q <= '9') {
        if (digits < 19) mant = mant * 10 + (uint64_t)(*q - '0');
        digits++;
        q++;
    }
    if (q < ps->end && *q == '.') {
        is_int = false;
        q++;
        if (q >= ps->end || *q < '0' || *q > '9')
            return fail(ps, q, "expected digit after '.' in number%s", "");
        while (q < ps->end && *q >= '0' && *q <= '9')
            q++;
    }
    if (q < ps->end && (*q == 'e' || *q == 'E')) {
        is_int = false;
        q++;
        if (q < ps->end && (*q == '+' || *q == '-')) q++;
        if (q >= ps->end || *q < '0' || *q > '9')
            return fail(ps, q, "expected digit in exponent%s", "");
        while (q < ps->end && *q >= '0' && *q <= '9')
            q++;
    }
    if (is_int && digits <= 15) {
        double d = (double)mant;
        *out = jv_num(neg ? -d : d);
        out->flags = JVF_INT;
    } else {
        char tmp[64];
        size_t n = (size_t)(q - ps->p);
        char *heap = NULL;
        char *src = tmp;
        if (n >= sizeof tmp) src = heap = malloc(n + 1);
        if (!src) return fail(ps, ps->p, "out of memory%s", "");
        memcpy(src, ps->p, n);
        src[n] = '\0';
        *out = jv_num(strtod(src, NULL));
        free(heap);
        if (is_int && fabs(out->u.num) < 9007199254740992.0) out->flags = JVF_INT;
    }
    ps->p = q;
    return 0;
}

static int expect_word(parser *ps, const char *w, jv v, jv *out)
{
    size_t n = strlen(w);
    if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, w, n) != 0)
        return fail(ps, ps->p, "unexpected character%s", "");
    ps->p += n;
    *out = v;
    return 0;
}

/* Children are collected on a stack shared by the whole parse and copied
 * into the arena once the container closes, at exactly its size: growing
 * arrays in the arena would leave every outgrown copy behind. */
static jv_member *stack_push(parser *ps)
{
    if (ps->sp == ps->scap) {
        size_t cap = ps->scap ? ps->scap * 2 : 256;
        jv_member *st = realloc(ps->stack, cap * sizeof *st);
        if (!st) return NULL;
        ps->stack = st;
        ps->scap = cap;
    }
    return &ps->stack[ps->sp++];
}

static int parse_container(parser *ps, jv *out, bool is_object)
{
    const char close = is_object ? '}' : ']';
    size_t base = ps->sp;
    ps->p++;
    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == close) {
        ps->p++;
    } else {
        for (;;) {
            skip_ws(ps);
            jv_member m = {NULL, 0, jv_null()};
            if (is_object) {
                if (ps->p >= ps->end || *ps->p != '"')
                    return fail(ps, ps->p, "expected string key in object%s", "");
                if (parse_string(ps, &m.key, &m.klen) < 0) return -1;
                skip_ws(ps);
                if (ps->p >= ps->end || *ps->p != ':')
                    return fail(ps, ps->p, "expected ':' after object key%s", "");
                ps->p++;
                skip_ws(ps);
            }
            if (parse_value(ps, &m.val) < 0) return -1;
            jv_member *slot = stack_push(ps);
            if (!slot) return fail(ps, ps->p, "out of memory%s", "");
            *slot = m;
            skip_ws(ps);
            if (ps->p >= ps->end)
                return fail(ps, ps->p, "unexpected end of input in %s",
                            is_object ? "object" : "array");
            if (*ps->p == ',') {
                ps->p++;
                continue;
            }
            if (*ps->p == close) {
                ps->p++;
                break;
            }
            return fail(ps, ps->p,
                        is_object ? "expected ',' or '}' in %s" : "expected ',' or ']' in %s",
                        is_object ? "object" : "array");
        }
    }
    size_t n = ps->sp - base;
    if (is_object) {
        *out = jv_object(ps->a, 0);
        out->len = (uint32_t)n;
        if (n) {
            out->u.members = arena_alloc(ps->a, n * sizeof(jv_member));
            memcpy(out->u.members, ps->stack + base, n * sizeof(jv_member));
        }
    } else {
        *out = jv_array(ps->a, 0);
        out->len = (uint32_t)n;
        if (n) {
            out->u.items = arena_alloc(ps->a, n * sizeof(jv));
            for (size_t i = 0; i < n; i++)
                out->u.items[i] = ps->stack[base + i].val;
        }
    }
    ps->sp = base;
    return 0;
}

static int parse_value(parser *ps, jv *out)
{
    if (ps->p >= ps->end) return fail(ps, ps->p, "unexpected end of input%s", "");
    switch (*ps->p) {
    case '{':
    case '[': {
        if (++ps->depth > JSON_MAX_DEPTH)
            return fail(ps, ps->p, "nesting deeper than 512 levels%s", "");
        int r = parse_container(ps, out, *ps->p == '{');
        ps->depth--;
        return r;
    }
    case '"': {
        const char *s = NULL;
        uint32_t n = 0;
        if (parse_string(ps, &s, &n) < 0) return -1;
        *out = jv_str_nocopy(s, n);
        return 0;
    }
    case 't':
        return expect_word(ps, "true", jv_bool(true), out);
    case 'f':
        return expect_word(ps, "false", jv_bool(false), out);
    case 'n':
        return expect_word(ps, "null", jv_null(), out);
    default:
        if (*ps->p == '-' || (*ps->p >= '0' && *ps->p <= '9')) return parse_number(ps, out);
        return fail(ps, ps->p, "unexpected character%s", "");
    }
}

static int parse_document(parser *ps, jv *out);

int json_parse(arena *a, const char *text, size_t len, jv *out, json_error *err)
{
    if (err) memset(err, 0, sizeof *err);
    parser ps = {a, text, text, text + len, err, 0, NULL, 0, 0};
    int rc = parse_document(&ps, out);
    free(ps.stack);
    return rc;
}

static int parse_document(parser *ps, jv *out)
{
    /* A UTF-8 byte order mark is tolerated, as the AWS CLI on Windows writes one. */
    if (ps->end - ps->p >= 3 && memcmp(ps->p, "\xEF\xBB\xBF", 3) == 0) ps->p += 3;
    skip_ws(ps);
    if (ps->p >= ps->end) return fail(ps, ps->p, "empty document%s", "");
    if (parse_value(ps, out) < 0) return -1;
    skip_ws(ps);
    if (ps->p != ps->end) return fail(ps, ps->p, "trailing data after JSON value%s", "");
    return 0;
}

/* ------------------------------------------------------------------ writer */

void json_write_number(buf *out, double d, unsigned flags)
{
    char tmp[40];
    if (!isfinite(d)) {
        buf_puts(out, "null");
        return;
    }
    if ((flags & JVF_INT) || (d == floor(d) && fabs(d) < 1e16)) {
        if (fabs(d) < 9.2e18) {
            snprintf(tmp, sizeof tmp, "%lld", (long long)d);
            buf_puts(out, tmp);
            return;
        }
    }
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*g", prec, d);
        if (strtod(tmp, NULL) == d) break;
    }
    buf_puts(out, tmp);
}

/* 1 for bytes that must be escaped in a JSON string. */
static const unsigned char needs_escape[256] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,         1,          1,          1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1 /* " */, ['\\'] = 1, [0xED] = 1, /* may start a
                                                                                       lone
                                                                                       surrogate,
                                                                                       see below */
};

void json_write_string(buf *out, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    /* Most strings need no escaping: reserve for that case and copy runs
     * of plain bytes with one memcpy each. */
    buf_reserve(out, len + 2);
    out->data[out->len++] = '"';
    size_t run = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!needs_escape[c]) {
            run++;
            continue;
        }
        if (c == 0xED) {
            /* The parser keeps an escaped lone surrogate (U+D800..U+DFFF) in its 3-byte
             * form (as Python does); write it back as an escape so the output
             * is valid UTF-8 and parses to the same value. */
            if (i + 2 < len && ((unsigned char)s[i + 1] & 0xE0) == 0xA0) {
                buf_append(out, s + i - run, run);
                run = 0;
                unsigned cp = 0xD000 | (((unsigned char)s[i + 1] & 0x3F) << 6) |
                              ((unsigned char)s[i + 2] & 0x3F);
                char e[7];
                snprintf(e, sizeof e, "\\u%04x", cp);
                buf_append(out, e, 6);
                i += 2;
            } else {
                run++;
            }
            continue;
        }
        buf_append(out, s + i - run, run);
        run = 0;
        switch (c) {
        case '"':
            buf_append(out, "\\\"", 2);
            break;
        case '\\':
            buf_append(out, "\\\\", 2);
            break;
        case '\n':
            buf_append(out, "\\n", 2);
            break;
        case '\r':
            buf_append(out, "\\r", 2);
            break;
        case '\t':
            buf_append(out, "\\t", 2);
            break;
        case '\b':
            buf_append(out, "\\b", 2);
            break;
        case '\f':
            buf_append(out, "\\f", 2);
            break;
        default: {
            char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            buf_append(out, e, 6);
        }
        }
    }
    buf_append(out, s + len - run, run);
    buf_putc(out, '"');
}

static void newline(buf *out, int indent, int level)
{
    buf_putc(out, '\n');
    for (int i = 0; i < indent * level; i++)
        buf_putc(out, ' ');
}

static void write_value(buf *out, const jv *v, int indent, int level)
{
    switch (v->kind) {
    case JV_NULL:
        buf_puts(out, "null");
        break;
    case JV_FALSE:
        buf_puts(out, "false");
        break;
    case JV_TRUE:
        buf_puts(out, "true");
        break;
    case JV_NUMBER:
        json_write_number(out, v->u.num, v->flags);
        break;
    case JV_STRING:
        json_write_string(out, v->u.str, v->len);
        break;
    case JV_ARRAY:
        buf_putc(out, '[');
        for (uint32_t i = 0; i < v->len; i++) {
            if (i) buf_putc(out, ',');
            if (indent) newline(out, indent, level + 1);
            write_value(out, &v->u.items[i], indent, level + 1);
        }
        if (indent && v->len) newline(out, indent, level);
        buf_putc(out, ']');
        break;
    case JV_OBJECT:
        buf_putc(out, '{');
        for (uint32_t i = 0; i < v->len; i++) {
            const jv_member *m = &v->u.members[i];
            if (i) buf_putc(out, ',');
            if (indent) newline(out, indent, level + 1);
            json_write_string(out, m->key, m->klen);
            buf_puts(out, indent ? ": " : ":");
            write_value(out, &m->val, indent, level + 1);
        }
        if (indent && v->len) newline(out, indent, level);
        buf_putc(out, '}');
        break;
    }
}

void json_write(buf *out, const jv *v)
{
    write_value(out, v, 0, 0);
}

void json_write_pretty(buf *out, const jv *v, int indent)
{
    write_value(out, v, indent, 0);
}
