/* collect_config.c - what accounts.yaml says about collection.
 *
 *   collect:                        # optional; all keys optional
 *     role: custos-read             # assumed as arn:aws:iam::<id>:role/<role>
 *     external_id: "..."            # sts:ExternalId
 *     session_name: custos          # RoleSessionName
 *     duration: 3600                # DurationSeconds (900..43200)
 *     regions: [eu-west-1, us-east-1]   # or `enabled` (the default):
 *                                   # DescribeRegions of each account
 *   remediate:                      # optional: the role custos fix assumes,
 *     role: custos-remediate        # the same keys as collect: but regions
 *   accounts:
 *     - id: "111122223333"
 *       role_arn: arn:aws:iam::111122223333:role/other   # overrides role
 *       regions: [eu-west-1]                            # overrides regions
 *       remediate: true             # custos fix may change this account
 *       environment: prod           # custos fix needs --allow-prod
 *
 * Accounts come as the inventory reads them (a list or a mapping of id to
 * entry, or a bare list).  An account with neither role_arn nor a
 * collect.role is collected with the base credentials as they are.
 * Errors name the file, line and column of the field.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "aws/collect_config.h"
#include "format/yaml.h"
#include "util/strmap.h"

static const char *str_or_num(arena *a, const jv *v)
{
    if (jv_is(v, JV_STRING)) return v->u.str;
    if (jv_is(v, JV_NUMBER) && (v->flags & JVF_INT) && v->u.num >= 0 && v->u.num < 1e15)
        return arena_sprintf(a, "%012.0f", v->u.num);
    return NULL;
}

static bool valid_region(const char *r)
{
    size_t n = strlen(r);
    if (n < 4 || n > 30) return false;
    for (size_t i = 0; i < n; i++)
        if (!((r[i] >= 'a' && r[i] <= 'z') || (r[i] >= '0' && r[i] <= '9') || r[i] == '-'))
            return false;
    return true;
}

/* regions: a list of names or the word `enabled`. */
static int parse_regions(arena *a, const jv *v, const srcmap *map, const char *what,
                         const char ***out, size_t *n, bool *enabled, diag_list *d)
{
    if (jv_str_eq(v, "enabled")) {
        *enabled = true;
        return 0;
    }
    if (!jv_is(v, JV_ARRAY) || !v->len) {
        diag_add(d, srcmap_get(map, v), "%s: `regions` must be a list of region names or `enabled`",
                 what);
        return -1;
    }
    *out = arena_alloc(a, v->len * sizeof(char *));
    *n = 0;
    for (uint32_t i = 0; i < v->len; i++) {
        const jv *r = &v->u.items[i];
        if (!jv_is(r, JV_STRING) || !valid_region(r->u.str)) {
            diag_add(d, srcmap_get(map, r), "%s: `regions` item %u is not a region name", what,
                     i + 1);
            return -1;
        }
        (*out)[(*n)++] = r->u.str;
    }
    *enabled = false;
    return 0;
}

static const char *opt_str(const jv *obj, const char *key, const srcmap *map, const char *what,
                           diag_list *d)
{
    const jv *v = jv_get(obj, key);
    if (!v || jv_is(v, JV_NULL)) return NULL;
    if (!jv_is(v, JV_STRING) || !v->len) {
        diag_add(d, srcmap_get(map, v), "%s: `%s` must be a non-empty string", what, key);
        return NULL;
    }
    return v->u.str;
}

static const char *const COLLECT_KEYS[] = {"role",     "external_id", "session_name",
                                           "duration", "regions",     NULL};

/* The keys `collect:` and `remediate:` share; names[] lists the allowed
 * keys of the section for the "unknown key" message. */
static void parse_role_keys(const jv *col, const srcmap *map, const char *section,
                            const char *const *names, const char *known_list, const char **role,
                            const char **external_id, const char **session, int *duration,
                            diag_list *d)
{
    for (uint32_t i = 0; i < col->len; i++) {
        const char *k = col->u.members[i].key;
        bool known = false;
        for (const char *const *p = names; *p; p++)
            known |= strcmp(*p, k) == 0;
        if (!known)
            diag_add(d, srcmap_get(map, &col->u.members[i]), "%s: unknown key `%s` (%s)", section,
                     k, known_list);
    }
    *role = opt_str(col, "role", map, section, d);
    *external_id = opt_str(col, "external_id", map, section, d);
    *session = opt_str(col, "session_name", map, section, d);
    const jv *dur = jv_get(col, "duration");
    int64_t secs = 3600;
    if (dur && !jv_num_in(dur, 900, 43200, &secs))
        diag_add(d, srcmap_get(map, dur), "%s: `duration` must be seconds from 900 to 43200",
                 section);
    *duration = (int)secs;
}

