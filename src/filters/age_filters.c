/* age_filters.c - Custodian's age filters and small per-type predicates.
 *
 * Ages follow Custodian's AgeFilter: the threshold is now minus days
 * (+ hours, minutes), and `op` (default greater-than) compares the
 * THRESHOLD with the resource's date, so "greater-than" means "older
 * than": op(threshold, date).  A resource without a date never matches.
 *   instance-age  ec2: the earliest EBS AttachTime, else LaunchTime;
 *   state-age     ec2: the date in StateTransitionReason's "(...)";
 *   image-age     ec2: its AMI's CreationDate (an AMI not in the
 *                 inventory counts as 2000-01-01, as in Custodian);
 *   age           rds-snapshot: SnapshotCreateTime.
 * Predicates:
 *   default-vpc   ec2, rds, security-group: the resource's VPC is the
 *                 account/region's default VPC (aws.vpc IsDefault);
 *   singleton     ec2 in running/stopped/pending/stopping, not in an
 *                 auto scaling group (tag aws:autoscaling:groupName) and
 *                 without a CloudWatch alarm whose action is EC2 recover
 *                 (monitoring.DescribeAlarmsForMetric per instance, stored
 *                 by the inventory under c7n:recover-alarms);
 *   is-shadow     cloudtrail: an organisation trail of another account or
 *                 a multi-region trail whose home region is elsewhere,
 *                 compared with `state` (default true);
 *   route         route-table: a value filter over each of Routes; any;
 *   latest        rds-snapshot: the newest snapshot of its DB instance
 *                 (manual ones only with automatic: false).
 */
#include "filters/age_filters.h"

#include <math.h>
#include <string.h>

#include "inventory/scope.h"
#include "filters/filter_opts.h"
#include "filters/iam_filters.h"
#include "filters/needs.h"
#include "resources/resource.h"
#include "json/jv_date.h"
#include "util/date.h"

/* ---- ages ---- */

enum { A_GT, A_GE, A_LT, A_LE, A_EQ, A_NE };
static const char *const AOPS[][3] = {
    {"gt", "greater-than", ""}, {"ge", "gte", ""},     {"lt", "less-than", ""},
    {"le", "lte", ""},          {"eq", "equal", "eq"}, {"ne", "not-equal", ""},
};

typedef struct age_filter {
    filter base;
    double secs; /* days, hours and minutes, in seconds */
    int op;
} age_filter;

static filter *age_compile(filter_compiler *fc, const jv *spec, const filter_type *ft)
{
    age_filter *f = arena_calloc(fc->a, sizeof *f);
    f->base.type = ft;
    f->base.pos = fc->where;
    for (uint32_t i = 0; jv_is(spec, JV_OBJECT) && i < spec->len; i++) {
        const jv_member *m = &spec->u.members[i];
        double mult = !strcmp(m->key, "days")      ? 86400
                      : !strcmp(m->key, "hours")   ? 3600
                      : !strcmp(m->key, "minutes") ? 60
                                                   : 0;
        if (mult > 0) {
            if (!jv_is(&m->val, JV_NUMBER)) {
                fc_error(fc, &m->val, "%s: %s must be a number", ft->name, m->key);
                return NULL;
            }
            f->secs += m->val.u.num * mult;
        } else if (!strcmp(m->key, "op")) {
            int op = -1;
            for (int k = 0; k < 6 && op < 0; k++)
                if (jv_str_eq(&m->val, AOPS[k][0]) || jv_str_eq(&m->val, AOPS[k][1])) op = k;
            if (op < 0) {
                fc_error(fc, &m->val, "%s: op must be one of gt, ge, lt, le, eq, ne", ft->name);
                return NULL;
            }
            f->op = op;
        } else if (strcmp(m->key, "type") != 0) {
            opt_unknown(fc, m, ft->name);
            return NULL;
        }
    }
    return &f->base;
}

