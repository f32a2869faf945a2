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
 *  - aws.rds-snapshot  `c7n:attributes` ({AttributeName: AttributeValues}
 *                   of DescribeDBSnapshotAttributes, Custodian's key): any
 *                   `restore` value ("all" = public) not trusted.
 * Trusted accounts are always eval_ctx.account_id plus whitelist and
 * whitelist_from.  Policy kinds also take whitelist_orgids, whitelist_vpce,
 * whitelist_vpc (each with a *_from form: Custodian's value_from, local
 * files only), whitelist_conditions (default aws:userid, aws:username),
 * everyone_only and actions.  A resource without the key does not match.
 *
 * custos extensions:
 *  - whitelist_org: true (every kind): the organisation is trusted too:
 *    every account of the inventory and accounts.yaml's
 *    organization.trusted_accounts (scope_known_account), and for policies
 *    aws:PrincipalOrgID equal to organization.id plus the confinement rule
 *    of iam_policy.h (a concrete aws:SourceVpce/SourceVpc also counts as
 *    inside).  eval_ctx.scope NULL = no organisation knowledge.
 *  - everyone_only on policies is condition-aware (iam_policy.h): Principal
 *    "*" confined by a concrete SourceAccount/PrincipalOrgID/SourceVpce/...
 *    condition is not "everyone".  Custodian judges those conditions
 *    against its allow-lists and so reports e.g. an org-limited bucket.
 *  - everyone_only on snapshots reports only the public share ("all");
 *    Custodian accepts the option there but ignores it.
 * Without these options behaviour is Custodian's, unchanged.
 *
 * Evidence (eval_ctx.evidence, in eval_ctx.scratch): the violating policy
 * statements, or for snapshots the untrusted account ids / groups.
 */
#ifndef CUSTOS_CROSS_ACCOUNT_H
#define CUSTOS_CROSS_ACCOUNT_H

#include "filters/filter.h"

extern const filter_type filter_type_cross_account;

#endif
