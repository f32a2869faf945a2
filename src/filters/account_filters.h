/* account_filters.h - aws.account filters that look at account-wide
 * services: check-cloudtrail (Cloud Custodian's semantics and options).
 *
 * check-cloudtrail matches the account when NO trail of its scope satisfies
 * every requirement given.  The trails are scope_set(eval_ctx.scope,
 * aws.cloudtrail): DescribeTrails of the account's first region, which
 * lists the multi-region trails of every home region (shadow trails) too.
 * Requirements, each only when the option is true:
 *   global-events   IncludeGlobalServiceEvents
 *   current-region  HomeRegion is the scope's region, or IsMultiRegionTrail
 *   multi-region    IsMultiRegionTrail
 *   kms             KmsKeyId set;   kms-key: KEY   KmsKeyId equals KEY
 *   file-digest     LogFileValidationEnabled
 *   notifies        SnsTopicARN set
 *   running         (default TRUE, as in Custodian) the trail's `Status`
 *                   (GetTrailStatus, merged by the inventory) says
 *                   IsLogging and has no LatestDeliveryError; a trail
 *                   without Status (not collected) is not known to run.
 * Custodian's include-management-events and log-metric-filter-pattern
 * need event selectors and CloudWatch data the inventory does not hold:
 * they are rejected at compile time rather than silently ignored.  No
 * scope (eval_ctx.scope NULL) = no trails = a match.
 *
 * Evidence: {"region": the region whose DescribeTrails was read,
 * "trails": [{"Name", "fails": the first requirement it misses}, ...]}.
 */
#ifndef CUSTOS_ACCOUNT_FILTERS_H
#define CUSTOS_ACCOUNT_FILTERS_H

#include "filters/filter.h"

extern const filter_type filter_type_check_cloudtrail;

#endif
