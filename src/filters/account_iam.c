/* account_iam.c - the account's iam-summary and password-policy filters.
 *
 * Both are Custodian value filters over one document the inventory merged
 * into the synthetic aws.account resource (augment.c):
 *   iam-summary      "c7n:iam_summary"    GetAccountSummary's SummaryMap
 *   password-policy  "c7n:password_policy" GetAccountPasswordPolicy's
 *                    PasswordPolicy plus PasswordPolicyConfigured: true, or
 *                    just {PasswordPolicyConfigured: false} when the account
 *                    has none (NoSuchEntity), as Custodian builds it.
 * All value filter options apply (Custodian: rinherit ValueFilter.schema).
 * A document that was not collected means no match (Custodian would call
 * the API).  Evidence: {"<key>": <the document's value>}.
 */
#include <string.h>

#include "filters/iam_filters.h"

typedef struct doc_filter {
    filter hdr;
    value_filter *vf;
    jv spec;
    const char *doc_key;
} doc_filter;

static filter *doc_compile(filter_compiler *fc, const jv *spec, const char *doc_key)
{
    doc_filter *df = arena_calloc(fc->a, sizeof *df);
    df->spec = iam_value_spec(fc, spec, NULL, NULL);
    df->doc_key = doc_key;
    df->vf = value_filter_compile(fc, &df->spec, true);
    return df->vf ? &df->hdr : NULL;
}

static bool doc_match(const filter *f, const jv *r, eval_ctx *ctx)
{
    const doc_filter *df = (const doc_filter *)f;
    const jv *doc = jv_get(r, df->doc_key);
    if (!jv_is(doc, JV_OBJECT)) return false;
    if (!value_filter_match(df->vf, doc, ctx)) return false;
    const jv *key = jv_get(&df->spec, "key");
    if (jv_is(key, JV_STRING))
        iam_evidence_set(ctx, key->u.str, key->len, iam_doc_value(doc, &df->spec));
    return true;
}

static filter *summary_compile(filter_compiler *fc, const jv *spec)
{
    return doc_compile(fc, spec, "c7n:iam_summary");
}

static filter *password_compile(filter_compiler *fc, const jv *spec)
{
    return doc_compile(fc, spec, "c7n:password_policy");
}

static const char *const ACCOUNT_ONLY[] = {"aws.account", NULL};
const filter_type filter_type_iam_summary = {"iam-summary", ACCOUNT_ONLY, summary_compile,
                                             doc_match};
const filter_type filter_type_password_policy = {"password-policy", ACCOUNT_ONLY, password_compile,
                                                 doc_match};
