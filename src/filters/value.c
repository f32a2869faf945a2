/* value.c - Cloud Custodian's `value` filter, compiled once, matched per resource.
 *
 * Semantics follow Custodian's ValueFilter (c7n/filters/core.py) step by
 * step, because users' policies depend on its corner cases:
 *   1. r = the resource value: `tag:NAME` looks NAME up in Tags [{Key,
 *      Value}] (else a `labels`/`tags` mapping), after tag_key_transforms;
 *      otherwise a top-level key spelled exactly like `key` wins, else
 *      `key` is evaluated as JMESPath.  value_regex then replaces r with
 *      its first capture group (None when it does not match or r is not a
 *      string).
 *   2. With op in/not-in a missing value (None) becomes the empty tuple.
 *   3. value_type converts (documented per case in convert() below).
 *   4. Special values, in this order: r is None and value == "absent";
 *      r is not None and value == "present"; value == "not-null" and r is
 *      truthy (Python truthiness: 0 and "" are false); value == "empty"
 *      and r is falsy.
 *   5. Otherwise op(r, value) with Python 3 semantics (pyval.h): comparing
 *      incomparable types (str with int, None with anything) is "no match"
 *      rather than an error; without op, r == value.
 * Operators: eq/equal, ne/not-equal, gt/greater-than, ge/gte, lt/less-than,
 * le/lte, in, ni/not-in, contains, difference, intersect, mod, glob
 * (fnmatch, case-sensitive, whole string), regex (re.match: anchored at the
 * start only, case-insensitive), regex-case.
 *
 * Everything that does not depend on the resource is prepared at compile
 * time: JMESPath keys, PCRE2 patterns (glob is translated to one), CIDRs,
 * dates, versions, value_from files.  PCRE2 allocates from the policy
 * arena through a general context, and match data comes from the caller's
 * scratch arena, so matching is thread-safe and nothing needs freeing.
 *
 * Policy variables: a value containing {account_id}, {region}, {partition}
 * or {now[:strftime]} is formatted per resource from eval_ctx (Custodian
 * formats the whole policy per account before running it); other strings
 * are formatted once at compile time ("{{" -> "{", deferred names kept).
 *
 * Deliberate differences from Custodian: IPv6 networks parse (Custodian's
 * parse_cidr only builds IPv4 networks, so "::/0" became None); an error
 * raised inside Custodian's evaluation (mod by zero, version of a missing
 * value) is "no match" here; times without a zone are UTC (Custodian uses
 * the host's zone); normalize/tag transforms change ASCII letters only.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#include "filters/filter.h"
#include "filters/pyval.h"
#include "filters/value_int.h"
#include "jmespath/jmespath.h"
#include "json/jv_date.h"
#include "util/date.h"
#include "util/ipaddr.h"

static const struct {
    const char *name;
    vop op;
} OPS[] = {
    {"eq", OP_EQ},
    {"equal", OP_EQ},
    {"ne", OP_NE},
    {"not-equal", OP_NE},
    {"gt", OP_GT},
    {"greater-than", OP_GT},
    {"ge", OP_GE},
    {"gte", OP_GE},
    {"le", OP_LE},
    {"lte", OP_LE},
    {"lt", OP_LT},
    {"less-than", OP_LT},
    {"glob", OP_GLOB},
    {"regex", OP_REGEX},
    {"regex-case", OP_REGEX_CASE},
    {"in", OP_IN},
    {"ni", OP_NI},
    {"not-in", OP_NI},
    {"contains", OP_CONTAINS},
    {"difference", OP_DIFFERENCE},
    {"intersect", OP_INTERSECT},
    {"mod", OP_MOD},
};

static const char *const VTYPES[] = {
    "",     "age",       "integer", "expiration",     "normalize", "size",
    "cidr", "cidr_size", "swap",    "resource_count", "expr",      "unique_size",
    "date", "version",   "float",   "string",
};

static const char *const TRANSFORMS[] = {"noop",  "capitalize", "lower",         "strip",   "title",
                                         "upper", "nospaces",   "nounderscores", "nodashes"};
#define N_TRANSFORMS (sizeof TRANSFORMS / sizeof *TRANSFORMS)

static const char *const VF_KEYS[] = {
    "type",       "key",   "value_type", "default",    "value_regex",
    "value_from", "value", "op",         "value_path", "tag_key_transforms"};

/* ------------------------------------------------------------ allocation */

static void *arena_pcre_malloc(size_t n, void *ud)
{
    return arena_alloc((arena *)ud, n ? n : 1);
}
static void arena_pcre_free(void *p, void *ud)
{
    (void)p;
    (void)ud;
}