static void parse_collect(collect_config *c, const jv *col, const srcmap *map, diag_list *d)
{
    if (!jv_is(col, JV_OBJECT)) {
        diag_add(d, srcmap_get(map, col), "accounts.yaml: `collect` must be a mapping");
        return;
    }
    parse_role_keys(col, map, "collect", COLLECT_KEYS,
                    "role, external_id, session_name, duration, regions", &c->role, &c->external_id,
                    &c->session_name, &c->duration, d);
    const jv *reg = jv_get(col, "regions");
    if (reg)
        parse_regions(c->a, reg, map, "collect", &c->regions, &c->nregions, &c->all_enabled, d);
}

static void parse_remediate(collect_config *c, const jv *sec, const srcmap *map, diag_list *d)
{
    static const char *const keys[] = {"role", "external_id", "session_name", "duration", NULL};
    remediate_settings *r = &c->remediate;
    if (!jv_is(sec, JV_OBJECT)) {
        diag_add(d, srcmap_get(map, sec), "accounts.yaml: `remediate` must be a mapping");
        return;
    }
    r->present = true;
    parse_role_keys(sec, map, "remediate", keys, "role, external_id, session_name, duration",
                    &r->role, &r->external_id, &r->session_name, &r->duration, d);
}

static void add_account(collect_config *c, const jv *e, const jv *idv, const srcmap *map,
                        diag_list *d)
{
    const char *id = str_or_num(c->a, idv);
    if (!id || strlen(id) != 12 || strspn(id, "0123456789") != 12) {
        diag_add(d, srcmap_get(map, idv ? idv : e), "account id must be 12 digits");
        return;
    }
    collect_account *ca = &c->accounts[c->naccounts++];
    memset(ca, 0, sizeof *ca);
    ca->id = id;
    const jv *name = jv_get(e, "name");
    ca->name = jv_is(name, JV_STRING) ? name->u.str : id;
    char what[64];
    snprintf(what, sizeof what, "account %s", id);
    ca->role_arn = opt_str(e, "role_arn", map, what, d);
    if (ca->role_arn && strncmp(ca->role_arn, "arn:", 4) != 0)
        diag_add(d, srcmap_get(map, jv_get(e, "role_arn")), "%s: `role_arn` must be an ARN", what);
    if (!ca->role_arn && c->role)
        ca->role_arn = arena_sprintf(c->a, "arn:aws:iam::%s:role/%s", id, c->role);
    const jv *rem = jv_get(e, "remediate");
    if (rem && !jv_is_bool(rem))
        diag_add(d, srcmap_get(map, rem), "%s: `remediate` must be true or false", what);
    ca->remediate = jv_is(rem, JV_TRUE);
    const jv *env = jv_get(e, "environment");
    ca->environment = jv_is(env, JV_STRING) ? env->u.str : NULL;
    const jv *reg = jv_get(e, "regions");
    ca->all_enabled = c->all_enabled;
    ca->regions = c->regions;
    ca->nregions = c->nregions;
    if (reg) parse_regions(c->a, reg, map, what, &ca->regions, &ca->nregions, &ca->all_enabled, d);
}

