/* volume_filters.c - stale (security groups) and modifyable (EBS).
 *
 *   stale       security-group: DescribeStaleSecurityGroups (per VPC)
 *               lists the group: a rule references a group or peering that
 *               no longer exists (c7n:stale, {} when not stale);
 *   modifyable  ebs (Custodian's ModifyableVolume): the volume can be
 *               modified in place: not `standard`, and either unattached or
 *               attached (first attachment) after 2016-11-01 to an instance
 *               of the account/region that is not of an older generation;
 *               and no modification is in progress or failed
 *               (DescribeVolumesModifications: modifying, optimizing,
 *               failed; c7n:volume-modifications).  An instance not in
 *               the inventory takes the volume out, as in Custodian;
 *   fault-tolerant  ebs: Trusted Advisor's EBS snapshot check does not flag
 *               the volume (tolerant: false, the flagged ones).
 */
#include "filters/volume_filters.h"

#include <string.h>

#include "filters/filter_opts.h"
#include "filters/needs.h"
#include "resources/resource.h"
#include "json/jv_date.h"
#include "util/date.h"

static filter *plain(filter_compiler *fc, const jv *spec, const filter_type *ft)
{
    for (uint32_t i = 0; jv_is(spec, JV_OBJECT) && i < spec->len; i++)
        if (strcmp(spec->u.members[i].key, "type") != 0)
            return opt_unknown(fc, &spec->u.members[i], ft->name), NULL;
    filter *f = arena_calloc(fc->a, sizeof *f);
    f->type = ft;
    f->pos = fc->where;
    return f;
}

static filter *stale_compile(filter_compiler *fc, const jv *spec)
{
    return plain(fc, spec, &filter_type_stale);
}

static bool stale_match(const filter *f, const jv *r, eval_ctx *ctx)
{
    (void)f;
    const jv *s = jv_get(r, "c7n:stale");
    if (!s) {
        if (jv_get(r, "VpcId"))
            filter_note_missing(ctx, "stale", "ec2.DescribeStaleSecurityGroups");
        return false;
    }
    return jv_is(s, JV_OBJECT) && s->len > 0;
}

static filter *modifyable_compile(filter_compiler *fc, const jv *spec)
{
    fc->needs_related = true;
    return plain(fc, spec, &filter_type_modifyable);
}

static bool older_generation(const jv *type)
{
    static const char *const old[] = {
        "m1.small",    "m1.medium",   "m1.large",   "m1.xlarge",  "c1.medium",   "c1.xlarge",
        "cc2.8xlarge", "m2.xlarge",   "m2.2xlarge", "m2.4xlarge", "cr1.8xlarge", "hi1.4xlarge",
        "hs1.8xlarge", "cg1.4xlarge", "t1.micro",   "m3.large",   "m3.xlarge",   "m3.2xlarge"};
    for (size_t i = 0; i < sizeof old / sizeof *old; i++)
        if (jv_str_eq(type, old[i])) return true;
    return false;
}

static bool modifyable_match(const filter *f, const jv *v, eval_ctx *ctx)
{
    (void)f;
    if (jv_str_eq(jv_get(v, "VolumeType"), "standard")) return false;
    const jv *att = jv_get(v, "Attachments");
    if (jv_is(att, JV_ARRAY) && att->len) {
        double when, marker;
        date_parse("2016-11-01T00:00:00+00:00", 25, &marker);
        const jv *a0 = &att->u.items[0];
        if (date_parse_jv(jv_get(a0, "AttachTime"), &when) && when < marker) return false;
        const jv *iid = jv_get(a0, "InstanceId");
        const resource_set *ec2 = filter_need_set(ctx, "modifyable", "aws.ec2");
        const jv *inst = jv_is(iid, JV_STRING) ? resource_set_find(ec2, iid->u.str) : NULL;
        if (!inst || older_generation(jv_get(inst, "InstanceType"))) return false;
    }
    const jv *mods = jv_get(v, "c7n:volume-modifications");
    if (!mods) {
        filter_note_missing(ctx, "modifyable", "ec2.DescribeVolumesModifications");
        return false;
    }
    for (uint32_t i = 0; jv_is(mods, JV_ARRAY) && i < mods->len; i++) {
        const jv *st = jv_get(&mods->u.items[i], "ModificationState");
        if (!st || jv_str_eq(st, "modifying") || jv_str_eq(st, "optimizing") ||
            jv_str_eq(st, "failed"))
            return false;
    }
    return true;
}

typedef struct tolerant_filter {
    filter base;
    bool tolerant;
} tolerant_filter;

static filter *tolerant_compile(filter_compiler *fc, const jv *spec)
{
    tolerant_filter *f = arena_calloc(fc->a, sizeof *f);
    f->base.type = &filter_type_fault_tolerant;
    f->base.pos = fc->where;
    f->tolerant = true;
    for (uint32_t i = 0; jv_is(spec, JV_OBJECT) && i < spec->len; i++) {
        const jv_member *m = &spec->u.members[i];
        if (!strcmp(m->key, "type")) continue;
        if (strcmp(m->key, "tolerant") != 0) return opt_unknown(fc, m, "fault-tolerant"), NULL;
        if (!opt_bool(fc, &m->val, m->key, &f->tolerant)) return NULL;
    }
    return &f->base;
}

static bool tolerant_match(const filter *base, const jv *v, eval_ctx *ctx)
{
    const tolerant_filter *f = (const tolerant_filter *)base;
    const jv *flag = jv_get(v, "c7n:ta-not-fault-tolerant");
    if (!flag) {
        filter_note_missing(ctx, "fault-tolerant",
                            "support.DescribeTrustedAdvisorCheckResult (H7IgTzjTYb)");
        return false;
    }
    return jv_truthy(flag) != f->tolerant;
}

static const char *const sg[] = {"aws.security-group", NULL};
static const char *const ebs[] = {"aws.ebs", NULL};

const filter_type filter_type_stale = {"stale", sg, stale_compile, stale_match};
const filter_type filter_type_fault_tolerant = {"fault-tolerant", ebs, tolerant_compile,
                                                tolerant_match};
const filter_type filter_type_modifyable = {"modifyable", ebs, modifyable_compile,
                                            modifyable_match};
