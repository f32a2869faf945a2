/* account_more.c - account filters over account-wide calls, and `missing`.
 *
 * The inventory stores each account-wide answer on the aws.account
 * document (inventory/calls.c, ACCOUNT_CALLS); these are Custodian's
 * filters over them, each a value filter (its spec minus `type`):
 *   access-analyzer   any analyzer of ListAnalyzers matches;
 *   check-macie       GetMacieSession's answer plus the administrator
 *                     account (GetAdministratorAccount) under both
 *                     `administrator` and `master`; denied = {};
 *   organization      DescribeOrganization's Organization ({} when the
 *                     account is in none); any other error never matches;
 *   emr-block-public-access  GetBlockPublicAccessConfiguration's answer;
 *   glue-security-config  the Data Catalog's encryption settings
 *                     (GetDataCatalogEncryptionSettings: EncryptionAtRest and
 *                     ConnectionPasswordEncryption merged), one value filter
 *                     per given attribute (CatalogEncryptionMode,
 *                     SseAwsKmsKeyId, ReturnConnectionPasswordEncrypted,
 *                     AwsKmsKeyId), all (match-operator and, default) or
 *                     any; a key attribute written as an alias name matches
 *                     when the configured key's first alias (aws.kms-key
 *                     AliasNames) is that alias, as Custodian checks it.
 *   ses-agg-send-stats, ses-send-stats  the account sent mail in the period
 *                     SES keeps statistics for (GetSendStatistics has data
 *                     points); Custodian computes bounce rates only as
 *                     annotations and matches on that alone, so value
 *                     filter keys given to ses-agg-send-stats are accepted
 *                     and, as in Custodian, do not narrow the match.
 *   check-config      AWS Config is not fully on: no delivery channel, or no
 *                     recorder left after global-resources (records global
 *                     types), all-resources (allSupported) and running
 *                     (default true: the recorder's status is recording
 *                     with last status pending or success).
 * A call that was not collected is reported (needs.h), never read as
 * "nothing configured".
 *
 * missing: matches the account when the embedded policy ({resource,
 * filters}) finds no resource in the same account/region, Custodian's
 * Missing filter ("no trail", "no flow log", ...).
 */
#include "filters/account_more.h"

#include <string.h>
#include <strings.h>

#include "inventory/scope.h"
#include "filters/filter_opts.h"
#include "filters/iam_filters.h"
#include "filters/needs.h"
#include "resources/resource.h"

typedef struct acct_filter {
    filter base;
    value_filter *vf;
} acct_filter;

static filter *acct_compile(filter_compiler *fc, const jv *spec, const filter_type *ft)
{
    acct_filter *f = arena_calloc(fc->a, sizeof *f);
    f->base.type = ft;
    f->base.pos = fc->where;
    jv vspec = iam_value_spec(fc, spec, NULL, NULL);
    f->vf = value_filter_compile(fc, &vspec, true);
    return f->vf ? &f->base : NULL;
}

static const jv *need(const jv *r, const char *key, eval_ctx *ctx, const char *filter,
                      const char *call)
{
    const jv *v = jv_get(r, key);
    if (!v) filter_note_missing(ctx, filter, call);
    return v;
}

static filter *analyzer_compile(filter_compiler *fc, const jv *spec)
{
    return acct_compile(fc, spec, &filter_type_access_analyzer);
}

static bool analyzer_match(const filter *base, const jv *r, eval_ctx *ctx)
{
    const acct_filter *f = (const acct_filter *)base;
    const jv *list =
        need(r, "c7n:analyzers", ctx, "access-analyzer", "accessanalyzer.ListAnalyzers");
    for (uint32_t i = 0; jv_is(list, JV_ARRAY) && i < list->len; i++)
        if (value_filter_match(f->vf, &list->u.items[i], ctx)) return true;
    return false;
}

static filter *macie_compile(filter_compiler *fc, const jv *spec)
{
    return acct_compile(fc, spec, &filter_type_check_macie);
}

static bool macie_match(const filter *base, const jv *r, eval_ctx *ctx)
{
    const acct_filter *f = (const acct_filter *)base;
    const jv *session = need(r, "c7n:macie-session", ctx, "check-macie", "macie2.GetMacieSession");
    const jv *admin = jv_get(r, "c7n:macie-administrator");
    if (!session) return false;
    jv_builder b;
    jvb_object(&b, ctx->scratch);
    for (uint32_t i = 0; jv_is(session, JV_OBJECT) && i < session->len; i++)
        jvb_set(&b, session->u.members[i].key, session->u.members[i].klen,
                session->u.members[i].val);
    jv a = admin && jv_is(admin, JV_OBJECT) ? *admin : jv_object(ctx->scratch, 0);
    jvb_set(&b, "master", 6, a);
    jvb_set(&b, "administrator", 13, a);
    jv doc = jvb_done(&b);
    return value_filter_match(f->vf, &doc, ctx);
}

