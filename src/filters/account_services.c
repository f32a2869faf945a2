/* account_services.c - is a detection service on in the account's region:
 * Custodian's account filters guard-duty and securityhub.
 *
 *   guard-duty    Custodian's GuardDutyEnabled: every option whose key
 *                 starts with Detector or Administrator is a value filter
 *                 over {Detector: GetDetector's answer, Administrator:
 *                 GetAdministratorAccount's Administrator} of the region's
 *                 detector (the last of ListDetectors, as Custodian pops
 *                 it), `Detector.Status: ENABLED` being {key:
 *                 Detector.Status, value: ENABLED} and a mapping a value
 *                 filter with that key; all of them (match-operator and,
 *                 the default) or any (or).  With no detector the filters
 *                 see an empty document, so `Detector.Status: ENABLED` is
 *                 false and `not: [guard-duty ...]` finds the region.
 *                 Custodian raises on that case (its value filter reads
 *                 None); custos answers as the absent detector says.
 *   securityhub   enabled (default true): matches when Security Hub's
 *                 state (DescribeHub answered; InvalidAccessException is
 *                 "not enabled") equals enabled.  Any other error never
 *                 matches, as Custodian's raises.
 *   lakeformation-s3-cross-account
 *                 Custodian's LakeformationFilter: the S3 locations
 *                 registered with Lake Formation in the region (ListResources'
 *                 ResourceArn, its first page, as Custodian reads it; the
 *                 ARN's resource part, so "bucket/prefix" stays whole) that
 *                 are not buckets of the account (aws.s3 Name) match the
 *                 account, the names under c7n:lake-cross-account-s3 in the
 *                 evidence.  A failed ListResources never matches (Custodian
 *                 raises).  No options (Custodian's schema inherits the value
 *                 filter's and then ignores them: refused here, so nobody
 *                 relies on them).
 * Like every account-wide regional call, they are read in the account's
 * first region: aws.account is one document per account (inventory.c).
 * The inventory keys (inventory/calls.c): c7n:guard-duty (null
 * when ListDetectors failed), c7n:securityhub ({} when not enabled,
 * null on another error) and c7n:lakeformation-resources (null on error).  Absent keys were not
 * collected: reported, never read as "off" (needs.h).
 */
#include <string.h>

#include "filters/account_more.h"
#include "filters/filter_opts.h"
#include "filters/needs.h"
#include "resources/resource.h"

typedef struct multi_filter {
    filter base;
    value_filter **vf;
    size_t n;
    bool any;
} multi_filter;

static bool multi_key(const char *k)
{
    return !strncmp(k, "Detector", 8) || !strncmp(k, "Administrator", 13);
}

/* {KEY: "v"} -> {key: KEY, value: "v"}; {KEY: {op..}} -> {key: KEY, op..}. */
static value_filter *attr_filter(filter_compiler *fc, const jv_member *m)
{
    jv_builder b;
    jvb_object(&b, fc->a);
    jvb_set(&b, "key", 3, jv_str(fc->a, m->key, m->klen));
    if (jv_is(&m->val, JV_OBJECT)) {
        for (uint32_t i = 0; i < m->val.len; i++)
            if (strcmp(m->val.u.members[i].key, "key") != 0)
                jvb_set(&b, m->val.u.members[i].key, m->val.u.members[i].klen,
                        m->val.u.members[i].val);
    } else {
        jvb_set(&b, "value", 5, m->val);
    }
    jv spec = jvb_done(&b);
    return value_filter_compile(fc, &spec, true);
}

static filter *guard_compile(filter_compiler *fc, const jv *spec)
{
    multi_filter *f = arena_calloc(fc->a, sizeof *f);
    f->base.type = &filter_type_guard_duty;
    f->base.pos = fc->where;
    uint32_t len = jv_is(spec, JV_OBJECT) ? spec->len : 0;
    f->vf = arena_calloc(fc->a, (len ? len : 1) * sizeof *f->vf);
    for (uint32_t i = 0; i < len; i++) {
        const jv_member *m = &spec->u.members[i];
        if (!strcmp(m->key, "type")) continue;
        if (!strcmp(m->key, "match-operator")) {
            bool ok = jv_is(&m->val, JV_STRING) &&
                      (!strcmp(m->val.u.str, "and") || !strcmp(m->val.u.str, "or"));
            if (!ok) {
                fc_error(fc, m, "guard-duty: match-operator is and or or");
                return NULL;
            }
            f->any = !strcmp(m->val.u.str, "or");
            continue;
        }
        if (!multi_key(m->key) || !(jv_is(&m->val, JV_OBJECT) || jv_is(&m->val, JV_STRING))) {
            fc_error(fc, m,
                     "guard-duty: '%s' is not an option (Detector.* or Administrator.* keys, "
                     "each a string or a value filter; match-operator)",
                     m->key);
            return NULL;
        }
        if (!(f->vf[f->n++] = attr_filter(fc, m))) return NULL;
    }
    return &f->base;
}

