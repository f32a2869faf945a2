/* policy.c - loading, validating and compiling Cloud Custodian policy files.
 *
 * Validation follows Custodian's schema (c7n/schema.py) and its validate()
 * hooks, but never stops at the first problem: every key of every policy is
 * checked and each problem becomes a diagnostic positioned at the offending
 * node (the srcmap from yaml_load), so one `custos validate` run lists
 * everything to fix.  A policy with errors is not added to the set; the
 * valid ones are.
 *
 * Names must be unique across everything loaded into one policy_set, so the
 * set remembers every name it has seen (valid or not) with its position,
 * and a duplicate produces a diagnostic at both definitions.
 *
 * All memory (documents, compiled filters) lives in the set's arena.
 */
#include "policy/policy.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "format/template.h"
#include "format/yaml.h"
#include "policy/query.h"

typedef struct seen_name {
    const char *name;
    srcpos pos;
} seen_name;

struct policy_names {
    seen_name *v;
    size_t n, cap;
};

static const char *const SEVERITIES[] = {"info", "low", "medium", "high", "critical"};

const char *severity_name(severity s)
{
    return (unsigned)s < sizeof SEVERITIES / sizeof *SEVERITIES ? SEVERITIES[s] : "medium";
}

int severity_parse(const char *s, severity *out)
{
    for (size_t i = 0; i < sizeof SEVERITIES / sizeof *SEVERITIES; i++)
        if (!strcasecmp(s, SEVERITIES[i])) {
            *out = (severity)i;
            return 0;
        }
    return -1;
}

void policy_set_init(policy_set *ps)
{
    memset(ps, 0, sizeof *ps);
}

void policy_set_free(policy_set *ps)
{
    arena_free(ps->a);
    free(ps->items);
    if (ps->names) {
        free(ps->names->v);
        free(ps->names);
    }
    memset(ps, 0, sizeof *ps);
}

static arena *set_arena(policy_set *ps)
{
    if (!ps->a) ps->a = arena_new(0);
    if (!ps->names) {
        ps->names = calloc(1, sizeof *ps->names);
        if (!ps->names) abort();
    }
    return ps->a;
}

/* ------------------------------------------------------------ helpers */

typedef struct loadctx {
    policy_set *ps;
    const char *file;
    const srcmap *map;
    const char *base_dir;
    diag_list *diags;
    size_t errors;
} loadctx;

static void err(loadctx *L, const void *node, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void err(loadctx *L, const void *node, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    srcpos p = srcmap_get(L->map, node);
    if (!p.file) p.file = L->file;
    diag_add(L->diags, p, "%s", msg);
    L->errors++;
}

static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 40 || lb > 40) return 99;
    size_t d[41][41];
    for (size_t i = 0; i <= la; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= la; i++)
        for (size_t j = 1; j <= lb; j++) {
            size_t c = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            if (d[i - 1][j] + 1 < c) c = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < c) c = d[i][j - 1] + 1;
            d[i][j] = c;
        }
    return d[la][lb];
}

/* " (did you mean 'x'?)" for the closest candidate within 2 edits, else "". */
static const char *suggest(arena *a, const char *word, const char *const *cands, size_t n)
{
    size_t best = 3;
    const char *pick = NULL;
    for (size_t i = 0; i < n; i++) {
        size_t d = edit_distance(word, cands[i]);
        if (d < best) best = d, pick = cands[i];
    }
    return pick ? arena_sprintf(a, " (did you mean '%s'?)", pick) : "";
}

static const char *kind_name(const jv *v)
{
    switch (v->kind) {
    case JV_NULL:
        return "null";
    case JV_TRUE:
    case JV_FALSE:
        return "a boolean";
    case JV_NUMBER:
        return "a number";
    case JV_STRING:
        return "a string";
    case JV_ARRAY:
        return "a list";
    default:
        return "a mapping";
    }
}

/* ------------------------------------------------------------ actions */

/* Generic actions (any resource) and Custodian's per-resource ones that
 * its docs use; NULL applies = any resource type. */
typedef struct action_type {
    const char *name;
    const char *applies[6];
} action_type;

