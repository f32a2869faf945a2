/* iam_filters.c - credential, access-key, mfa-device and has-allow-all.
 *
 * All four reuse the value filter for comparisons; what they add is which
 * document the value filter sees.  The subtle part is Custodian's handling
 * of a user's keys (c7n/resources/iam.py, c7n/filters/core.py), followed
 * here step by step because policies depend on it:
 *
 *  - credential with key "access_keys.X" matches a user when ANY entry of
 *    the report's access_keys list matches X; every such filter looks at
 *    all of the user's keys on its own, so `access_keys.active: true` plus
 *    `access_keys.last_rotated > 90 days` also matches an active fresh key
 *    next to an inactive old one.  A user without a report row never
 *    matches (Custodian: info is None).
 *  - access-key matches when any ListAccessKeys entry matches; with
 *    `match-operator: and` it only considers the keys already in the
 *    "c7n:matched-keys" annotation (when that annotation exists, even
 *    empty), which is how a policy asks for ONE key matching several
 *    filters.  custos extension: credential accepts the same option with
 *    the same meaning (Custodian's credential schema has no
 *    match-operator), so key-level conditions on report fields such as
 *    last_used_date can be combined.
 *  - Both merge what they matched into "c7n:matched-keys" as
 *    Filter.merge_annotation: in an and/not block the annotation becomes
 *    the intersection of this filter's keys with the previous annotation
 *    (absent = all), and then, when this filter matched something, its own
 *    keys are appended (so it ends up as this filter's keys); in an or
 *    block this filter's keys are appended to what is there (created
 *    empty).  Each key is tagged "c7n:match-type": "credential" or
 *    "access".  Differences: custos evaluates `or` blocks lazily (the
 *    first matching branch ends it), Custodian runs every branch over the
 *    set, so the annotation (evidence only) can differ after an `or`.
 *  - has-allow-all: Custodian requires a statement without Condition whose
 *    Action and Resource are the string "*" and Effect "Allow"; NotAction
 *    or NotResource statements never match (they have no Action/Resource).
 *    Differences: a list containing "*" counts as "*" too (it grants the
 *    same), and AWS managed policies (arn:...:iam::aws:policy/...) never
 *    match, as Custodian only lists customer managed ones (Scope Local).
 *
 * Options Custodian's credential filter takes for generating the report
 * (report_generate, report_delay, report_max_age) are accepted and have no
 * effect: the inventory holds the report already.
 */
#include "filters/iam_filters.h"

#include <string.h>

#include "filters/filter_opts.h"
#include "filters/iam_policy.h"

#define MATCHED "c7n:matched-keys"
#define MATCHED_LEN (sizeof MATCHED - 1)

/* ------------------------------------------------------------ helpers */

jv iam_value_spec(filter_compiler *fc, const jv *spec, const char *const *drop,
                  const char *force_key)
{
    jv_builder b;
    jvb_object(&b, fc->a);
    jvb_set(&b, "type", 4, jv_cstr(fc->a, "value"));
    for (uint32_t i = 0; jv_is(spec, JV_OBJECT) && i < spec->len; i++) {
        const jv_member *m = &spec->u.members[i];
        bool skip = !strcmp(m->key, "type") || (force_key && !strcmp(m->key, "key"));
        for (const char *const *d = drop; d && *d && !skip; d++)
            skip = !strcmp(m->key, *d);
        if (!skip) jvb_set(&b, m->key, m->klen, m->val);
    }
    if (force_key) jvb_set(&b, "key", 3, jv_cstr(fc->a, force_key));
    return jvb_done(&b);
}

void iam_evidence_set(eval_ctx *ctx, const char *key, size_t klen, jv val)
{
    jv *ev = ctx->evidence;
    if (!ev || !ctx->scratch) return;
    if (ev->kind != JV_NULL && ev->kind != JV_OBJECT) return;
    uint32_t n = ev->kind == JV_OBJECT ? ev->len : 0;
    jv o = jv_object(ctx->scratch, n + 1);
    uint32_t m = 0;
    for (uint32_t i = 0; i < n; i++) {
        const jv_member *e = &ev->u.members[i];
        if (e->klen == klen && !memcmp(e->key, key, klen)) continue;
        o.u.members[m++] = *e;
    }
    o.u.members[m].key = key;
    o.u.members[m].klen = (uint32_t)klen;
    o.u.members[m].val = val;
    o.len = m + 1;
    *ev = o;
}

jv iam_doc_value(const jv *doc, const jv *spec)
{
    const jv *k = jv_get(spec, "key");
    const jv *v = jv_is(k, JV_STRING) ? jv_getn(doc, k->u.str, k->len) : NULL;
    return v ? *v : jv_null();
}

