/* s3_filters.c - S3 bucket filters over the assembled bucket document.
 *
 * Custodian fetches per-bucket data lazily inside each filter; custos reads
 * it from the inventory instead (keys listed in s3_filters.h), so these
 * filters are pure functions of the document and the evaluation context.
 * Options are validated and copied into compiled structs once; matching
 * allocates only from the scratch arena (policy text parsing, the
 * substituted has-statement statements, evidence).
 */
#include "filters/s3_filters.h"

#include <string.h>

#include "filters/filter_opts.h"
#include "filters/iam_policy.h"
#include "resources/resource.h"
#include "util/buf.h"

static srcpos spec_pos(filter_compiler *fc, const jv *spec)
{
    if (fc->map) return srcmap_get(fc->map, spec);
    srcpos p = {0};
    return p;
}

/* Python truthiness, used where Custodian tests `if value`. */
static bool py_truthy(const jv *v)
{
    if (jv_is(v, JV_NUMBER)) return v->u.num != 0;
    return jv_truthy(v);
}

static void set_evidence(eval_ctx *ctx, jv v)
{
    if (ctx->evidence) *ctx->evidence = v;
}

/* ================= has-statement ================= */

typedef struct has_statement_filter {
    filter base;
    str_list sids;
    const jv *statements; /* array of objects, PartialMatch kept; NULL = none */
} has_statement_filter;

static bool validate_partial(filter_compiler *fc, const jv *pm)
{
    uint32_t n = jv_is(pm, JV_ARRAY) ? pm->len : 1;
    for (uint32_t i = 0; i < n; i++) {
        const jv *e = jv_is(pm, JV_ARRAY) ? &pm->u.items[i] : pm;
        if (!jv_str_eq(e, "Action") && !jv_str_eq(e, "NotAction")) {
            fc_error(fc, e, "PartialMatch supports only Action and NotAction");
            return false;
        }
    }
    return true;
}

static bool compile_statements(filter_compiler *fc, const jv *v)
{
    if (!jv_is(v, JV_ARRAY)) {
        fc_error(fc, v, "statements must be a list of statement mappings");
        return false;
    }
    for (uint32_t i = 0; i < v->len; i++) {
        const jv *s = &v->u.items[i];
        if (!jv_is(s, JV_OBJECT)) {
            fc_error(fc, s, "each statement must be a mapping");
            return false;
        }
        if (!jv_get(s, "Effect")) {
            fc_error(fc, s, "statement needs Effect");
            return false;
        }
        const jv *pm = jv_get(s, "PartialMatch");
        if (pm && !validate_partial(fc, pm)) return false;
    }
    return true;
}

static filter *has_statement_compile(filter_compiler *fc, const jv *spec)
{
    has_statement_filter *f = arena_calloc(fc->a, sizeof *f);
    f->base.type = &filter_type_has_statement;
    f->base.pos = spec_pos(fc, spec);
    bool ok = jv_is(spec, JV_OBJECT);
    for (uint32_t i = 0; ok && i < spec->len; i++) {
        const jv_member *m = &spec->u.members[i];
        if (strcmp(m->key, "type") == 0) continue;
        if (strcmp(m->key, "statement_ids") == 0)
            ok = opt_str_list(fc, &m->val, m->key, false, &f->sids);
        else if (strcmp(m->key, "statements") == 0) {
            ok = compile_statements(fc, &m->val);
            f->statements = &m->val;
        } else
            ok = opt_unknown(fc, m, "has-statement");
    }
    return ok ? &f->base : NULL;
}

/* Custodian's bucket region: LocationConstraint null -> us-east-1, EU -> eu-west-1. */
static const char *bucket_region(const jv *bucket)
{
    const jv *lc = jv_get(jv_get(bucket, "Location"), "LocationConstraint");
    if (!jv_is(lc, JV_STRING) || lc->len == 0) return "us-east-1";
    if (strcmp(lc->u.str, "EU") == 0) return "eu-west-1";
    return lc->u.str;
}