static const action_type ACTIONS[] = {
    {"notify", {NULL}},
    {"mark-for-op", {NULL}},
    {"mark", {NULL}},
    {"tag", {NULL}},
    {"unmark", {NULL}},
    {"untag", {NULL}},
    {"remove-tag", {NULL}},
    {"rename-tag", {NULL}},
    {"normalize-tag", {NULL}},
    {"auto-tag-user", {NULL}},
    {"copy-related-tag", {NULL}},
    {"tag-trim", {NULL}},
    {"invoke-lambda", {NULL}},
    {"invoke-sfn", {NULL}},
    {"put-metric", {NULL}},
    {"webhook", {NULL}},
    {"post-finding", {NULL}},
    {"post-item", {NULL}},
    {"delete", {NULL}},
    {"remove-permissions", {"aws.security-group"}},
    {"patch", {"aws.security-group"}},
    {"set-permissions", {"aws.security-group", "aws.ebs-snapshot", "aws.ami", "aws.rds-snapshot"}},
    {"stop", {"aws.ec2", "aws.rds", "aws.asg"}},
    {"start", {"aws.ec2", "aws.rds"}},
    {"terminate", {"aws.ec2"}},
    {"reboot", {"aws.ec2"}},
    {"resize", {"aws.ec2", "aws.rds", "aws.asg"}},
    {"snapshot", {"aws.ec2", "aws.rds", "aws.ebs"}},
    {"modify-security-groups", {"aws.ec2", "aws.eni", "aws.rds", "aws.lambda", "aws.elb"}},
    {"set-monitoring", {"aws.ec2"}},
    {"set-metadata-access", {"aws.ec2"}},
    {"encrypt-instance-volumes", {"aws.ec2"}},
    {"set-public-block", {"aws.s3", "aws.account"}},
    {"delete-global-grants", {"aws.s3"}},
    {"remove-statements", {"aws.s3", "aws.kms-key", "aws.lambda", "aws.sns", "aws.ecr"}},
    {"set-statements", {"aws.s3"}},
    {"set-bucket-encryption", {"aws.s3"}},
    {"toggle-versioning", {"aws.s3"}},
    {"toggle-logging", {"aws.s3", "aws.elb", "aws.app-elb"}},
    {"no-op", {NULL}},
    {"remove-keys", {"aws.iam-user"}},
    {"delete-access-key", {"aws.iam-user"}},
    {"disable-access-key", {"aws.iam-user"}},
    {"set-policy", {"aws.iam-user", "aws.iam-role", "aws.iam-group"}},
    {"set-boundary", {"aws.iam-user", "aws.iam-role"}},
    {"modify-db", {"aws.rds"}},
    {"set-snapshot-copy-tags", {"aws.rds"}},
    {"set-permissions-boundary", {"aws.iam-role"}},
    {"enable-key-rotation", {"aws.kms-key"}},
    {"set-rotation", {"aws.kms-key"}},
    {"suspend", {"aws.asg"}},
    {"resume", {"aws.asg"}},
    {"set-shield", {NULL}},
    {"set-xray-tracing", {NULL}},
    {"copy", {"aws.ami", "aws.ebs-snapshot", "aws.rds-snapshot"}},
    {"deregister", {"aws.ami"}},
    {"remove-launch-permissions", {"aws.ami"}},
    {"set-permissions-snapshot", {"aws.ebs-snapshot"}},
    {"region-copy", {"aws.rds-snapshot", "aws.ebs-snapshot"}},
    {"detach", {"aws.ebs", "aws.internet-gateway"}},
    {"encrypt-volumes", {"aws.ebs"}},
    {"disassociate", {"aws.network-addr"}},
    {"release", {"aws.network-addr"}},
    {"set-flow-log", {"aws.vpc", "aws.subnet"}},
    {"enable-logging", {"aws.cloudtrail"}},
    {"set-logging", {"aws.cloudtrail"}},
};

static const action_type *action_find(const char *name)
{
    for (size_t i = 0; i < sizeof ACTIONS / sizeof *ACTIONS; i++)
        if (!strcmp(ACTIONS[i].name, name)) return &ACTIONS[i];
    return NULL;
}

