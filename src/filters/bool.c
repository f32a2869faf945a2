/* bool.c - the and / or / not blocks.
 *
 * A block holds its children in an array and short-circuits.  `not` over a
 * list is not(and(list)), as Custodian's Not filter applies the implicit
 * `and` of its children before negating.  An empty `and` matches
 * everything; an empty `or` or `not` matches nothing (Custodian: any() of
 * nothing is false, and a Not with no children removes nothing from the
 * set it negates... which leaves nothing to return).
 */
#include <string.h>

#include "filters/filter.h"

typedef struct bool_filter {
    filter hdr;
    int kind; /* 0 and, 1 or, 2 not */
    filter **kids;
    size_t n;
} bool_filter;

extern const filter_type filter_type_and;

static bool and_match(const filter *f, const jv *r, eval_ctx *ctx)
{
    const bool_filter *b = (const bool_filter *)f;
    for (size_t i = 0; i < b->n; i++)
        if (!filter_match(b->kids[i], r, ctx)) return false;
    return true;
}

/* Evidence of two matching branches, as one: lists are concatenated
 * (without repeats), objects merged; anything else keeps the first. */
static jv merge_evidence(arena *a, jv first, jv more)
{
    if (first.kind == JV_NULL) return more;
    jv_builder b;
    if (first.kind == JV_ARRAY && more.kind == JV_ARRAY) {
        jvb_array(&b, a);
        for (uint32_t i = 0; i < first.len; i++)
            jvb_push(&b, first.u.items[i]);
        for (uint32_t i = 0; i < more.len; i++) {
            bool seen = false;
            for (uint32_t k = 0; k < first.len && !seen; k++)
                seen = jv_equal(&first.u.items[k], &more.u.items[i]);
            if (!seen) jvb_push(&b, more.u.items[i]);
        }
        return jvb_done(&b);
    }
    if (first.kind == JV_OBJECT && more.kind == JV_OBJECT) {
        jvb_object(&b, a);
        for (uint32_t i = 0; i < first.len; i++)
            jvb_set(&b, first.u.members[i].key, first.u.members[i].klen, first.u.members[i].val);
        for (uint32_t i = 0; i < more.len; i++)
            jvb_set(&b, more.u.members[i].key, more.u.members[i].klen, more.u.members[i].val);
        return jvb_done(&b);
    }
    return first;
}

/* Without evidence wanted, the first matching branch decides.  With it,
 * every branch runs, as in Custodian, so the evidence names everything
 * that matched: a group open to 0.0.0.0/0 and to ::/0 through two ingress
 * branches gets both grants, and its runbook revokes both. */
static bool or_match(const filter *f, const jv *r, eval_ctx *ctx)
{
    const bool_filter *b = (const bool_filter *)f;
    size_t i = 0;
    while (i < b->n && !filter_match(b->kids[i], r, ctx))
        i++;
    if (i == b->n) return false;
    if (!ctx->evidence) return true;
    jv got = *ctx->evidence;
    for (i++; i < b->n; i++) {
        *ctx->evidence = jv_null();
        if (filter_match(b->kids[i], r, ctx))
            got = merge_evidence(ctx->scratch, got, *ctx->evidence);
    }
    *ctx->evidence = got;
    return true;
}

static bool not_match(const filter *f, const jv *r, eval_ctx *ctx)
{
    const bool_filter *b = (const bool_filter *)f;
    if (b->n == 0) return false;
    return !and_match(f, r, ctx);
}

filter *bool_filter_compile_items(filter_compiler *fc, const char *kind, const jv *list,
                                  const void *node)
{
    if (!list || list->kind != JV_ARRAY) {
        fc_error(fc, list ? (const void *)list : node, "'%s' expects a list of filters", kind);
        return NULL;
    }
    bool_filter *b = arena_calloc(fc->a, sizeof *b);
    b->kind = !strcmp(kind, "and") ? 0 : !strcmp(kind, "or") ? 1 : 2;
    b->kids = arena_alloc(fc->a, (list->len + 1) * sizeof *b->kids);
    bool ok = true;
    const char *outer = fc->block;
    fc->block = b->kind == 0 ? "and" : b->kind == 1 ? "or" : "not";
    for (uint32_t i = 0; i < list->len; i++) {
        filter *k = filter_compile(fc, &list->u.items[i]);
        if (!k)
            ok = false;
        else
            b->kids[b->n++] = k;
    }
    fc->block = outer;
    b->hdr.type = filter_type_find(kind);
    b->hdr.pos = srcmap_get(fc->map, node);
    return ok ? &b->hdr : NULL;
}

static filter *block_compile(filter_compiler *fc, const jv *spec, const char *kind)
{
    const jv *list = jv_get(spec, kind);
    if (!list || spec->len != 1) {
        fc_error(fc, spec, "'%s' block must be a mapping with the single key '%s'", kind, kind);
        return NULL;
    }
    return bool_filter_compile_items(fc, kind, list, spec);
}

static filter *and_compile(filter_compiler *fc, const jv *spec)
{
    return block_compile(fc, spec, "and");
}
static filter *or_compile(filter_compiler *fc, const jv *spec)
{
    return block_compile(fc, spec, "or");
}
static filter *not_compile(filter_compiler *fc, const jv *spec)
{
    return block_compile(fc, spec, "not");
}

const filter_type filter_type_and = {"and", NULL, and_compile, and_match};
const filter_type filter_type_or = {"or", NULL, or_compile, or_match};
const filter_type filter_type_not = {"not", NULL, not_compile, not_match};

bool filter_has_set_level(const filter *f)
{
    if (!f) return false;
    if (f->type == &filter_type_and) {
        const bool_filter *b = (const bool_filter *)f;
        for (size_t i = 0; i < b->n; i++)
            if (filter_has_set_level(b->kids[i])) return true;
        return false;
    }
    const value_filter *vf = value_filter_of(f);
    return vf && value_filter_is_set_level(vf);
}

bool filter_set_level_pass(const filter *f, size_t n)
{
    if (!f) return true;
    if (f->type == &filter_type_and) {
        const bool_filter *b = (const bool_filter *)f;
        for (size_t i = 0; i < b->n; i++)
            if (!filter_set_level_pass(b->kids[i], n)) return false;
        return true;
    }
    const value_filter *vf = value_filter_of(f);
    return !vf || value_filter_resource_count(vf, n);
}
