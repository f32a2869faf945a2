/* filter_opts.c - option readers for filter compile functions.
 *
 * Kept apart so every filter family reports the same messages for the
 * same mistakes ("X must be a list of strings", "unknown key ...").
 */
#include "filters/filter_opts.h"

#include <string.h>

bool opt_str_list(filter_compiler *fc, const jv *v, const char *name, bool lower, str_list *out)
{
    if (!jv_is(v, JV_ARRAY)) {
        fc_error(fc, v, "%s must be a list of strings", name);
        return false;
    }
    out->items = arena_alloc(fc->a, (v->len ? v->len : 1) * sizeof(char *));
    out->n = 0;
    for (uint32_t i = 0; i < v->len; i++) {
        const jv *s = &v->u.items[i];
        if (!jv_is(s, JV_STRING)) {
            fc_error(fc, s, "%s must be a list of strings", name);
            return false;
        }
        char *c = arena_strndup(fc->a, s->u.str, s->len);
        for (char *p = c; lower && *p; p++)
            if (*p >= 'A' && *p <= 'Z') *p = (char)(*p + 32);
        out->items[out->n++] = c;
    }
    return true;
}

bool opt_bool(filter_compiler *fc, const jv *v, const char *name, bool *out)
{
    if (!jv_is_bool(v)) {
        fc_error(fc, v, "%s must be true or false", name);
        return false;
    }
    *out = v->kind == JV_TRUE;
    return true;
}

bool opt_unknown(filter_compiler *fc, const jv_member *m, const char *filter_name)
{
    fc_error(fc, m, "unknown key '%s' on %s filter", m->key, filter_name);
    return false;
}

void str_list_extend(arena *a, str_list *dst, const str_list *src)
{
    const char **all = arena_alloc(a, (dst->n + src->n + 1) * sizeof(char *));
    if (dst->n) memcpy(all, dst->items, dst->n * sizeof(char *));
    if (src->n) memcpy(all + dst->n, src->items, src->n * sizeof(char *));
    *dst = (str_list){all, dst->n + src->n};
}