static bool action_applies(const action_type *t, const resource_type *rt)
{
    if (!t->applies[0] || !rt) return true;
    for (size_t i = 0; i < 6 && t->applies[i]; i++)
        if (!strcmp(t->applies[i], rt->name)) return true;
    return false;
}

static void check_action_name(loadctx *L, const void *node, const char *name,
                              const resource_type *rt)
{
    const action_type *t = action_find(name);
    if (!t) {
        const char *names[sizeof ACTIONS / sizeof *ACTIONS];
        for (size_t i = 0; i < sizeof ACTIONS / sizeof *ACTIONS; i++)
            names[i] = ACTIONS[i].name;
        err(L, node, "unknown action type '%s'%s", name,
            suggest(L->ps->a, name, names, sizeof ACTIONS / sizeof *ACTIONS));
    } else if (!action_applies(t, rt)) {
        err(L, node, "action '%s' is not valid for resource type %s", name, rt->name);
    }
}

static void check_actions(loadctx *L, const jv *actions, const resource_type *rt)
{
    if (actions->kind != JV_ARRAY) {
        err(L, actions, "'actions' must be a list, not %s", kind_name(actions));
        return;
    }
    for (uint32_t i = 0; i < actions->len; i++) {
        const jv *a = &actions->u.items[i];
        if (a->kind == JV_STRING) {
            check_action_name(L, a, a->u.str, rt);
        } else if (a->kind == JV_OBJECT) {
            const jv *t = jv_get(a, "type");
            if (!t)
                err(L, a, "action mapping needs 'type'");
            else if (t->kind != JV_STRING)
                err(L, t, "action 'type' must be a string");
            else
                check_action_name(L, t, t->u.str, rt);
        } else {
            err(L, a, "an action must be a name or a mapping with 'type', not %s", kind_name(a));
        }
    }
}

/* ------------------------------------------------------------ policies */

static const char *const POLICY_KEYS[] = {
    "name",       "resource", "description", "comment",  "comments",      "tags",
    "mode",       "filters",  "actions",     "metadata", "max-resources", "max-resources-percent",
    "conditions", "query",    "source",      "region",   "start",         "end",
    "tz",         "title",
};
#define N_POLICY_KEYS (sizeof POLICY_KEYS / sizeof *POLICY_KEYS)

static bool valid_name(const char *s)
{
    /* Custodian: ^[A-z][A-z0-9]*(-*[A-z0-9]+)*$ */
    if (!((s[0] >= 'A' && s[0] <= 'z'))) return false;
    size_t n = strlen(s);
    if (s[n - 1] == '-') return false;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'A' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-')) return false;
    return true;
}

static void remember_name(loadctx *L, const char *name, const jv *node)
{
    struct policy_names *pn = L->ps->names;
    srcpos here = srcmap_get(L->map, node);
    if (!here.file) here.file = L->file;
    for (size_t i = 0; i < pn->n; i++) {
        if (strcmp(pn->v[i].name, name) != 0) continue;
        srcpos f = pn->v[i].pos;
        err(L, node, "duplicate policy name '%s' (first defined at %s:%d:%d)", name,
            f.file ? f.file : "?", f.line, f.col);
        diag_add(L->diags, f, "policy name '%s' is defined again at %s:%d:%d", name,
                 here.file ? here.file : "?", here.line, here.col);
        return;
    }
    if (pn->n == pn->cap) {
        pn->cap = pn->cap ? pn->cap * 2 : 16;
        pn->v = realloc(pn->v, pn->cap * sizeof *pn->v);
        if (!pn->v) abort();
    }
    here.file = here.file ? arena_strdup(L->ps->a, here.file) : NULL;
    pn->v[pn->n++] = (seen_name){arena_strdup(L->ps->a, name), here};
}

static void check_string(loadctx *L, const jv *v, const char *what)
{
    if (v->kind != JV_STRING) err(L, v, "'%s' must be a string, not %s", what, kind_name(v));
}

/* metadata.fix / metadata.runbook: templates with {{ JMESPath }} holes,
 * compiled now so a typo is a validation error, not a broken runbook. */
