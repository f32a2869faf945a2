/* sg_perm.c - security group ingress/egress permission filters.
 *
 * Design: everything that can be decided from the policy text is done at
 * compile time (option validation, the per-attribute value filters with
 * their keys filled in), so matching is a walk over the group's rules with
 * no allocation except the expanded rule copies, which live in the
 * per-resource scratch arena.
 *
 * Each criterion answers yes, no, or "does not apply" (TRI_NONE), exactly
 * like Custodian's None: an `and` over no applicable criteria is not a
 * match for that rule, which is what keeps e.g. `SelfReference: true` from
 * matching a CIDR-only rule by vacuous truth.
 *
 * Why expand rules at all: AWS groups a rule's CIDRs and group pairs under
 * one protocol/port entry, but each is a separate grant; a finding must name
 * the one CIDR that is open, and remediation revokes exactly that one.
 */
#include "filters/sg_perm.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "resources/resource.h"

enum { TRI_NONE = -1, TRI_FALSE = 0, TRI_TRUE = 1 };

/* Permission attributes that take a value filter directly. */
static const char *const perm_attrs[] = {
    "FromPort",      "IpProtocol", "IpRanges",         "Ipv6Ranges",
    "PrefixListIds", "ToPort",     "UserIdGroupPairs",
};
#define N_PERM_ATTRS (sizeof perm_attrs / sizeof perm_attrs[0])

/* The lists that expansion splits, in Custodian's order. */
static const char *const range_keys[] = {"IpRanges", "Ipv6Ranges", "PrefixListIds",
                                         "UserIdGroupPairs"};

typedef struct sg_filter {
    filter base;
    const char *perms_key; /* IpPermissions or IpPermissionsEgress */
    bool match_or;
    value_filter *attr_vf[N_PERM_ATTRS]; /* NULL where not configured */
    int64_t *ports, *only_ports;
    size_t n_ports, n_only;
    value_filter *cidr, *cidr6, *desc, *sgrefs;
    int self_ref; /* TRI_NONE when absent or null */
} sg_filter;

/* ---- compile ---- */

static bool is_perm_attr(const char *k, size_t *idx)
{
    for (size_t i = 0; i < N_PERM_ATTRS; i++)
        if (strcmp(k, perm_attrs[i]) == 0) {
            *idx = i;
            return true;
        }
    return false;
}

/* A copy of mapping spec with "key" set to key (replacing any). */
static jv spec_with_key(arena *a, const jv *spec, const char *key)
{
    jv_builder b;
    jvb_object(&b, a);
    for (uint32_t i = 0; i < spec->len; i++) {
        const jv_member *m = &spec->u.members[i];
        jvb_set(&b, m->key, m->klen, m->val);
    }
    jvb_set(&b, "key", 3, jv_cstr(a, key));
    return jvb_done(&b);
}

/* {key: key, value: v}: Custodian's `{Attr: value}` shorthand. */
static jv spec_shorthand(arena *a, const char *key, const jv *v)
{
    jv_builder b;
    jvb_object(&b, a);
    jvb_set(&b, "key", 3, jv_cstr(a, key));
    jvb_set(&b, "value", 5, *v);
    return jvb_done(&b);
}

/* Compiles a value filter for `key` from either a mapping or a bare value. */
static value_filter *compile_keyed_vf(filter_compiler *fc, const jv *v, const char *key)
{
    jv spec;
    if (jv_is(v, JV_OBJECT)) {
        spec = spec_with_key(fc->a, v, key);
    } else if (strcmp(key, "IpProtocol") == 0 && jv_is(v, JV_NUMBER) && (v->flags & JVF_INT)) {
        /* YAML `IpProtocol: -1` is an int; AWS reports the string "-1".
         * JVF_INT means the double holds an exact int64_t. */
        jv s = jv_cstr(fc->a, arena_sprintf(fc->a, "%lld", (long long)v->u.num));
        spec = spec_shorthand(fc->a, key, &s);
    } else {
        spec = spec_shorthand(fc->a, key, v);
    }
    value_filter *vf = value_filter_compile(fc, &spec, true);
    if (!vf) fc_error(fc, v, "invalid value filter for %s", key);
    return vf;
}

static bool compile_ports(filter_compiler *fc, const jv *v, const char *name, int64_t **out,
                          size_t *n)
{
    if (jv_is(v, JV_NULL)) return true;
    if (!jv_is(v, JV_ARRAY)) {
        fc_error(fc, v, "%s must be a list of port numbers", name);
        return false;
    }
    *out = arena_alloc(fc->a, (v->len ? v->len : 1) * sizeof(int64_t));
    for (uint32_t i = 0; i < v->len; i++) {
        const jv *p = &v->u.items[i];
        if (!jv_is(p, JV_NUMBER) || !(p->flags & JVF_INT)) {
            fc_error(fc, p, "%s must be a list of integers", name);
            return false;
        }
        (*out)[i] = (int64_t)p->u.num;
    }
    *n = v->len;
    return true;
}