/* Member names never copied into evidence. */
static bool secret_member(const char *k)
{
    return strstr(k, "Secret") || strstr(k, "secret") || !strcmp(k, "SessionToken");
}

/* A copy of key object k tagged with c7n:match-type, without secrets. */
static jv tagged(arena *a, const jv *k, const char *type)
{
    jv_builder b;
    jvb_object(&b, a);
    for (uint32_t i = 0; i < k->len; i++)
        if (!secret_member(k->u.members[i].key))
            jvb_set(&b, k->u.members[i].key, k->u.members[i].klen, k->u.members[i].val);
    jvb_set(&b, "c7n:match-type", 14, jv_cstr(a, type));
    return jvb_done(&b);
}

/* The current c7n:matched-keys annotation, or NULL when there is none. */
static const jv *annotation(const eval_ctx *ctx)
{
    if (!ctx->evidence) return NULL;
    const jv *v = jv_getn(ctx->evidence, MATCHED, MATCHED_LEN);
    return jv_is(v, JV_ARRAY) ? v : NULL;
}

static bool list_has(const jv *list, const jv *x)
{
    for (uint32_t i = 0; list && i < list->len; i++)
        if (jv_equal(&list->u.items[i], x)) return true;
    return false;
}

/* Filter.merge_annotation (see the top comment). */
static void merge_annotation(eval_ctx *ctx, const char *block, const jv *vals)
{
    if (!ctx->evidence) return;
    bool is_or = block && !strcmp(block, "or");
    const jv *prev = annotation(ctx);
    jv_builder cur;
    jvb_array(&cur, ctx->scratch);
    if (!is_or) {
        for (uint32_t i = 0; i < vals->len; i++)
            if (!prev || list_has(prev, &vals->u.items[i])) jvb_push(&cur, vals->u.items[i]);
    } else if (prev) {
        for (uint32_t i = 0; i < prev->len; i++)
            jvb_push(&cur, prev->u.items[i]);
    }
    if (vals->len || is_or)
        for (uint32_t i = 0; i < vals->len; i++) {
            jv sofar = cur.v;
            if (!list_has(&sofar, &vals->u.items[i])) jvb_push(&cur, vals->u.items[i]);
        }
    iam_evidence_set(ctx, MATCHED, MATCHED_LEN, jvb_done(&cur));
}

/* match-operator: and | or (absent = or). */
static bool compile_match_op(filter_compiler *fc, const jv *spec, bool *and_op)
{
    const jv *mo = jv_get(spec, "match-operator");
    *and_op = false;
    if (!mo) return true;
    if (jv_str_eq(mo, "and") || jv_str_eq(mo, "or")) {
        *and_op = jv_str_eq(mo, "and");
        return true;
    }
    fc_error(fc, mo, "match-operator must be 'and' or 'or'");
    return false;
}

/* Shared by credential (dotted keys) and access-key: candidates are the
 * resource's list, or the annotation under match-operator and. */
typedef struct key_filter {
    filter hdr;
    value_filter *vf;
    bool and_op;
    const char *block; /* enclosing block: "and", "or", "not" (NULL = and) */
    /* credential only */
    const char *key;    /* the whole key, for evidence */
    const char *prefix; /* "access_keys" / "certs"; NULL: a plain report key */
    const char *sub;    /* the key inside each entry */
} key_filter;

/* Matches each candidate; returns the tagged matches (array in scratch). */
static jv match_keys(const key_filter *kf, const jv *own, const char *type, eval_ctx *ctx)
{
    const jv *prev = annotation(ctx);
    const jv *cands =
        kf->and_op && ctx->evidence && jv_getn(ctx->evidence, MATCHED, MATCHED_LEN) ? prev : own;
    jv_builder out;
    jvb_array(&out, ctx->scratch);
    for (uint32_t i = 0; jv_is(cands, JV_ARRAY) && i < cands->len; i++) {
        const jv *k = &cands->u.items[i];
        if (jv_is(k, JV_OBJECT) && value_filter_match(kf->vf, k, ctx))
            jvb_push(&out, tagged(ctx->scratch, k, type));
    }
    return jvb_done(&out);
}

/* ------------------------------------------------------------ credential */

static const char *const CRED_KEYS[] = {
    "user",
    "arn",
    "user_creation_time",
    "password_enabled",
    "password_last_used",
    "password_last_changed",
    "password_next_rotation",
    "mfa_active",
    "access_keys",
    "access_keys.active",
    "access_keys.last_used_date",
    "access_keys.last_used_region",
    "access_keys.last_used_service",
    "access_keys.last_rotated",
    "certs",
    "certs.active",
    "certs.last_rotated",
    NULL,
};