static pcre2_general_context *arena_gctx(arena *a)
{
    return pcre2_general_context_create(arena_pcre_malloc, arena_pcre_free, a);
}

/* Compiles pattern; on failure reports PCRE2's message and offset. */
static const pcre2_code *compile_re(filter_compiler *fc, const void *node, const char *what,
                                    const char *pat, size_t len, uint32_t opts)
{
    pcre2_general_context *g = arena_gctx(fc->a);
    pcre2_compile_context *cc = pcre2_compile_context_create(g);
    int err;
    PCRE2_SIZE off;
    pcre2_code *re =
        pcre2_compile((PCRE2_SPTR)pat, len, opts | PCRE2_UTF | PCRE2_UCP, &err, &off, cc);
    if (!re) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(err, msg, sizeof msg);
        fc_error(fc, node, "invalid %s '%s': %s at offset %zu", what, pat, (const char *)msg,
                 (size_t)off);
        return NULL;
    }
    /* No pcre2_jit_compile: JIT code lives in executable pages that only
     * pcre2_code_free releases, and compiled policies are freed by dropping
     * their arena.  The interpreter is fast enough for tag-sized strings. */
    return re;
}

/* re.match semantics: anchored at the start.  Returns 1 match, 0 no match.
 * With group, *gs and *gl receive capture group 1 (gs = -1 when unset). */
static int re_match(const pcre2_code *re, const char *s, size_t n, arena *scratch, long *gs,
                    size_t *gl)
{
    pcre2_general_context *g = scratch ? arena_gctx(scratch) : NULL;
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, g);
    if (!md) return 0;
    int rc = pcre2_match(re, (PCRE2_SPTR)s, n, 0, 0, md, NULL);
    if (rc > 0 && gs) {
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
        if (rc >= 2 && ov[2] != PCRE2_UNSET) {
            *gs = (long)ov[2];
            *gl = ov[3] - ov[2];
        } else {
            *gs = -1;
        }
    }
    if (!scratch) pcre2_match_data_free(md);
    return rc > 0;
}

/* fnmatch.translate: * ? [seq] [!seq], whole string, case-sensitive. */
static char *glob_to_regex(arena *a, const char *g, size_t n)
{
    buf b = BUF_INIT;
    for (size_t i = 0; i < n; i++) {
        char c = g[i];
        if (c == '*') {
            buf_puts(&b, ".*");
        } else if (c == '?') {
            buf_putc(&b, '.');
        } else if (c == '[') {
            size_t j = i + 1;
            if (j < n && g[j] == '!') j++;
            if (j < n && g[j] == ']') j++;
            while (j < n && g[j] != ']')
                j++;
            if (j >= n) {
                buf_puts(&b, "\\[");
                continue;
            }
            buf_putc(&b, '[');
            size_t k = i + 1;
            if (g[k] == '!') {
                buf_putc(&b, '^');
                k++;
            } else if (g[k] == '^') {
                buf_puts(&b, "\\^");
                k++;
            }
            for (; k < j; k++) {
                if (g[k] == '\\' || g[k] == '[') buf_putc(&b, '\\');
                buf_putc(&b, g[k]);
            }
            buf_putc(&b, ']');
            i = j;
        } else {
            if (!isalnum((unsigned char)c) && !((unsigned char)c & 0x80)) buf_putc(&b, '\\');
            buf_putc(&b, c);
        }
    }
    buf_puts(&b, "\\z");
    char *out = arena_strdup(a, b.data);
    buf_free(&b);
    return out;
}

/* ------------------------------------------------------------ keys */

static bool looks_literal(const char *k)
{
    return strpbrk(k, ".[]()|*@&!=<>`'\"{}?,") == NULL; /* "c7n:x", "Foo-Bar" are fine */
}

static bool compile_key(filter_compiler *fc, const void *node, const char *text, size_t len,
                        keyref *k)
{
    memset(k, 0, sizeof *k);
    k->text = arena_strndup(fc->a, text, len);
    k->len = len;
    if (len >= 4 && !strncmp(text, "tag:", 4)) {
        k->is_tag = true;
        return true;
    }
    jp_error err;
    k->expr = jp_compile(fc->a, k->text, len, &err);
    if (!k->expr) {
        if (looks_literal(k->text)) return true; /* e.g. "Foo-Bar": only a literal key can match */
        fc_error(fc, node, "invalid JMESPath key '%s': %s", k->text, err.msg);
        return false;
    }
    k->nnames = jp_simple_path(k->expr, k->names, k->lens, MAX_PATH);
    return true;
}

