/* cross_account.c - the cross-account filter for policies and snapshots.
 *
 * One registry entry serves every resource type Custodian gives a
 * cross-account filter that custos has data for; the kind is fixed at
 * compile time from the policy's resource type, so matching is a single
 * switch.  Policy documents go through iam_policy.c (Custodian's
 * PolicyChecker); snapshot sharing is a plain set difference, as in
 * Custodian's SnapshotCrossAccountAccess.
 */
#include "filters/cross_account.h"

#include <string.h>

#include "inventory/scope.h"
#include "filters/filter_opts.h"
#include "filters/iam_policy.h"
#include "resources/resource.h"

/* AWS-owned accounts that deliver logs into customer buckets (ELB access
 * logs, Redshift audit logs, CloudTrail), trusted by Custodian's S3 filter.
 * Source: the AWS documentation pages for each service's log delivery. */
static const char *const s3_service_accounts[] = {
    /* Elastic Load Balancing */
    "127311923021", "033677994240", "027434742980", "797873946194", "098369216593", "985666609251",
    "054676820928", "897822967062", "635631232127", "156460612806", "652711504416", "009996457667",
    "754344448648", "582318560864", "600734575887", "383597477331", "114774131450", "783225319266",
    "718504428378", "076674570225", "507241528517", "048591011584", "190560391635", "638102146993",
    "037604701340",
    /* Redshift audit logging */
    "193672423079", "391106570357", "262260360010", "902366379725", "365689465814", "313564881002",
    "865932855811", "090321488786", "760740231472", "361669875840", "762762565011", "404641285394",
    "907379612154", "053454850223", "210876761215", "307160386991", "945612479654", "915173422425",
    "729911121831", "013126148197", "075028567923",
    /* CloudTrail */
    "086441151436", "475085895292", "388731089494", "113285607260", "819402241893", "977081816279",
    "492519147666", "903692715234", "284668455005", "216624486486", "035351147821", "859597730677",
    "282025262664", "814480443879"};
#define N_S3_SERVICE (sizeof s3_service_accounts / sizeof s3_service_accounts[0])

/* XA_POLICY: a resource policy under policy_key (SNS, SQS, ECR, VPC
 * endpoints, KMS keys' default policy, Lambda functions' c7n:Policy from
 * GetPolicy: Custodian's CrossAccountAccessFilter with its
 * policy_attribute); XA_PEERING: the owners of both sides of a VPC
 * peering connection (Custodian's CrossAccountPeer). */
typedef enum { XA_BUCKET, XA_ROLE, XA_SNAPSHOT, XA_RDS_SNAPSHOT, XA_POLICY, XA_PEERING } xa_kind;

static bool is_snapshot(xa_kind k)
{
    return k == XA_SNAPSHOT || k == XA_RDS_SNAPSHOT || k == XA_PEERING;
}

typedef struct cross_account_filter {
    filter base;
    xa_kind kind;
    const char *policy_key; /* XA_POLICY */
    iam_checker checker;    /* allowed_accounts lacks the scan's own account */
} cross_account_filter;

/* A *_from option: Custodian's value_from, loaded now; strings (and
 * integers, written in decimal) become list entries. */
static bool compile_from_list(filter_compiler *fc, const jv *spec, str_list *out)
{
    jv got;
    if (!load_value_from(fc, spec, &got)) return false;
    uint32_t n = jv_is(&got, JV_ARRAY) ? got.len : 1;
    out->items = arena_alloc(fc->a, (n + 1) * sizeof(char *));
    out->n = 0;
    for (uint32_t i = 0; i < n; i++) {
        const jv *v = jv_is(&got, JV_ARRAY) ? &got.u.items[i] : &got;
        if (jv_is(v, JV_STRING))
            out->items[out->n++] = arena_strndup(fc->a, v->u.str, v->len);
        else if (jv_is(v, JV_NUMBER) && (v->flags & JVF_INT))
            out->items[out->n++] = arena_sprintf(fc->a, "%lld", (long long)v->u.num);
    }
    return true;
}

/* whitelist_X and whitelist_X_from both add to the same list.  Returns
 * false when m is not this option. */
static bool allow_list_option(filter_compiler *fc, const jv_member *m, const char *base,
                              str_list *dst)
{
    size_t bl = strlen(base);
    if (strncmp(m->key, base, bl) != 0) return false;
    str_list add = {0};
    bool ok = false;
    if (m->key[bl] == 0)
        ok = opt_str_list(fc, &m->val, m->key, false, &add);
    else if (strcmp(m->key + bl, "_from") == 0)
        ok = compile_from_list(fc, &m->val, &add);
    else
        return false;
    if (ok) str_list_extend(fc->a, dst, &add);
    return true;
}