static bool guard_match(const filter *base, const jv *r, eval_ctx *ctx)
{
    const multi_filter *f = (const multi_filter *)base;
    const jv *gd = jv_get(r, "c7n:guard-duty");
    if (!gd) {
        filter_note_missing(ctx, "guard-duty", "guardduty.ListDetectors");
        return false;
    }
    if (jv_is(gd, JV_NULL)) return false; /* ListDetectors failed */
    jv empty = jv_object(ctx->scratch, 0);
    const jv *doc = jv_is(gd, JV_OBJECT) ? gd : &empty;
    if (!f->n) return !f->any; /* Python's all([]) and any([]) */
    for (size_t i = 0; i < f->n; i++) {
        bool m = value_filter_match(f->vf[i], doc, ctx);
        if (f->any && m) return true;
        if (!f->any && !m) return false;
    }
    return !f->any;
}

typedef struct hub_filter {
    filter base;
    bool enabled;
} hub_filter;

static filter *hub_compile(filter_compiler *fc, const jv *spec)
{
    hub_filter *f = arena_calloc(fc->a, sizeof *f);
    f->base.type = &filter_type_securityhub;
    f->base.pos = fc->where;
    f->enabled = true;
    for (uint32_t i = 0; jv_is(spec, JV_OBJECT) && i < spec->len; i++) {
        const jv_member *m = &spec->u.members[i];
        bool ok = true;
        if (!strcmp(m->key, "type")) continue;
        if (!strcmp(m->key, "enabled"))
            ok = opt_bool(fc, &m->val, m->key, &f->enabled);
        else
            ok = opt_unknown(fc, m, "securityhub");
        if (!ok) return NULL;
    }
    return &f->base;
}

static bool hub_match(const filter *base, const jv *r, eval_ctx *ctx)
{
    const hub_filter *f = (const hub_filter *)base;
    const jv *hub = jv_get(r, "c7n:securityhub");
    if (!hub) {
        filter_note_missing(ctx, "securityhub", "securityhub.DescribeHub");
        return false;
    }
    if (!jv_is(hub, JV_OBJECT)) return false; /* an error other than "not enabled" */
    return f->enabled == (hub->len > 0);
}

static const char *const acct[] = {"aws.account", NULL};

const filter_type filter_type_guard_duty = {"guard-duty", acct, guard_compile, guard_match};
const filter_type filter_type_securityhub = {"securityhub", acct, hub_compile, hub_match};

/* ---- lakeformation-s3-cross-account ---- */

static filter *lake_compile(filter_compiler *fc, const jv *spec)
{
    filter *f = arena_calloc(fc->a, sizeof *f);
    f->type = &filter_type_lakeformation;
    f->pos = fc->where;
    for (uint32_t i = 0; jv_is(spec, JV_OBJECT) && i < spec->len; i++)
        if (strcmp(spec->u.members[i].key, "type") != 0) {
            fc_error(fc, &spec->u.members[i],
                     "lakeformation-s3-cross-account takes no options ('%s': Custodian accepts "
                     "value-filter keys here but ignores them)",
                     spec->u.members[i].key);
            return NULL;
        }
    fc->needs_related = true;
    return f;
}

/* Custodian's Arn.parse(arn).resource: after the fifth ':'; for services
 * other than s3 (and the few like it) after the first '/' or ':' of that. */
static const char *arn_resource(const char *arn)
{
    const char *p = arn, *service = NULL;
    for (int i = 0; i < 5; i++) {
        p = strchr(p, ':');
        if (!p) return NULL;
        p++;
        if (i == 1) service = p;
    }
    static const char *const whole[] = {"s3:", "apigateway:", "execute-api:", "emr-serverless:"};
    for (size_t i = 0; i < sizeof whole / sizeof *whole; i++)
        if (!strncmp(service, whole[i], strlen(whole[i]))) return p;
    const char *sep = strchr(p, '/');
    if (!sep) sep = strchr(p, ':');
    return sep ? sep + 1 : p;
}

static bool is_bucket(const resource_set *buckets, const char *name)
{
    for (size_t i = 0; i < buckets->n; i++)
        if (jv_str_eq(jv_get(&buckets->items[i], "Name"), name)) return true;
    return false;
}

static bool lake_match(const filter *base, const jv *r, eval_ctx *ctx)
{
    (void)base;
    const jv *list = jv_get(r, "c7n:lakeformation-resources");
    if (!list) {
        filter_note_missing(ctx, "lakeformation-s3-cross-account", "lakeformation.ListResources");
        return false;
    }
    if (!jv_is(list, JV_ARRAY)) return false; /* ListResources failed */
    const resource_set *buckets = filter_need_set(ctx, "lakeformation-s3-cross-account", "aws.s3");
    jv_builder b;
    jvb_array(&b, ctx->scratch);
    size_t n = 0;
    for (uint32_t i = 0; i < list->len; i++) {
        const jv *arn = jv_get(&list->u.items[i], "ResourceArn");
        const char *res = jv_is(arn, JV_STRING) ? arn_resource(arn->u.str) : NULL;
        if (!res || is_bucket(buckets, res)) continue;
        bool dup = false; /* a set in Custodian */
        for (uint32_t k = 0; k < b.v.len && !dup; k++)
            dup = jv_str_eq(&b.v.u.items[k], res);
        if (!dup) jvb_push(&b, jv_cstr(ctx->scratch, res)), n++;
    }
    if (!n) return false;
    if (ctx->evidence) {
        jv_builder e;
        jvb_object(&e, ctx->scratch);
        jvb_set(&e, "c7n:lake-cross-account-s3", 25, jvb_done(&b));
        *ctx->evidence = jvb_done(&e);
    }
    return true;
}

const filter_type filter_type_lakeformation = {"lakeformation-s3-cross-account", acct, lake_compile,
                                               lake_match};