typedef struct fmt_vars {
    const char *account_id, *region, *bucket_name, *bucket_region;
    const char *res_var, *res_val; /* the type's own name ({topic_arn}, ...) */
} fmt_vars;

/* has-statement on other types (Custodian's HasStatementFilter): where the
 * policy is and the resource's own format name (get_std_format_args). */
static const struct {
    const char *type, *policy_key, *var, *field;
} STMT_TYPES[] = {
    {"aws.sns", "Policy", "topic_arn", "TopicArn"},
    {"aws.sqs", "Policy", "queue_arn", "QueueArn"},
    {"aws.vpc-endpoint", "PolicyDocument", "endpoint_id", "VpcEndpointId"},
};

static const char *fmt_lookup(const fmt_vars *v, const char *name, size_t n)
{
    struct {
        const char *k, *v;
    } t[] = {{"account_id", v->account_id},
             {"region", v->region},
             {"bucket_name", v->bucket_name},
             {"bucket_region", v->bucket_region},
             {v->res_var ? v->res_var : "", v->res_val}};
    for (size_t i = 0; i < 5; i++)
        if (strlen(t[i].k) == n && memcmp(t[i].k, name, n) == 0) return t[i].v;
    return NULL;
}

/* Python str.format with the four names, as Custodian's
 * format_string_values applies it: {{ and }} are literal braces; if the
 * string has any other field ({other}, {0}, a lone brace) formatting fails
 * and the string is kept exactly as written. */
static jv format_string(arena *a, const jv *s, const fmt_vars *vars)
{
    if (!memchr(s->u.str, '{', s->len) && !memchr(s->u.str, '}', s->len)) return *s;
    buf out = BUF_INIT;
    const char *p = s->u.str, *end = p + s->len;
    bool ok = true;
    while (ok && p < end) {
        if ((p[0] == '{' || p[0] == '}') && p + 1 < end && p[1] == p[0]) {
            buf_putc(&out, p[0]);
            p += 2;
        } else if (p[0] == '{') {
            const char *close = memchr(p, '}', (size_t)(end - p));
            const char *val = close ? fmt_lookup(vars, p + 1, (size_t)(close - p - 1)) : NULL;
            if (val) {
                buf_puts(&out, val);
                p = close + 1;
            } else {
                ok = false;
            }
        } else if (p[0] == '}') {
            ok = false;
        } else {
            buf_putc(&out, *p++);
        }
    }
    jv r = ok ? jv_str(a, out.data ? out.data : "", out.len) : *s;
    buf_free(&out);
    return r;
}

static jv format_values(arena *a, const jv *v, const fmt_vars *vars)
{
    if (jv_is(v, JV_STRING)) return format_string(a, v, vars);
    if (jv_is(v, JV_ARRAY)) {
        jv r = jv_array(a, v->len);
        for (uint32_t i = 0; i < v->len; i++)
            r.u.items[i] = format_values(a, &v->u.items[i], vars);
        return r;
    }
    if (jv_is(v, JV_OBJECT)) {
        jv r = jv_object(a, v->len);
        for (uint32_t i = 0; i < v->len; i++) {
            r.u.members[i] = v->u.members[i];
            r.u.members[i].val = format_values(a, &v->u.members[i].val, vars);
        }
        return r;
    }
    return *v;
}

static bool ascii_ieq(const char *a, size_t an, const char *b, size_t bn)
{
    if (an != bn) return false;
    for (size_t i = 0; i < an; i++) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z') x = (char)(x + 32);
        if (y >= 'A' && y <= 'Z') y = (char)(y + 32);
        if (x != y) return false;
    }
    return true;
}

static bool action_in(const jv *needle, const jv *set)
{
    uint32_t n = jv_is(set, JV_ARRAY) ? set->len : 1;
    for (uint32_t i = 0; i < n; i++) {
        const jv *e = jv_is(set, JV_ARRAY) ? &set->u.items[i] : set;
        if (jv_is(e, JV_STRING) && ascii_ieq(e->u.str, e->len, needle->u.str, needle->len))
            return true;
    }
    return false;
}