static filter *org_compile(filter_compiler *fc, const jv *spec)
{
    return acct_compile(fc, spec, &filter_type_organization);
}

static bool org_match(const filter *base, const jv *r, eval_ctx *ctx)
{
    const acct_filter *f = (const acct_filter *)base;
    const jv *org = need(r, "c7n:org", ctx, "organization", "organizations.DescribeOrganization");
    if (!org || jv_is(org, JV_NULL)) return false; /* not collected, or an error answer */
    return value_filter_match(f->vf, org, ctx);
}

static filter *emr_compile(filter_compiler *fc, const jv *spec)
{
    return acct_compile(fc, spec, &filter_type_emr_bpa);
}

static bool emr_match(const filter *base, const jv *r, eval_ctx *ctx)
{
    const acct_filter *f = (const acct_filter *)base;
    const jv *doc = need(r, "c7n:emr-block-public-access", ctx, "emr-block-public-access",
                         "emr.GetBlockPublicAccessConfiguration");
    if (!doc || jv_is(doc, JV_NULL)) return false;
    return value_filter_match(f->vf, doc, ctx);
}

/* ---- check-config ---- */

typedef struct config_filter {
    filter base;
    bool global, all, running;
} config_filter;

static filter *config_compile(filter_compiler *fc, const jv *spec)
{
    config_filter *f = arena_calloc(fc->a, sizeof *f);
    f->base.type = &filter_type_check_config;
    f->base.pos = fc->where;
    f->running = true;
    for (uint32_t i = 0; jv_is(spec, JV_OBJECT) && i < spec->len; i++) {
        const jv_member *m = &spec->u.members[i];
        bool ok = true;
        if (!strcmp(m->key, "type")) continue;
        if (!strcmp(m->key, "global-resources"))
            ok = opt_bool(fc, &m->val, m->key, &f->global);
        else if (!strcmp(m->key, "all-resources"))
            ok = opt_bool(fc, &m->val, m->key, &f->all);
        else if (!strcmp(m->key, "running"))
            ok = opt_bool(fc, &m->val, m->key, &f->running);
        else
            ok = opt_unknown(fc, m, "check-config");
        if (!ok) return NULL;
    }
    return &f->base;
}

static bool recorder_running(const jv *status, const jv *name)
{
    for (uint32_t i = 0; jv_is(status, JV_ARRAY) && i < status->len; i++) {
        const jv *s = &status->u.items[i];
        if (!jv_equal(jv_get(s, "name"), name)) continue;
        const jv *last = jv_get(s, "lastStatus");
        bool ok = jv_is(last, JV_STRING) &&
                  (!strcasecmp(last->u.str, "pending") || !strcasecmp(last->u.str, "success"));
        return jv_truthy(jv_get(s, "recording")) && ok;
    }
    return false;
}

static bool config_match(const filter *base, const jv *r, eval_ctx *ctx)
{
    const config_filter *f = (const config_filter *)base;
    const jv *ch =
        need(r, "c7n:config_channels", ctx, "check-config", "config.DescribeDeliveryChannels");
    const jv *rec = need(r, "c7n:config_recorders", ctx, "check-config",
                         "config.DescribeConfigurationRecorders");
    if (!ch || !rec) return false;
    const jv *status = NULL;
    size_t left = 0;
    for (uint32_t i = 0; jv_is(rec, JV_ARRAY) && i < rec->len; i++) {
        const jv *g = jv_get(&rec->u.items[i], "recordingGroup");
        if (f->global && !jv_truthy(jv_get(g, "includeGlobalResourceTypes"))) continue;
        if (f->all && !jv_truthy(jv_get(g, "allSupported"))) continue;
        if (f->running) {
            if (!status)
                status = need(r, "c7n:config_status", ctx, "check-config",
                              "config.DescribeConfigurationRecorderStatus");
            if (!status) return false;
            if (!recorder_running(status, jv_get(&rec->u.items[i], "name"))) continue;
        }
        left++;
    }
    return !(jv_is(ch, JV_ARRAY) && ch->len && left);
}

/* ---- SES sending statistics ---- */

static filter *ses_agg_compile(filter_compiler *fc, const jv *spec)
{
    filter *f = arena_calloc(fc->a, sizeof *f);
    f->type = &filter_type_ses_agg;
    f->pos = fc->where;
    jv vspec = iam_value_spec(fc, spec, NULL, NULL);
    if (jv_get(&vspec, "key") && !value_filter_compile(fc, &vspec, true)) return NULL;
    return f;
}