static bool age_test(const age_filter *f, double when, const eval_ctx *ctx)
{
    double th = (double)ctx->now - f->secs;
    switch (f->op) {
    case A_GT:
        return th > when;
    case A_GE:
        return th >= when;
    case A_LT:
        return th < when;
    case A_LE:
        return th <= when;
    case A_EQ:
        return th == when;
    default:
        return th != when;
    }
}

static bool date_of(const jv *v, double *out)
{
    return v && date_parse_jv(v, out);
}

static bool instance_age_match(const filter *base, const jv *r, eval_ctx *ctx)
{
    double when = 0, best = 0;
    bool have = false;
    const jv *bdm = jv_get(r, "BlockDeviceMappings");
    for (uint32_t i = 0; jv_is(bdm, JV_ARRAY) && i < bdm->len; i++) {
        double t;
        if (date_of(jv_get(jv_get(&bdm->u.items[i], "Ebs"), "AttachTime"), &t) &&
            (!have || t < best))
            best = t, have = true;
    }
    if (have)
        when = best;
    else if (!date_of(jv_get(r, "LaunchTime"), &when))
        return false;
    return age_test((const age_filter *)base, when, ctx);
}

static bool state_age_match(const filter *base, const jv *r, eval_ctx *ctx)
{
    const jv *v = jv_get(r, "StateTransitionReason");
    if (!jv_is(v, JV_STRING)) return false;
    const char *open = strchr(v->u.str, '('), *close = open ? strchr(open, ')') : NULL;
    double when;
    if (!close || !date_parse(open + 1, (size_t)(close - open - 1), &when)) return false;
    return age_test((const age_filter *)base, when, ctx);
}

static bool image_age_match(const filter *base, const jv *r, eval_ctx *ctx)
{
    const resource_set *amis = filter_need_set(ctx, "image-age", "aws.ami");
    const jv *id = jv_get(r, "ImageId");
    const jv *img = jv_is(id, JV_STRING) ? resource_set_find(amis, id->u.str) : NULL;
    double when;
    if (!img || !date_of(jv_get(img, "CreationDate"), &when))
        date_parse("2000-01-01T01:01:01.000Z", 24, &when);
    return age_test((const age_filter *)base, when, ctx);
}

static bool snapshot_age_match(const filter *base, const jv *r, eval_ctx *ctx)
{
    double when;
    if (!date_of(jv_get(r, "SnapshotCreateTime"), &when)) return false;
    return age_test((const age_filter *)base, when, ctx);
}