/* Every string of a (string or list) is in b, case-insensitively. */
static bool action_subset(const jv *a, const jv *b)
{
    if (!jv_is(a, JV_STRING) && !jv_is(a, JV_ARRAY)) return false;
    if (!jv_is(b, JV_STRING) && !jv_is(b, JV_ARRAY)) return false;
    uint32_t n = jv_is(a, JV_ARRAY) ? a->len : 1;
    for (uint32_t i = 0; i < n; i++) {
        const jv *e = jv_is(a, JV_ARRAY) ? &a->u.items[i] : a;
        if (!jv_is(e, JV_STRING) || !action_in(e, b)) return false;
    }
    return true;
}

static bool in_partial(const jv *pm, const char *key)
{
    if (!pm) return false;
    if (jv_is(pm, JV_STRING)) return jv_str_eq(pm, key);
    for (uint32_t i = 0; jv_is(pm, JV_ARRAY) && i < pm->len; i++)
        if (jv_str_eq(&pm->u.items[i], key)) return true;
    return false;
}

/* One required key against one policy statement. */
static bool key_matches(const jv_member *req, const jv *pm, const jv *stmt)
{
    const jv *have = jv_getn(stmt, req->key, req->klen);
    if (!have) return false;
    bool is_action = strcmp(req->key, "Action") == 0 || strcmp(req->key, "NotAction") == 0;
    if (is_action && in_partial(pm, req->key)) return action_subset(&req->val, have);
    if (is_action) return action_subset(&req->val, have) && action_subset(have, &req->val);
    return jv_equal(&req->val, have);
}

static bool statement_matches(const jv *req, const jv *stmt)
{
    const jv *pm = jv_get(req, "PartialMatch");
    size_t keys = 0;
    for (uint32_t i = 0; i < req->len; i++) {
        const jv_member *m = &req->u.members[i];
        if (strcmp(m->key, "PartialMatch") == 0) continue;
        keys++;
        if (!key_matches(m, pm, stmt)) return false;
    }
    return keys > 0;
}

/* The policy's statements as a list (a lone statement object becomes a
 * list of one; no Statement is an empty list), or NULL when the bucket has
 * no policy or it is not valid JSON. */
static const jv *policy_statements(const jv *bucket, const char *key, arena *a)
{
    const jv *doc = iam_policy_doc(jv_get(bucket, key), a);
    if (!doc) return NULL;
    const jv *st = jv_get(doc, "Statement");
    if (jv_is(st, JV_ARRAY)) return st;
    jv *list = arena_alloc(a, sizeof *list);
    *list = jv_array(a, jv_is(st, JV_OBJECT) ? 1 : 0);
    if (jv_is(st, JV_OBJECT)) list->u.items[0] = *st;
    return list;
}