static void parse_accounts(collect_config *c, const jv *list, const srcmap *map, diag_list *d)
{
    size_t n = 0;
    if (jv_is(list, JV_ARRAY) || jv_is(list, JV_OBJECT)) n = list->len;
    c->accounts = arena_calloc(c->a, (n ? n : 1) * sizeof *c->accounts);
    if (jv_is(list, JV_ARRAY)) {
        for (uint32_t i = 0; i < list->len; i++) {
            const jv *e = &list->u.items[i];
            if (!jv_is(e, JV_OBJECT))
                diag_add(d, srcmap_get(map, e), "account entry must be a mapping");
            else
                add_account(c, e, jv_get(e, "id"), map, d);
        }
    } else if (jv_is(list, JV_OBJECT)) {
        for (uint32_t i = 0; i < list->len; i++) {
            const jv_member *m = &list->u.members[i];
            jv *key = arena_alloc(c->a, sizeof *key);
            *key = jv_str_nocopy(m->key, m->klen);
            const jv *id = jv_get(&m->val, "id");
            add_account(c, &m->val, id ? id : key, map, d);
        }
    } else if (list && !jv_is(list, JV_NULL)) {
        diag_add(d, srcmap_get(map, list), "accounts.yaml: `accounts` must be a list or a mapping");
    }
    for (size_t i = 0; i < c->naccounts; i++)
        for (size_t k = 0; k < i; k++)
            if (strcmp(c->accounts[i].id, c->accounts[k].id) == 0)
                diag_add(d, (srcpos){c->path, 0, 0}, "duplicate account id %s", c->accounts[i].id);
}

int collect_config_parse(arena *a, const char *path, const char *text, size_t len,
                         collect_config *c, diag_list *d)
{
    memset(c, 0, sizeof *c);
    c->a = a;
    c->path = path;
    c->all_enabled = true;
    c->duration = 3600;
    size_t before = d->n;
    srcmap *map = srcmap_new(a, path);
    if (yaml_load(a, path, text, len, &c->doc, map, d) != 0) return -1;
    const jv *list = &c->doc;
    if (jv_is(&c->doc, JV_OBJECT)) {
        const jv *col = jv_get(&c->doc, "collect");
        if (col) parse_collect(c, col, map, d);
        const jv *rem = jv_get(&c->doc, "remediate");
        if (rem) parse_remediate(c, rem, map, d);
        list = jv_get(&c->doc, "accounts");
        if (!list) {
            diag_add(d, srcmap_get(map, &c->doc), "accounts.yaml: expected an `accounts:` key");
            return -1;
        }
    } else if (!jv_is(&c->doc, JV_ARRAY)) {
        diag_add(d, (srcpos){path, 1, 1}, "accounts.yaml: expected a mapping with `accounts:`");
        return -1;
    }
    parse_accounts(c, list, map, d);
    return d->n == before ? 0 : -1;
}

int collect_config_load(arena *a, const char *path, collect_config *c, diag_list *d)
{
    size_t len = 0;
    char *text = read_file(path, &len);
    if (!text) {
        diag_add(d, (srcpos){path, 0, 0}, "cannot read: %s", strerror(errno));
        return -1;
    }
    char *copy = arena_strndup(a, text, len);
    free(text);
    return collect_config_parse(a, path, copy, len, c, d);
}

/* The id of one entry of the document's account list, as add_account read
 * it (the entry's `id`, else its key in a mapping). */
static const char *entry_id(arena *a, const jv *e, const char *key, uint32_t klen)
{
    const jv *id = jv_get(e, "id");
    if (id) return str_or_num(a, id);
    return key ? arena_strndup(a, key, klen) : NULL;
}

void collect_config_keep(collect_config *c, bool (*keep)(const char *account_id, void *arg),
                         void *arg)
{
    strmap kept;
    strmap_init(&kept, c->a, c->naccounts + 1);
    size_t n = 0;
    for (size_t i = 0; i < c->naccounts; i++)
        if (keep(c->accounts[i].id, arg)) {
            strmap_slot(&kept, c->accounts[i].id, 1);
            c->accounts[n++] = c->accounts[i];
        }
    c->naccounts = n;
    /* The same selection in the document (a list, a mapping, or the whole
     * document as a bare list). */
    jv *list = jv_is(&c->doc, JV_OBJECT) ? (jv *)jv_get(&c->doc, "accounts") : &c->doc;
    uint32_t m = 0;
    if (jv_is(list, JV_ARRAY)) {
        for (uint32_t i = 0; i < list->len; i++)
            if (strmap_has(&kept, entry_id(c->a, &list->u.items[i], NULL, 0)))
                list->u.items[m++] = list->u.items[i];
        list->len = m;
    } else if (jv_is(list, JV_OBJECT)) {
        for (uint32_t i = 0; i < list->len; i++) {
            const jv_member *e = &list->u.members[i];
            if (strmap_has(&kept, entry_id(c->a, &e->val, e->key, e->klen)))
                list->u.members[m++] = *e;
        }
        list->len = m;
    }
}
