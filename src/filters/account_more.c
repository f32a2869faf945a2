/* account_more.c - account filters over account-wide calls, and `missing`.
 *
 * The inventory stores each account-wide answer on the aws.account
 * document (inventory/calls.c, ACCOUNT_CALLS); these are Custodian's
 * filters over them, each a value filter (its spec minus `type`):
 *   access-analyzer   any analyzer of ListAnalyzers matches;
 *   check-macie       GetMacieSession's answer plus the administrator
 *                     account (GetAdministratorAccount) under both
 *                     `administrator` and `master`; denied = {};
 *   organization      DescribeOrganization's Organization ({} when the
 *                     account is in none); any other error never matches;
 *   emr-block-public-access  GetBlockPublicAccessConfiguration's answer.
 * A call that was not collected is reported (needs.h), never read as
 * "nothing configured".
 *
 * missing: matches the account when the embedded policy ({resource,
 * filters}) finds no resource in the same account/region, Custodian's
 * Missing filter ("no trail", "no flow log", ...).
 */
#include <string.h>

#include "engine/scope.h"
#include "filters/iam_filters.h"
#include "filters/needs.h"
#include "resources/resource.h"

extern const filter_type filter_type_access_analyzer, filter_type_check_macie,
    filter_type_organization, filter_type_emr_bpa, filter_type_missing;

typedef struct acct_filter {
    filter base;
    value_filter *vf;
} acct_filter;

static filter *acct_compile(filter_compiler *fc, const jv *spec, const filter_type *ft)
{
    acct_filter *f = arena_calloc(fc->a, sizeof *f);
    f->base.type = ft;
    f->base.pos = fc->where;
    jv vspec = iam_value_spec(fc, spec, NULL, NULL);
    f->vf = value_filter_compile(fc, &vspec, true);
    return f->vf ? &f->base : NULL;
}

static const jv *need(const jv *r, const char *key, eval_ctx *ctx, const char *filter,
                      const char *call)
{
    const jv *v = jv_get(r, key);
    if (!v) filter_note_missing(ctx, filter, call);
    return v;
}

static filter *analyzer_compile(filter_compiler *fc, const jv *spec)
{
    return acct_compile(fc, spec, &filter_type_access_analyzer);
}

static bool analyzer_match(const filter *base, const jv *r, eval_ctx *ctx)
{
    const acct_filter *f = (const acct_filter *)base;
    const jv *list =
        need(r, "c7n:analyzers", ctx, "access-analyzer", "accessanalyzer.ListAnalyzers");
    for (uint32_t i = 0; jv_is(list, JV_ARRAY) && i < list->len; i++)
        if (value_filter_match(f->vf, &list->u.items[i], ctx)) return true;
    return false;
}

static filter *macie_compile(filter_compiler *fc, const jv *spec)
{
    return acct_compile(fc, spec, &filter_type_check_macie);
}

static bool macie_match(const filter *base, const jv *r, eval_ctx *ctx)
{
    const acct_filter *f = (const acct_filter *)base;
    const jv *session = need(r, "c7n:macie-session", ctx, "check-macie", "macie2.GetMacieSession");
    const jv *admin = jv_get(r, "c7n:macie-administrator");
    if (!session) return false;
    jv_builder b;
    jvb_object(&b, ctx->scratch);
    for (uint32_t i = 0; jv_is(session, JV_OBJECT) && i < session->len; i++)
        jvb_set(&b, session->u.members[i].key, session->u.members[i].klen,
                session->u.members[i].val);
    jv a = admin && jv_is(admin, JV_OBJECT) ? *admin : jv_object(ctx->scratch, 0);
    jvb_set(&b, "master", 6, a);
    jvb_set(&b, "administrator", 13, a);
    jv doc = jvb_done(&b);
    return value_filter_match(f->vf, &doc, ctx);
}

static filter *org_compile(filter_compiler *fc, const jv *spec)
{
    return acct_compile(fc, spec, &filter_type_organization);
}

static bool org_match(const filter *base, const jv *r, eval_ctx *ctx)
{
    const acct_filter *f = (const acct_filter *)base;
    const jv *org = need(r, "c7n:org", ctx, "organization", "organizations.DescribeOrganization");
    if (!org || jv_is(org, JV_NULL)) return false; /* not collected, or an error answer */
    return value_filter_match(f->vf, org, ctx);
}

static filter *emr_compile(filter_compiler *fc, const jv *spec)
{
    return acct_compile(fc, spec, &filter_type_emr_bpa);
}

static bool emr_match(const filter *base, const jv *r, eval_ctx *ctx)
{
    const acct_filter *f = (const acct_filter *)base;
    const jv *doc = need(r, "c7n:emr-block-public-access", ctx, "emr-block-public-access",
                         "emr.GetBlockPublicAccessConfiguration");
    if (!doc || jv_is(doc, JV_NULL)) return false;
    return value_filter_match(f->vf, doc, ctx);
}

/* ---- missing ---- */

typedef struct missing_filter {
    filter base;
    const resource_type *rt;
    filter *filters; /* NULL = any resource of rt */
} missing_filter;

static filter *missing_compile(filter_compiler *fc, const jv *spec)
{
    const jv *pol = jv_get(spec, "policy");
    const jv *res = jv_get(pol, "resource");
    if (!jv_is(pol, JV_OBJECT) || !jv_is(res, JV_STRING)) {
        fc_error(fc, pol ? pol : spec, "missing needs policy: {resource: TYPE, filters: [...]}");
        return NULL;
    }
    for (uint32_t i = 0; i < pol->len; i++) {
        const char *k = pol->u.members[i].key;
        if (strcmp(k, "resource") && strcmp(k, "filters") && strcmp(k, "name")) {
            fc_error(fc, &pol->u.members[i].val,
                     "missing: the embedded policy takes resource and filters only ('%s')", k);
            return NULL;
        }
    }
    missing_filter *f = arena_calloc(fc->a, sizeof *f);
    f->base.type = &filter_type_missing;
    f->base.pos = fc->where;
    f->rt = resource_type_find(res->u.str);
    if (!f->rt) {
        fc_error(fc, res, "missing: unknown resource type '%s'", res->u.str);
        return NULL;
    }
    const jv *filters = jv_get(pol, "filters");
    if (filters) {
        const struct resource_type *saved = fc->rtype;
        fc->rtype = f->rt;
        f->filters = filter_compile_list(fc, filters);
        fc->rtype = saved;
        if (!f->filters) return NULL;
    }
    return &f->base;
}

static bool missing_match(const filter *base, const jv *r, eval_ctx *ctx)
{
    (void)r;
    const missing_filter *f = (const missing_filter *)base;
    const resource_set *set = filter_need_set(ctx, "missing", f->rt->name);
    if (set->missing) return false; /* unknown, and reported: not "missing" */
    eval_ctx sub = *ctx;
    sub.rtype = f->rt;
    sub.related = set;
    sub.evidence = NULL;
    for (size_t i = 0; i < set->n; i++)
        if (!f->filters || filter_match(f->filters, &set->items[i], &sub)) return false;
    return true;
}

static const char *const acct[] = {"aws.account", NULL};

const filter_type filter_type_access_analyzer = {"access-analyzer", acct, analyzer_compile,
                                                 analyzer_match};
const filter_type filter_type_check_macie = {"check-macie", acct, macie_compile, macie_match};
const filter_type filter_type_organization = {"organization", acct, org_compile, org_match};
const filter_type filter_type_emr_bpa = {"emr-block-public-access", acct, emr_compile, emr_match};
const filter_type filter_type_missing = {"missing", acct, missing_compile, missing_match};
