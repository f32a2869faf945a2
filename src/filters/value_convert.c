/* value_convert.c - policy variables and value_type conversions of the
 * value filter (see value.c for the semantics overall, value_int.h for the
 * split).  Conversions follow Custodian's ValueFilter.process_value_type
 * case by case, documented inline; they run per resource, so they allocate
 * only from the caller's scratch arena.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "filters/value_int.h"
#include "json/jv_date.h"
#include "util/date.h"
#include "util/ipaddr.h"

/* ------------------------------------------------------------ variables */

/* Custodian formats every string of a policy with str.format before running
 * it for an account: {account_id}, {region}, {partition} and {now} (with an
 * optional strftime spec) are replaced; names that other stages fill later
 * ({op}, {action_date}, {bucket_name}, ...) are kept; "{{"/"}}" become
 * braces.  When formatting would fail in Python (an unknown name, "{}",
 * "{0}", a lone "}"), Custodian keeps the string unchanged, and so do we.
 * Returns 0 ok (*out set), -1 "leave unchanged".  *dyn reports whether the
 * result depends on the account/region/time. */
static const char *const DEFERRED_VARS[] = {"account",
                                            "event",
                                            "op",
                                            "action_date",
                                            "service",
                                            "bucket_region",
                                            "bucket_name",
                                            "source_bucket_name",
                                            "source_bucket_region",
                                            "target_bucket_name",
                                            "target_prefix",
                                            "LoadBalancerName"};

static const char *partition_of(const char *region)
{
    if (region && !strncmp(region, "cn-", 3)) return "aws-cn";
    if (region && !strncmp(region, "us-gov-", 7)) return "aws-us-gov";
    return "aws";
}

static int format_vars(arena *a, const char *s, size_t n, const eval_ctx *ctx, jv *out, bool *dyn)
{
    buf b = BUF_INIT;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        char c = s[i];
        if (c == '}') {
            if (i + 1 < n && s[i + 1] == '}') {
                buf_putc(&b, '}');
                i++;
            } else {
                rc = -1; /* ValueError: single '}' */
            }
            continue;
        }
        if (c != '{') {
            buf_putc(&b, c);
            continue;
        }
        if (i + 1 < n && s[i + 1] == '{') {
            buf_putc(&b, '{');
            i++;
            continue;
        }
        const char *close = memchr(s + i, '}', n - i);
        if (!close) {
            rc = -1;
            break;
        }
        size_t flen = (size_t)(close - (s + i + 1));
        char field[128];
        if (flen == 0 || flen >= sizeof field) {
            rc = -1;
            break;
        }
        memcpy(field, s + i + 1, flen);
        field[flen] = 0;
        char *spec = strchr(field, ':');
        if (spec) *spec++ = 0;
        if (strpbrk(field, "!.[{") || isdigit((unsigned char)field[0])) {
            rc = -1;
            break;
        }
        bool known = false;
        for (size_t k = 0; k < sizeof DEFERRED_VARS / sizeof *DEFERRED_VARS; k++)
            if (!strcmp(field, DEFERRED_VARS[k])) {
                buf_printf(&b, "{%s}", field);
                known = true;
            }
        if (!known && !strcmp(field, "account_id")) {
            buf_puts(&b, ctx && ctx->account_id ? ctx->account_id : "");
            known = *dyn = true;
        } else if (!known && !strcmp(field, "region")) {
            buf_puts(&b, ctx && ctx->region ? ctx->region : "");
            known = *dyn = true;
        } else if (!known && !strcmp(field, "partition")) {
            buf_puts(&b, partition_of(ctx ? ctx->region : NULL));
            known = *dyn = true;
        } else if (!known && !strcmp(field, "now")) {
            time_t t = ctx ? ctx->now : 0;
            struct tm tm;
            gmtime_r(&t, &tm);
            char tb[128];
            if (!strftime(tb, sizeof tb, spec && *spec ? spec : "%Y-%m-%d %H:%M:%S", &tm))
                tb[0] = 0;
            buf_puts(&b, tb);
            known = *dyn = true;
        }
        if (!known) rc = -1; /* KeyError */
        i += flen + 1;
    }
    if (rc == 0) *out = jv_str(a, b.data ? b.data : "", b.len);
    buf_free(&b);
    return rc;
}

/* Formats every string inside v (lists and mappings too, as Custodian's
 * format_string_values does).  *dyn is set when any result depends on the
 * context. */