static bool has_statement_match(const filter *base, const jv *bucket, eval_ctx *ctx)
{
    const has_statement_filter *f = (const has_statement_filter *)base;
    int st = -1;
    for (size_t i = 0; ctx->rtype && i < sizeof STMT_TYPES / sizeof *STMT_TYPES; i++)
        if (strcmp(STMT_TYPES[i].type, ctx->rtype->name) == 0) st = (int)i;
    const jv *stmts =
        policy_statements(bucket, st < 0 ? "Policy" : STMT_TYPES[st].policy_key, ctx->scratch);
    if (!stmts) return false;
    jv_builder ev;
    jvb_array(&ev, ctx->scratch);
    for (size_t i = 0; i < f->sids.n; i++) {
        bool found = false;
        for (uint32_t k = 0; k < stmts->len && !found; k++)
            if (jv_str_eq(jv_get(&stmts->u.items[k], "Sid"), f->sids.items[i])) {
                found = true;
                jvb_push(&ev, stmts->u.items[k]);
            }
        if (!found) return false;
    }
    const jv *name = jv_get(bucket, "Name");
    fmt_vars vars = {ctx->account_id ? ctx->account_id : "",
                     ctx->region ? ctx->region : "",
                     jv_is(name, JV_STRING) ? name->u.str : "",
                     bucket_region(bucket),
                     NULL,
                     NULL};
    if (st >= 0) {
        const jv *rv = jv_get(bucket, STMT_TYPES[st].field);
        vars.bucket_name = vars.bucket_region = NULL;
        vars.res_var = STMT_TYPES[st].var;
        vars.res_val = jv_is(rv, JV_STRING) ? rv->u.str : "";
    }
    for (uint32_t r = 0; f->statements && r < f->statements->len; r++) {
        jv req = format_values(ctx->scratch, &f->statements->u.items[r], &vars);
        bool found = false;
        for (uint32_t k = 0; k < stmts->len && !found; k++)
            if (statement_matches(&req, &stmts->u.items[k])) {
                found = true;
                jvb_push(&ev, stmts->u.items[k]);
            }
        if (!found) return false;
    }
    set_evidence(ctx, jvb_done(&ev));
    return true;
}

/* ================= global-grants ================= */

#define GLOBAL_ALL "http://acs.amazonaws.com/groups/global/AllUsers"
#define AUTH_ALL "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"

typedef struct global_grants_filter {
    filter base;
    bool allow_website;
    str_list permissions; /* empty = any */
} global_grants_filter;

static bool compile_permissions(filter_compiler *fc, const jv *v, str_list *out)
{
    static const char *const valid[] = {"READ", "WRITE", "WRITE_ACP", "READ_ACP", "FULL_CONTROL"};
    if (!opt_str_list(fc, v, "permissions", false, out)) return false;
    for (size_t i = 0; i < out->n; i++) {
        bool ok = false;
        for (size_t k = 0; k < 5; k++)
            ok |= strcmp(out->items[i], valid[k]) == 0;
        if (!ok) {
            fc_error(fc, &v->u.items[i], "unknown permission '%s'", out->items[i]);
            return false;
        }
    }
    return true;
}

static filter *global_grants_compile(filter_compiler *fc, const jv *spec)
{
    global_grants_filter *f = arena_calloc(fc->a, sizeof *f);
    f->base.type = &filter_type_global_grants;
    f->base.pos = spec_pos(fc, spec);
    f->allow_website = true;
    bool ok = jv_is(spec, JV_OBJECT);
    for (uint32_t i = 0; ok && i < spec->len; i++) {
        const jv_member *m = &spec->u.members[i];
        if (strcmp(m->key, "type") == 0) continue;
        if (strcmp(m->key, "allow_website") == 0)
            ok = opt_bool(fc, &m->val, m->key, &f->allow_website);
        else if (strcmp(m->key, "permissions") == 0)
            ok = compile_permissions(fc, &m->val, &f->permissions);
        else if (strcmp(m->key, "operator") == 0) { /* in Custodian's schema, unused */
            ok = jv_str_eq(&m->val, "or") || jv_str_eq(&m->val, "and");
            if (!ok) fc_error(fc, &m->val, "operator must be 'and' or 'or'");
        } else
            ok = opt_unknown(fc, m, "global-grants");
    }
    return ok ? &f->base : NULL;
}

static bool global_grants_match(const filter *base, const jv *bucket, eval_ctx *ctx)
{
    const global_grants_filter *f = (const global_grants_filter *)base;
    const jv *grants = jv_get(jv_get(bucket, "Acl"), "Grants");
    if (!jv_is(grants, JV_ARRAY)) return false;
    bool website = py_truthy(jv_get(bucket, "Website"));
    jv_builder ev;
    jvb_array(&ev, ctx->scratch);
    for (uint32_t i = 0; i < grants->len; i++) {
        const jv *g = &grants->u.items[i];
        const jv *uri = jv_get(jv_get(g, "Grantee"), "URI");
        if (!jv_str_eq(uri, GLOBAL_ALL) && !jv_str_eq(uri, AUTH_ALL)) continue;
        const jv *perm = jv_get(g, "Permission");
        if (f->allow_website && website && jv_str_eq(perm, "READ")) continue;
        if (f->permissions.n &&
            !(jv_is(perm, JV_STRING) && str_list_has(&f->permissions, perm->u.str)))
            continue;
        jvb_push(&ev, *g);
    }
    if (ev.v.len == 0) return false;
    set_evidence(ctx, jvb_done(&ev));
    return true;
}

