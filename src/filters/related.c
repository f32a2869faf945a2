/* related.c - the related-resource filters; see related.h.
 *
 * One table row per (filter, resource type): where the related ids are
 * (Custodian's RelatedIdsExpression, as JMESPath), which type they name,
 * and how they are read.  Several filter names share the code; each name
 * is one filter_type whose applies-list is the types with a row, so
 * `custos validate` rejects a name on a type Custodian does not give it.
 * Related sets are looked up by id through the set's index (O(1)); the
 * reverse kinds (a VPC's groups) scan the related set, which is small
 * next to the resources of one scope.
 */
#include "filters/related.h"

#include <string.h>

#include "inventory/scope.h"
#include "filters/filter_opts.h"
#include "filters/iam_filters.h"
#include "filters/needs.h"
#include "jmespath/jmespath.h"
#include "resources/resource.h"

typedef enum {
    IDS_PLAIN,     /* ids as the expression gives them */
    IDS_KMS,       /* key ARN / alias -> key id; key doc gets c7n:AliasName */
    IDS_TAIL,      /* ARN -> its part after the last '/' (lambda Role -> role name) */
    IDS_PROFILE,   /* instance profile ARN -> its role's name (aws.iam-profile) */
    IDS_REVERSE,   /* related resources whose rev expression names this resource's id */
    IDS_BY_ID,     /* RelatedResourceByIdFilter: every related resource naming the id */
    IDS_RT_SUBNET, /* a route table's subnets: explicit, plus (main table) its VPC's
                    * subnets no table names explicitly */
} ids_kind;

typedef struct related_def {
    const char *filter, *type, *related;
    const char *expr; /* on the resource */
    ids_kind kind;
    const char *rev; /* IDS_REVERSE / IDS_BY_ID: on the related resource */
} related_def;

