/* list_filters.c - filters over a list a per-resource call added.
 *
 *   ssh-key       iam-user: a value filter over each of its SSH public keys
 *                 (ListSSHPublicKeys, c7n:SSHKeys); any one matching;
 *   entry         prefix-list: the same over its entries
 *                 (GetManagedPrefixListEntries, c7n:prefix-entries);
 *   login-profile iam-user: the user has a console password
 *                 (GetLoginProfile answered for this user; NoSuchEntity =
 *                 no profile), and the optional value filter matches the
 *                 profile ({UserName, CreateDate, PasswordResetRequired}).
 *   snapshots     ebs: Custodian's list-item over the volume's snapshots
 *                 (aws.ebs-snapshot with its VolumeId): attrs (a filter
 *                 list), count, count_op (default eq); without count, any
 *                 snapshot matching attrs;
 *   unused        key-pair (through the security group filter's entry):
 *                 no EC2 instance (KeyName) and no auto scaling group
 *                 (c7n:launch-key-names) uses the key's name; state:
 *                 false inverts;
 *   iam-analyzer  sqs, s3, iam-role, kms-key, lambda: IAM Access Analyzer
 *                 has an active finding on the resource (ListFindings by
 *                 ARN, c7n:AccessAnalysis); with a value filter, one
 *                 finding must match it;
 *   ssm-inventory ec2: the instance's installed applications (SSM
 *                 ListInventoryEntries, AWS:Application) include one that
 *                 satisfies every `query` term ({Key, Values, Type}: Equal
 *                 (default), NotEqual, BeginWith, LessThan, GreaterThan,
 *                 Exists), the filters Custodian sends with the call,
 *                 applied here to the collected entries;
 *   grant-count   kms (aliases): the key's grants (ListGrants per alias,
 *                 c7n:grants) number at least `min` (default 5).
 * Each filter looks at every element on its own, as Custodian's (which
 * merges the matched elements into an annotation but does not narrow the
 * next filter).  A call that was not collected is reported (needs.h).
 */
#include <string.h>

#include "inventory/scope.h"
#include "filters/filter_opts.h"
#include "filters/iam_filters.h"
#include "filters/list_filters.h"
#include "filters/needs.h"
#include "resources/resource.h"

typedef struct elem_filter {
    filter base;
    const char *key, *call;
    value_filter *vf; /* NULL = no condition (login-profile alone) */
} elem_filter;

static filter *elem_compile(filter_compiler *fc, const jv *spec, const filter_type *ft,
                            const char *key, const char *call, bool optional)
{
    elem_filter *f = arena_calloc(fc->a, sizeof *f);
    f->base.type = ft;
    f->base.pos = fc->where;
    f->key = key;
    f->call = call;
    if (optional && jv_is(spec, JV_OBJECT) && spec->len <= 1) return &f->base;
    jv vspec = iam_value_spec(fc, spec, NULL, NULL);
    f->vf = value_filter_compile(fc, &vspec, true);
    return f->vf ? &f->base : NULL;
}

static bool any_elem_match(const filter *base, const jv *r, eval_ctx *ctx)
{
    const elem_filter *f = (const elem_filter *)base;
    const jv *list = jv_get(r, f->key);
    if (!list) {
        filter_note_missing(ctx, base->type->name, f->call);
        return false;
    }
    for (uint32_t i = 0; jv_is(list, JV_ARRAY) && i < list->len; i++)
        if (value_filter_match(f->vf, &list->u.items[i], ctx)) return true;
    return false;
}

static filter *ssh_key_compile(filter_compiler *fc, const jv *spec)
{
    return elem_compile(fc, spec, &filter_type_ssh_key, "c7n:SSHKeys", "iam.ListSSHPublicKeys",
                        false);
}

static filter *entry_compile(filter_compiler *fc, const jv *spec)
{
    return elem_compile(fc, spec, &filter_type_prefix_entry, "c7n:prefix-entries",
                        "ec2.GetManagedPrefixListEntries", false);
}

static filter *login_profile_compile(filter_compiler *fc, const jv *spec)
{
    return elem_compile(fc, spec, &filter_type_login_profile, "c7n:LoginProfile",
                        "iam.GetLoginProfile", true);
}

