/* sg_usage.c - security group `unused` / `used`; see sg_usage.h.
 *
 * Which groups are used is a property of the whole account/region, so it
 * is computed once per scope (scope_memo) into a hash of group id -> usage
 * index, from the interfaces, the groups' own rules and Lambda functions;
 * matching a group is then one lookup.  Counting (rather than a set) costs
 * nothing extra and gives `used` its evidence.
 */
#include "filters/sg_usage.h"

#include <string.h>

#include "inventory/scope.h"
#include "filters/filter_opts.h"
#include "filters/list_filters.h"
#include "resources/resource.h"
#include "util/strmap.h"

enum { BY_ENI, BY_GROUP, BY_LAMBDA, N_BY };

typedef struct usage {
    unsigned n[N_BY];
} usage;

typedef struct usage_model {
    strmap index; /* group id -> position in counts */
    usage *counts;
    size_t n, cap;
} usage_model;

static const char *const by_names[N_BY] = {"NetworkInterfaces", "ReferencingGroups",
                                           "LambdaFunctions"};

static void count_use(usage_model *m, arena *a, const jv *gid, int by)
{
    if (!jv_is(gid, JV_STRING)) return;
    int *slot = strmap_slot(&m->index, gid->u.str, (int)m->n);
    if ((size_t)*slot == m->n) {
        if (m->n == m->cap) {
            size_t cap = m->cap ? m->cap * 2 : 64;
            m->counts =
                arena_realloc(a, m->counts, m->cap * sizeof *m->counts, cap * sizeof *m->counts);
            m->cap = cap;
        }
        memset(&m->counts[m->n++], 0, sizeof *m->counts);
    }
    m->counts[*slot].n[by]++;
}

static const resource_set *set_of(scope_ctx *sc, const char *type)
{
    const resource_set *s = scope_set_named(sc, type);
    static const resource_set empty;
    return s ? s : &empty;
}

static void scan_enis(usage_model *m, arena *a, const resource_set *enis)
{
    for (size_t i = 0; i < enis->n; i++) {
        const jv *groups = jv_get(&enis->items[i], "Groups");
        for (uint32_t g = 0; jv_is(groups, JV_ARRAY) && g < groups->len; g++)
            count_use(m, a, jv_get(&groups->u.items[g], "GroupId"), BY_ENI);
    }
}

static void scan_group_refs(usage_model *m, arena *a, const resource_set *sgs)
{
    static const char *const keys[] = {"IpPermissions", "IpPermissionsEgress"};
    for (size_t i = 0; i < sgs->n; i++) {
        const jv *sg = &sgs->items[i], *self = jv_get(sg, "GroupId");
        for (size_t k = 0; k < 2; k++) {
            const jv *perms = jv_get(sg, keys[k]);
            for (uint32_t p = 0; jv_is(perms, JV_ARRAY) && p < perms->len; p++) {
                const jv *pairs = jv_get(&perms->u.items[p], "UserIdGroupPairs");
                for (uint32_t j = 0; jv_is(pairs, JV_ARRAY) && j < pairs->len; j++) {
                    const jv *gid = jv_get(&pairs->u.items[j], "GroupId");
                    if (jv_is(gid, JV_STRING) && self && jv_equal(gid, self)) continue;
                    count_use(m, a, gid, BY_GROUP);
                }
            }
        }
    }
}

static void scan_lambdas(usage_model *m, arena *a, const resource_set *fns)
{
    for (size_t i = 0; i < fns->n; i++) {
        const jv *ids = jv_get(jv_get(&fns->items[i], "VpcConfig"), "SecurityGroupIds");
        for (uint32_t g = 0; jv_is(ids, JV_ARRAY) && g < ids->len; g++)
            count_use(m, a, &ids->u.items[g], BY_LAMBDA);
    }
}

static void *build_usage(scope_ctx *sc, arena *a, void *arg)
{
    (void)arg;
    usage_model *m = arena_calloc(a, sizeof *m);
    const resource_set *enis = set_of(sc, "aws.eni");
    strmap_init(&m->index, a, enis->n);
    scan_enis(m, a, enis);
    scan_group_refs(m, a, set_of(sc, "aws.security-group"));
    scan_lambdas(m, a, set_of(sc, "aws.lambda"));
    return m;
}

static const usage *usage_of(eval_ctx *ctx, const jv *group)
{
    static const char memo_key = 0;
    if (!ctx->scope) return NULL;
    const usage_model *m = scope_memo(ctx->scope, &memo_key, build_usage, NULL);
    const jv *gid = jv_get(group, "GroupId");
    int i = jv_is(gid, JV_STRING) ? strmap_get(&m->index, gid->u.str, -1) : -1;
    return i < 0 ? NULL : &m->counts[i];
}

static void set_evidence(eval_ctx *ctx, const usage *u)
{
    if (!ctx->evidence) return;
    jv_builder b;
    jvb_object(&b, ctx->scratch);
    for (int k = 0; k < N_BY; k++)
        jvb_set(&b, by_names[k], strlen(by_names[k]), jv_int(u ? u->n[k] : 0));
    *ctx->evidence = jvb_done(&b);
}

static bool is_unused(const jv *group, const usage *u)
{
    return u == NULL && jv_get(group, "VpcId") != NULL;
}

static bool unused_match(const filter *f, const jv *group, eval_ctx *ctx)
{
    if (ctx->rtype && strcmp(ctx->rtype->name, "aws.key-pair") == 0)
        return keypair_unused_match(f, group, ctx);
    (void)f;
    const usage *u = usage_of(ctx, group);
    if (!is_unused(group, u)) return false;
    set_evidence(ctx, u);
    return true;
}

static bool used_match(const filter *f, const jv *group, eval_ctx *ctx)
{
    (void)f;
    const usage *u = usage_of(ctx, group);
    if (is_unused(group, u)) return false;
    set_evidence(ctx, u);
    return true;
}

/* Both take no options beyond `type` (Custodian: type_schema('unused')). */
static filter *usage_compile(filter_compiler *fc, const jv *spec, const filter_type *type)
{
    if (!jv_is(spec, JV_OBJECT)) {
        fc_error(fc, spec, "%s filter must be a mapping", type->name);
        return NULL;
    }
    bool ok = true;
    for (uint32_t i = 0; i < spec->len; i++)
        if (strcmp(spec->u.members[i].key, "type") != 0)
            ok = opt_unknown(fc, &spec->u.members[i], type->name);
    if (!ok) return NULL;
    filter *f = arena_calloc(fc->a, sizeof *f);
    f->type = type;
    return f;
}

static filter *unused_compile(filter_compiler *fc, const jv *spec)
{
    /* Key pairs have their own `unused` (list_filters.c). */
    if (fc->rtype && strcmp(fc->rtype->name, "aws.key-pair") == 0)
        return keypair_unused_compile(fc, spec);
    return usage_compile(fc, spec, &filter_type_unused);
}

static filter *used_compile(filter_compiler *fc, const jv *spec)
{
    return usage_compile(fc, spec, &filter_type_used);
}

static const char *const sg_applies[] = {"aws.security-group", NULL};
static const char *const unused_applies[] = {"aws.security-group", "aws.key-pair", NULL};

const filter_type filter_type_unused = {"unused", unused_applies, unused_compile, unused_match};
const filter_type filter_type_used = {"used", sg_applies, used_compile, used_match};
