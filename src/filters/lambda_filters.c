/* lambda_filters.c - lambda-edge and event-source (Custodian's).
 *
 *   lambda-edge   with state true (default false): the function is
 *                 associated with a CloudFront distribution (Lambda@Edge;
 *                 c7n:DistributionIds from cloudfront.ListDistributions);
 *                 outside us-east-1 state true never matches, as Lambda@Edge
 *                 functions live there; state false: not associated;
 *   event-source  a value filter over c7n:EventSources, the services
 *                 (Principal.Service) that the function's resource policy
 *                 (GetPolicy) allows to invoke it; a function without a
 *                 policy never matches.
 */
#include "filters/lambda_filters.h"

#include <string.h>

#include "filters/filter_opts.h"
#include "filters/iam_filters.h"
#include "filters/iam_policy.h"
#include "filters/needs.h"

typedef struct edge_filter {
    filter base;
    bool state;
} edge_filter;

static filter *edge_compile(filter_compiler *fc, const jv *spec)
{
    edge_filter *f = arena_calloc(fc->a, sizeof *f);
    f->base.type = &filter_type_lambda_edge;
    f->base.pos = fc->where;
    for (uint32_t i = 0; jv_is(spec, JV_OBJECT) && i < spec->len; i++) {
        const jv_member *m = &spec->u.members[i];
        if (!strcmp(m->key, "type")) continue;
        if (strcmp(m->key, "state") != 0) return opt_unknown(fc, m, "lambda-edge"), NULL;
        if (!opt_bool(fc, &m->val, m->key, &f->state)) return NULL;
    }
    return &f->base;
}

static bool edge_match(const filter *base, const jv *r, eval_ctx *ctx)
{
    const edge_filter *f = (const edge_filter *)base;
    if (f->state && ctx->region && strcmp(ctx->region, "us-east-1") != 0) return false;
    const jv *ids = jv_get(r, "c7n:DistributionIds");
    if (!ids) {
        filter_note_missing(ctx, "lambda-edge", "cloudfront.ListDistributions");
        return false;
    }
    bool edge = jv_is(ids, JV_ARRAY) && ids->len > 0;
    return edge == f->state;
}

typedef struct source_filter {
    filter base;
    value_filter *vf;
} source_filter;

static filter *source_compile(filter_compiler *fc, const jv *spec)
{
    source_filter *f = arena_calloc(fc->a, sizeof *f);
    f->base.type = &filter_type_event_source;
    f->base.pos = fc->where;
    /* Custodian replaces the key with its annotation. */
    jv vspec = iam_value_spec(fc, spec, NULL, "\"c7n:EventSources\"");
    f->vf = value_filter_compile(fc, &vspec, true);
    return f->vf ? &f->base : NULL;
}

static bool source_match(const filter *base, const jv *r, eval_ctx *ctx)
{
    const source_filter *f = (const source_filter *)base;
    const jv *pol = jv_get(r, "c7n:Policy");
    if (!pol) {
        filter_note_missing(ctx, "event-source", "lambda.GetPolicy");
        return false;
    }
    const jv *doc = iam_policy_doc(pol, ctx->scratch);
    if (!doc) return false;
    const jv *st = jv_get(doc, "Statement");
    jv_builder src;
    jvb_array(&src, ctx->scratch);
    for (uint32_t i = 0; jv_is(st, JV_ARRAY) && i < st->len; i++) {
        const jv *s = &st->u.items[i];
        if (!jv_str_eq(jv_get(s, "Effect"), "Allow")) continue;
        const jv *svc = jv_get(jv_get(s, "Principal"), "Service");
        if (!svc) continue;
        bool dup = false;
        for (uint32_t k = 0; k < src.v.len && !dup; k++)
            dup = jv_equal(&src.v.u.items[k], svc);
        if (!dup) jvb_push(&src, *svc);
    }
    jv_builder doc2;
    jvb_object(&doc2, ctx->scratch);
    if (src.v.len) jvb_set(&doc2, "c7n:EventSources", 16, jvb_done(&src));
    jv d = jvb_done(&doc2);
    return value_filter_match(f->vf, &d, ctx);
}

static const char *const lambda[] = {"aws.lambda", NULL};

const filter_type filter_type_lambda_edge = {"lambda-edge", lambda, edge_compile, edge_match};
const filter_type filter_type_event_source = {"event-source", lambda, source_compile, source_match};