static struct tmpl *compile_template(loadctx *L, const jv *v, const char *what)
{
    if (!v) return NULL;
    if (v->kind != JV_STRING) {
        err(L, v, "metadata.%s must be a string (a template), not %s", what, kind_name(v));
        return NULL;
    }
    tmpl_error te;
    tmpl *t = tmpl_compile(L->ps->a, v->u.str, v->len, &te);
    if (!t) {
        size_t line = 1;
        for (size_t i = 0; i < te.offset && i < v->len; i++)
            line += v->u.str[i] == '\n';
        err(L, v, "metadata.%s, line %zu of the text: %s", what, line, te.msg);
    }
    return t;
}

static void check_metadata(loadctx *L, const jv *md, policy *p)
{
    if (md->kind != JV_OBJECT) {
        err(L, md, "'metadata' must be a mapping, not %s", kind_name(md));
        return;
    }
    p->metadata = *md;
    p->fix = compile_template(L, jv_get(md, "fix"), "fix");
    p->runbook = compile_template(L, jv_get(md, "runbook"), "runbook");
    const jv *sev = jv_get(md, "severity");
    if (!sev) return;
    if (sev->kind != JV_STRING || severity_parse(sev->u.str, &p->sev) < 0)
        err(L, sev, "metadata.severity must be one of info, low, medium, high, critical");
}

static void check_simple_keys(loadctx *L, const jv_member *m)
{
    const jv *v = &m->val;
    const char *k = m->key;
    if (!strcmp(k, "comment") || !strcmp(k, "comments") || !strcmp(k, "region") ||
        !strcmp(k, "tz") || !strcmp(k, "title")) {
        check_string(L, v, k);
    } else if (!strcmp(k, "tags")) {
        bool ok = v->kind == JV_ARRAY;
        for (uint32_t i = 0; ok && i < v->len; i++)
            ok = v->u.items[i].kind == JV_STRING;
        if (!ok) err(L, v, "'tags' must be a list of strings");
    } else if (!strcmp(k, "mode")) {
        const jv *t = jv_get(v, "type");
        if (v->kind != JV_OBJECT || !t || t->kind != JV_STRING)
            err(L, v, "'mode' must be a mapping with a 'type' (e.g. pull, periodic)");
    } else if (!strcmp(k, "max-resources") || !strcmp(k, "max-resources-percent")) {
        if (v->kind != JV_NUMBER && v->kind != JV_OBJECT) err(L, v, "'%s' must be a number", k);
    } else if (!strcmp(k, "conditions")) {
        if (v->kind != JV_ARRAY) err(L, v, "'conditions' must be a list");
    }
}

/* Custodian's sources other than describe (config: AWS Config's recorded
 * items, with its own query clause) read another listing than the one
 * custos has; evaluating the describe listing instead would answer for a
 * different set, so they are refused. */
static void check_source(loadctx *L, const jv *v)
{
    if (v->kind != JV_STRING)
        err(L, v, "'source' must be a string, not %s", kind_name(v));
    else if (strcmp(v->u.str, "describe") != 0)
        err(L, v,
            "source '%s' is not supported: custos evaluates the describe listing (remove "
            "'source' or use source: describe)",
            v->u.str);
}

