/* iam_related.c - has-specific-managed-policy and iam-role-tag-mirror.
 *
 * has-specific-managed-policy (ec2, lambda, iam-role, iam-profile,
 * iam-group; Custodian's SpecificIamRoleManagedPolicy and kin): a value
 * filter, key PolicyName unless given, over each managed policy attached
 * to the resource's role (ListAttachedRolePolicies) or to the group
 * (ListAttachedGroupPolicies); the resource matches when one does.
 * Terminated instances never match, as in Custodian.  The attached list
 * is read from the resource's c7n:AttachedPolicies (recordings, where the
 * call was made per resource) or else from the role's own document in
 * aws.iam-role; when neither was collected the scan says so.
 *
 * iam-role-tag-mirror (ec2, lambda; Custodian's IamRoleTagMirror): does
 * the resource's value of `key` (usually tag:NAME) agree with its roles'?
 * Roles matching an `ignore` entry ({key: value}) are left out, and a
 * resource with no role left never matches.  match not-equal (default)
 * matches when something disagrees: a role without the key or the
 * resource without it (unless missing-ok), or a role value other than the
 * resource's; equal when nothing does; in when every present value (roles'
 * and the resource's) is in `value` (a missing one fails unless
 * missing-ok).
 */
#include "filters/iam_related.h"

#include <string.h>

#include "filters/filter_opts.h"
#include "filters/iam_filters.h"
#include "filters/needs.h"
#include "filters/related.h"
#include "resources/resource.h"

#define MAX_ROLES 16

/* ---- has-specific-managed-policy ---- */

typedef struct hsmp_filter {
    filter base;
    value_filter *vf;
} hsmp_filter;

static filter *hsmp_compile(filter_compiler *fc, const jv *spec)
{
    hsmp_filter *f = arena_calloc(fc->a, sizeof *f);
    f->base.type = &filter_type_has_specific_managed_policy;
    f->base.pos = fc->where;
    jv vspec = iam_value_spec(fc, spec, NULL, jv_get(spec, "key") ? NULL : "PolicyName");
    f->vf = value_filter_compile(fc, &vspec, true);
    fc->needs_related = true;
    return f->vf ? &f->base : NULL;
}

static bool any_attached(const hsmp_filter *f, const jv *list, eval_ctx *ctx)
{
    for (uint32_t i = 0; jv_is(list, JV_ARRAY) && i < list->len; i++)
        if (value_filter_match(f->vf, &list->u.items[i], ctx)) return true;
    return false;
}

static bool hsmp_match(const filter *base, const jv *r, eval_ctx *ctx)
{
    const hsmp_filter *f = (const hsmp_filter *)base;
    if (jv_str_eq(jv_get(jv_get(r, "State"), "Name"), "terminated")) return false;
    const jv *own = jv_get(r, "c7n:AttachedPolicies");
    if (own) return any_attached(f, own, ctx);
    const char *type = ctx->rtype ? ctx->rtype->name : "";
    if (!strcmp(type, "aws.iam-role") || !strcmp(type, "aws.iam-group")) {
        filter_note_missing(ctx, "has-specific-managed-policy",
                            !strcmp(type, "aws.iam-role") ? "iam.ListAttachedRolePolicies"
                                                          : "iam.ListAttachedGroupPolicies");
        return false;
    }
    const jv *roles[MAX_ROLES];
    size_t n = 0;
    if (!strcmp(type, "aws.iam-profile")) {
        const resource_set *set =
            filter_need_set(ctx, "has-specific-managed-policy", "aws.iam-role");
        const jv *rl = jv_get(r, "Roles");
        for (uint32_t i = 0; jv_is(rl, JV_ARRAY) && i < rl->len && n < MAX_ROLES; i++) {
            const jv *name = jv_get(&rl->u.items[i], "RoleName");
            const jv *doc = jv_is(name, JV_STRING) ? resource_set_find(set, name->u.str) : NULL;
            if (doc) roles[n++] = doc;
        }
    } else {
        n = related_iam_roles(ctx, r, roles, MAX_ROLES);
    }
    bool seen = false;
    for (size_t i = 0; i < n; i++) {
        const jv *att = jv_get(roles[i], "c7n:AttachedPolicies");
        seen |= att != NULL;
        if (any_attached(f, att, ctx)) return true;
    }
    if (n && !seen)
        filter_note_missing(ctx, "has-specific-managed-policy", "iam.ListAttachedRolePolicies");
    return false;
}

/* ---- iam-role-tag-mirror ---- */

enum { M_NOT_EQUAL, M_EQUAL, M_IN };

typedef struct mirror_filter {
    filter base;
    const char *key;
    int match;
    bool missing_ok;
    str_list allowed;
    const jv *ignore; /* list of {key: value} */
} mirror_filter;

