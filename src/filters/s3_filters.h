/* s3_filters.h - aws.s3 filters: has-statement, global-grants,
 * check-public-block (Cloud Custodian semantics); cross-account is in
 * cross_account.h.
 *
 * The bucket document is ListBuckets' entry with Custodian's per-bucket
 * keys merged in.  These filters read:
 *   Name                    bucket name ({bucket_name} in has-statement)
 *   Location                GetBucketLocation response; LocationConstraint
 *                           null = us-east-1, "EU" = eu-west-1
 *   Policy                  GetBucketPolicy's Policy (also cross-account): JSON text
 *                           (a parsed object is accepted too); absent or
 *                           null = no policy
 *   Acl                     GetBucketAcl response {Owner, Grants}
 *   Website                 GetBucketWebsite response; absent/null/{} = not
 *                           a website
 *   c7n:PublicAccessBlock   GetPublicAccessBlock's
 *                           PublicAccessBlockConfiguration object; absent or
 *                           null (NoSuchPublicAccessBlockConfiguration, or
 *                           AccessDenied) = nothing blocked, as in Custodian
 *
 * has-statement   statement_ids: every Sid must be present; statements:
 *                 each must equal some policy statement on all its keys
 *                 (Action/NotAction compared as case-insensitive sets;
 *                 PartialMatch: [Action|NotAction] = subset); strings may
 *                 use {account_id} {region} {bucket_name} {bucket_region}.
 * global-grants   Acl grants to AllUsers/AuthenticatedUsers, optionally
 *                 only `permissions`; READ on a website bucket is allowed
 *                 unless allow_website: false.
 * check-public-block  with no options: some setting is off; with options
 *                 (BlockPublicAcls, IgnorePublicAcls, BlockPublicPolicy,
 *                 RestrictPublicBuckets: bool): each given one equals it.
 *
 * Evidence (eval_ctx.evidence, in eval_ctx.scratch): matched statements
 * (has-statement), matched grants (global-grants), the offending settings
 * (check-public-block).
 */
#ifndef CUSTOS_S3_FILTERS_H
#define CUSTOS_S3_FILTERS_H

#include "filters/filter.h"

extern const filter_type filter_type_has_statement;
extern const filter_type filter_type_global_grants;
extern const filter_type filter_type_check_public_block;

#endif