static void load_policy(loadctx *L, const jv *pj)
{
    size_t errors_before = L->errors;
    if (pj->kind != JV_OBJECT) {
        err(L, pj, "each policy must be a mapping with name and resource, not %s", kind_name(pj));
        return;
    }
    policy p;
    memset(&p, 0, sizeof p);
    p.sev = SEV_MEDIUM;
    p.metadata = jv_object(L->ps->a, 0);
    p.actions = jv_array(L->ps->a, 0);
    p.pos = srcmap_get(L->map, pj);
    if (!p.pos.file) p.pos.file = L->file;
    const jv *name = NULL, *resource = NULL, *filters = NULL, *actions = NULL, *query = NULL;
    for (uint32_t i = 0; i < pj->len; i++) {
        const jv_member *m = &pj->u.members[i];
        size_t k = 0;
        while (k < N_POLICY_KEYS && strcmp(POLICY_KEYS[k], m->key))
            k++;
        if (k == N_POLICY_KEYS) {
            err(L, m,
                "unknown policy key '%s'%s (expected name, resource, description, filters, "
                "actions, metadata, mode, tags, ...)",
                m->key, suggest(L->ps->a, m->key, POLICY_KEYS, N_POLICY_KEYS));
            continue;
        }
        if (!strcmp(m->key, "name"))
            name = &m->val;
        else if (!strcmp(m->key, "resource"))
            resource = &m->val;
        else if (!strcmp(m->key, "filters"))
            filters = &m->val;
        else if (!strcmp(m->key, "actions"))
            actions = &m->val;
        else if (!strcmp(m->key, "query"))
            query = &m->val;
        else if (!strcmp(m->key, "source"))
            check_source(L, &m->val);
        else if (!strcmp(m->key, "description")) {
            check_string(L, &m->val, "description");
            if (m->val.kind == JV_STRING) p.description = m->val.u.str;
        } else if (!strcmp(m->key, "metadata"))
            check_metadata(L, &m->val, &p);
        else
            check_simple_keys(L, m);
    }
    if (!name)
        err(L, pj, "policy has no 'name'");
    else if (name->kind != JV_STRING || name->len == 0)
        err(L, name, "policy 'name' must be a non-empty string");
    else {
        if (!valid_name(name->u.str))
            err(L, name,
                "policy name '%s' may contain only letters, digits and '-', starting "
                "with a letter",
                name->u.str);
        p.name = name->u.str;
        remember_name(L, name->u.str, name);
    }
    if (!resource) {
        err(L, pj, "policy%s%s%s has no 'resource'", p.name ? " '" : "", p.name ? p.name : "",
            p.name ? "'" : "");
    } else if (resource->kind == JV_ARRAY) {
        err(L, resource, "'resource' must be one resource type (lists of types are not supported)");
    } else if (resource->kind != JV_STRING) {
        err(L, resource, "'resource' must be a string such as aws.ec2, not %s",
            kind_name(resource));
    } else if (!(p.rtype = resource_type_find(resource->u.str))) {
        int n = resource_type_count();
        const char **names = arena_alloc(L->ps->a, (size_t)(n + 1) * sizeof *names);
        for (int i = 0; i < n; i++)
            names[i] = resource_type_at(i)->name;
        const char *want = resource->u.str;
        const char *full =
            strncmp(want, "aws.", 4) ? arena_sprintf(L->ps->a, "aws.%s", want) : want;
        err(L, resource, "unknown resource type '%s'%s", want,
            suggest(L->ps->a, full, names, (size_t)n));
    }
    if (filters) {
        filter_compiler fc = {.a = L->ps->a,
                              .map = L->map,
                              .diags = L->diags,
                              .rtype = p.rtype,
                              .base_dir = L->base_dir};
        size_t before = L->diags->n;
        if (filters->kind != JV_ARRAY) {
            err(L, filters, "'filters' must be a list, not %s", kind_name(filters));
        } else {
            p.filters = filter_compile_list(&fc, filters);
            p.needs_related = fc.needs_related;
            L->errors += L->diags->n - before;
            if (!p.filters && L->diags->n == before) err(L, filters, "invalid filters");
        }
    }
    if (query && p.rtype) {
        const char *msg;
        const jv *at;
        p.query = policy_query_compile(L->ps->a, query, p.rtype, &msg, &at);
        if (!p.query) err(L, at, "%s", msg);
    }
    if (actions) {
        check_actions(L, actions, p.rtype);
        if (actions->kind == JV_ARRAY) p.actions = *actions;
    }
    if (L->errors != errors_before || !p.rtype || !p.name) return;
    policy_set *ps = L->ps;
    if (ps->n == ps->cap) {
        ps->cap = ps->cap ? ps->cap * 2 : 16;
        ps->items = realloc(ps->items, ps->cap * sizeof *ps->items);
        if (!ps->items) abort();
    }
    p.pos.file = p.pos.file ? arena_strdup(ps->a, p.pos.file) : NULL;
    ps->items[ps->n++] = p;
}