static const related_def DEFS[] = {
    {"security-group", "aws.ec2", "aws.security-group", "NetworkInterfaces[].Groups[].GroupId",
     IDS_PLAIN, NULL},
    {"security-group", "aws.eni", "aws.security-group", "Groups[].GroupId", IDS_PLAIN, NULL},
    {"security-group", "aws.lambda", "aws.security-group", "VpcConfig.SecurityGroupIds[]",
     IDS_PLAIN, NULL},
    {"security-group", "aws.rds", "aws.security-group", "VpcSecurityGroups[].VpcSecurityGroupId",
     IDS_PLAIN, NULL},
    {"security-group", "aws.rds-proxy", "aws.security-group", "VpcSecurityGroupIds[]", IDS_PLAIN,
     NULL},
    {"security-group", "aws.vpc-endpoint", "aws.security-group", "Groups[].GroupId", IDS_PLAIN,
     NULL},
    {"security-group", "aws.app-elb", "aws.security-group", "SecurityGroups[]", IDS_PLAIN, NULL},
    {"security-group", "aws.elb", "aws.security-group", "SecurityGroups[]", IDS_PLAIN, NULL},
    {"security-group", "aws.vpc", "aws.security-group", "VpcId", IDS_REVERSE, "VpcId"},
    {"subnet", "aws.ec2", "aws.subnet", "NetworkInterfaces[].SubnetId", IDS_PLAIN, NULL},
    {"subnet", "aws.eni", "aws.subnet", "SubnetId", IDS_PLAIN, NULL},
    {"subnet", "aws.lambda", "aws.subnet", "VpcConfig.SubnetIds[]", IDS_PLAIN, NULL},
    {"subnet", "aws.rds", "aws.subnet", "DBSubnetGroup.Subnets[].SubnetIdentifier", IDS_PLAIN,
     NULL},
    {"subnet", "aws.rds-proxy", "aws.subnet", "VpcSubnetIds[]", IDS_PLAIN, NULL},
    {"subnet", "aws.route-table", "aws.subnet", "Associations[].SubnetId", IDS_RT_SUBNET, NULL},
    {"subnet", "aws.network-acl", "aws.subnet", "Associations[].SubnetId", IDS_PLAIN, NULL},
    {"subnet", "aws.vpc-endpoint", "aws.subnet", "SubnetIds[]", IDS_PLAIN, NULL},
    {"subnet", "aws.app-elb", "aws.subnet", "AvailabilityZones[].SubnetId", IDS_PLAIN, NULL},
    {"subnet", "aws.vpc", "aws.subnet", "VpcId", IDS_REVERSE, "VpcId"},
    {"vpc", "aws.ec2", "aws.vpc", "VpcId", IDS_PLAIN, NULL},
    {"vpc", "aws.eni", "aws.vpc", "VpcId", IDS_PLAIN, NULL},
    {"vpc", "aws.lambda", "aws.vpc", "VpcConfig.VpcId", IDS_PLAIN, NULL},
    {"vpc", "aws.rds", "aws.vpc", "DBSubnetGroup.VpcId", IDS_PLAIN, NULL},
    {"vpc", "aws.rds-proxy", "aws.vpc", "VpcId", IDS_PLAIN, NULL},
    {"vpc", "aws.subnet", "aws.vpc", "VpcId", IDS_PLAIN, NULL},
    {"vpc", "aws.route-table", "aws.vpc", "VpcId", IDS_PLAIN, NULL},
    {"vpc", "aws.vpc-endpoint", "aws.vpc", "VpcId", IDS_PLAIN, NULL},
    {"vpc", "aws.app-elb", "aws.vpc", "VpcId", IDS_PLAIN, NULL},
    {"kms-key", "aws.sqs", "aws.kms-key", "KmsMasterKeyId", IDS_KMS, NULL},
    {"kms-key", "aws.sns", "aws.kms-key", "KmsMasterKeyId", IDS_KMS, NULL},
    {"kms-key", "aws.lambda", "aws.kms-key", "KMSKeyArn", IDS_KMS, NULL},
    {"kms-key", "aws.ebs", "aws.kms-key", "KmsKeyId", IDS_KMS, NULL},
    {"kms-key", "aws.rds", "aws.kms-key", "KmsKeyId", IDS_KMS, NULL},
    {"kms-key", "aws.cloudtrail", "aws.kms-key", "KmsKeyId", IDS_KMS, NULL},
    {"iam-role", "aws.lambda", "aws.iam-role", "Role", IDS_TAIL, NULL},
    {"iam-role", "aws.ec2", "aws.iam-role", "IamInstanceProfile.Arn", IDS_PROFILE, NULL},
    {"instance", "aws.ebs", "aws.ec2", "Attachments[0].InstanceId", IDS_PLAIN, NULL},
    {"volume", "aws.ebs-snapshot", "aws.ebs", "VolumeId", IDS_PLAIN, NULL},
    {"image", "aws.ec2", "aws.ami", "ImageId", IDS_PLAIN, NULL},
    {"topic", "aws.rds-subscription", "aws.sns", "SnsTopicArn", IDS_PLAIN, NULL},
    {"topic", "aws.sns-subscription", "aws.sns", "TopicArn", IDS_PLAIN, NULL},
    {"internet-gateway", "aws.vpc", "aws.internet-gateway", "VpcId", IDS_REVERSE,
     "Attachments[].VpcId"},
    {"nat-gateway", "aws.vpc", "aws.nat-gateway", "VpcId", IDS_REVERSE, "VpcId"},
    {"vpc-endpoint", "aws.vpc", "aws.vpc-endpoint", "VpcId", IDS_BY_ID, "VpcId"},
    {"vpc-endpoint", "aws.subnet", "aws.vpc-endpoint", "SubnetId", IDS_BY_ID, "SubnetIds"},
};

#define NDEFS (sizeof DEFS / sizeof DEFS[0])

typedef struct related_filter {
    filter base;
    const related_def *def;
    const resource_type *rt; /* the related type */
    jp_node *ids, *rev;
    value_filter *vf;
    bool and_op;
    bool want_absent; /* value: absent */
} related_filter;

/* ---- ids ---- */

typedef struct idlist {
    const char *v[64];
    size_t n;
} idlist;

static void add_id(idlist *l, const char *s)
{
    if (!s || !*s || l->n == sizeof l->v / sizeof l->v[0]) return;
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->v[i], s) == 0) return; /* a set, as Custodian's */
    l->v[l->n++] = s;
}

/* Strings of v, flattening nested lists (projections of projections). */
static void collect_ids(const jv *v, idlist *l)
{
    if (jv_is(v, JV_STRING)) add_id(l, v->u.str);
    for (uint32_t i = 0; jv_is(v, JV_ARRAY) && i < v->len; i++)
        collect_ids(&v->u.items[i], l);
}