static void apply_transforms(const value_filter *vf, const char *in, size_t n, buf *out)
{
    buf_reset(out);
    buf_append(out, in, n);
    for (int t = 0; t < vf->ntransforms; t++) {
        const char *name = TRANSFORMS[vf->transforms[t]];
        char *s = out->data;
        size_t len = out->len, w = 0;
        if (!strcmp(name, "lower") || !strcmp(name, "upper")) {
            for (size_t i = 0; i < len; i++)
                s[i] = (char)(name[0] == 'l' ? tolower((unsigned char)s[i])
                                             : toupper((unsigned char)s[i]));
        } else if (!strcmp(name, "capitalize")) {
            for (size_t i = 0; i < len; i++)
                s[i] = (char)(i ? tolower((unsigned char)s[i]) : toupper((unsigned char)s[i]));
        } else if (!strcmp(name, "title")) {
            bool prev_alpha = false;
            for (size_t i = 0; i < len; i++) {
                unsigned char c = (unsigned char)s[i];
                s[i] = (char)(prev_alpha ? tolower(c) : toupper(c));
                prev_alpha = isalpha(c) != 0;
            }
        } else if (!strcmp(name, "strip")) {
            size_t a = 0, b = len;
            while (a < b && isspace((unsigned char)s[a]))
                a++;
            while (b > a && isspace((unsigned char)s[b - 1]))
                b--;
            memmove(s, s + a, b - a);
            w = b - a;
            out->len = w;
            s[w] = 0;
        } else if (name[0] == 'n' && name[1] == 'o' && name[2] != 'o') {
            char drop = !strcmp(name, "nospaces")        ? ' '
                        : !strcmp(name, "nounderscores") ? '_'
                                                         : '-';
            for (size_t i = 0; i < len; i++)
                if (s[i] != drop) s[w++] = s[i];
            out->len = w;
            s[w] = 0;
        }
    }
}

/* Custodian's tag lookup: Tags list, else labels / tags mappings. */
static jv tag_value(const value_filter *vf, const char *tk, size_t tkl, const jv *r)
{
    buf tmp = BUF_INIT;
    jv out = jv_null();
    const jv *tags = jv_get(r, "Tags");
    if (tags) {
        if (tags->kind == JV_ARRAY) {
            for (uint32_t i = 0; i < tags->len; i++) {
                const jv *t = &tags->u.items[i];
                const jv *k = jv_get(t, "Key");
                if (!k) continue;
                if (vf->ntransforms) {
                    if (k->kind != JV_STRING || !jv_get(t, "Value")) continue;
                    apply_transforms(vf, k->u.str, k->len, &tmp);
                    if (tmp.len != tkl || memcmp(tmp.data, tk, tkl)) continue;
                } else if (k->kind != JV_STRING || k->len != tkl || memcmp(k->u.str, tk, tkl)) {
                    continue;
                }
                const jv *v = jv_get(t, "Value");
                out = v ? *v : jv_null();
                break;
            }
        }
    } else {
        const jv *m = jv_get(r, "labels");
        if (!m) m = jv_get(r, "tags");
        if (m && m->kind == JV_OBJECT) {
            for (uint32_t i = 0; i < m->len; i++) {
                const jv_member *mm = &m->u.members[i];
                const char *k = mm->key;
                size_t kl = mm->klen;
                if (vf->ntransforms) {
                    apply_transforms(vf, k, kl, &tmp);
                    k = tmp.data, kl = tmp.len;
                }
                if (kl == tkl && !memcmp(k, tk, tkl))
                    out = mm->val; /* later keys win, as in a dict */
            }
        }
    }
    buf_free(&tmp);
    return out;
}

jv key_value(const value_filter *vf, const keyref *k, const jv *r, eval_ctx *ctx)
{
    if (k->is_tag) return tag_value(vf, k->text + 4, k->len - 4, r);
    const jv *lit = jv_getn(r, k->text, k->len);
    if (lit) return *lit;
    if (!k->expr) return jv_null();
    if (k->nnames > 0) {
        const jv *cur = r;
        for (int i = 0; i < k->nnames && cur; i++)
            cur = jv_getn(cur, k->names[i], k->lens[i]);
        return cur ? *cur : jv_null();
    }
    jv out;
    jp_error err;
    if (jp_eval(k->expr, r, ctx->scratch, &out, &err) < 0) return jv_null();
    return out;
}