static bool compile_option(filter_compiler *fc, sg_filter *f, const jv_member *m)
{
    const char *k = m->key;
    const jv *v = &m->val;
    size_t idx;
    if (strcmp(k, "type") == 0) return true;
    if (is_perm_attr(k, &idx)) return (f->attr_vf[idx] = compile_keyed_vf(fc, v, k)) != NULL;
    if (strcmp(k, "Ports") == 0) return compile_ports(fc, v, k, &f->ports, &f->n_ports);
    if (strcmp(k, "OnlyPorts") == 0) return compile_ports(fc, v, k, &f->only_ports, &f->n_only);
    if (strcmp(k, "Cidr") == 0) return (f->cidr = compile_keyed_vf(fc, v, "CidrIp")) != NULL;
    if (strcmp(k, "CidrV6") == 0) return (f->cidr6 = compile_keyed_vf(fc, v, "CidrIpv6")) != NULL;
    if (strcmp(k, "Description") == 0) {
        if (!jv_is(v, JV_OBJECT)) {
            fc_error(fc, v, "Description must be a value filter mapping");
            return false;
        }
        return (f->desc = compile_keyed_vf(fc, v, "Description")) != NULL;
    }
    if (strcmp(k, "SelfReference") == 0) {
        if (jv_is(v, JV_NULL)) return true;
        if (!jv_is_bool(v)) {
            fc_error(fc, v, "SelfReference must be true or false");
            return false;
        }
        f->self_ref = v->kind == JV_TRUE ? TRI_TRUE : TRI_FALSE;
        return true;
    }
    if (strcmp(k, "SGReferences") == 0) {
        fc->needs_related = true;
        if (!jv_truthy(v)) return true; /* empty: criterion off, as in Custodian */
        if (!jv_is(v, JV_OBJECT)) {
            fc_error(fc, v, "SGReferences must be a value filter mapping");
            return false;
        }
        if (!jv_get(v, "key") && v->len == 1) { /* `{tag:Access: Public}` shorthand */
            const jv_member *m1 = &v->u.members[0];
            f->sgrefs = compile_keyed_vf(fc, &m1->val, m1->key);
        } else {
            f->sgrefs = value_filter_compile(fc, v, true);
        }
        return f->sgrefs != NULL;
    }
    if (strcmp(k, "match-operator") == 0) {
        if (jv_str_eq(v, "or"))
            f->match_or = true;
        else if (!jv_str_eq(v, "and")) {
            fc_error(fc, v, "match-operator must be 'and' or 'or'");
            return false;
        }
        return true;
    }
    if (strcmp(k, "PrefixLists") == 0) {
        fc_error(fc, m,
                 "PrefixLists needs managed prefix list data, which custos does not "
                 "collect yet; use PrefixListIds");
        return false;
    }
    fc_error(fc, m, "unknown key '%s' on %s filter", k, f->base.type->name);
    return false;
}

static filter *sg_compile(filter_compiler *fc, const jv *spec, const filter_type *type,
                          const char *perms_key)
{
    if (!jv_is(spec, JV_OBJECT)) {
        fc_error(fc, spec, "%s filter must be a mapping", type->name);
        return NULL;
    }
    sg_filter *f = arena_calloc(fc->a, sizeof *f);
    f->base.type = type;
    f->base.pos = fc->map ? srcmap_get(fc->map, spec) : (srcpos){0};
    f->perms_key = perms_key;
    f->self_ref = TRI_NONE;
    bool ok = true;
    for (uint32_t i = 0; i < spec->len; i++)
        ok &= compile_option(fc, f, &spec->u.members[i]);
    return ok ? &f->base : NULL;
}

static filter *ingress_compile(filter_compiler *fc, const jv *spec)
{
    return sg_compile(fc, spec, &filter_type_ingress, "IpPermissions");
}

static filter *egress_compile(filter_compiler *fc, const jv *spec)
{
    return sg_compile(fc, spec, &filter_type_egress, "IpPermissionsEgress");
}

/* ---- match: per-criterion tests on one expanded rule ---- */

static bool is_range_key(const char *k)
{
    for (size_t i = 0; i < 4; i++)
        if (strcmp(k, range_keys[i]) == 0) return true;
    return false;
}

