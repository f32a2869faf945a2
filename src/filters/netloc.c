/* netloc.c - network-location (Custodian's NetworkLocation filter).
 *
 * Does a network-attached resource sit where its subnets and security
 * groups say it should?  `key` (tag:NAME or a top-level key) is read on
 * the resource, its subnets and its security groups (found as the
 * `subnet` and `security-group` filters find them, related.h), after
 * dropping subnets and groups matching an `ignore` entry ({key: value}).
 * `compare` (default subnet, security-group, resource) says which take
 * part.  With match not-equal (default) the resource matches when any of
 * these holds, equal when none does:
 *   - a subnet / group lacks the key (unless missing-ok);
 *   - subnets / groups carry more than max-cardinality (default 1)
 *     distinct values;
 *   - (both compared) the subnets' values differ from the groups';
 *   - (resource compared) the resource lacks the key (unless missing-ok),
 *     or its value is not among the groups' (else the subnets') values, or
 *     some group's value differs from it.
 * match in: every value present must be in `value` (a missing one fails
 * unless missing-ok).  EC2 instances count only in pending, running,
 * shutting-down, stopping or stopped (Custodian's EC2NetworkLocation).
 */
#include "filters/netloc.h"

#include <string.h>

#include "filters/filter_opts.h"
#include "filters/needs.h"
#include "filters/related.h"
#include "resources/resource.h"

enum { NL_NOT_EQUAL, NL_EQUAL, NL_IN };
#define MAXREL 32

typedef struct netloc_filter {
    filter base;
    const char *key;
    int match;
    bool missing_ok, subnet, sg, resource;
    double max_card;
    str_list allowed;
    const jv *ignore;
} netloc_filter;

static filter *netloc_compile(filter_compiler *fc, const jv *spec)
{
    netloc_filter *f = arena_calloc(fc->a, sizeof *f);
    f->base.type = &filter_type_network_location;
    f->base.pos = fc->where;
    f->max_card = 1;
    f->subnet = f->sg = f->resource = true;
    for (uint32_t i = 0; jv_is(spec, JV_OBJECT) && i < spec->len; i++) {
        const jv_member *m = &spec->u.members[i];
        bool ok = true;
        if (!strcmp(m->key, "type")) continue;
        if (!strcmp(m->key, "key") && jv_is(&m->val, JV_STRING)) {
            f->key = m->val.u.str;
        } else if (!strcmp(m->key, "match")) {
            if (jv_str_eq(&m->val, "equal"))
                f->match = NL_EQUAL;
            else if (jv_str_eq(&m->val, "in"))
                f->match = NL_IN;
            else if (!jv_str_eq(&m->val, "not-equal")) {
                fc_error(fc, &m->val, "network-location: match must be equal, not-equal or in");
                return NULL;
            }
        } else if (!strcmp(m->key, "missing-ok")) {
            ok = opt_bool(fc, &m->val, m->key, &f->missing_ok);
        } else if (!strcmp(m->key, "max-cardinality") && jv_is(&m->val, JV_NUMBER)) {
            f->max_card = m->val.u.num;
        } else if (!strcmp(m->key, "value")) {
            ok = opt_str_list(fc, &m->val, m->key, false, &f->allowed);
        } else if (!strcmp(m->key, "ignore") && jv_is(&m->val, JV_ARRAY)) {
            f->ignore = &m->val;
        } else if (!strcmp(m->key, "compare")) {
            str_list c = {0};
            ok = opt_str_list(fc, &m->val, m->key, false, &c);
            f->subnet = str_list_has(&c, "subnet");
            f->sg = str_list_has(&c, "security-group");
            f->resource = str_list_has(&c, "resource");
        } else {
            ok = opt_unknown(fc, m, "network-location");
        }
        if (!ok) return NULL;
    }
    if (!f->key) {
        fc_error(fc, spec, "network-location needs key (a string, e.g. tag:NetworkLocation)");
        return NULL;
    }
    fc->needs_related = true;
    return &f->base;
}

static bool ignored(const netloc_filter *f, const jv *r)
{
    for (uint32_t i = 0; f->ignore && i < f->ignore->len; i++) {
        const jv *ig = &f->ignore->u.items[i];
        for (uint32_t k = 0; jv_is(ig, JV_OBJECT) && k < ig->len; k++) {
            const jv *v = related_key_value(r, ig->u.members[k].key);
            if (v && jv_equal(v, &ig->u.members[k].val)) return true;
        }
    }
    return false;
}

