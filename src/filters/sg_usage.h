/* sg_usage.h - the aws.security-group `unused` and `used` filters.
 *
 * Contract (Cloud Custodian's SGUsage semantics, from what the inventory
 * holds): a group is used when
 *   - a network interface of its account/region lists it (Groups[].GroupId;
 *     in AWS every attached service, EC2, ELB, RDS, Lambda in a VPC, ECS
 *     tasks, endpoints, has an interface, so this covers them when they run),
 *   - another group's ingress or egress rule references it
 *     (UserIdGroupPairs; a group referencing itself is not usage), or
 *   - a Lambda function's VpcConfig.SecurityGroupIds lists it.
 * `unused` matches groups in a VPC (VpcId present) that are not used;
 * `used` is its complement (EC2-classic groups count as used, as in
 * Custodian).  Network interfaces etc. come from eval_ctx.scope; with no
 * scope every VPC group is unused.
 * Differences from Custodian: launch configurations, ECS event targets,
 * CodeBuild and Batch are not collected (their groups are used through
 * interfaces while anything runs), cross-account peered references
 * (DescribeSecurityGroupReferences) are not checked, and `used` does not
 * annotate the resource (documents are read-only); instead the evidence is
 * {"NetworkInterfaces": n, "ReferencingGroups": n, "LambdaFunctions": n}.
 */
#ifndef CUSTOS_SG_USAGE_H
#define CUSTOS_SG_USAGE_H

#include "filters/filter.h"

extern const filter_type filter_type_unused;
extern const filter_type filter_type_used;

#endif