/* The rule with every range list empty except list `which` = [item]. */
static jv expand_one(arena *a, const jv *perm, size_t which, const jv *item)
{
    jv_builder b;
    jvb_object(&b, a);
    for (uint32_t i = 0; i < perm->len; i++) {
        const jv_member *m = &perm->u.members[i];
        if (!is_range_key(m->key)) jvb_set(&b, m->key, m->klen, m->val);
    }
    for (size_t k = 0; k < 4; k++) {
        jv list = jv_array(a, k == which ? 1 : 0);
        if (k == which) list.u.items[0] = *item;
        jvb_set(&b, range_keys[k], strlen(range_keys[k]), list);
    }
    return jvb_done(&b);
}

static bool is_all_protocols(const jv *proto)
{
    if (jv_is(proto, JV_STRING)) return strcmp(proto->u.str, "-1") == 0;
    if (jv_is(proto, JV_NUMBER)) return proto->u.num == -1;
    return false;
}

/* The rule's port range, or false when ports do not apply to it. */
static bool perm_ports(const jv *perm, int64_t *from, int64_t *to)
{
    if (is_all_protocols(jv_get(perm, "IpProtocol"))) {
        *from = 0;
        *to = 65535;
        return true;
    }
    const jv *f = jv_get(perm, "FromPort"), *t = jv_get(perm, "ToPort");
    if (!jv_is(f, JV_NUMBER) || !jv_is(t, JV_NUMBER)) return false;
    /* Ports are -1..65535 in AWS data; anything else (or NaN) is not a port
     * range, and converting it to an integer would be undefined. */
    if (!(f->u.num >= -1 && f->u.num <= 65535 && t->u.num >= -1 && t->u.num <= 65535)) return false;
    *from = (int64_t)f->u.num;
    *to = (int64_t)t->u.num;
    return true;
}

static int test_ports(const sg_filter *f, const jv *perm)
{
    int64_t from, to;
    if (!perm_ports(perm, &from, &to)) return TRI_NONE;
    int found = TRI_NONE;
    if (f->n_ports) {
        found = TRI_FALSE;
        for (size_t i = 0; i < f->n_ports; i++)
            if (f->ports[i] >= from && f->ports[i] <= to) found = TRI_TRUE;
    }
    if (f->n_only) {
        /* OnlyPorts is a negative assertion: the rule opens something other
         * than exactly one of the listed ports. */
        bool exact = false;
        for (size_t i = 0; i < f->n_only; i++)
            if (f->only_ports[i] == from && f->only_ports[i] == to) exact = true;
        if (exact)
            found = TRI_FALSE;
        else if (found == TRI_NONE)
            found = TRI_TRUE;
    }
    return found;
}

/* One grant of a rule: rule `perm` with every range list empty except list
 * `which`, which holds only `item`.  The tests below read it through this
 * view; the expanded document itself is built only when something needs
 * it as a whole (a value filter on a range list, or the evidence), since
 * building one per grant was most of the filter's cost. */
enum { RK_IPV4 = 0, RK_IPV6 = 1, RK_PREFIX = 2, RK_PAIRS = 3 };

typedef struct grant {
    const jv *perm;
    size_t which;
    const jv *item;
    jv doc;
    bool built;
} grant;

static const jv *grant_doc(grant *g, arena *a)
{
    if (!g->built) {
        g->doc = expand_one(a, g->perm, g->which, g->item);
        g->built = true;
    }
    return &g->doc;
}

/* The single item of range list k in the grant, or NULL (empty list). */
static const jv *grant_item(const grant *g, size_t k)
{
    return g->which == k ? g->item : NULL;
}

static int test_cidr(const value_filter *vf, const grant *g, size_t list, eval_ctx *ctx)
{
    const jv *item = grant_item(g, list);
    return item && value_filter_match(vf, item, ctx) ? TRI_TRUE : TRI_FALSE;
}

static int combine(bool use_or, const int *vals, size_t n)
{
    int out = TRI_NONE;
    for (size_t i = 0; i < n; i++) {
        if (vals[i] == TRI_NONE) continue;
        if (out == TRI_NONE)
            out = vals[i];
        else
            out = use_or ? (out || vals[i]) : (out && vals[i]);
    }
    return out;
}

static int test_cidrs(const sg_filter *f, const grant *g, eval_ctx *ctx)
{
    int v[2] = {TRI_NONE, TRI_NONE};
    if (f->cidr6) v[0] = test_cidr(f->cidr6, g, RK_IPV6, ctx);
    if (f->cidr) v[1] = test_cidr(f->cidr, g, RK_IPV4, ctx);
    return combine(f->match_or, v, 2);
}

