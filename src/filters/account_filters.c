/* account_filters.c - check-cloudtrail over the scope's trails.
 *
 * Custodian narrows the trail list option by option and matches when
 * nothing is left.  custos checks each trail against the same requirements
 * in the same order, which gives the same verdict and also says, per
 * trail, which requirement it failed first: that is the evidence a
 * responder needs ("trail org-trail: not multi-region").
 */
#include "filters/account_filters.h"

#include <string.h>

#include "inventory/scope.h"
#include "filters/filter_opts.h"
#include "filters/needs.h"
#include "resources/resource.h"

enum {
    REQ_GLOBAL,
    REQ_CURRENT_REGION,
    REQ_KMS,
    REQ_KMS_KEY,
    REQ_DIGEST,
    REQ_MULTI,
    REQ_NOTIFIES,
    REQ_RUNNING,
    REQ_MGMT,
    N_REQ
};

/* Option names, in Custodian's order of narrowing. */
static const char *const REQ_NAMES[N_REQ] = {
    "global-events", "current-region", "kms",
    "kms-key",       "file-digest",    "multi-region",
    "notifies",      "running",        "include-management-events"};

typedef struct cloudtrail_filter {
    filter base;
    bool want[N_REQ];
    const char *kms_key;
} cloudtrail_filter;

static bool cloudtrail_option(filter_compiler *fc, cloudtrail_filter *f, const jv_member *m)
{
    if (strcmp(m->key, "log-metric-filter-pattern") == 0) {
        fc_error(fc, m,
                 "check-cloudtrail option '%s' is not supported: it needs CloudWatch Logs "
                 "metric filters and alarms the inventory does not hold; check the alarm "
                 "in CloudWatch",
                 m->key);
        return false;
    }
    if (strcmp(m->key, "kms-key") == 0) {
        if (!jv_is(&m->val, JV_STRING)) {
            fc_error(fc, &m->val, "kms-key must be a string");
            return false;
        }
        f->kms_key = arena_strndup(fc->a, m->val.u.str, m->val.len);
        f->want[REQ_KMS_KEY] = true;
        return true;
    }
    for (int i = 0; i < N_REQ; i++)
        if (i != REQ_KMS_KEY && strcmp(m->key, REQ_NAMES[i]) == 0)
            return opt_bool(fc, &m->val, m->key, &f->want[i]);
    return opt_unknown(fc, m, "check-cloudtrail");
}

static filter *cloudtrail_compile(filter_compiler *fc, const jv *spec)
{
    cloudtrail_filter *f = arena_calloc(fc->a, sizeof *f);
    f->base.type = &filter_type_check_cloudtrail;
    f->base.pos = fc->map ? srcmap_get(fc->map, spec) : fc->where;
    f->want[REQ_RUNNING] = true; /* Custodian: data.get('running', True) */
    for (uint32_t i = 0; jv_is(spec, JV_OBJECT) && i < spec->len; i++) {
        const jv_member *m = &spec->u.members[i];
        if (strcmp(m->key, "type") != 0 && !cloudtrail_option(fc, f, m)) return NULL;
    }
    return &f->base;
}

static bool truthy(const jv *t, const char *key)
{
    const jv *v = jv_get(t, key);
    return v && jv_truthy(v) && !(jv_is(v, JV_NUMBER) && v->u.num == 0);
}

static bool running(const jv *t)
{
    const jv *st = jv_get(t, "Status");
    return truthy(st, "IsLogging") && !truthy(st, "LatestDeliveryError");
}

/* Custodian's include-management-events: a basic selector with management
 * events for reads and writes, or an advanced one selecting the Management
 * category without a readOnly field selector.  The selectors are
 * GetEventSelectors' answer (inventory: c7n:TrailEventSelectors). */