#define AGE_TYPE(sym, nm, matchfn, ...)                                                            \
    static const char *const sym##_applies[] = {__VA_ARGS__, NULL};                                \
    static filter *sym##_compile(filter_compiler *fc, const jv *spec)                              \
    {                                                                                              \
        if (!strcmp(nm, "image-age")) fc->needs_related = true;                                    \
        return age_compile(fc, spec, &filter_type_##sym);                                          \
    }                                                                                              \
    const filter_type filter_type_##sym = {nm, sym##_applies, sym##_compile, matchfn};

AGE_TYPE(instance_age, "instance-age", instance_age_match, "aws.ec2")
AGE_TYPE(state_age, "state-age", state_age_match, "aws.ec2")
AGE_TYPE(image_age, "image-age", image_age_match, "aws.ec2")
AGE_TYPE(rds_snapshot_age, "age", snapshot_age_match, "aws.rds-snapshot")

/* ---- options-free predicates ---- */

static filter *plain_compile(filter_compiler *fc, const jv *spec, const filter_type *ft,
                             const char *const *allowed)
{
    for (uint32_t i = 0; jv_is(spec, JV_OBJECT) && i < spec->len; i++) {
        const jv_member *m = &spec->u.members[i];
        bool ok = !strcmp(m->key, "type");
        for (const char *const *a = allowed; a && *a && !ok; a++)
            ok = !strcmp(m->key, *a);
        if (!ok) {
            opt_unknown(fc, m, ft->name);
            return NULL;
        }
    }
    filter *f = arena_calloc(fc->a, sizeof *f);
    f->type = ft;
    f->pos = fc->where;
    return f;
}

static filter *default_vpc_compile(filter_compiler *fc, const jv *spec)
{
    fc->needs_related = true;
    return plain_compile(fc, spec, &filter_type_default_vpc, NULL);
}

static bool default_vpc_match(const filter *f, const jv *r, eval_ctx *ctx)
{
    (void)f;
    bool rds = ctx->rtype && strcmp(ctx->rtype->name, "aws.rds") == 0;
    const jv *vpc = rds ? jv_get(jv_get(r, "DBSubnetGroup"), "VpcId") : jv_get(r, "VpcId");
    if (!jv_is(vpc, JV_STRING) || !vpc->len) return false;
    const resource_set *vpcs = filter_need_set(ctx, "default-vpc", "aws.vpc");
    const jv *v = resource_set_find(vpcs, vpc->u.str);
    return v && jv_get(v, "IsDefault") && jv_get(v, "IsDefault")->kind == JV_TRUE;
}

static filter *singleton_compile(filter_compiler *fc, const jv *spec)
{
    return plain_compile(fc, spec, &filter_type_singleton, NULL);
}

static bool in_asg(const jv *r)
{
    const jv *tags = jv_get(r, "Tags");
    for (uint32_t i = 0; jv_is(tags, JV_ARRAY) && i < tags->len; i++)
        if (jv_str_eq(jv_get(&tags->u.items[i], "Key"), "aws:autoscaling:groupName"))
            return jv_truthy(jv_get(&tags->u.items[i], "Value"));
    return false;
}

static bool singleton_match(const filter *f, const jv *r, eval_ctx *ctx)
{
    (void)f;
    const jv *st = jv_get(jv_get(r, "State"), "Name");
    if (!jv_str_eq(st, "running") && !jv_str_eq(st, "stopped") && !jv_str_eq(st, "pending") &&
        !jv_str_eq(st, "stopping"))
        return false;
    if (in_asg(r)) return false;
    const jv *alarms = jv_get(r, "c7n:recover-alarms");
    if (!alarms) {
        filter_note_missing(ctx, "singleton", "monitoring.DescribeAlarmsForMetric");
        return false;
    }
    const jv *ma = jv_get(alarms, "MetricAlarms");
    for (uint32_t i = 0; jv_is(ma, JV_ARRAY) && i < ma->len; i++) {
        const jv *acts = jv_get(&ma->u.items[i], "AlarmActions");
        for (uint32_t k = 0; jv_is(acts, JV_ARRAY) && k < acts->len; k++) {
            const jv *a = &acts->u.items[k];
            if (jv_is(a, JV_STRING) && strncmp(a->u.str, "arn:aws:automate:", 17) == 0 &&
                a->len >= 12 && strcmp(a->u.str + a->len - 12, ":ec2:recover") == 0)
                return false;
        }
    }
    return true;
}

typedef struct state_filter {
    filter base;
    bool state;
} state_filter;

static const char *const STATE_OPT[] = {"state", NULL};

static filter *is_shadow_compile(filter_compiler *fc, const jv *spec)
{
    if (!plain_compile(fc, spec, &filter_type_is_shadow, STATE_OPT)) return NULL;
    state_filter *f = arena_calloc(fc->a, sizeof *f);
    f->base.type = &filter_type_is_shadow;
    f->base.pos = fc->where;
    f->state = true;
    const jv *s = jv_get(spec, "state");
    if (s && !opt_bool(fc, s, "state", &f->state)) return NULL;
    return &f->base;
}

static bool is_shadow_match(const filter *base, const jv *r, eval_ctx *ctx)
{
    const state_filter *f = (const state_filter *)base;
    bool shadow = false;
    const jv *arn = jv_get(r, "TrailARN");
    if (jv_truthy(jv_get(r, "IsOrganizationTrail")) && ctx->account_id && jv_is(arn, JV_STRING) &&
        !strstr(arn->u.str, ctx->account_id))
        shadow = true;
    const jv *home = jv_get(r, "HomeRegion");
    if (jv_truthy(jv_get(r, "IsMultiRegionTrail")) &&
        !(jv_is(home, JV_STRING) && ctx->region && strcmp(home->u.str, ctx->region) == 0))
        shadow = true;
    return shadow == f->state;
}

/* ---- route ---- */

typedef struct route_filter {
    filter base;
    value_filter *vf;
} route_filter;

static filter *route_compile(filter_compiler *fc, const jv *spec)
{
    route_filter *f = arena_calloc(fc->a, sizeof *f);
    f->base.type = &filter_type_route;
    f->base.pos = fc->where;
    jv vspec = iam_value_spec(fc, spec, NULL, NULL);
    f->vf = value_filter_compile(fc, &vspec, true);
    return f->vf ? &f->base : NULL;
}

static bool route_match(const filter *base, const jv *r, eval_ctx *ctx)
{
    const route_filter *f = (const route_filter *)base;
    const jv *routes = jv_get(r, "Routes");
    for (uint32_t i = 0; jv_is(routes, JV_ARRAY) && i < routes->len; i++)
        if (value_filter_match(f->vf, &routes->u.items[i], ctx)) return true;
    return false;
}

/* ---- latest ---- */

typedef struct latest_filter {
    filter base;
    bool automatic;
} latest_filter;

static const char *const LATEST_OPT[] = {"automatic", NULL};

static filter *latest_compile(filter_compiler *fc, const jv *spec)
{
    if (!plain_compile(fc, spec, &filter_type_latest, LATEST_OPT)) return NULL;
    latest_filter *f = arena_calloc(fc->a, sizeof *f);
    f->base.type = &filter_type_latest;
    f->base.pos = fc->where;
    f->automatic = true;
    const jv *a = jv_get(spec, "automatic");
    if (a && !opt_bool(fc, a, "automatic", &f->automatic)) return NULL;
    fc->needs_related = true;
    return &f->base;
}

static bool latest_match(const filter *base, const jv *r, eval_ctx *ctx)
{
    const latest_filter *f = (const latest_filter *)base;
    if (!f->automatic && !jv_str_eq(jv_get(r, "SnapshotType"), "manual")) return false;
    const jv *db = jv_get(r, "DBInstanceIdentifier");
    double mine;
    if (!date_of(jv_get(r, "SnapshotCreateTime"), &mine)) return false;
    const resource_set *all = ctx->related;
    for (size_t i = 0; all && i < all->n; i++) {
        const jv *o = &all->items[i];
        if (o == r || !jv_equal(jv_get(o, "DBInstanceIdentifier"), db)) continue;
        if (!f->automatic && !jv_str_eq(jv_get(o, "SnapshotType"), "manual")) continue;
        double t;
        if (date_of(jv_get(o, "SnapshotCreateTime"), &t) && t > mine) return false;
    }
    return true;
}

static const char *const dvpc_applies[] = {"aws.ec2", "aws.rds", "aws.security-group", NULL};
static const char *const ec2_only[] = {"aws.ec2", NULL};
static const char *const trail_only[] = {"aws.cloudtrail", NULL};
static const char *const rt_only[] = {"aws.route-table", NULL};
static const char *const rds_snap_only[] = {"aws.rds-snapshot", NULL};

const filter_type filter_type_default_vpc = {"default-vpc", dvpc_applies, default_vpc_compile,
                                             default_vpc_match};
const filter_type filter_type_singleton = {"singleton", ec2_only, singleton_compile,
                                           singleton_match};
const filter_type filter_type_is_shadow = {"is-shadow", trail_only, is_shadow_compile,
                                           is_shadow_match};
const filter_type filter_type_route = {"route", rt_only, route_compile, route_match};
const filter_type filter_type_latest = {"latest", rds_snap_only, latest_compile, latest_match};