/* Options only meaningful for policy documents. */
static bool policy_option(filter_compiler *fc, iam_checker *c, const jv_member *m, bool *ok)
{
    const char *k = m->key;
    size_t before = fc->diags->n;
    if (allow_list_option(fc, m, "whitelist_orgids", &c->allowed_orgid) ||
        allow_list_option(fc, m, "whitelist_vpce", &c->allowed_vpce) ||
        allow_list_option(fc, m, "whitelist_vpc", &c->allowed_vpc)) {
        *ok = fc->diags->n == before;
        return true;
    }
    if (strcmp(k, "whitelist_conditions") == 0)
        *ok = opt_str_list(fc, &m->val, k, true, &c->whitelist_conditions);
    else if (strcmp(k, "actions") == 0)
        *ok = opt_str_list(fc, &m->val, k, false, &c->check_actions);
    else if (strcmp(k, "everyone_only") == 0)
        *ok = opt_bool(fc, &m->val, k, &c->everyone_only);
    else if (strcmp(k, "return_allowed") == 0)
        *ok = opt_bool(fc, &m->val, k, &c->return_allowed);
    else
        return false;
    return true;
}

static bool cross_account_option(filter_compiler *fc, cross_account_filter *f, const jv_member *m)
{
    size_t before = fc->diags->n;
    if (allow_list_option(fc, m, "whitelist", &f->checker.allowed_accounts))
        return fc->diags->n == before;
    if (strcmp(m->key, "whitelist_org") == 0)
        return opt_bool(fc, &m->val, m->key, &f->checker.whitelist_org);
    /* Snapshots: everyone_only keeps only the public share (custos ext.). */
    if (is_snapshot(f->kind) && strcmp(m->key, "everyone_only") == 0)
        return opt_bool(fc, &m->val, m->key, &f->checker.everyone_only);
    bool ok = false;
    if (!is_snapshot(f->kind) && policy_option(fc, &f->checker, m, &ok)) return ok;
    return opt_unknown(fc, m, "cross-account");
}

static xa_kind kind_for(const resource_type *rt)
{
    if (rt && strcmp(rt->name, "aws.iam-role") == 0) return XA_ROLE;
    if (rt && strcmp(rt->name, "aws.ebs-snapshot") == 0) return XA_SNAPSHOT;
    if (rt && strcmp(rt->name, "aws.rds-snapshot") == 0) return XA_RDS_SNAPSHOT;
    if (rt && strcmp(rt->name, "aws.peering-connection") == 0) return XA_PEERING;
    if (rt && strcmp(rt->name, "aws.s3") != 0) return XA_POLICY;
    return XA_BUCKET;
}

static filter *cross_account_compile(filter_compiler *fc, const jv *spec)
{
    static const char *const default_conditions[] = {"aws:userid", "aws:username"};
    cross_account_filter *f = arena_calloc(fc->a, sizeof *f);
    f->base.type = &filter_type_cross_account;
    f->base.pos = fc->map ? srcmap_get(fc->map, spec) : fc->where;
    f->kind = kind_for(fc->rtype);
    f->policy_key = !fc->rtype                                         ? "Policy"
                    : strcmp(fc->rtype->name, "aws.vpc-endpoint") == 0 ? "PolicyDocument"
                    : strcmp(fc->rtype->name, "aws.lambda") == 0       ? "c7n:Policy"
                                                                       : "Policy";
    f->checker.whitelist_conditions = (str_list){(const char **)default_conditions, 2};
    bool ok = jv_is(spec, JV_OBJECT);
    for (uint32_t i = 0; ok && i < spec->len; i++) {
        const jv_member *m = &spec->u.members[i];
        if (strcmp(m->key, "type") != 0) ok = cross_account_option(fc, f, m);
    }
    if (f->kind == XA_BUCKET) {
        str_list svc = {(const char **)s3_service_accounts, N_S3_SERVICE};
        str_list_extend(fc->a, &f->checker.allowed_accounts, &svc);
    }
    return ok ? &f->base : NULL;
}

/* ---- match ---- */

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* IAM returns trust policies URL-encoded; botocore decodes them, but raw
 * API captures may not have.  "%7B..." becomes its decoded JSON text. */
static jv url_decoded(arena *a, const jv *s)
{
    if (!jv_is(s, JV_STRING) || s->len < 3 || strncmp(s->u.str, "%7B", 3) != 0) return *s;
    char *out = arena_alloc(a, s->len + 1);
    size_t n = 0;
    for (uint32_t i = 0; i < s->len; i++) {
        char c = s->u.str[i];
        if (c == '%' && i + 2 < s->len && hexval(s->u.str[i + 1]) >= 0 &&
            hexval(s->u.str[i + 2]) >= 0) {
            c = (char)(hexval(s->u.str[i + 1]) * 16 + hexval(s->u.str[i + 2]));
            i += 2;
        } else if (c == '+') {
            c = ' ';
        }
        out[n++] = c;
    }
    out[n] = 0;
    return jv_str_nocopy(out, n);
}