/* ================= check-public-block ================= */

static const char *const pab_keys[] = {"BlockPublicPolicy", "BlockPublicAcls", "IgnorePublicAcls",
                                       "RestrictPublicBuckets"};

typedef struct public_block_filter {
    filter base;
    int want[4]; /* -1 = not given, else 0/1 */
    bool any_given;
} public_block_filter;

static filter *public_block_compile(filter_compiler *fc, const jv *spec)
{
    public_block_filter *f = arena_calloc(fc->a, sizeof *f);
    f->base.type = &filter_type_check_public_block;
    f->base.pos = spec_pos(fc, spec);
    for (size_t k = 0; k < 4; k++)
        f->want[k] = -1;
    bool ok = jv_is(spec, JV_OBJECT);
    for (uint32_t i = 0; ok && i < spec->len; i++) {
        const jv_member *m = &spec->u.members[i];
        if (strcmp(m->key, "type") == 0) continue;
        size_t k = 0;
        while (k < 4 && strcmp(m->key, pab_keys[k]) != 0)
            k++;
        if (k == 4) {
            ok = opt_unknown(fc, m, "check-public-block");
            continue;
        }
        bool b = false;
        ok = opt_bool(fc, &m->val, m->key, &b);
        f->want[k] = b;
        f->any_given = true;
    }
    return ok ? &f->base : NULL;
}

static bool public_block_match(const filter *base, const jv *bucket, eval_ctx *ctx)
{
    const public_block_filter *f = (const public_block_filter *)base;
    const jv *cfg = jv_get(bucket, "c7n:PublicAccessBlock");
    bool configured = jv_is(cfg, JV_OBJECT);
    jv_builder ev;
    jvb_object(&ev, ctx->scratch);
    if (f->any_given) {
        for (size_t k = 0; k < 4; k++) {
            if (f->want[k] < 0) continue;
            const jv *v = configured ? jv_get(cfg, pab_keys[k]) : NULL;
            bool actual = v && v->kind == JV_TRUE;
            if (actual != (bool)f->want[k]) return false;
            jvb_set(&ev, pab_keys[k], strlen(pab_keys[k]), jv_bool(actual));
        }
    } else if (configured) {
        /* Some setting is off (any value of the configuration is falsy). */
        for (uint32_t i = 0; i < cfg->len; i++)
            if (!py_truthy(&cfg->u.members[i].val))
                jvb_set(&ev, cfg->u.members[i].key, cfg->u.members[i].klen, cfg->u.members[i].val);
        if (ev.v.len == 0) return false;
    } else {
        for (size_t k = 0; k < 4; k++)
            jvb_set(&ev, pab_keys[k], strlen(pab_keys[k]), jv_bool(false));
    }
    set_evidence(ctx, jvb_done(&ev));
    return true;
}

/* ================= registry entries ================= */

static const char *const s3_applies[] = {"aws.s3", NULL};
static const char *const stmt_applies[] = {"aws.s3", "aws.sns", "aws.sqs", "aws.vpc-endpoint",
                                           NULL};

const filter_type filter_type_has_statement = {"has-statement", stmt_applies, has_statement_compile,
                                               has_statement_match};
const filter_type filter_type_global_grants = {"global-grants", s3_applies, global_grants_compile,
                                               global_grants_match};
const filter_type filter_type_check_public_block = {"check-public-block", s3_applies,
                                                    public_block_compile, public_block_match};