static bool present(const jv *v)
{
    return v && !jv_is(v, JV_NULL);
}

static filter *mirror_compile(filter_compiler *fc, const jv *spec)
{
    mirror_filter *f = arena_calloc(fc->a, sizeof *f);
    f->base.type = &filter_type_iam_role_tag_mirror;
    f->base.pos = fc->where;
    for (uint32_t i = 0; jv_is(spec, JV_OBJECT) && i < spec->len; i++) {
        const jv_member *m = &spec->u.members[i];
        bool ok = true;
        if (!strcmp(m->key, "type")) continue;
        if (!strcmp(m->key, "key") && jv_is(&m->val, JV_STRING))
            f->key = m->val.u.str;
        else if (!strcmp(m->key, "match") && jv_str_eq(&m->val, "equal"))
            f->match = M_EQUAL;
        else if (!strcmp(m->key, "match") && jv_str_eq(&m->val, "in"))
            f->match = M_IN;
        else if (!strcmp(m->key, "match") && jv_str_eq(&m->val, "not-equal"))
            f->match = M_NOT_EQUAL;
        else if (!strcmp(m->key, "match")) {
            fc_error(fc, &m->val, "iam-role-tag-mirror: match must be equal, not-equal or in");
            return NULL;
        } else if (!strcmp(m->key, "missing-ok"))
            ok = opt_bool(fc, &m->val, m->key, &f->missing_ok);
        else if (!strcmp(m->key, "value"))
            ok = opt_str_list(fc, &m->val, m->key, false, &f->allowed);
        else if (!strcmp(m->key, "ignore") && jv_is(&m->val, JV_ARRAY))
            f->ignore = &m->val;
        else
            ok = opt_unknown(fc, m, "iam-role-tag-mirror");
        if (!ok) return NULL;
    }
    if (!f->key) {
        fc_error(fc, spec, "iam-role-tag-mirror needs key (a string, e.g. tag:Environment)");
        return NULL;
    }
    fc->needs_related = true;
    return &f->base;
}

static bool ignored(const mirror_filter *f, const jv *role)
{
    for (uint32_t i = 0; f->ignore && i < f->ignore->len; i++) {
        const jv *ig = &f->ignore->u.items[i];
        for (uint32_t k = 0; jv_is(ig, JV_OBJECT) && k < ig->len; k++) {
            const jv *v = related_key_value(role, ig->u.members[k].key);
            if (v && jv_equal(v, &ig->u.members[k].val)) return true;
        }
    }
    return false;
}

static bool allowed(const mirror_filter *f, const jv *v)
{
    return jv_is(v, JV_STRING) && str_list_has(&f->allowed, v->u.str);
}

static bool mirror_match(const filter *base, const jv *r, eval_ctx *ctx)
{
    const mirror_filter *f = (const mirror_filter *)base;
    const jv *found[MAX_ROLES], *roles[MAX_ROLES];
    size_t nf = related_iam_roles(ctx, r, found, MAX_ROLES), n = 0;
    for (size_t i = 0; i < nf; i++)
        if (!ignored(f, found[i])) roles[n++] = found[i];
    if (!n) return false;
    const jv *rv = related_key_value(r, f->key);
    bool role_missing = false;
    for (size_t i = 0; i < n; i++)
        role_missing |= !present(related_key_value(roles[i], f->key));
    if (f->match == M_IN) {
        if (!f->missing_ok && role_missing) return false;
        for (size_t i = 0; i < n; i++) {
            const jv *v = related_key_value(roles[i], f->key);
            if (jv_truthy(v) && !allowed(f, v)) return false;
        }
        if (!f->missing_ok && !present(rv)) return false;
        return !present(rv) || allowed(f, rv);
    }
    bool disagree = (!f->missing_ok && role_missing) || (!f->missing_ok && !present(rv));
    bool space = false; /* some role has a (non-empty) value */
    for (size_t i = 0; i < n; i++)
        space |= jv_truthy(related_key_value(roles[i], f->key));
    for (size_t i = 0; i < n && space && present(rv) && !disagree; i++) {
        const jv *v = related_key_value(roles[i], f->key);
        disagree = present(v) && !jv_equal(v, rv);
    }
    return f->match == M_NOT_EQUAL ? disagree : !disagree;
}

static const char *const hsmp_applies[] = {"aws.ec2",         "aws.lambda",    "aws.iam-role",
                                           "aws.iam-profile", "aws.iam-group", NULL};
static const char *const mirror_applies[] = {"aws.ec2", "aws.lambda", NULL};

const filter_type filter_type_has_specific_managed_policy = {
    "has-specific-managed-policy", hsmp_applies, hsmp_compile, hsmp_match};
const filter_type filter_type_iam_role_tag_mirror = {"iam-role-tag-mirror", mirror_applies,
                                                     mirror_compile, mirror_match};