/* Adds one share (a Group or account id) to the violations in b unless
 * trusted or already there.  everyone_only keeps only "all". */
static void snapshot_share(const iam_checker *c, const jv *who, jv_builder *b)
{
    if (!jv_is(who, JV_STRING)) return;
    if (c->everyone_only ? !jv_str_eq(who, "all") : iam_account_allowed(c, who->u.str)) return;
    for (uint32_t k = 0; k < b->v.len; k++)
        if (jv_equal(&b->v.u.items[k], who)) return;
    jvb_push(b, *who);
}

/* EBS: the createVolumePermission shares, Group ("all") or UserId. */
static jv ebs_snapshot_violations(const iam_checker *c, const jv *perms, arena *a)
{
    jv_builder b;
    jvb_array(&b, a);
    for (uint32_t i = 0; jv_is(perms, JV_ARRAY) && i < perms->len; i++) {
        const jv *g = jv_get(&perms->u.items[i], "Group");
        snapshot_share(c, jv_is(g, JV_STRING) && g->len ? g : jv_get(&perms->u.items[i], "UserId"),
                       &b);
    }
    return jvb_done(&b);
}

/* RDS: the `restore` attribute's values, account ids or "all". */
static jv rds_snapshot_violations(const iam_checker *c, const jv *attrs, arena *a)
{
    jv_builder b;
    jvb_array(&b, a);
    const jv *restore = jv_get(attrs, "restore");
    for (uint32_t i = 0; jv_is(restore, JV_ARRAY) && i < restore->len; i++)
        snapshot_share(c, &restore->u.items[i], &b);
    return jvb_done(&b);
}

static bool scope_knows(const void *arg, const char *account_id)
{
    return scope_known_account((const scope_ctx *)arg, account_id);
}

/* Appends s to l (a new array in a). */
static str_list list_plus(arena *a, str_list l, const char *s)
{
    const char **items = arena_alloc(a, (l.n + 1) * sizeof(char *));
    if (l.n) memcpy(items, l.items, l.n * sizeof(char *));
    items[l.n++] = s;
    return (str_list){items, l.n};
}

static bool cross_account_match(const filter *base, const jv *r, eval_ctx *ctx)
{
    const cross_account_filter *f = (const cross_account_filter *)base;
    /* The scan's own account is trusted: a per-evaluation copy of the list;
     * whitelist_org adds the organisation (its accounts and its id). */
    iam_checker c = f->checker;
    if (ctx->account_id)
        c.allowed_accounts = list_plus(ctx->scratch, c.allowed_accounts, ctx->account_id);
    if (c.whitelist_org && ctx->scope) {
        c.known_account = scope_knows;
        c.known_arg = ctx->scope;
        const char *org = scope_org_id(ctx->scope);
        if (org) c.allowed_orgid = list_plus(ctx->scratch, c.allowed_orgid, org);
    }
    jv v;
    if (f->kind == XA_SNAPSHOT) {
        const jv *perms = jv_get(r, "c7n:attribute-createVolumePermission");
        if (!perms) return false;
        v = ebs_snapshot_violations(&c, perms, ctx->scratch);
    } else if (f->kind == XA_PEERING) {
        jv_builder b;
        jvb_array(&b, ctx->scratch);
        static const char *const sides[] = {"AccepterVpcInfo", "RequesterVpcInfo"};
        for (int i = 0; i < 2; i++) {
            const jv *o = jv_get(jv_get(r, sides[i]), "OwnerId");
            if (jv_is(o, JV_STRING) && o->len && !iam_account_allowed(&c, o->u.str))
                jvb_push(&b, *o);
        }
        v = jvb_done(&b);
    } else if (f->kind == XA_RDS_SNAPSHOT) {
        const jv *attrs = jv_get(r, "c7n:attributes");
        if (!jv_is(attrs, JV_OBJECT)) return false;
        v = rds_snapshot_violations(&c, attrs, ctx->scratch);
    } else {
        const jv *pol = jv_get(r, f->kind == XA_ROLE     ? "AssumeRolePolicyDocument"
                                  : f->kind == XA_POLICY ? f->policy_key
                                                         : "Policy");
        if (!pol || jv_is(pol, JV_NULL)) return false;
        jv text = url_decoded(ctx->scratch, pol);
        v = iam_policy_violations(&c, &text, ctx->scratch);
    }
    if (v.len == 0) return false;
    if (ctx->evidence) *ctx->evidence = v;
    return true;
}

static const char *const xa_applies[] = {
    "aws.s3",           "aws.iam-role",     "aws.ebs-snapshot",
    "aws.rds-snapshot", "aws.sns",          "aws.sqs",
    "aws.ecr",          "aws.vpc-endpoint", "aws.peering-connection",
    "aws.lambda",       "aws.kms-key",      NULL};

const filter_type filter_type_cross_account = {"cross-account", xa_applies, cross_account_compile,
                                               cross_account_match};