static const char *const CRED_OPTS[] = {"type",           "key",
                                        "value",          "op",
                                        "value_type",     "report_generate",
                                        "report_delay",   "report_max_age",
                                        "match-operator", NULL};

static bool in_list(const char *const *l, const char *s)
{
    for (; *l; l++)
        if (!strcmp(*l, s)) return true;
    return false;
}

static filter *credential_compile(filter_compiler *fc, const jv *spec)
{
    bool ok = true;
    for (uint32_t i = 0; i < spec->len; i++)
        if (!in_list(CRED_OPTS, spec->u.members[i].key))
            ok = opt_unknown(fc, &spec->u.members[i], "credential");
    const jv *key = jv_get(spec, "key");
    if (!jv_is(key, JV_STRING) || !in_list(CRED_KEYS, key->u.str)) {
        fc_error(fc, key ? (const void *)key : spec,
                 "credential filter needs a key from the credential report (user, arn, "
                 "password_enabled, password_last_used, mfa_active, access_keys.active, "
                 "access_keys.last_rotated, access_keys.last_used_date, certs.active, ...)");
        return NULL;
    }
    key_filter *kf = arena_calloc(fc->a, sizeof *kf);
    if (!compile_match_op(fc, spec, &kf->and_op)) ok = false;
    kf->block = fc->block;
    kf->key = key->u.str;
    const char *dot = strchr(key->u.str, '.');
    static const char *const drop[] = {"report_generate", "report_delay", "report_max_age",
                                       "match-operator", NULL};
    jv vspec;
    if (dot) {
        kf->prefix = arena_strndup(fc->a, key->u.str, (size_t)(dot - key->u.str));
        kf->sub = dot + 1;
        vspec = iam_value_spec(fc, spec, drop, kf->sub);
    } else {
        vspec = iam_value_spec(fc, spec, drop, NULL);
    }
    kf->vf = value_filter_compile(fc, &vspec, true);
    return ok && kf->vf ? &kf->hdr : NULL;
}

/* Evidence for a dotted key: the sub-key's value of the matched entry, or
 * a list of them when several matched. */
static jv sub_values(const key_filter *kf, const jv *matched, arena *a)
{
    if (matched->len == 1) {
        const jv *v = jv_get(&matched->u.items[0], kf->sub);
        return v ? *v : jv_null();
    }
    jv out = jv_array(a, matched->len);
    for (uint32_t i = 0; i < matched->len; i++) {
        const jv *v = jv_get(&matched->u.items[i], kf->sub);
        out.u.items[i] = v ? *v : jv_null();
    }
    return out;
}

static bool credential_match(const filter *f, const jv *r, eval_ctx *ctx)
{
    const key_filter *kf = (const key_filter *)f;
    const jv *info = jv_get(r, "c7n:credential-report");
    if (!jv_is(info, JV_OBJECT)) return false;
    if (!kf->prefix) {
        if (!value_filter_match(kf->vf, info, ctx)) return false;
        const jv *v = jv_get(info, kf->key);
        iam_evidence_set(ctx, kf->key, strlen(kf->key), v ? *v : jv_null());
        return true;
    }
    jv matched = match_keys(kf, jv_get(info, kf->prefix), "credential", ctx);
    merge_annotation(ctx, kf->block, &matched);
    if (!matched.len) return false;
    iam_evidence_set(ctx, kf->key, strlen(kf->key), sub_values(kf, &matched, ctx->scratch));
    return true;
}

static const char *const CRED_TYPES[] = {"aws.iam-user", "aws.account", NULL};
const filter_type filter_type_credential = {"credential", CRED_TYPES, credential_compile,
                                            credential_match};

/* ------------------------------------------------------------ access-key */

static filter *access_key_compile(filter_compiler *fc, const jv *spec)
{
    key_filter *kf = arena_calloc(fc->a, sizeof *kf);
    bool ok = compile_match_op(fc, spec, &kf->and_op);
    kf->block = fc->block;
    static const char *const drop[] = {"match-operator", NULL};
    jv vspec = iam_value_spec(fc, spec, drop, NULL);
    kf->vf = value_filter_compile(fc, &vspec, true);
    return ok && kf->vf ? &kf->hdr : NULL;
}

static bool access_key_match(const filter *f, const jv *r, eval_ctx *ctx)
{
    const key_filter *kf = (const key_filter *)f;
    const jv *keys = jv_get(r, "c7n:AccessKeys");
    if (!jv_is(keys, JV_ARRAY)) return false; /* not collected */
    jv matched = match_keys(kf, keys, "access", ctx);
    merge_annotation(ctx, kf->block, &matched);
    return matched.len > 0;
}