jv apply_value_regex(const value_filter *vf, jv v, eval_ctx *ctx)
{
    if (!vf->value_re || v.kind == JV_NULL) return v;
    if (v.kind != JV_STRING) return jv_null();
    long gs;
    size_t gl;
    if (!re_match(vf->value_re, v.u.str, v.len, ctx->scratch, &gs, &gl) || gs < 0) return jv_null();
    return jv_str(ctx->scratch, v.u.str + gs, gl);
}

/* ------------------------------------------------------------ matching */

/* A regex/glob pattern known only per resource (value_path, variables):
 * compiled into the scratch arena.  Python raises on a bad pattern; here
 * that is no match. */
static const pcre2_code *dynamic_pattern(const value_filter *vf, const pv *v, eval_ctx *ctx)
{
    if (v->kind != PV_JSON || v->j.kind != JV_STRING || !ctx->scratch) return NULL;
    const char *pat = v->j.u.str;
    size_t len = v->j.len;
    uint32_t opts = PCRE2_ANCHORED;
    if (vf->op == OP_GLOB) {
        pat = glob_to_regex(ctx->scratch, pat, len);
        len = strlen(pat);
        opts |= PCRE2_DOTALL;
    } else if (vf->op == OP_REGEX) {
        opts |= PCRE2_CASELESS;
    }
    pcre2_general_context *g = arena_gctx(ctx->scratch);
    pcre2_compile_context *cc = pcre2_compile_context_create(g);
    int err;
    PCRE2_SIZE off;
    return pcre2_compile((PCRE2_SPTR)pat, len, opts | PCRE2_UTF | PCRE2_UCP, &err, &off, cc);
}

static bool apply_op(const value_filter *vf, const pv *r, const pv *v, eval_ctx *ctx)
{
    int c;
    bool b;
    switch (vf->op) {
    case OP_EQ:
        return pv_eq(r, v);
    case OP_NE:
        return !pv_eq(r, v);
    case OP_GT:
        return pv_cmp(r, v, &c) == 0 && c == 1;
    case OP_GE:
        return pv_cmp(r, v, &c) == 0 && (c == 1 || c == 0);
    case OP_LT:
        return pv_cmp(r, v, &c) == 0 && c == -1;
    case OP_LE:
        return pv_cmp(r, v, &c) == 0 && (c == -1 || c == 0);
    case OP_GLOB:
    case OP_REGEX:
    case OP_REGEX_CASE:
        if (r->kind != PV_JSON || r->j.kind != JV_STRING) return false;
        if (vf->dynamic) {
            const pcre2_code *re = dynamic_pattern(vf, v, ctx);
            return re && re_match(re, r->j.u.str, r->j.len, ctx->scratch, NULL, NULL) == 1;
        }
        return vf->re && re_match(vf->re, r->j.u.str, r->j.len, ctx->scratch, NULL, NULL) == 1;
    case OP_IN:
        return pv_in(r, v, &b) == 0 && b;
    case OP_NI:
        return pv_in(r, v, &b) == 0 && !b;
    case OP_CONTAINS:
        return pv_in(v, r, &b) == 0 && b;
    case OP_DIFFERENCE:
        return pv_setop(ctx->scratch, r, v, true, &b) == 0 && b;
    case OP_INTERSECT:
        return pv_setop(ctx->scratch, r, v, false, &b) == 0 && b;
    case OP_MOD: {
        if (r->kind != PV_JSON || v->kind != PV_JSON) return false;
        const jv *x = &r->j, *y = &v->j;
        bool xn = x->kind == JV_NUMBER || x->kind == JV_TRUE || x->kind == JV_FALSE;
        bool yn = y->kind == JV_NUMBER || y->kind == JV_TRUE || y->kind == JV_FALSE;
        if (!xn || !yn) return false;
        double a = x->kind == JV_NUMBER ? x->u.num : x->kind == JV_TRUE;
        double m = y->kind == JV_NUMBER ? y->u.num : y->kind == JV_TRUE;
        if (m == 0) return false; /* ZeroDivisionError */
        return fmod(a, m) != 0;
    }
    case OP_NONE:
        break;
    }
    return pv_eq(r, v);
}

enum { SW_NONE, SW_ABSENT, SW_PRESENT, SW_NOT_NULL, SW_EMPTY };

/* Which of Custodian's special values v is (a length check first: this
 * runs for every resource). */
