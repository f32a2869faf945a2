/* filter.h - compiled Cloud Custodian filters and how they are evaluated.
 *
 * A policy's `filters:` list compiles into a tree of `filter` nodes once;
 * evaluation then only walks the tree.  Each filter type (value, and/or/not,
 * ingress, egress, has-statement, ...) is one filter_type entry in the table
 * in registry.c: a name, the resource types it applies to, a compile
 * function and a match function.  Adding a filter type is one entry plus
 * its file.
 *
 * Compilation reports problems through fc->diags with positions from
 * fc->map, and returns NULL; it never aborts.  Match functions must be
 * thread-safe: compiled data is read-only, and all scratch memory comes from
 * ctx->scratch (an arena the engine resets between resources).
 */
#ifndef CUSTOS_FILTER_H
#define CUSTOS_FILTER_H

#include <stdbool.h>
#include <time.h>

#include "json/json.h"
#include "format/yaml.h"
#include "util/diag.h"

struct resource_type;
struct resource_set;
struct scope_ctx;

typedef struct filter filter;

/* What a filter may look at while matching one resource.  No per-thread
 * setup is needed beyond this struct: give each thread its own scratch
 * arena (required, never NULL).  account_id/region/now also feed policy
 * variables ({account_id}, {region}, {partition}, {now}) and age/expiration. */
typedef struct eval_ctx {
    arena *scratch;         /* required; reset by the caller between resources */
    const char *account_id; /* account the resource belongs to */
    const char *region;
    time_t now; /* fixed per scan so results are consistent */
    const struct resource_type *rtype;
    /* Other resources of the same account/region, for filters that look
     * across resources (SGReferences, unused, ...).  May be NULL. */
    const struct resource_set *related;
    /* The account/region the resource lives in: other resource types of
     * it (inventory/scope.h: scope_set), the organisation's accounts, and
     * memoised models such as exposure.  May be NULL (filters then act as
     * if the other types were empty). */
    struct scope_ctx *scope;
    /* Optional; the caller sets *evidence to null before each policy.  A
     * filter may set what matched: value filters build an object
     * {"<key>": <resource value>, ...}; ingress/egress/has-statement/...
     * set their own (arrays) and take precedence. */
    jv *evidence;
} eval_ctx;

/* Compile-time state. */
typedef struct filter_compiler {
    arena *a;          /* long-lived arena for compiled data */
    const srcmap *map; /* may be NULL */
    diag_list *diags;
    const struct resource_type *rtype; /* the policy's resource type */
    const char *base_dir;              /* directory of the policy file (value_from) */
    /* Set by filter_compile to the filter being compiled: fc_error uses it
     * for nodes the srcmap does not know (specs built by a compile
     * function, like the ingress filter's Cidr sub-filter). */
    srcpos where;
    /* Set by compile functions whose match reads eval_ctx->related (e.g.
     * ingress SGReferences): the engine must then load the whole resource
     * set at once instead of streaming it page by page. */
    bool needs_related;
    /* The and/or/not block the filter being compiled sits in ("and" at
     * the top level; NULL means "and" too).  Set by
     * bool_filter_compile_items; filters that merge annotations the way
     * Custodian's Filter.merge_annotation does (credential, access-key)
     * need it, since Custodian intersects in and/not blocks and unions in
     * or blocks. */
    const char *block;
} filter_compiler;

typedef struct filter_type {
    const char *name;           /* the `type:` value, e.g. "ingress" */
    const char *const *applies; /* NULL-terminated resource type names, or NULL = any */
    filter *(*compile)(filter_compiler *fc, const jv *spec);
    bool (*match)(const filter *f, const jv *resource, eval_ctx *ctx);
} filter_type;

/* Every compiled filter starts with this header. */
struct filter {
    const filter_type *type;
    srcpos pos;
};

/* Compiles one element of a `filters:` list: a `type:` mapping, an
 * and/or/not block, or the shorthand `{key: value}` form. */
filter *filter_compile(filter_compiler *fc, const jv *spec);
/* Compiles a list of filters into one implicit `and`. */
filter *filter_compile_list(filter_compiler *fc, const jv *list);

static inline bool filter_match(const filter *f, const jv *resource, eval_ctx *ctx)
{
    return f->type->match(f, resource, ctx);
}

const filter_type *filter_type_find(const char *name);
const filter_type *filter_type_at(int i); /* NULL past the end */
const char *filter_type_names(arena *a);  /* "value, and, or, ..." for messages */

/* Compiles a list of filters into one and/or/not node (kind "and", "or" or
 * "not"); node positions the result and errors about the list itself. */
filter *bool_filter_compile_items(filter_compiler *fc, const char *kind, const jv *list,
                                  const void *node);

/* Helper for compile functions: a diagnostic positioned at node. */
void fc_error(filter_compiler *fc, const void *node, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- value filter, reusable by other filters (ingress Cidr, SGReferences,
 * has-statement conditions, ...) ---- */
typedef struct value_filter value_filter;
/* Compiles a value-filter mapping {key, value, op, value_type, ...}.  When
 * key_required is false the key may be absent (sub-filters like Cidr where
 * the caller supplies the value). */
value_filter *value_filter_compile(filter_compiler *fc, const jv *spec, bool key_required);
/* Evaluates against a resource (uses the key). */
bool value_filter_match(const value_filter *vf, const jv *resource, eval_ctx *ctx);
/* Evaluates against an already extracted value (ignores the key). */
bool value_filter_match_value(const value_filter *vf, const jv *value, eval_ctx *ctx);
/* Loads a Custodian `value_from` mapping ({url, format, expr}; local files
 * only, relative to fc->base_dir) at compile time into *out (in fc->a);
 * used by value filters and by filters with *_from options (cross-account
 * whitelist_from).  Returns false with a diagnostic. */
bool load_value_from(filter_compiler *fc, const jv *spec, jv *out);
/* value_type resource_count is set-level: per resource it always matches,
 * and the engine applies value_filter_resource_count(vf, n_matched) to the
 * whole set afterwards (true = keep the set).  value_filter_of gives the
 * value filter behind a compiled `value` filter node (else NULL). */
bool value_filter_is_set_level(const value_filter *vf);
bool value_filter_resource_count(const value_filter *vf, size_t n);
const value_filter *value_filter_of(const filter *f);
/* Applies every resource_count value filter found among the top-level
 * filters of a policy (through nested `and`s) to n, the number of
 * resources that matched per resource.  true = keep the matched set.
 * Custodian applies filters in sequence, so this is exact when the
 * resource_count filter is the last one, which is how its docs use it. */
bool filter_set_level_pass(const filter *f, size_t n);
/* True when filter_set_level_pass can ever say false (a resource_count). */
bool filter_has_set_level(const filter *f);

#endif
