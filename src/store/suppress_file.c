/* suppress_file.c - YAML suppression rules; see suppress_file.h.  The
 * YAML becomes a jv tree with a source map (format/yaml.h), so every error
 * points at the key or value at fault. */
#include "store/suppress_file.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "format/yaml.h"
#include "util/buf.h"
#include "util/date.h"

static bool is_hex(const char *s)
{
    if (!*s) return false;
    for (; *s; s++)
        if (!strchr("0123456789abcdef", *s)) return false;
    return true;
}

const char *suppression_check(const suppression *r)
{
    if (!r->fingerprint && !r->policy && !r->account && !r->region && !r->resource)
        return "a suppression needs a fingerprint or at least one of policy, account, region, "
               "resource";
    if (r->fingerprint && (!is_hex(r->fingerprint) || strlen(r->fingerprint) != 16))
        return "fingerprint must be the 16 hex digits custos prints";
    if (!r->reason || !*r->reason) return "a suppression needs a reason";
    if (!r->author || !*r->author) return "a suppression needs an author";
    if (r->expires_at <= 0) return "a suppression needs an expiry date (expires)";
    return NULL;
}

static const char *const KEYS[] = {"fingerprint", "policy", "account", "region",
                                   "resource",    "reason", "author",  "expires"};

static int rule_from(arena *a, const jv *item, const srcmap *map, suppression *r, diag_list *diags)
{
    memset(r, 0, sizeof *r);
    srcpos at = srcmap_get(map, item);
    if (item->kind != JV_OBJECT) {
        diag_add(diags, at, "each suppression must be a mapping");
        return -1;
    }
    int rc = 0;
    for (size_t i = 0; i < item->len; i++) {
        const jv_member *m = &item->u.members[i];
        srcpos kp = srcmap_get(map, m);
        size_t k = 0;
        while (k < sizeof KEYS / sizeof KEYS[0] && strcmp(KEYS[k], m->key))
            k++;
        if (k == sizeof KEYS / sizeof KEYS[0]) {
            diag_add(diags, kp,
                     "unknown key '%s' (expected fingerprint, policy, account, "
                     "region, resource, reason, author, expires)",
                     m->key);
            rc = -1;
            continue;
        }
        const jv *v = &m->val;
        char *text = NULL;
        if (v->kind == JV_STRING)
            text = arena_strdup(a, v->u.str);
        else if (v->kind == JV_NUMBER) /* account ids written without quotes */
            text = arena_sprintf(a, "%.0f", v->u.num);
        if (!text) {
            diag_add(diags, srcmap_get(map, v), "'%s' must be a string", m->key);
            rc = -1;
            continue;
        }
        const char **slot[] = {&r->fingerprint, &r->policy, &r->account, &r->region,
                               &r->resource,    &r->reason, &r->author};
        if (k < 7) {
            *slot[k] = text;
        } else {
            double t;
            if (!date_parse(text, strlen(text), &t)) {
                diag_add(diags, srcmap_get(map, v), "expires: '%s' is not a date (e.g. 2027-01-31)",
                         text);
                rc = -1;
                continue;
            }
            r->expires_at = (int64_t)t;
        }
    }
    if (rc == 0) {
        const char *why = suppression_check(r);
        if (why) {
            diag_add(diags, at, "%s", why);
            rc = -1;
        }
    }
    return rc;
}

int suppress_file_parse(arena *a, const char *file, const char *text, size_t len, suppression **out,
                        size_t *n, diag_list *diags)
{
    *out = NULL;
    *n = 0;
    srcmap *map = srcmap_new(a, file);
    jv doc;
    if (yaml_load(a, file, text, len, &doc, map, diags) < 0) return -1;
    const jv *list = doc.kind == JV_OBJECT ? jv_get(&doc, "suppressions") : NULL;
    if (doc.kind == JV_NULL) return 0; /* an empty file: no rules */
    if (!list || list->kind != JV_ARRAY) {
        diag_add(diags, srcmap_get(map, list ? list : &doc),
                 "expected a mapping with a 'suppressions:' list");
        return -1;
    }
    suppression *r = arena_calloc(a, (list->len ? list->len : 1) * sizeof *r);
    int rc = 0;
    for (size_t i = 0; i < list->len; i++)
        if (rule_from(a, &list->u.items[i], map, &r[i], diags) < 0) rc = -1;
    if (rc < 0) return -1;
    *out = r;
    *n = list->len;
    return 0;
}

int suppress_file_load(arena *a, const char *path, suppression **out, size_t *n, diag_list *diags)
{
    size_t len;
    char *text = read_file(path, &len);
    if (!text) {
        diag_add(diags, (srcpos){path, 0, 0}, "cannot read: %s", strerror(errno));
        return -1;
    }
    int rc = suppress_file_parse(a, path, text, len, out, n, diags);
    free(text);
    return rc;
}