static filter *ses_send_compile(filter_compiler *fc, const jv *spec)
{
    filter *f = arena_calloc(fc->a, sizeof *f);
    f->type = &filter_type_ses_send;
    f->pos = fc->where;
    for (uint32_t i = 0; jv_is(spec, JV_OBJECT) && i < spec->len; i++) {
        const jv_member *m = &spec->u.members[i];
        if (!strcmp(m->key, "type")) continue;
        if (strcmp(m->key, "days") || !jv_is(&m->val, JV_NUMBER) || m->val.u.num < 2) {
            fc_error(fc, m, "ses-send-stats takes days (a number, at least 2) only");
            return NULL;
        }
    }
    if (!jv_get(spec, "days")) {
        fc_error(fc, spec, "ses-send-stats needs days (a number, at least 2)");
        return NULL;
    }
    return f;
}

static bool ses_match(const filter *base, const jv *r, eval_ctx *ctx)
{
    const jv *dp =
        need(r, "c7n:ses-send-data-points", ctx, base->type->name, "ses.GetSendStatistics");
    return jv_is(dp, JV_ARRAY) && dp->len > 0;
}

/* ---- glue-security-config ---- */

static const char *const GLUE_ATTRS[] = {"CatalogEncryptionMode", "SseAwsKmsKeyId",
                                         "ReturnConnectionPasswordEncrypted", "AwsKmsKeyId"};

typedef struct glue_filter {
    filter base;
    value_filter *vf[4]; /* per GLUE_ATTRS; NULL = not given */
    const char *alias[4];
    bool any;
} glue_filter;

static filter *glue_compile(filter_compiler *fc, const jv *spec)
{
    glue_filter *f = arena_calloc(fc->a, sizeof *f);
    f->base.type = &filter_type_glue_config;
    f->base.pos = fc->where;
    for (uint32_t i = 0; jv_is(spec, JV_OBJECT) && i < spec->len; i++) {
        const jv_member *m = &spec->u.members[i];
        if (!strcmp(m->key, "type")) continue;
        if (!strcmp(m->key, "match-operator")) {
            f->any = jv_str_eq(&m->val, "or");
            continue;
        }
        int k = 0;
        while (k < 4 && strcmp(m->key, GLUE_ATTRS[k]) != 0)
            k++;
        if (k == 4) return opt_unknown(fc, m, "glue-security-config"), NULL;
        jv_builder b;
        jvb_object(&b, fc->a);
        if (jv_is(&m->val, JV_OBJECT)) {
            for (uint32_t x = 0; x < m->val.len; x++)
                jvb_set(&b, m->val.u.members[x].key, m->val.u.members[x].klen,
                        m->val.u.members[x].val);
            jvb_set(&b, "key", 3, jv_cstr(fc->a, m->key));
        } else {
            jvb_set(&b, m->key, m->klen, m->val);
        }
        jv vs = jvb_done(&b);
        f->vf[k] = value_filter_compile(fc, &vs, true);
        if (!f->vf[k]) return NULL;
        if ((k == 1 || k == 3) && jv_is(&m->val, JV_STRING) && !strncmp(m->val.u.str, "alias", 5))
            f->alias[k] = m->val.u.str;
    }
    fc->needs_related = true;
    return &f->base;
}

/* The first alias of the key a setting names (an ARN, id or alias). */
static const jv *key_alias(eval_ctx *ctx, const jv *ref)
{
    if (!jv_is(ref, JV_STRING)) return NULL;
    const char *id = ref->u.str;
    if (!strncmp(id, "arn:", 4)) id = strrchr(id, strstr(id, "alias/") ? ':' : '/') + 1;
    const resource_set *keys = filter_need_set(ctx, "glue-security-config", "aws.kms-key");
    for (size_t i = 0; i < keys->n; i++) {
        const jv *k = &keys->items[i];
        const jv *names = jv_get(k, "AliasNames");
        bool hit = jv_str_eq(jv_get(k, "KeyId"), id);
        for (uint32_t a = 0; !hit && jv_is(names, JV_ARRAY) && a < names->len; a++)
            hit = jv_str_eq(&names->u.items[a], id);
        if (hit) return jv_is(names, JV_ARRAY) && names->len ? &names->u.items[0] : NULL;
    }
    return NULL;
}