static bool login_profile_match(const filter *base, const jv *r, eval_ctx *ctx)
{
    const elem_filter *f = (const elem_filter *)base;
    const jv *lp = jv_get(r, f->key);
    if (!lp) {
        filter_note_missing(ctx, base->type->name, f->call);
        return false;
    }
    if (!jv_is(lp, JV_OBJECT) || !jv_equal(jv_get(lp, "UserName"), jv_get(r, "UserName")))
        return false;
    return !f->vf || value_filter_match(f->vf, lp, ctx);
}

/* ---- snapshots ---- */

enum { C_EQ, C_NE, C_GT, C_GE, C_LT, C_LE };
static const char *const COPS[][2] = {{"eq", "equal"}, {"ne", "not-equal"}, {"gt", "greater-than"},
                                      {"ge", "gte"},   {"lt", "less-than"}, {"le", "lte"}};

typedef struct snapshots_filter {
    filter base;
    filter *attrs;
    bool has_count;
    double count;
    int op;
} snapshots_filter;

static filter *snapshots_compile(filter_compiler *fc, const jv *spec)
{
    snapshots_filter *f = arena_calloc(fc->a, sizeof *f);
    f->base.type = &filter_type_snapshots;
    f->base.pos = fc->where;
    for (uint32_t i = 0; jv_is(spec, JV_OBJECT) && i < spec->len; i++) {
        const jv_member *m = &spec->u.members[i];
        if (!strcmp(m->key, "type")) continue;
        if (!strcmp(m->key, "attrs")) {
            const struct resource_type *saved = fc->rtype;
            fc->rtype = NULL; /* elements are snapshots, not volumes */
            f->attrs = filter_compile_list(fc, &m->val);
            fc->rtype = saved;
            if (!f->attrs) return NULL;
        } else if (!strcmp(m->key, "count") && jv_is(&m->val, JV_NUMBER)) {
            f->has_count = true;
            f->count = m->val.u.num;
        } else if (!strcmp(m->key, "count_op")) {
            int op = -1;
            for (int k = 0; k < 6 && op < 0; k++)
                if (jv_str_eq(&m->val, COPS[k][0]) || jv_str_eq(&m->val, COPS[k][1])) op = k;
            if (op < 0) {
                fc_error(fc, &m->val, "snapshots: count_op must be eq, ne, gt, ge, lt or le");
                return NULL;
            }
            f->op = op;
        } else {
            return opt_unknown(fc, m, "snapshots"), NULL;
        }
    }
    fc->needs_related = true;
    return &f->base;
}

static bool count_cmp(int op, double a, double b)
{
    switch (op) {
    case C_EQ:
        return a == b;
    case C_NE:
        return a != b;
    case C_GT:
        return a > b;
    case C_GE:
        return a >= b;
    case C_LT:
        return a < b;
    default:
        return a <= b;
    }
}

static bool snapshots_match(const filter *base, const jv *r, eval_ctx *ctx)
{
    const snapshots_filter *f = (const snapshots_filter *)base;
    const jv *vid = jv_get(r, "VolumeId");
    const resource_set *snaps = filter_need_set(ctx, "snapshots", "aws.ebs-snapshot");
    eval_ctx sub = *ctx;
    sub.rtype = NULL;
    sub.evidence = NULL;
    size_t hits = 0;
    for (size_t i = 0; vid && i < snaps->n; i++) {
        if (!jv_equal(jv_get(&snaps->items[i], "VolumeId"), vid)) continue;
        hits += !f->attrs || filter_match(f->attrs, &snaps->items[i], &sub);
    }
    return f->has_count ? count_cmp(f->op, (double)hits, f->count) : hits > 0;
}

/* ---- grant-count ---- */

typedef struct grant_filter {
    filter base;
    double min;
} grant_filter;

static filter *grant_count_compile(filter_compiler *fc, const jv *spec)
{
    grant_filter *f = arena_calloc(fc->a, sizeof *f);
    f->base.type = &filter_type_grant_count;
    f->base.pos = fc->where;
    f->min = 5;
    for (uint32_t i = 0; jv_is(spec, JV_OBJECT) && i < spec->len; i++) {
        const jv_member *m = &spec->u.members[i];
        if (!strcmp(m->key, "type")) continue;
        if (!strcmp(m->key, "min") && jv_is(&m->val, JV_NUMBER) && m->val.u.num >= 0)
            f->min = m->val.u.num;
        else if (!strcmp(m->key, "min")) {
            fc_error(fc, &m->val, "grant-count: min must be a number >= 0");
            return NULL;
        } else
            return opt_unknown(fc, m, "grant-count"), NULL;
    }
    return &f->base;
}

