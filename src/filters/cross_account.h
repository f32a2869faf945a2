/* cross_account.h - Cloud Custodian's `cross-account` filter.
 *
 * One filter type, three resource kinds, Custodian's semantics for each:
 *  - aws.s3         bucket `Policy` (JSON text or object) checked with
 *                   iam_policy.h's rules; AWS's ELB/Redshift/CloudTrail
 *                   log-delivery accounts are trusted too.
 *  - aws.iam-role   `AssumeRolePolicyDocument` (object, JSON text, or
 *                   URL-encoded JSON text) checked the same way.
 *  - aws.ebs-snapshot  `c7n:attribute-createVolumePermission` (the
 *                   DescribeSnapshotAttribute CreateVolumePermissions list):
 *                   any Group ("all" = public) or UserId not trusted.
 * Trusted accounts are always eval_ctx.account_id plus whitelist and
 * whitelist_from.  Policy kinds also take whitelist_orgids, whitelist_vpce,
 * whitelist_vpc (each with a *_from form: Custodian's value_from, local
 * files only), whitelist_conditions (default aws:userid, aws:username),
 * everyone_only and actions.  A resource without the key does not match.
 *
 * Evidence (eval_ctx.evidence, in eval_ctx.scratch): the violating policy
 * statements, or for snapshots the untrusted account ids / groups.
 */
#ifndef CUSTOS_CROSS_ACCOUNT_H
#define CUSTOS_CROSS_ACCOUNT_H

#include "filters/filter.h"

extern const filter_type filter_type_cross_account;

#endif