static bool glue_match(const filter *base, const jv *r, eval_ctx *ctx)
{
    const glue_filter *f = (const glue_filter *)base;
    const jv *s = need(r, "c7n:glue-catalog-encryption", ctx, "glue-security-config",
                       "glue.GetDataCatalogEncryptionSettings");
    if (!s || jv_is(s, JV_NULL)) return false;
    jv_builder b;
    jvb_object(&b, ctx->scratch);
    static const char *const parts[] = {"EncryptionAtRest", "ConnectionPasswordEncryption"};
    for (int p = 0; p < 2; p++) {
        const jv *o = jv_get(s, parts[p]);
        for (uint32_t i = 0; jv_is(o, JV_OBJECT) && i < o->len; i++)
            jvb_set(&b, o->u.members[i].key, o->u.members[i].klen, o->u.members[i].val);
    }
    for (int k = 0; k < 4; k++) {
        if (!f->alias[k]) continue;
        const jv *al = key_alias(ctx, jv_getn(&b.v, GLUE_ATTRS[k], strlen(GLUE_ATTRS[k])));
        if (!jv_str_eq(al, f->alias[k])) return false; /* Custodian: no target at all */
        jvb_set(&b, GLUE_ATTRS[k], strlen(GLUE_ATTRS[k]), jv_cstr(ctx->scratch, f->alias[k]));
    }
    jv target = jvb_done(&b);
    bool all = true, any = false;
    for (int k = 0; k < 4; k++) {
        if (!f->vf[k]) continue;
        bool m = value_filter_match(f->vf[k], &target, ctx);
        all &= m;
        any |= m;
    }
    return f->any ? any : all;
}

/* ---- missing ---- */

typedef struct missing_filter {
    filter base;
    const resource_type *rt;
    filter *filters; /* NULL = any resource of rt */
} missing_filter;

static filter *missing_compile(filter_compiler *fc, const jv *spec)
{
    const jv *pol = jv_get(spec, "policy");
    const jv *res = jv_get(pol, "resource");
    if (!jv_is(pol, JV_OBJECT) || !jv_is(res, JV_STRING)) {
        fc_error(fc, pol ? pol : spec, "missing needs policy: {resource: TYPE, filters: [...]}");
        return NULL;
    }
    for (uint32_t i = 0; i < pol->len; i++) {
        const char *k = pol->u.members[i].key;
        if (strcmp(k, "resource") && strcmp(k, "filters") && strcmp(k, "name")) {
            fc_error(fc, &pol->u.members[i].val,
                     "missing: the embedded policy takes resource and filters only ('%s')", k);
            return NULL;
        }
    }
    missing_filter *f = arena_calloc(fc->a, sizeof *f);
    f->base.type = &filter_type_missing;
    f->base.pos = fc->where;
    f->rt = resource_type_find(res->u.str);
    if (!f->rt) {
        fc_error(fc, res, "missing: unknown resource type '%s'", res->u.str);
        return NULL;
    }
    const jv *filters = jv_get(pol, "filters");
    if (filters) {
        const struct resource_type *saved = fc->rtype;
        fc->rtype = f->rt;
        f->filters = filter_compile_list(fc, filters);
        fc->rtype = saved;
        if (!f->filters) return NULL;
    }
    return &f->base;
}

static bool missing_match(const filter *base, const jv *r, eval_ctx *ctx)
{
    (void)r;
    const missing_filter *f = (const missing_filter *)base;
    const resource_set *set = filter_need_set(ctx, "missing", f->rt->name);
    if (set->missing) return false; /* unknown, and reported: not "missing" */
    eval_ctx sub = *ctx;
    sub.rtype = f->rt;
    sub.related = set;
    sub.evidence = NULL;
    for (size_t i = 0; i < set->n; i++)
        if (!f->filters || filter_match(f->filters, &set->items[i], &sub)) return false;
    return true;
}

static const char *const acct[] = {"aws.account", NULL};

const filter_type filter_type_access_analyzer = {"access-analyzer", acct, analyzer_compile,
                                                 analyzer_match};
const filter_type filter_type_check_macie = {"check-macie", acct, macie_compile, macie_match};
const filter_type filter_type_organization = {"organization", acct, org_compile, org_match};
const filter_type filter_type_emr_bpa = {"emr-block-public-access", acct, emr_compile, emr_match};
const filter_type filter_type_missing = {"missing", acct, missing_compile, missing_match};
const filter_type filter_type_check_config = {"check-config", acct, config_compile, config_match};
const filter_type filter_type_ses_agg = {"ses-agg-send-stats", acct, ses_agg_compile, ses_match};
const filter_type filter_type_ses_send = {"ses-send-stats", acct, ses_send_compile, ses_match};
const filter_type filter_type_glue_config = {"glue-security-config", acct, glue_compile,
                                             glue_match};