int policy_load_jv(policy_set *ps, const char *file, const jv *doc, const srcmap *map,
                   const char *base_dir, diag_list *diags)
{
    set_arena(ps);
    loadctx L = {ps, file ? arena_strdup(ps->a, file) : NULL, map, base_dir, diags, 0};
    if (doc->kind != JV_OBJECT) {
        err(&L, doc, "a policy file must be a mapping with a 'policies' list%s",
            doc->kind == JV_NULL ? " (the file is empty)" : "");
        return -1;
    }
    const jv *pols = jv_get(doc, "policies");
    if (!pols && jv_get(doc, "resource")) { /* a single policy object */
        load_policy(&L, doc);
        return L.errors ? -1 : 0;
    }
    static const char *const TOP[] = {"policies", "vars"};
    for (uint32_t i = 0; i < doc->len; i++) {
        const jv_member *m = &doc->u.members[i];
        if (strcmp(m->key, "policies") && strcmp(m->key, "vars"))
            err(&L, m, "unknown top-level key '%s'%s (expected policies, vars)", m->key,
                suggest(ps->a, m->key, TOP, 2));
    }
    if (!pols) {
        err(&L, doc, "no 'policies' list in this file");
        return -1;
    }
    if (pols->kind != JV_ARRAY) {
        err(&L, pols, "'policies' must be a list, not %s", kind_name(pols));
        return -1;
    }
    for (uint32_t i = 0; i < pols->len; i++)
        load_policy(&L, &pols->u.items[i]);
    return L.errors ? -1 : 0;
}

static char *dir_of(arena *a, const char *file)
{
    const char *slash = file ? strrchr(file, '/') : NULL;
    if (!slash) return arena_strdup(a, ".");
    if (slash == file) return arena_strdup(a, "/");
    return arena_strndup(a, file, (size_t)(slash - file));
}

int policy_load_text(policy_set *ps, const char *file, const char *text, size_t len,
                     diag_list *diags)
{
    arena *a = set_arena(ps);
    srcmap *map = srcmap_new(a, file);
    jv doc;
    if (yaml_load(a, file, text, len, &doc, map, diags) < 0) return -1;
    return policy_load_jv(ps, file, &doc, map, dir_of(a, file), diags);
}

static int load_file(policy_set *ps, const char *path, diag_list *diags)
{
    size_t len;
    char *text = read_file(path, &len);
    if (!text) {
        srcpos p = {path, 0, 0};
        diag_add(diags, p, "cannot read policy file: %s", strerror(errno));
        return -1;
    }
    int rc = policy_load_text(ps, path, text, len, diags);
    free(text);
    return rc;
}

static bool policy_ext(const char *name)
{
    const char *dot = strrchr(name, '.');
    return dot && (!strcmp(dot, ".yml") || !strcmp(dot, ".yaml") || !strcmp(dot, ".json"));
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Collects policy files under dir (recursive) into *files. */
static void collect(const char *dir, char ***files, size_t *n, size_t *cap, int depth)
{
    DIR *d = opendir(dir);
    if (!d || depth > 32) {
        if (d) closedir(d);
        return;
    }
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char *path;
        if (asprintf(&path, "%s/%s", dir, e->d_name) < 0) abort();
        struct stat st;
        if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
            collect(path, files, n, cap, depth + 1);
            free(path);
        } else if (policy_ext(e->d_name)) {
            if (*n == *cap) {
                *cap = *cap ? *cap * 2 : 32;
                *files = realloc(*files, *cap * sizeof **files);
                if (!*files) abort();
            }
            (*files)[(*n)++] = path;
        } else {
            free(path);
        }
    }
    closedir(d);
}

int policy_load_path(policy_set *ps, const char *path, diag_list *diags)
{
    set_arena(ps);
    struct stat st;
    if (stat(path, &st) != 0) {
        srcpos p = {path, 0, 0};
        diag_add(diags, p, "cannot open: %s", strerror(errno));
        return -1;
    }
    if (!S_ISDIR(st.st_mode)) return load_file(ps, path, diags);
    char **files = NULL;
    size_t n = 0, cap = 0;
    size_t plen = strlen(path);
    char *root = strdup(path);
    if (!root) abort();
    while (plen > 1 && root[plen - 1] == '/')
        root[--plen] = 0;
    collect(root, &files, &n, &cap, 0);
    free(root);
    if (n) qsort(files, n, sizeof *files, cmp_str);
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        if (load_file(ps, files[i], diags) < 0) rc = -1;
        free(files[i]);
    }
    free(files);
    return rc;
}