static const char *const USER_ONLY[] = {"aws.iam-user", NULL};
const filter_type filter_type_access_key = {"access-key", USER_ONLY, access_key_compile,
                                            access_key_match};

/* ------------------------------------------------------------ mfa-device */

typedef struct doc_filter {
    filter hdr;
    value_filter *vf;
    jv spec;
} doc_filter;

static filter *mfa_compile(filter_compiler *fc, const jv *spec)
{
    doc_filter *df = arena_calloc(fc->a, sizeof *df);
    /* Custodian overwrites the key: it is always MFADevices. */
    df->spec = iam_value_spec(fc, spec, NULL, "MFADevices");
    df->vf = value_filter_compile(fc, &df->spec, true);
    return df->vf ? &df->hdr : NULL;
}

static bool mfa_match(const filter *f, const jv *r, eval_ctx *ctx)
{
    const doc_filter *df = (const doc_filter *)f;
    const jv *devs = jv_get(r, "MFADevices");
    if (!devs) return false; /* not collected */
    if (!value_filter_match(df->vf, r, ctx)) return false;
    iam_evidence_set(ctx, "MFADevices", 10, *devs);
    return true;
}

const filter_type filter_type_mfa_device = {"mfa-device", USER_ONLY, mfa_compile, mfa_match};

/* ------------------------------------------------------------ has-allow-all */

static filter *allow_all_compile(filter_compiler *fc, const jv *spec)
{
    for (uint32_t i = 0; i < spec->len; i++)
        if (strcmp(spec->u.members[i].key, "type") != 0) {
            opt_unknown(fc, &spec->u.members[i], "has-allow-all");
            return NULL;
        }
    return arena_calloc(fc->a, sizeof(filter));
}

/* "*", or a list holding "*". */
static bool is_star(const jv *v)
{
    if (jv_str_eq(v, "*")) return true;
    for (uint32_t i = 0; jv_is(v, JV_ARRAY) && i < v->len; i++)
        if (jv_str_eq(&v->u.items[i], "*")) return true;
    return false;
}

static bool allows_all(const jv *s)
{
    return jv_is(s, JV_OBJECT) && !jv_get(s, "Condition") && is_star(jv_get(s, "Action")) &&
           is_star(jv_get(s, "Resource")) && jv_str_eq(jv_get(s, "Effect"), "Allow");
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* The IAM API returns documents URL-encoded; the CLI and boto3 decode
 * them.  Accept all three forms: object, JSON text, URL-encoded text. */
static const jv *policy_document(const jv *doc, arena *a)
{
    if (!jv_is(doc, JV_STRING) || doc->len == 0 || doc->u.str[0] != '%')
        return iam_policy_doc(doc, a);
    char *out = arena_alloc_packed(a, doc->len + 1);
    size_t o = 0;
    for (uint32_t i = 0; i < doc->len; i++) {
        char c = doc->u.str[i];
        int h, l;
        if (c == '%' && i + 2 < doc->len && (h = hexval(doc->u.str[i + 1])) >= 0 &&
            (l = hexval(doc->u.str[i + 2])) >= 0) {
            out[o++] = (char)(h * 16 + l);
            i += 2;
        } else {
            out[o++] = c == '+' ? ' ' : c;
        }
    }
    out[o] = '\0';
    jv s = jv_str_nocopy(out, o);
    return iam_policy_doc(&s, a);
}

static bool aws_managed(const jv *r)
{
    const jv *arn = jv_get(r, "Arn");
    return jv_is(arn, JV_STRING) && strstr(arn->u.str, ":iam::aws:policy/") != NULL;
}

static bool allow_all_match(const filter *f, const jv *r, eval_ctx *ctx)
{
    (void)f;
    if (aws_managed(r)) return false;
    const jv *ver = jv_get(r, "c7n:policy");
    const jv *doc = policy_document(jv_get(ver, "Document"), ctx->scratch);
    const jv *st = doc ? jv_get(doc, "Statement") : NULL;
    jv_builder ev;
    jvb_array(&ev, ctx->scratch);
    if (jv_is(st, JV_OBJECT) && allows_all(st)) jvb_push(&ev, *st);
    for (uint32_t i = 0; jv_is(st, JV_ARRAY) && i < st->len; i++)
        if (allows_all(&st->u.items[i])) jvb_push(&ev, st->u.items[i]);
    if (!ev.v.len) return false;
    if (ctx->evidence) *ctx->evidence = jvb_done(&ev);
    return true;
}

static const char *const POLICY_ONLY[] = {"aws.iam-policy", NULL};
const filter_type filter_type_has_allow_all = {"has-allow-all", POLICY_ONLY, allow_all_compile,
                                               allow_all_match};