static int special_word(const pv *v)
{
    if (v->kind != PV_JSON || v->j.kind != JV_STRING) return SW_NONE;
    const char *s = v->j.u.str;
    switch (v->j.len) {
    case 5:
        return memcmp(s, "empty", 5) ? SW_NONE : SW_EMPTY;
    case 6:
        return memcmp(s, "absent", 6) ? SW_NONE : SW_ABSENT;
    case 7:
        return memcmp(s, "present", 7) ? SW_NONE : SW_PRESENT;
    case 8:
        return memcmp(s, "not-null", 8) ? SW_NONE : SW_NOT_NULL;
    default:
        return SW_NONE;
    }
}

static bool eval(const value_filter *vf, jv rv, const jv *resource, eval_ctx *ctx)
{
    if (vf->vt == VT_RESOURCE_COUNT) return true; /* set-level: see value_filter_resource_count */
    pv r = pv_json(rv);
    pv v = vf->sentinel;
    if (vf->value_path) {
        jv pvv;
        jp_error err;
        if (!resource || jp_eval(vf->value_path, resource, ctx->scratch, &pvv, &err) < 0)
            pvv = jv_null();
        v = pv_json(pvv);
    } else if (vf->vars) {
        bool dyn = false;
        v = pv_json(expand_vars(ctx->scratch, &vf->value, ctx, &dyn));
    }
    if ((vf->op == OP_IN || vf->op == OP_NI) && pv_is_none(&r)) {
        r.kind = PV_TUPLE0;
    }
    if (vf->vt != VT_NONE && !convert(vf, &v, &r, resource, ctx)) return false;
    switch (special_word(&v)) {
    case SW_ABSENT:
        if (pv_is_none(&r)) return true;
        break;
    case SW_PRESENT:
        if (!pv_is_none(&r)) return true;
        break;
    case SW_NOT_NULL:
        if (pv_truthy(&r)) return true;
        break;
    case SW_EMPTY:
        if (!pv_truthy(&r)) return true;
        break;
    default:
        break;
    }
    return apply_op(vf, &r, &v, ctx);
}

bool value_filter_match(const value_filter *vf, const jv *resource, eval_ctx *ctx)
{
    jv rv = vf->has_key ? apply_value_regex(vf, key_value(vf, &vf->key, resource, ctx), ctx)
                        : apply_value_regex(vf, *resource, ctx);
    return eval(vf, rv, resource, ctx);
}

bool value_filter_match_value(const value_filter *vf, const jv *value, eval_ctx *ctx)
{
    return eval(vf, apply_value_regex(vf, *value, ctx), value, ctx);
}

bool value_filter_resource_count(const value_filter *vf, size_t n)
{
    if (vf->vt != VT_RESOURCE_COUNT) return true;
    pv r = num_pv((double)n, true);
    eval_ctx ctx = {0};
    value_filter tmp = *vf;
    tmp.vt = VT_NONE;
    return apply_op(&tmp, &r, &vf->sentinel, &ctx);
}

bool value_filter_is_set_level(const value_filter *vf)
{
    return vf->vt == VT_RESOURCE_COUNT;
}

/* ------------------------------------------------------------ compile */

static bool known_key(const char *k)
{
    for (size_t i = 0; i < sizeof VF_KEYS / sizeof *VF_KEYS; i++)
        if (!strcmp(VF_KEYS[i], k)) return true;
    return false;
}

static const char *expect_list(void)
{
    return "type, key, value, op, value_type, value_regex, value_from, value_path, "
           "tag_key_transforms, default";
}

static bool value_kind_ok(const jv *v)
{
    return v->kind != JV_OBJECT;
}

static bool compile_value_type(filter_compiler *fc, value_filter *vf, const jv *node)
{
    if (node->kind != JV_STRING) {
        fc_error(fc, node, "value_type must be a string");
        return false;
    }
    for (size_t i = 1; i < sizeof VTYPES / sizeof *VTYPES; i++)
        if (!strcmp(VTYPES[i], node->u.str)) {
            vf->vt = (vtype)i;
            return true;
        }
    fc_error(fc, node,
             "unknown value_type '%s' (expected age, expiration, date, integer, float, "
             "normalize, size, unique_size, cidr, cidr_size, swap, version, expr, "
             "resource_count)",
             node->u.str);
    return false;
}

