/* filter.c - turning one `filters:` entry into a compiled filter node.
 *
 * The dispatch mirrors Custodian's FilterRegistry.factory so a policy means
 * the same thing here: a one-key mapping without `type` is an and/or/not
 * block when the key is one of those words and otherwise the shorthand
 * value filter {key: value}; a bare string names a filter type with no
 * options; anything else needs `type:`.  Every problem becomes a
 * positioned diagnostic and compilation carries on, so `custos validate`
 * lists all of them.
 */
#include "filters/filter.h"
#include "filters/support.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "resources/resource.h"

void fc_error(filter_compiler *fc, const void *node, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    srcpos pos = srcmap_get(fc->map, node);
    if (pos.line == 0 && fc->where.line) pos = fc->where;
    diag_add(fc->diags, pos, "%s", msg);
}

static bool applies_to(const filter_type *t, const struct resource_type *rt)
{
    if (!t->applies || !rt) return true;
    for (const char *const *p = t->applies; *p; p++)
        if (!strcmp(*p, rt->name)) return true;
    return false;
}

static filter *filter_compile_at(filter_compiler *fc, const jv *spec);

static filter *compile_typed(filter_compiler *fc, const jv *spec, const void *type_node,
                             const char *name)
{
    const filter_type *t = filter_type_find(name);
    if (!t) {
        const char *advice = filter_unsupported(name);
        if (advice)
            fc_error(fc, type_node, "Custodian filter '%s' is not supported by custos: %s", name,
                     advice);
        else
            fc_error(fc, type_node, "unknown filter type '%s' (known: %s)", name,
                     filter_type_names(fc->a));
        return NULL;
    }
    if (!applies_to(t, fc->rtype)) {
        fc_error(fc, type_node, "filter '%s' is not valid for resource type %s", name,
                 fc->rtype->name);
        return NULL;
    }
    filter *f = t->compile(fc, spec);
    if (f) {
        f->type = t;
        f->pos = srcmap_get(fc->map, spec);
    }
    return f;
}

filter *filter_compile(filter_compiler *fc, const jv *spec)
{
    srcpos outer = fc->where;
    srcpos here = srcmap_get(fc->map, spec);
    if (here.line) fc->where = here;
    filter *f = filter_compile_at(fc, spec);
    fc->where = outer;
    return f;
}

static filter *filter_compile_at(filter_compiler *fc, const jv *spec)
{
    if (spec->kind == JV_STRING) {
        /* `- unused` means {type: unused}. */
        jv obj = jv_object(fc->a, 1);
        obj.u.members[0].key = "type";
        obj.u.members[0].klen = 4;
        obj.u.members[0].val = *spec;
        jv *heap = arena_alloc(fc->a, sizeof *heap);
        *heap = obj;
        filter *f = NULL;
        const filter_type *t = filter_type_find(spec->u.str);
        if (!t || !applies_to(t, fc->rtype)) return compile_typed(fc, heap, spec, spec->u.str);
        f = t->compile(fc, heap);
        if (f) {
            f->type = t;
            f->pos = srcmap_get(fc->map, spec);
        }
        return f;
    }
    if (spec->kind != JV_OBJECT) {
        fc_error(fc, spec, "a filter must be a mapping or a filter type name, not %s",
                 spec->kind == JV_ARRAY ? "a list" : jv_kind_name((jv_kind)spec->kind));
        return NULL;
    }
    const jv *type = jv_get(spec, "type");
    if (!type && spec->len == 1) {
        const char *k = spec->u.members[0].key;
        if (!strcmp(k, "and") || !strcmp(k, "or") || !strcmp(k, "not"))
            return compile_typed(fc, spec, &spec->u.members[0], k);
        return compile_typed(fc, spec, &spec->u.members[0], "value");
    }
    if (!type) {
        fc_error(fc, spec, "filter has no 'type' (a mapping with several keys needs one)");
        return NULL;
    }
    if (type->kind != JV_STRING) {
        fc_error(fc, type, "filter 'type' must be a string");
        return NULL;
    }
    return compile_typed(fc, spec, type, type->u.str);
}

filter *filter_compile_list(filter_compiler *fc, const jv *list)
{
    if (list->kind != JV_ARRAY) {
        fc_error(fc, list, "'filters' must be a list");
        return NULL;
    }
    return bool_filter_compile_items(fc, "and", list, list);
}