/* Custodian describes a rule by the first item of its first non-empty list
 * in the order Ipv6Ranges, IpRanges, UserIdGroupPairs, PrefixListIds; a
 * grant has exactly one item. */
static int test_description(const sg_filter *f, const grant *g, eval_ctx *ctx)
{
    if (!f->desc) return TRI_NONE;
    return value_filter_match(f->desc, g->item, ctx) ? TRI_TRUE : TRI_FALSE;
}

static int test_self_ref(const sg_filter *f, const grant *g, const char *sg_id)
{
    if (f->self_ref == TRI_NONE) return TRI_NONE;
    const jv *pair = grant_item(g, RK_PAIRS);
    bool self = pair && sg_id && jv_str_eq(jv_get(pair, "GroupId"), sg_id);
    return (f->self_ref == TRI_TRUE) == self ? TRI_TRUE : TRI_FALSE;
}

static int test_sg_refs(const sg_filter *f, const grant *g, const char *owner_id, eval_ctx *ctx)
{
    if (!f->sgrefs) return TRI_NONE;
    const jv *p = grant_item(g, RK_PAIRS);
    if (!p) return TRI_FALSE;
    const jv *uid = jv_get(p, "UserId"), *gid = jv_get(p, "GroupId");
    const char *u = jv_is(uid, JV_STRING) ? uid->u.str : "";
    if (strcmp(u, owner_id ? owner_id : "") != 0 || !jv_is(gid, JV_STRING)) return TRI_FALSE;
    const jv *group = ctx->related ? resource_set_find(ctx->related, gid->u.str) : NULL;
    return group && value_filter_match(f->sgrefs, group, ctx) ? TRI_TRUE : TRI_FALSE;
}

static bool rule_matches(const sg_filter *f, grant *g, const char *sg_id, const char *owner_id,
                         eval_ctx *ctx)
{
    int vals[N_PERM_ATTRS + 5];
    size_t n = 0;
    for (size_t i = 0; i < N_PERM_ATTRS; i++) {
        if (!f->attr_vf[i]) continue;
        /* Scalar attributes are the same in the grant and its rule. */
        const jv *doc = is_range_key(perm_attrs[i]) ? grant_doc(g, ctx->scratch) : g->perm;
        vals[n++] = value_filter_match(f->attr_vf[i], doc, ctx) ? TRI_TRUE : TRI_FALSE;
    }
    vals[n++] = test_description(f, g, ctx);
    vals[n++] = test_ports(f, g->perm);
    vals[n++] = test_cidrs(f, g, ctx);
    vals[n++] = test_self_ref(f, g, sg_id);
    vals[n++] = test_sg_refs(f, g, owner_id, ctx);
    return combine(f->match_or, vals, n) == TRI_TRUE;
}

static const char *str_field(const jv *obj, const char *key)
{
    const jv *v = jv_get(obj, key);
    return jv_is(v, JV_STRING) ? v->u.str : NULL;
}

static void add_evidence(jv_builder *ev, const jv *perm)
{
    for (uint32_t i = 0; i < ev->v.len; i++)
        if (jv_equal(&ev->v.u.items[i], perm)) return;
    jvb_push(ev, *perm);
}

static bool sg_match(const filter *base, const jv *resource, eval_ctx *ctx)
{
    const sg_filter *f = (const sg_filter *)base;
    const jv *perms = jv_get(resource, f->perms_key);
    if (!jv_is(perms, JV_ARRAY)) return false;
    const char *sg_id = str_field(resource, "GroupId");
    const char *owner_id = str_field(resource, "OwnerId");
    jv_builder ev;
    jvb_array(&ev, ctx->scratch);
    for (uint32_t i = 0; i < perms->len; i++) {
        const jv *perm = &perms->u.items[i];
        for (size_t k = 0; k < 4; k++) {
            const jv *list = jv_get(perm, range_keys[k]);
            for (uint32_t j = 0; jv_is(list, JV_ARRAY) && j < list->len; j++) {
                grant g = {perm, k, &list->u.items[j], {0}, false};
                if (!rule_matches(f, &g, sg_id, owner_id, ctx)) continue;
                if (!ctx->evidence) return true;
                add_evidence(&ev, grant_doc(&g, ctx->scratch));
            }
        }
    }
    if (ev.v.len == 0) return false;
    *ctx->evidence = jvb_done(&ev);
    return true;
}

static const char *const sg_applies[] = {"aws.security-group", NULL};

const filter_type filter_type_ingress = {"ingress", sg_applies, ingress_compile, sg_match};
const filter_type filter_type_egress = {"egress", sg_applies, egress_compile, sg_match};