/* Converts the configured value once, as process_value_type would. */
static bool prepare_sentinel(filter_compiler *fc, value_filter *vf, const jv *vnode)
{
    const jv *v = &vf->value;
    vf->sentinel = pv_json(*v);
    switch (vf->vt) {
    case VT_AGE:
    case VT_EXPIRATION:
        if (v->kind != JV_NUMBER) {
            fc_error(fc, vnode, "value_type %s needs a number of days as value", VTYPES[vf->vt]);
            return false;
        }
        vf->days = v->u.num;
        return true;
    case VT_DATE:
        vf->sentinel = date_pv(v);
        if (pv_is_none(&vf->sentinel)) {
            fc_error(fc, vnode,
                     "value_type date needs a date value (e.g. 2024-01-31 or "
                     "2024-01-31T12:00:00Z)");
            return false;
        }
        return true;
    case VT_CIDR:
        vf->sentinel = parse_cidr(fc->a, v);
        if (!pv_is_none(&vf->sentinel)) return true;
        if (v->kind == JV_STRING && (!strcmp(v->u.str, "absent") || !strcmp(v->u.str, "present") ||
                                     !strcmp(v->u.str, "not-null") || !strcmp(v->u.str, "empty"))) {
            vf->sentinel = pv_json(*v);
            return true;
        }
        fc_error(fc, vnode,
                 "value_type cidr: '%s' is not an IP address or CIDR (host bits must be "
                 "zero)",
                 v->kind == JV_STRING ? v->u.str : jv_kind_name((jv_kind)v->kind));
        return false;
    case VT_VERSION:
        if (v->kind == JV_STRING)
            vf->sentinel = pv_version(fc->a, v->u.str, v->len);
        else if (v->kind == JV_NUMBER) {
            char *t = arena_sprintf(fc->a, (v->flags & JVF_INT) ? "%.0f" : "%g", v->u.num);
            vf->sentinel = pv_version(fc->a, t, strlen(t));
        } else {
            fc_error(fc, vnode, "value_type version needs a version string as value");
            return false;
        }
        return true;
    case VT_EXPR:
        if (v->kind != JV_STRING) {
            fc_error(fc, vnode, "value_type expr needs a key expression (a string) as value");
            return false;
        }
        return compile_key(fc, vnode, v->u.str, v->len, &vf->expr_key);
    case VT_RESOURCE_COUNT:
        if (v->kind != JV_NUMBER && v->kind != JV_ARRAY) {
            fc_error(fc, vnode, "value_type resource_count needs an integer value");
            return false;
        }
        return true;
    default:
        return true;
    }
}

static bool compile_op(filter_compiler *fc, value_filter *vf, const jv *node)
{
    if (node->kind != JV_STRING) {
        fc_error(fc, node, "op must be a string");
        return false;
    }
    for (size_t i = 0; i < sizeof OPS / sizeof *OPS; i++)
        if (!strcmp(OPS[i].name, node->u.str)) {
            vf->op = OPS[i].op;
            return true;
        }
    fc_error(fc, node,
             "unknown op '%s' (expected eq, ne, gt, ge, lt, le, in, not-in, contains, "
             "difference, intersect, mod, glob, regex, regex-case, or their long forms)",
             node->u.str);
    return false;
}

static bool compile_transforms(filter_compiler *fc, value_filter *vf, const jv *node)
{
    if (node->kind != JV_ARRAY) {
        fc_error(fc, node, "tag_key_transforms must be a list");
        return false;
    }
    bool ok = true;
    for (uint32_t i = 0; i < node->len; i++) {
        const jv *t = &node->u.items[i];
        size_t k = 0;
        while (k < N_TRANSFORMS && !(t->kind == JV_STRING && !strcmp(TRANSFORMS[k], t->u.str)))
            k++;
        if (k == N_TRANSFORMS) {
            fc_error(fc, t,
                     "unknown tag key transform (expected noop, capitalize, lower, strip, "
                     "title, upper, nospaces, nounderscores, nodashes)");
            ok = false;
        } else if (vf->ntransforms < MAX_TRANSFORMS) {
            vf->transforms[vf->ntransforms++] = (int)k;
        }
    }
    return ok;
}

/* Operator-specific checks and pattern compilation. */
static bool compile_pattern(filter_compiler *fc, value_filter *vf, const jv *vnode)
{
    const jv *v = &vf->value;
    switch (vf->op) {
    case OP_REGEX:
    case OP_REGEX_CASE:
    case OP_GLOB:
        if (!vf->value_set || vf->dynamic) return true;
        if (v->kind != JV_STRING) {
            fc_error(fc, vnode, "op %s needs a string pattern as value",
                     vf->op == OP_GLOB ? "glob" : "regex");
            return false;
        }
        if (vf->op == OP_GLOB) {
            char *rx = glob_to_regex(fc->a, v->u.str, v->len);
            vf->re = compile_re(fc, vnode, "glob", rx, strlen(rx), PCRE2_ANCHORED | PCRE2_DOTALL);
        } else {
            vf->re = compile_re(fc, vnode, "regex", v->u.str, v->len,
                                PCRE2_ANCHORED | (vf->op == OP_REGEX ? PCRE2_CASELESS : 0));
        }
        return vf->re != NULL;
    case OP_MOD:
        if (vf->value_set && (v->kind != JV_NUMBER || v->u.num == 0)) {
            fc_error(fc, vnode, "op mod needs a non-zero number as value");
            return false;
        }
        return true;
    default:
        return true;
    }
}