static void eval_ids(const jp_node *e, const jv *r, arena *a, idlist *l)
{
    jv out;
    jp_error err;
    if (jp_eval(e, r, a, &out, &err) == 0) collect_ids(&out, l);
}

static const char *after_last(const char *s, char c)
{
    const char *p = strrchr(s, c);
    return p ? p + 1 : s;
}

/* Custodian's KmsRelatedFilter.get_related_ids: key ARN -> key id, alias
 * ARN -> alias name, alias name -> the key it targets (AliasNames). */
static const char *kms_id(const char *rid, const resource_set *keys)
{
    if (strncmp(rid, "arn:", 4) == 0)
        rid = strstr(rid, "alias/") ? after_last(rid, ':') : after_last(rid, '/');
    if (strncmp(rid, "alias/", 6) != 0) return rid;
    for (size_t i = 0; i < keys->n; i++) {
        const jv *names = jv_get(&keys->items[i], "AliasNames");
        for (uint32_t k = 0; jv_is(names, JV_ARRAY) && k < names->len; k++)
            if (jv_str_eq(&names->u.items[k], rid)) return resource_id(keys->type, &keys->items[i]);
    }
    return rid;
}

static bool explicitly_associated(const resource_set *tables, const char *subnet)
{
    for (size_t i = 0; i < tables->n; i++) {
        const jv *as = jv_get(&tables->items[i], "Associations");
        for (uint32_t k = 0; jv_is(as, JV_ARRAY) && k < as->len; k++)
            if (jv_str_eq(jv_get(&as->u.items[k], "SubnetId"), subnet)) return true;
    }
    return false;
}

/* The main route table of a VPC serves every subnet of it that no table
 * is explicitly associated with (Custodian's SubnetRoute.get_related). */
static void implicit_subnets(const jv *rt, eval_ctx *ctx, const resource_set *subnets, idlist *out)
{
    const jv *as = jv_get(rt, "Associations");
    bool main_table = false;
    for (uint32_t k = 0; jv_is(as, JV_ARRAY) && k < as->len; k++)
        main_table |= jv_truthy(jv_get(&as->u.items[k], "Main"));
    const jv *vpc = jv_get(rt, "VpcId");
    if (!main_table || !jv_is(vpc, JV_STRING)) return;
    const resource_set *tables = filter_need_set(ctx, "subnet", "aws.route-table");
    for (size_t i = 0; i < subnets->n; i++) {
        const jv *sn = &subnets->items[i];
        const jv *id = jv_get(sn, "SubnetId");
        if (jv_equal(jv_get(sn, "VpcId"), vpc) && jv_is(id, JV_STRING) &&
            !explicitly_associated(tables, id->u.str))
            add_id(out, id->u.str);
    }
}

static void resource_ids(const related_filter *f, const jv *r, eval_ctx *ctx,
                         const resource_set *rel, idlist *out)
{
    idlist raw = {.n = 0};
    eval_ids(f->ids, r, ctx->scratch, &raw);
    for (size_t i = 0; i < raw.n; i++) {
        const char *id = raw.v[i];
        switch (f->def->kind) {
        case IDS_KMS:
            add_id(out, kms_id(id, rel));
            break;
        case IDS_TAIL:
            add_id(out, after_last(id, '/'));
            break;
        case IDS_PROFILE: {
            /* The profile by name, then its (only) role's name. */
            const resource_set *profiles = filter_need_set(ctx, f->def->filter, "aws.iam-profile");
            const jv *p = resource_set_find(profiles, after_last(id, '/'));
            const jv *roles = jv_get(p, "Roles");
            const jv *arn =
                jv_is(roles, JV_ARRAY) && roles->len ? jv_get(&roles->u.items[0], "Arn") : NULL;
            if (jv_is(arn, JV_STRING)) add_id(out, after_last(arn->u.str, '/'));
            break;
        }
        default:
            add_id(out, id);
        }
    }
    if (f->def->kind == IDS_RT_SUBNET) implicit_subnets(r, ctx, rel, out);
}

/* The document the value filter sees: kms keys get c7n:AliasName. */
static const jv *related_doc(const related_filter *f, const jv *robj, arena *a)
{
    if (f->def->kind != IDS_KMS) return robj;
    const jv *names = jv_get(robj, "AliasNames");
    jv alias = jv_is(names, JV_ARRAY) && names->len ? names->u.items[0] : jv_cstr(a, "");
    jv_builder b;
    jvb_object(&b, a);
    for (uint32_t i = 0; i < robj->len; i++)
        jvb_set(&b, robj->u.members[i].key, robj->u.members[i].klen, robj->u.members[i].val);
    jvb_set(&b, "c7n:AliasName", 13, alias);
    jv *out = arena_alloc(a, sizeof *out);
    *out = jvb_done(&b);
    return out;
}