static bool management_events(const jv *t)
{
    const jv *sel = jv_get(t, "c7n:TrailEventSelectors");
    const jv *basic = jv_get(sel, "EventSelectors");
    if (basic) {
        for (uint32_t i = 0; jv_is(basic, JV_ARRAY) && i < basic->len; i++)
            if (truthy(&basic->u.items[i], "IncludeManagementEvents") &&
                jv_str_eq(jv_get(&basic->u.items[i], "ReadWriteType"), "All"))
                return true;
        return false;
    }
    const jv *adv = jv_get(sel, "AdvancedEventSelectors");
    for (uint32_t i = 0; jv_is(adv, JV_ARRAY) && i < adv->len; i++) {
        const jv *fs = jv_get(&adv->u.items[i], "FieldSelectors");
        bool management = false, readonly = false;
        for (uint32_t k = 0; jv_is(fs, JV_ARRAY) && k < fs->len; k++) {
            const jv *field = jv_get(&fs->u.items[k], "Field");
            const jv *eq = jv_get(&fs->u.items[k], "Equals");
            if (jv_str_eq(field, "eventCategory")) {
                for (uint32_t e = 0; jv_is(eq, JV_ARRAY) && e < eq->len; e++)
                    management |= jv_str_eq(&eq->u.items[e], "Management");
            } else if (jv_str_eq(field, "readOnly")) {
                readonly = true;
            }
        }
        if (management && !readonly) return true;
    }
    return false;
}

static bool requirement_met(const cloudtrail_filter *f, int req, const jv *t, const char *region)
{
    switch (req) {
    case REQ_GLOBAL:
        return truthy(t, "IncludeGlobalServiceEvents");
    case REQ_CURRENT_REGION:
        return (region && jv_str_eq(jv_get(t, "HomeRegion"), region)) ||
               truthy(t, "IsMultiRegionTrail");
    case REQ_KMS:
        return truthy(t, "KmsKeyId");
    case REQ_KMS_KEY:
        return jv_str_eq(jv_get(t, "KmsKeyId"), f->kms_key);
    case REQ_DIGEST:
        return truthy(t, "LogFileValidationEnabled");
    case REQ_MULTI:
        return truthy(t, "IsMultiRegionTrail");
    case REQ_NOTIFIES:
        return truthy(t, "SnsTopicARN");
    case REQ_MGMT:
        return management_events(t);
    default:
        return running(t);
    }
}

/* The first requirement trail t misses, or NULL when it meets them all. */
static const char *first_failure(const cloudtrail_filter *f, const jv *t, const char *region)
{
    for (int i = 0; i < N_REQ; i++)
        if (f->want[i] && !requirement_met(f, i, t, region))
            return i == REQ_RUNNING && !jv_get(t, "Status") ? "running (status not collected)"
                   : i == REQ_MGMT && !jv_get(t, "c7n:TrailEventSelectors")
                       ? "include-management-events (event selectors not collected)"
                       : REQ_NAMES[i];
    return NULL;
}

static bool cloudtrail_match(const filter *base, const jv *r, eval_ctx *ctx)
{
    (void)r;
    const cloudtrail_filter *f = (const cloudtrail_filter *)base;
    const resource_set *trails = filter_need_set(ctx, "check-cloudtrail", "aws.cloudtrail");
    const char *region = ctx->scope ? scope_region(ctx->scope) : ctx->region;
    jv_builder fails;
    jvb_array(&fails, ctx->scratch);
    for (size_t i = 0; trails && i < trails->n; i++) {
        const jv *t = &trails->items[i];
        const char *why = first_failure(f, t, region);
        if (!why) return false; /* one good trail is enough */
        if (strstr(why, "not collected"))
            filter_note_missing(ctx, "check-cloudtrail",
                                strstr(why, "status") ? "cloudtrail.GetTrailStatus"
                                                      : "cloudtrail.GetEventSelectors");
        jv_builder one;
        jvb_object(&one, ctx->scratch);
        const jv *name = jv_get(t, "Name");
        jvb_set(&one, "Name", 4, name ? *name : jv_null());
        jvb_set(&one, "fails", 5, jv_cstr(ctx->scratch, why));
        jvb_push(&fails, jvb_done(&one));
    }
    if (ctx->evidence) {
        jv_builder b;
        jvb_object(&b, ctx->scratch);
        jvb_set(&b, "region", 6, region ? jv_cstr(ctx->scratch, region) : jv_null());
        jvb_set(&b, "trails", 6, jvb_done(&fails));
        *ctx->evidence = jvb_done(&b);
    }
    return true;
}

static const char *const account_only[] = {"aws.account", NULL};
const filter_type filter_type_check_cloudtrail = {"check-cloudtrail", account_only,
                                                  cloudtrail_compile, cloudtrail_match};