value_filter *value_filter_compile(filter_compiler *fc, const jv *spec, bool key_required)
{
    if (!spec || spec->kind != JV_OBJECT) {
        fc_error(fc, spec, "a value filter must be a mapping");
        return NULL;
    }
    value_filter *vf = arena_calloc(fc->a, sizeof *vf);
    /* Shorthand {key: value}: exactly one entry and no type. */
    if (spec->len == 1 && strcmp(spec->u.members[0].key, "type") != 0) {
        const jv_member *m = &spec->u.members[0];
        vf->has_key = true;
        if (!compile_key(fc, m, m->key, m->klen, &vf->key)) return NULL;
        if (!value_kind_ok(&m->val)) {
            fc_error(fc, &m->val, "value for '%s' must be a string, number, boolean, null or list",
                     m->key);
            return NULL;
        }
        vf->value = jv_copy(fc->a, &m->val);
        vf->value_set = true;
        bool dyn = false;
        jv fixed = expand_vars(fc->a, &vf->value, NULL, &dyn);
        if (dyn)
            vf->vars = vf->dynamic = true;
        else
            vf->value = fixed;
        vf->sentinel = pv_json(vf->value);
        return vf;
    }
    bool ok = true;
    const jv *key = NULL, *value = NULL, *op = NULL, *vt = NULL, *vre = NULL, *vfrom = NULL,
             *vpath = NULL, *tkt = NULL;
    for (uint32_t i = 0; i < spec->len; i++) {
        const jv_member *m = &spec->u.members[i];
        if (!known_key(m->key)) {
            fc_error(fc, m, "unknown key '%s' in value filter (expected %s)", m->key,
                     expect_list());
            ok = false;
            continue;
        }
        const jv *v = &m->val;
        if (!strcmp(m->key, "key"))
            key = v;
        else if (!strcmp(m->key, "value"))
            value = v;
        else if (!strcmp(m->key, "op"))
            op = v;
        else if (!strcmp(m->key, "value_type"))
            vt = v;
        else if (!strcmp(m->key, "value_regex"))
            vre = v;
        else if (!strcmp(m->key, "value_from"))
            vfrom = v;
        else if (!strcmp(m->key, "value_path"))
            vpath = v;
        else if (!strcmp(m->key, "tag_key_transforms"))
            tkt = v;
    }
    if (vt && !compile_value_type(fc, vf, vt)) ok = false;
    if (op && !compile_op(fc, vf, op)) ok = false;
    if (tkt && !compile_transforms(fc, vf, tkt)) ok = false;
    if (key) {
        if (key->kind != JV_STRING) {
            fc_error(fc, key, "key must be a string");
            ok = false;
        } else {
            vf->has_key = true;
            if (!compile_key(fc, key, key->u.str, key->len, &vf->key)) ok = false;
        }
    } else if (key_required && vf->vt != VT_RESOURCE_COUNT) {
        fc_error(fc, spec, "value filter needs 'key'");
        ok = false;
    }
    if (vf->vt == VT_RESOURCE_COUNT && !op) {
        fc_error(fc, spec, "value_type resource_count needs 'op'");
        ok = false;
    }
    if (vf->vt == VT_RESOURCE_COUNT && (vf->op == OP_REGEX || vf->op == OP_REGEX_CASE || vre)) {
        fc_error(fc, op ? op : spec, "value_type resource_count does not support regex");
        ok = false;
    }
    if (value) {
        if (!value_kind_ok(value)) {
            fc_error(fc, value, "value must be a string, number, boolean, null or list");
            ok = false;
        } else {
            vf->value = jv_copy(fc->a, value);
            vf->value_set = true;
        }
    } else if (!vfrom && !vpath) {
        fc_error(fc, spec, "value filter needs 'value' (or value_from / value_path)");
        ok = false;
    }
    if (vfrom) {
        jv got;
        if (!load_value_from(fc, vfrom, &got))
            ok = false;
        else {
            vf->value = got;
            vf->value_set = true;
        }
    }
    if (vpath) {
        jp_error err;
        if (vpath->kind != JV_STRING) {
            fc_error(fc, vpath, "value_path must be a string");
            ok = false;
        } else if (!(vf->value_path = jp_compile(fc->a, vpath->u.str, vpath->len, &err))) {
            fc_error(fc, vpath, "invalid value_path '%s': %s", vpath->u.str, err.msg);
            ok = false;
        }
    }
    if (vre) {
        if (vre->kind != JV_STRING) {
            fc_error(fc, vre, "value_regex must be a string");
            ok = false;
        } else if ((vf->value_re =
                        compile_re(fc, vre, "value_regex", vre->u.str, vre->len, PCRE2_ANCHORED))) {
            uint32_t groups = 0;
            pcre2_pattern_info(vf->value_re, PCRE2_INFO_CAPTURECOUNT, &groups);
            if (groups != 1) {
                fc_error(fc, vre, "value_regex must have exactly one capturing group (has %u)",
                         groups);
                ok = false;
            }
        } else {
            ok = false;
        }
    }
    if (!ok) return NULL;
    const jv *vnode = value ? value : vfrom ? vfrom : spec;
    if (vf->value_set && vf->vt != VT_EXPR) {
        /* Formatting with a context-free probe tells static from per-account values. */
        bool dyn = false;
        jv fixed = expand_vars(fc->a, &vf->value, NULL, &dyn);
        if (dyn)
            vf->vars = true;
        else
            vf->value = fixed;
    }
    vf->dynamic = vf->value_path != NULL || vf->vars;
    if (vf->value_set && !vf->dynamic) {
        if (!prepare_sentinel(fc, vf, vnode)) return NULL;
    } else if (vf->value_path && vf->vt == VT_EXPR) {
        fc_error(fc, vpath, "value_type expr cannot be combined with value_path");
        return NULL;
    } else if (vf->value_path && (vf->vt == VT_AGE || vf->vt == VT_EXPIRATION)) {
        fc_error(fc, vpath, "value_type %s needs a fixed number of days, not value_path",
                 VTYPES[vf->vt]);
        return NULL;
    }
    if (!compile_pattern(fc, vf, vnode)) return NULL;
    return vf;
}