static bool names_id(const related_filter *f, const jv *robj, const char *id, arena *a)
{
    idlist l = {.n = 0};
    eval_ids(f->rev, robj, a, &l);
    for (size_t i = 0; i < l.n; i++)
        if (strcmp(l.v[i], id) == 0) return true;
    return false;
}

static bool related_match(const filter *base, const jv *r, eval_ctx *ctx)
{
    const related_filter *f = (const related_filter *)base;
    const resource_set *rel = filter_need_set(ctx, f->def->filter, f->def->related);
    idlist ids = {.n = 0};
    size_t found = 0, wanted = 0;
    if (f->def->kind == IDS_REVERSE || f->def->kind == IDS_BY_ID) {
        idlist own = {.n = 0};
        eval_ids(f->ids, r, ctx->scratch, &own);
        for (size_t k = 0; k < own.n; k++) {
            if (f->def->kind == IDS_BY_ID) wanted++;
            for (size_t i = 0; i < rel->n; i++) {
                const jv *robj = &rel->items[i];
                if (!names_id(f, robj, own.v[k], ctx->scratch)) continue;
                if (f->def->kind == IDS_REVERSE) wanted++;
                if (value_filter_match(f->vf, robj, ctx)) found++;
            }
        }
    } else {
        resource_ids(f, r, ctx, rel, &ids);
        wanted = ids.n;
        for (size_t i = 0; i < ids.n; i++) {
            const jv *robj = resource_set_find(rel, ids.v[i]);
            if (!robj) {
                found += f->want_absent;
                continue;
            }
            if (value_filter_match(f->vf, related_doc(f, robj, ctx->scratch), ctx)) found++;
        }
    }
    return f->and_op ? found == wanted : found > 0;
}

size_t related_docs(eval_ctx *ctx, const char *filter_name, const jv *r, const jv **out, size_t max)
{
    const related_def *def = NULL;
    for (size_t i = 0; i < NDEFS && !def; i++)
        if (strcmp(DEFS[i].filter, filter_name) == 0 && ctx->rtype &&
            strcmp(DEFS[i].type, ctx->rtype->name) == 0 && DEFS[i].kind != IDS_REVERSE &&
            DEFS[i].kind != IDS_BY_ID)
            def = &DEFS[i];
    if (!def) return 0;
    jp_error err;
    related_filter f = {.def = def};
    f.ids = jp_compile(ctx->scratch, def->expr, strlen(def->expr), &err);
    if (!f.ids) return 0;
    const resource_set *rel = filter_need_set(ctx, filter_name, def->related);
    idlist ids = {.n = 0};
    resource_ids(&f, r, ctx, rel, &ids);
    size_t n = 0;
    for (size_t i = 0; i < ids.n && n < max; i++) {
        const jv *doc = resource_set_find(rel, ids.v[i]);
        if (doc) out[n++] = doc;
    }
    return n;
}

size_t related_iam_roles(eval_ctx *ctx, const jv *r, const jv **out, size_t max)
{
    return related_docs(ctx, "iam-role", r, out, max);
}

bool related_has(const char *filter_name, const char *type)
{
    for (size_t i = 0; i < NDEFS; i++)
        if (strcmp(DEFS[i].filter, filter_name) == 0 && strcmp(DEFS[i].type, type) == 0)
            return true;
    return false;
}

const jv *related_key_value(const jv *r, const char *key)
{
    if (strncmp(key, "tag:", 4) != 0) return jv_get(r, key);
    const jv *tags = jv_get(r, "Tags");
    for (uint32_t i = 0; jv_is(tags, JV_ARRAY) && i < tags->len; i++)
        if (jv_str_eq(jv_get(&tags->u.items[i], "Key"), key + 4))
            return jv_get(&tags->u.items[i], "Value");
    return NULL;
}

/* The value-filter part of a related filter's spec: everything but the
 * options that belong to the relation. */
static const char *const REL_OPTS[] = {"operator", NULL};

