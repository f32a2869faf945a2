/* iam_filters.h - Cloud Custodian's IAM filters over pre-collected data.
 *
 * Every filter reads a key the inventory merged into the resource (see
 * inventory/augment.c) instead of calling AWS, so each is a pure function
 * of the resource document.  A resource without the key (the data was not
 * collected) never matches.
 *
 *   credential       aws.iam-user, aws.account: a value filter over the
 *                    credential report row "c7n:credential-report"; a key
 *                    "access_keys.X" / "certs.X" matches when any of the
 *                    user's keys/certs matches X.
 *   access-key       aws.iam-user: a value filter over each entry of
 *                    "c7n:AccessKeys" (ListAccessKeys), match-operator and|or.
 *   mfa-device       aws.iam-user: a value filter on "MFADevices" (the key is
 *                    always MFADevices, as in Custodian).
 *   has-allow-all    aws.iam-policy: a statement Allow, Action "*", Resource
 *                    "*", no Condition in the default version ("c7n:policy").
 *   iam-summary      aws.account: a value filter over "c7n:iam_summary".
 *   password-policy  aws.account: a value filter over "c7n:password_policy".
 *
 * credential and access-key record the keys they matched under
 * "c7n:matched-keys" in eval_ctx.evidence, merged across the filters of a
 * policy as Custodian's Filter.merge_annotation does; that annotation is
 * also what `match-operator: and` reads, so it needs ctx->evidence (the
 * engine always gives one).  Evidence never holds secrets: members named
 * like SecretAccessKey are dropped from copied key objects.
 */
#ifndef CUSTOS_IAM_FILTERS_H
#define CUSTOS_IAM_FILTERS_H

#include "filters/filter.h"

extern const filter_type filter_type_credential;
extern const filter_type filter_type_access_key;
extern const filter_type filter_type_mfa_device;
extern const filter_type filter_type_has_allow_all;
extern const filter_type filter_type_iam_summary;
extern const filter_type filter_type_password_policy;

/* ---- shared by iam_filters.c and account_iam.c ---- */

/* A copy of spec fit for value_filter_compile: "type" becomes "value",
 * members named in drop (NULL-terminated, may be NULL) are left out, and
 * when force_key is set "key" is replaced by it (or added). */
jv iam_value_spec(filter_compiler *fc, const jv *spec, const char *const *drop,
                  const char *force_key);

/* Sets key in the evidence object (replacing a previous value), in
 * ctx->scratch.  No-op without ctx->evidence or when another filter made
 * the evidence something other than an object. */
void iam_evidence_set(eval_ctx *ctx, const char *key, size_t klen, jv val);

/* The value under a value filter's key in doc, for evidence: the member of
 * that exact name, else null. */
jv iam_doc_value(const jv *doc, const jv *spec);

#endif
