/* az_balance.c - `az-imbalance`; see az_balance.h.
 *
 * Why a skew and not "every zone equal": auto scaling spreads instances as
 * evenly as it can, so an odd count over two zones is always off by one;
 * what hurts is a zone outage taking most of the capacity, which shows as
 * a difference of more than max-skew.  Zone lists are a handful of
 * entries, so counting is a linear match against the configured zones.
 */
#include "filters/az_balance.h"

#include <string.h>

#include "inventory/scope.h"
#include "filters/filter_opts.h"
#include "resources/resource.h"

typedef struct az_filter {
    filter base;
    long max_skew;
} az_filter;

static filter *az_compile(filter_compiler *fc, const jv *spec)
{
    if (!jv_is(spec, JV_OBJECT)) {
        fc_error(fc, spec, "az-imbalance filter must be a mapping");
        return NULL;
    }
    az_filter *f = arena_calloc(fc->a, sizeof *f);
    f->max_skew = 1;
    bool ok = true;
    for (uint32_t i = 0; i < spec->len; i++) {
        const jv_member *m = &spec->u.members[i];
        if (strcmp(m->key, "type") == 0) continue;
        if (strcmp(m->key, "max-skew") != 0) {
            ok = opt_unknown(fc, m, "az-imbalance");
            continue;
        }
        const jv *v = &m->val;
        if (!jv_is(v, JV_NUMBER) || !(v->flags & JVF_INT) || v->u.num < 0 || v->u.num > 1e6) {
            fc_error(fc, v, "max-skew must be a non-negative integer");
            ok = false;
            continue;
        }
        f->max_skew = (long)v->u.num;
    }
    return ok ? &f->base : NULL;
}

/* The zone an instance of the group is in, or NULL when unknown. */
static const jv *instance_zone(const jv *inst, bool is_asg, const resource_set *ec2)
{
    if (is_asg) return jv_get(inst, "AvailabilityZone");
    const jv *id = jv_get(inst, "InstanceId");
    if (!ec2 || !jv_is(id, JV_STRING)) return NULL;
    const jv *doc = resource_set_find(ec2, id->u.str);
    return doc ? jv_get(jv_get(doc, "Placement"), "AvailabilityZone") : NULL;
}

static bool az_match(const filter *base, const jv *r, eval_ctx *ctx)
{
    const az_filter *f = (const az_filter *)base;
    const jv *zones = jv_get(r, "AvailabilityZones"), *insts = jv_get(r, "Instances");
    if (!jv_is(zones, JV_ARRAY) || zones->len < 2 || !jv_is(insts, JV_ARRAY)) return false;
    bool is_asg = ctx->rtype && strcmp(ctx->rtype->name, "aws.asg") == 0;
    if (!ctx->rtype) is_asg = jv_get(r, "AutoScalingGroupName") != NULL;
    const resource_set *ec2 = !is_asg && ctx->scope ? scope_set_named(ctx->scope, "aws.ec2") : NULL;
    long *count = arena_calloc(ctx->scratch, zones->len * sizeof *count);
    long total = 0;
    for (uint32_t i = 0; i < insts->len; i++) {
        const jv *z = instance_zone(&insts->u.items[i], is_asg, ec2);
        for (uint32_t k = 0; jv_is(z, JV_STRING) && k < zones->len; k++)
            if (jv_equal(z, &zones->u.items[k])) {
                count[k]++;
                total++;
                break;
            }
    }
    long lo = count[0], hi = count[0];
    for (uint32_t k = 1; k < zones->len; k++) {
        if (count[k] < lo) lo = count[k];
        if (count[k] > hi) hi = count[k];
    }
    if (total < 2 || hi - lo <= f->max_skew) return false;
    if (ctx->evidence) {
        jv_builder counts, ev;
        jvb_object(&counts, ctx->scratch);
        for (uint32_t k = 0; k < zones->len; k++)
            if (jv_is(&zones->u.items[k], JV_STRING))
                jvb_set(&counts, zones->u.items[k].u.str, zones->u.items[k].len, jv_int(count[k]));
        jvb_object(&ev, ctx->scratch);
        jvb_set(&ev, "AvailabilityZone counts", 23, jvb_done(&counts));
        *ctx->evidence = jvb_done(&ev);
    }
    return true;
}

static const char *const az_applies[] = {"aws.asg", "aws.elb", NULL};

const filter_type filter_type_az_imbalance = {"az-imbalance", az_applies, az_compile, az_match};