static bool grant_count_match(const filter *base, const jv *r, eval_ctx *ctx)
{
    const grant_filter *f = (const grant_filter *)base;
    if (!jv_get(r, "TargetKeyId")) return false;
    const jv *g = jv_get(r, "c7n:grants");
    if (!g) {
        filter_note_missing(ctx, "grant-count", "kms.ListGrants");
        return false;
    }
    return jv_is(g, JV_ARRAY) && (double)g->len >= f->min;
}

/* ---- ssm-inventory ---- */

typedef struct ssm_inv_filter {
    filter base;
    const jv *query; /* list of {Key, Values, Type} */
} ssm_inv_filter;

static filter *ssm_inv_compile(filter_compiler *fc, const jv *spec)
{
    static const char *const types[] = {"Equal",    "NotEqual",    "BeginWith",
                                        "LessThan", "GreaterThan", "Exists"};
    ssm_inv_filter *f = arena_calloc(fc->a, sizeof *f);
    f->base.type = &filter_type_ssm_inventory;
    f->base.pos = fc->where;
    for (uint32_t i = 0; jv_is(spec, JV_OBJECT) && i < spec->len; i++) {
        const jv_member *m = &spec->u.members[i];
        if (!strcmp(m->key, "type")) continue;
        if (strcmp(m->key, "query") != 0) return opt_unknown(fc, m, "ssm-inventory"), NULL;
        if (!jv_is(&m->val, JV_ARRAY)) {
            fc_error(fc, &m->val, "ssm-inventory: query must be a list of {Key, Values, Type}");
            return NULL;
        }
        for (uint32_t q = 0; q < m->val.len; q++) {
            const jv *t = &m->val.u.items[q];
            const jv *ty = jv_get(t, "Type");
            bool ok = jv_is(jv_get(t, "Key"), JV_STRING) && jv_is(jv_get(t, "Values"), JV_ARRAY);
            for (size_t k = 0; ty && ok && k < 6 && !jv_str_eq(ty, types[k]); k++)
                ok = k < 5;
            if (!ok) {
                fc_error(fc, t,
                         "ssm-inventory: each query term needs Key, Values (a list) and "
                         "an optional Type (Equal, NotEqual, BeginWith, LessThan, "
                         "GreaterThan, Exists)");
                return NULL;
            }
        }
        f->query = &m->val;
    }
    return &f->base;
}

static bool term_ok(const jv *entry, const jv *term)
{
    const jv *key = jv_get(term, "Key"), *vals = jv_get(term, "Values");
    const jv *ty = jv_get(term, "Type");
    const jv *have = jv_get(entry, key->u.str);
    if (jv_str_eq(ty, "Exists")) return have != NULL;
    if (!jv_is(have, JV_STRING)) return false;
    bool any = false;
    for (uint32_t i = 0; i < vals->len && !any; i++) {
        const jv *v = &vals->u.items[i];
        if (!jv_is(v, JV_STRING)) continue;
        int c = strcmp(have->u.str, v->u.str);
        if (!ty || jv_str_eq(ty, "Equal"))
            any = c == 0;
        else if (jv_str_eq(ty, "NotEqual"))
            any = c != 0;
        else if (jv_str_eq(ty, "BeginWith"))
            any = strncmp(have->u.str, v->u.str, v->len) == 0;
        else if (jv_str_eq(ty, "LessThan"))
            any = c < 0;
        else
            any = c > 0;
    }
    return any;
}

static bool ssm_inv_match(const filter *base, const jv *r, eval_ctx *ctx)
{
    const ssm_inv_filter *f = (const ssm_inv_filter *)base;
    const jv *inv = jv_get(r, "c7n:ssm-inventory");
    if (!inv) {
        filter_note_missing(ctx, "ssm-inventory", "ssm.ListInventoryEntries");
        return false;
    }
    const jv *es = jv_get(inv, "Entries");
    for (uint32_t i = 0; jv_is(es, JV_ARRAY) && i < es->len; i++) {
        bool all = true;
        for (uint32_t q = 0; f->query && q < f->query->len && all; q++)
            all = term_ok(&es->u.items[i], &f->query->u.items[q]);
        if (all) return true;
    }
    return false;
}

/* ---- iam-analyzer ---- */