/* The related documents of one kind, minus ignored ones; their values of
 * key in vals, and the distinct present ones in space. */
typedef struct side {
    size_t n, nspace;
    const jv *vals[MAXREL];
    const jv *space[MAXREL];
    bool missing;
} side;

static void load_side(const netloc_filter *f, eval_ctx *ctx, const char *rel, const jv *r, side *s)
{
    const jv *docs[MAXREL];
    size_t n = related_docs(ctx, rel, r, docs, MAXREL);
    s->n = s->nspace = 0;
    s->missing = false;
    for (size_t i = 0; i < n; i++) {
        if (ignored(f, docs[i])) continue;
        const jv *v = related_key_value(docs[i], f->key);
        s->vals[s->n++] = v;
        if (!v || jv_is(v, JV_NULL)) {
            s->missing = true;
            continue;
        }
        if (!jv_truthy(v)) continue;
        bool dup = false;
        for (size_t k = 0; k < s->nspace && !dup; k++)
            dup = jv_equal(s->space[k], v);
        if (!dup) s->space[s->nspace++] = v;
    }
}

static bool in_space(const side *s, const jv *v)
{
    for (size_t i = 0; v && i < s->nspace; i++)
        if (jv_equal(s->space[i], v)) return true;
    return false;
}

static bool same_space(const side *a, const side *b)
{
    if (a->nspace != b->nspace) return false;
    for (size_t i = 0; i < a->nspace; i++)
        if (!in_space(b, a->space[i])) return false;
    return true;
}

static bool allowed(const netloc_filter *f, const side *s)
{
    for (size_t i = 0; i < s->nspace; i++)
        if (!jv_is(s->space[i], JV_STRING) || !str_list_has(&f->allowed, s->space[i]->u.str))
            return false;
    return true;
}

static bool netloc_match(const filter *base, const jv *r, eval_ctx *ctx)
{
    const netloc_filter *f = (const netloc_filter *)base;
    if (ctx->rtype && strcmp(ctx->rtype->name, "aws.ec2") == 0) {
        static const char *const states[] = {"pending", "running", "shutting-down", "stopping",
                                             "stopped"};
        const jv *st = jv_get(jv_get(r, "State"), "Name");
        bool ok = false;
        for (size_t i = 0; i < 5 && !ok; i++)
            ok = jv_str_eq(st, states[i]);
        if (!ok) return false;
    }
    side sub, sg;
    load_side(f, ctx, "subnet", r, &sub);
    load_side(f, ctx, "security-group", r, &sg);
    const jv *rv = related_key_value(r, f->key);
    bool r_absent = !rv || jv_is(rv, JV_NULL);
    if (f->match == NL_IN) {
        if (f->subnet && ((!f->missing_ok && sub.missing) || !allowed(f, &sub))) return false;
        if (f->sg && ((!f->missing_ok && sg.missing) || !allowed(f, &sg))) return false;
        if (f->resource) {
            if (!f->missing_ok && r_absent) return false;
            if (!jv_is(rv, JV_STRING) || !str_list_has(&f->allowed, rv->u.str)) return false;
        }
        return true;
    }
    bool bad = false;
    if (f->subnet) bad |= (!f->missing_ok && sub.missing) || (double)sub.nspace > f->max_card;
    if (f->sg) bad |= (!f->missing_ok && sg.missing) || (double)sg.nspace > f->max_card;
    if (f->subnet && f->sg) bad |= !same_space(&sub, &sg);
    if (f->resource) {
        /* Absent, or not where the groups or the subnets say. */
        bad |= (!f->missing_ok && r_absent) || (f->sg && sg.n && !in_space(&sg, rv)) ||
               (f->subnet && sub.n && !in_space(&sub, rv));
        for (size_t i = 0; f->sg && i < sg.n; i++) {
            const jv *v = sg.vals[i];
            bool eq = (!v && r_absent) || (v && rv && jv_equal(v, rv));
            bad |= !eq;
        }
    }
    return f->match == NL_NOT_EQUAL ? bad : !bad;
}

static const char *const netloc_applies[] = {
    "aws.ec2",       "aws.eni",     "aws.lambda",       "aws.rds",
    "aws.rds-proxy", "aws.app-elb", "aws.vpc-endpoint", NULL};

const filter_type filter_type_network_location = {"network-location", netloc_applies,
                                                  netloc_compile, netloc_match};