static filter *related_compile_for(filter_compiler *fc, const jv *spec, const filter_type *ft)
{
    const related_def *def = NULL;
    for (size_t i = 0; i < NDEFS && !def; i++)
        if (strcmp(DEFS[i].filter, ft->name) == 0 && fc->rtype &&
            strcmp(DEFS[i].type, fc->rtype->name) == 0)
            def = &DEFS[i];
    if (!def) {
        fc_error(fc, spec, "filter '%s' has no relation defined for this resource type", ft->name);
        return NULL;
    }
    const jv *mr = jv_get(spec, "match-resource");
    if (mr && jv_truthy(mr)) {
        fc_error(fc, mr,
                 "%s: match-resource is not supported; compare with a literal value instead",
                 ft->name);
        return NULL;
    }
    const jv *vt = jv_get(spec, "value_type");
    if (jv_str_eq(vt, "resource_count")) {
        fc_error(fc, vt,
                 "%s: value_type resource_count is not supported here; count related ids with "
                 "a value filter on the id list and value_type size instead",
                 ft->name);
        return NULL;
    }
    related_filter *f = arena_calloc(fc->a, sizeof *f);
    f->base.type = ft;
    f->base.pos = fc->where;
    f->def = def;
    f->rt = resource_type_find(def->related);
    const jv *op = jv_get(spec, "operator");
    if (op && !jv_str_eq(op, "and") && !jv_str_eq(op, "or")) {
        fc_error(fc, op, "%s: operator must be 'and' or 'or'", ft->name);
        return NULL;
    }
    f->and_op = jv_str_eq(op, "and");
    f->want_absent = jv_str_eq(jv_get(spec, "value"), "absent");
    jp_error err;
    f->ids = jp_compile(fc->a, def->expr, strlen(def->expr), &err);
    f->rev = def->rev ? jp_compile(fc->a, def->rev, strlen(def->rev), &err) : NULL;
    jv vspec = iam_value_spec(fc, spec, REL_OPTS, NULL);
    f->vf = value_filter_compile(fc, &vspec, true);
    fc->needs_related = true;
    return f->vf && f->ids ? &f->base : NULL;
}

/* The applies-lists, built from the table once: one static list per name
 * (the table is small and fixed, so the lists are written out). */