/* ------------------------------------------------------------ filter type */

static filter *value_compile(filter_compiler *fc, const jv *spec)
{
    value_filter *vf = value_filter_compile(fc, spec, true);
    if (!vf) return NULL;
    vf_node *n = arena_calloc(fc->a, sizeof *n);
    n->vf = vf;
    return &n->hdr;
}

/* Evidence of a matched value filter: the resource's value under its key,
 * collected into one object {"key": value, ...} across the value filters
 * of a policy.  Only when nothing else (a filter with richer evidence, such
 * as ingress) has set ctx->evidence to something other than such an object. */
static void add_evidence(const value_filter *vf, jv rv, eval_ctx *ctx)
{
    jv *ev = ctx->evidence;
    if (!ev || !ctx->scratch || !vf->has_key) return;
    if (ev->kind != JV_NULL && ev->kind != JV_OBJECT) return;
    uint32_t n = ev->kind == JV_OBJECT ? ev->len : 0;
    for (uint32_t i = 0; i < n; i++)
        if (ev->u.members[i].klen == vf->key.len &&
            !memcmp(ev->u.members[i].key, vf->key.text, vf->key.len))
            return;
    jv o = jv_object(ctx->scratch, n + 1);
    if (n) memcpy(o.u.members, ev->u.members, n * sizeof *o.u.members);
    o.u.members[n].key = vf->key.text;
    o.u.members[n].klen = (uint32_t)vf->key.len;
    o.u.members[n].val = rv;
    *ev = o;
}

static bool value_match(const filter *f, const jv *resource, eval_ctx *ctx)
{
    const value_filter *vf = ((const vf_node *)f)->vf;
    if (!vf->has_key) return value_filter_match(vf, resource, ctx);
    jv raw = key_value(vf, &vf->key, resource, ctx);
    bool hit = eval(vf, apply_value_regex(vf, raw, ctx), resource, ctx);
    if (hit) add_evidence(vf, raw, ctx);
    return hit;
}

const value_filter *value_filter_of(const filter *f)
{
    return f && f->type == &filter_type_value ? ((const vf_node *)f)->vf : NULL;
}

const filter_type filter_type_value = {"value", NULL, value_compile, value_match};