jv expand_vars(arena *a, const jv *v, const eval_ctx *ctx, bool *dyn)
{
    jv out = *v;
    if (v->kind == JV_STRING) {
        if (memchr(v->u.str, '{', v->len) || memchr(v->u.str, '}', v->len)) {
            jv f;
            if (format_vars(a, v->u.str, v->len, ctx, &f, dyn) == 0) out = f;
        }
    } else if (v->kind == JV_ARRAY) {
        out = jv_array(a, v->len);
        for (uint32_t i = 0; i < v->len; i++)
            out.u.items[i] = expand_vars(a, &v->u.items[i], ctx, dyn);
    } else if (v->kind == JV_OBJECT) {
        out = jv_object(a, v->len);
        for (uint32_t i = 0; i < v->len; i++) {
            out.u.members[i] = v->u.members[i];
            out.u.members[i].val = expand_vars(a, &v->u.members[i].val, ctx, dyn);
        }
    }
    return out;
}

/* ------------------------------------------------------------ conversions */

pv vf_none(void)
{
    return pv_json(jv_null());
}

pv parse_cidr(arena *a, const jv *v)
{
    pv p = {0};
    if (v->kind == JV_ARRAY) {
        ipaddr *ips = arena_calloc(a, (v->len + 1) * sizeof *ips);
        for (uint32_t i = 0; i < v->len; i++)
            if (v->u.items[i].kind == JV_STRING &&
                !ip_parse(v->u.items[i].u.str, v->u.items[i].len, true, &ips[i]))
                ips[i].version = 0;
        p.kind = PV_IPLIST;
        p.ips = ips;
        p.n = v->len;
        return p;
    }
    if (v->kind != JV_STRING || !ip_parse(v->u.str, v->len, true, &p.ip)) return vf_none();
    p.kind = PV_IP;
    return p;
}

pv date_pv(const jv *v)
{
    double t;
    if (!date_parse_jv(v, &t)) return vf_none();
    pv p = {0};
    p.kind = PV_DATE;
    p.t = t;
    return p;
}

/* str(value) as Python prints it, for int()/float() conversion. */
static const char *py_str(arena *a, const pv *p)
{
    if (p->kind == PV_TUPLE0) return "()";
    if (p->kind != PV_JSON) return "?";
    const jv *j = &p->j;
    switch (j->kind) {
    case JV_NULL:
        return "None";
    case JV_TRUE:
        return "True";
    case JV_FALSE:
        return "False";
    case JV_STRING:
        return j->u.str ? arena_strndup(a, j->u.str, j->len) : "";
    case JV_NUMBER:
        if (j->flags & JVF_INT) return arena_sprintf(a, "%.0f", j->u.num);
        return arena_sprintf(a, "%.17g.0", j->u.num); /* floats never parse as int */
    default:
        return "[]";
    }
}

static bool py_int_text(const char *s, double *out)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    size_t i = 0;
    bool neg = false;
    if (i < n && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
    if (i == n) return false;
    double v = 0;
    bool prev_digit = false;
    for (; i < n; i++) {
        if (s[i] == '_' && prev_digit && i + 1 < n && isdigit((unsigned char)s[i + 1])) {
            prev_digit = false;
            continue;
        }
        if (!isdigit((unsigned char)s[i])) return false;
        v = v * 10 + (s[i] - '0');
        prev_digit = true;
    }
    *out = neg ? -v : v;
    return true;
}

static bool py_float_text(const char *s, double *out)
{
    char tmp[128] = "";
    size_t k = 0;
    while (isspace((unsigned char)*s))
        s++;
    for (; *s && k + 1 < sizeof tmp; s++)
        if (*s != '_') tmp[k++] = *s;
    while (k && isspace((unsigned char)tmp[k - 1]))
        k--;
    tmp[k] = 0;
    if (k == 0 || strpbrk(tmp, "xXpP(")) return false;
    char *end;
    double v = strtod(tmp, &end);
    if (*end) return false;
    const char *w = tmp + (tmp[0] == '+' || tmp[0] == '-');
    if (isalpha((unsigned char)*w) && strcasecmp(w, "inf") && strcasecmp(w, "infinity") &&
        strcasecmp(w, "nan"))
        return false;
    *out = v;
    return true;
}

pv num_pv(double d, bool is_int)
{
    jv j = jv_num(d);
    /* JVF_INT promises an exact integer (|d| < 2^53), as every parser sets it. */
    if (is_int && fabs(d) < 9007199254740992.0) j.flags |= JVF_INT;
    return pv_json(j);
}