static filter *analyzer_compile(filter_compiler *fc, const jv *spec)
{
    static const char *const drop[] = {"analyzer", NULL};
    elem_filter *f = arena_calloc(fc->a, sizeof *f);
    f->base.type = &filter_type_iam_analyzer;
    f->base.pos = fc->where;
    f->key = "c7n:AccessAnalysis";
    f->call = "accessanalyzer.ListFindings";
    jv vspec = iam_value_spec(fc, spec, drop, NULL);
    if (jv_get(&vspec, "key") || jv_get(&vspec, "value")) {
        f->vf = value_filter_compile(fc, &vspec, true);
        if (!f->vf) return NULL;
    }
    return &f->base;
}

static bool analyzer_match(const filter *base, const jv *r, eval_ctx *ctx)
{
    const elem_filter *f = (const elem_filter *)base;
    const jv *fs = jv_get(r, f->key);
    if (!fs) {
        filter_note_missing(ctx, "iam-analyzer", f->call);
        return false;
    }
    for (uint32_t i = 0; jv_is(fs, JV_ARRAY) && i < fs->len; i++) {
        const jv *st = jv_get(&fs->u.items[i], "status");
        if (st && !jv_str_eq(st, "ACTIVE")) continue;
        if (!f->vf || value_filter_match(f->vf, &fs->u.items[i], ctx)) return true;
    }
    return false;
}

/* ---- key-pair unused ---- */

typedef struct keypair_filter {
    filter base;
    bool state;
} keypair_filter;

filter *keypair_unused_compile(filter_compiler *fc, const jv *spec)
{
    keypair_filter *f = arena_calloc(fc->a, sizeof *f);
    f->base.pos = fc->where;
    f->state = true;
    for (uint32_t i = 0; jv_is(spec, JV_OBJECT) && i < spec->len; i++) {
        const jv_member *m = &spec->u.members[i];
        if (!strcmp(m->key, "type")) continue;
        if (strcmp(m->key, "state") != 0) return opt_unknown(fc, m, "unused"), NULL;
        if (!opt_bool(fc, &m->val, m->key, &f->state)) return NULL;
    }
    fc->needs_related = true;
    return &f->base;
}

static bool name_in(const resource_set *s, const char *key, const jv *name, bool list)
{
    for (size_t i = 0; i < s->n; i++) {
        const jv *v = jv_get(&s->items[i], key);
        if (!list && v && jv_equal(v, name)) return true;
        for (uint32_t k = 0; list && jv_is(v, JV_ARRAY) && k < v->len; k++)
            if (jv_equal(&v->u.items[k], name)) return true;
    }
    return false;
}

bool keypair_unused_match(const filter *base, const jv *r, eval_ctx *ctx)
{
    const keypair_filter *f = (const keypair_filter *)base;
    const jv *name = jv_get(r, "KeyName");
    if (!name) return false;
    const resource_set *ec2 = filter_need_set(ctx, "unused", "aws.ec2");
    const resource_set *asg = filter_need_set(ctx, "unused", "aws.asg");
    bool used =
        name_in(ec2, "KeyName", name, false) || name_in(asg, "c7n:launch-key-names", name, true);
    return used != f->state;
}

static const char *const user[] = {"aws.iam-user", NULL};
static const char *const ebs[] = {"aws.ebs", NULL};
static const char *const kms[] = {"aws.kms", NULL};
static const char *const plist[] = {"aws.prefix-list", NULL};

const filter_type filter_type_ssh_key = {"ssh-key", user, ssh_key_compile, any_elem_match};
const filter_type filter_type_prefix_entry = {"entry", plist, entry_compile, any_elem_match};
const filter_type filter_type_login_profile = {"login-profile", user, login_profile_compile,
                                               login_profile_match};
const filter_type filter_type_snapshots = {"snapshots", ebs, snapshots_compile, snapshots_match};
const filter_type filter_type_grant_count = {"grant-count", kms, grant_count_compile,
                                             grant_count_match};
static const char *const analyzer_applies[] = {"aws.sqs",     "aws.s3",     "aws.iam-role",
                                               "aws.kms-key", "aws.lambda", NULL};
const filter_type filter_type_iam_analyzer = {"iam-analyzer", analyzer_applies, analyzer_compile,
                                              analyzer_match};
static const char *const ec2_only[] = {"aws.ec2", NULL};
const filter_type filter_type_ssm_inventory = {"ssm-inventory", ec2_only, ssm_inv_compile,
                                               ssm_inv_match};