#define REL_TYPE(sym, nm, ...)                                                                     \
    static const char *const sym##_applies[] = {__VA_ARGS__, NULL};                                \
    static filter *sym##_compile(filter_compiler *fc, const jv *spec)                              \
    {                                                                                              \
        return related_compile_for(fc, spec, &filter_type_##sym);                                  \
    }                                                                                              \
    const filter_type filter_type_##sym = {nm, sym##_applies, sym##_compile, related_match};

REL_TYPE(rel_security_group, "security-group", "aws.ec2", "aws.eni", "aws.lambda", "aws.rds",
         "aws.rds-proxy", "aws.vpc-endpoint", "aws.app-elb", "aws.elb", "aws.vpc")
REL_TYPE(rel_subnet, "subnet", "aws.ec2", "aws.eni", "aws.lambda", "aws.rds", "aws.rds-proxy",
         "aws.route-table", "aws.network-acl", "aws.vpc-endpoint", "aws.app-elb", "aws.vpc")
REL_TYPE(rel_vpc, "vpc", "aws.ec2", "aws.eni", "aws.lambda", "aws.rds", "aws.rds-proxy",
         "aws.subnet", "aws.route-table", "aws.vpc-endpoint", "aws.app-elb")
REL_TYPE(rel_kms_key, "kms-key", "aws.sqs", "aws.sns", "aws.lambda", "aws.ebs", "aws.rds",
         "aws.cloudtrail")
REL_TYPE(rel_iam_role, "iam-role", "aws.lambda", "aws.ec2")
REL_TYPE(rel_instance, "instance", "aws.ebs")
REL_TYPE(rel_volume, "volume", "aws.ebs-snapshot")
REL_TYPE(rel_image, "image", "aws.ec2")
REL_TYPE(rel_topic, "topic", "aws.rds-subscription", "aws.sns-subscription")
REL_TYPE(rel_igw, "internet-gateway", "aws.vpc")
REL_TYPE(rel_nat, "nat-gateway", "aws.vpc")
REL_TYPE(rel_vpc_endpoint, "vpc-endpoint", "aws.vpc", "aws.subnet")

/* ---- kms-alias (Custodian's ResourceKmsKeyAlias) ---- */

typedef struct kms_alias_filter {
    filter base;
    value_filter *vf;
} kms_alias_filter;

static filter *kms_alias_compile(filter_compiler *fc, const jv *spec)
{
    kms_alias_filter *f = arena_calloc(fc->a, sizeof *f);
    f->base.type = &filter_type_kms_alias;
    f->base.pos = fc->where;
    jv vspec = iam_value_spec(fc, spec, NULL, NULL);
    f->vf = value_filter_compile(fc, &vspec, true);
    fc->needs_related = true;
    return f->vf ? &f->base : NULL;
}

/* The alias whose TargetKeyId is the resource's key (KmsKeyId's part after
 * "key/"); resources without KmsKeyId never match. */
static bool kms_alias_match(const filter *base, const jv *r, eval_ctx *ctx)
{
    const kms_alias_filter *f = (const kms_alias_filter *)base;
    const jv *kid = jv_get(r, "KmsKeyId");
    if (!jv_is(kid, JV_STRING) || !kid->len) return false;
    const char *k = strstr(kid->u.str, "key/");
    k = k ? k + 4 : kid->u.str;
    const resource_set *aliases = filter_need_set(ctx, "kms-alias", "aws.kms");
    const jv *hit = NULL;
    for (size_t i = 0; i < aliases->n; i++)
        if (jv_str_eq(jv_get(&aliases->items[i], "TargetKeyId"), k)) hit = &aliases->items[i];
    jv none = jv_null();
    return value_filter_match(f->vf, hit ? hit : &none, ctx);
}

static const char *const kms_alias_applies[] = {"aws.ebs", "aws.rds", NULL};
const filter_type filter_type_kms_alias = {"kms-alias", kms_alias_applies, kms_alias_compile,
                                           kms_alias_match};

/* ---- ebs on ec2 (Custodian's AttachedVolume) ---- */

typedef struct attached_ebs_filter {
    filter base;
    value_filter *vf;
    str_list skip;
    bool and_op;
} attached_ebs_filter;

static const char *const EBS_OPTS[] = {"operator", "skip-devices", NULL};

static filter *attached_ebs_compile(filter_compiler *fc, const jv *spec)
{
    attached_ebs_filter *f = arena_calloc(fc->a, sizeof *f);
    f->base.type = &filter_type_attached_ebs;
    f->base.pos = fc->where;
    const jv *op = jv_get(spec, "operator");
    f->and_op = jv_str_eq(op, "and");
    const jv *skip = jv_get(spec, "skip-devices");
    if (skip && !opt_str_list(fc, skip, "skip-devices", false, &f->skip)) return NULL;
    jv vspec = iam_value_spec(fc, spec, EBS_OPTS, NULL);
    f->vf = value_filter_compile(fc, &vspec, true);
    fc->needs_related = true;
    return f->vf ? &f->base : NULL;
}

/* Volumes whose first attachment is this instance, minus those attached
 * at a skipped device; any (or, with operator and, all) must match. */
static bool attached_ebs_match(const filter *base, const jv *r, eval_ctx *ctx)
{
    const attached_ebs_filter *f = (const attached_ebs_filter *)base;
    const jv *iid = jv_get(r, "InstanceId");
    if (!jv_is(iid, JV_STRING)) return false;
    const resource_set *vols = filter_need_set(ctx, "ebs", "aws.ebs");
    size_t attached = 0, kept = 0, hits = 0;
    for (size_t i = 0; i < vols->n; i++) {
        const jv *att = jv_get(&vols->items[i], "Attachments");
        if (!jv_is(att, JV_ARRAY) || !att->len) continue;
        if (!jv_equal(jv_get(&att->u.items[0], "InstanceId"), iid)) continue;
        attached++;
        bool skipped = false;
        for (uint32_t a = 0; a < att->len && !skipped; a++) {
            const jv *dev = jv_get(&att->u.items[a], "Device");
            skipped = jv_is(dev, JV_STRING) && str_list_has(&f->skip, dev->u.str);
        }
        if (skipped) continue;
        kept++;
        hits += value_filter_match(f->vf, &vols->items[i], ctx);
    }
    if (!attached) return false;
    return f->and_op ? hits == kept : hits > 0;
}

static const char *const attached_ebs_applies[] = {"aws.ec2", NULL};
const filter_type filter_type_attached_ebs = {"ebs", attached_ebs_applies, attached_ebs_compile,
                                              attached_ebs_match};