/* Custodian's process_value_type: returns false when Custodian would raise
 * (the filter then does not match). */
bool convert(const value_filter *vf, pv *v, pv *r, const jv *resource, eval_ctx *ctx)
{
    arena *s = ctx->scratch;
    double d;
    size_t n;
    switch (vf->vt) {
    case VT_NORMALIZE: /* r.strip().lower() when r is a string */
        if (r->kind == PV_JSON && r->j.kind == JV_STRING) {
            const char *p = r->j.u.str;
            size_t len = r->j.len;
            while (len && isspace((unsigned char)*p))
                p++, len--;
            while (len && isspace((unsigned char)p[len - 1]))
                len--;
            char *low = arena_strndup(s, p, len);
            for (size_t i = 0; i < len; i++)
                low[i] = (char)tolower((unsigned char)low[i]);
            *r = pv_json(jv_str_nocopy(low, len));
        }
        return true;
    case VT_EXPR: /* the value names another key of the same resource */
        *v = pv_json(apply_value_regex(vf, key_value(vf, &vf->expr_key, resource, ctx), ctx));
        return true;
    case VT_INTEGER: /* int(str(r).strip()), 0 when that fails */
        *r = py_int_text(py_str(s, r), &d) ? num_pv(d, true) : num_pv(0, true);
        return true;
    case VT_FLOAT: /* float(str(r).strip()), 0.0 when that fails */
        *r = py_float_text(py_str(s, r), &d) ? num_pv(d, false) : num_pv(0, false);
        return true;
    case VT_SIZE:
    case VT_UNIQUE_SIZE: /* len(r) / len(set(r)), 0 when r has no length */
        if (pv_len(s, r, vf->vt == VT_UNIQUE_SIZE, &n) < 0) n = 0;
        *r = num_pv((double)n, true);
        return true;
    case VT_SWAP: {
        pv t = *v;
        *v = *r;
        *r = t;
        return true;
    }
    case VT_DATE: /* both sides parsed as dates (None when unparseable) */
        if (vf->dynamic) *v = date_pv(&v->j);
        *r = r->kind == PV_JSON ? date_pv(&r->j) : vf_none();
        return true;
    case VT_AGE: { /* compares threshold (now - days) with the resource date */
        pv rd = r->kind == PV_JSON ? date_pv(&r->j) : vf_none();
        if (pv_is_none(&rd)) rd = num_pv(0, true);
        pv th = {0};
        th.kind = PV_DATE;
        th.t = (double)ctx->now - vf->days * 86400.0;
        *v = rd;
        *r = th;
        return true;
    }
    case VT_EXPIRATION: { /* compares the resource date with now + days */
        pv rd = r->kind == PV_JSON ? date_pv(&r->j) : vf_none();
        if (pv_is_none(&rd)) rd = num_pv(0, true);
        pv th = {0};
        th.kind = PV_DATE;
        th.t = (double)ctx->now + vf->days * 86400.0;
        *v = th;
        *r = rd;
        return true;
    }
    case VT_CIDR: { /* an address value against a network resource swaps sides */
        pv sv = vf->dynamic ? parse_cidr(s, &v->j) : *v;
        pv rv = r->kind == PV_JSON ? parse_cidr(s, &r->j) : vf_none();
        if (sv.kind == PV_IP && !sv.ip.is_net && rv.kind == PV_IP && rv.ip.is_net) {
            *v = rv;
            *r = sv;
        } else {
            *v = sv;
            *r = rv;
        }
        return true;
    }
    case VT_CIDR_SIZE: { /* prefix length of the resource's network, 0 if none */
        pv rv = r->kind == PV_JSON ? parse_cidr(s, &r->j) : vf_none();
        if (rv.kind == PV_IP && !rv.ip.is_net) return false; /* address.prefixlen raises */
        *r = num_pv(rv.kind == PV_IP ? rv.ip.prefix : 0, true);
        return true;
    }
    case VT_VERSION: /* LooseVersion on both sides */
        if (r->kind != PV_JSON || r->j.kind != JV_STRING) return false;
        if (vf->dynamic) {
            if (v->j.kind != JV_STRING) return false;
            *v = pv_version(s, v->j.u.str, v->j.len);
        }
        *r = pv_version(s, r->j.u.str, r->j.len);
        return true;
    default:
        return true;
    }
}
