/* sg_perm.h - the aws.security-group `ingress` and `egress` filters.
 *
 * Contract (Cloud Custodian's SGPermission semantics):
 * - The group's IpPermissions (ingress) or IpPermissionsEgress (egress) are
 *   expanded so that each IpRanges / Ipv6Ranges / PrefixListIds /
 *   UserIdGroupPairs element becomes its own rule (the other three lists
 *   empty); a rule with none of them yields nothing.
 * - Each expanded rule is tested by every configured criterion: value
 *   filters on IpProtocol, FromPort, ToPort, IpRanges, Ipv6Ranges,
 *   PrefixListIds, UserIdGroupPairs; Ports, OnlyPorts, Cidr (on each
 *   IpRanges[].CidrIp), CidrV6 (on each Ipv6Ranges[].CidrIpv6), Description,
 *   SelfReference, SGReferences (a value filter on the referenced groups,
 *   found in eval_ctx.related by GroupId, same owner only).  Criteria that
 *   do not apply to a rule are skipped; the rest are combined with
 *   match-operator (`and`, default, or `or`).  The group matches when any
 *   rule does.
 * - Deviation from Custodian, on purpose: a rule with IpProtocol "-1" (all
 *   traffic) covers every port 0-65535 for Ports/OnlyPorts.  Custodian
 *   skips the port test for such rules, so `Ports: [22]` alone missed them.
 * - PrefixLists (which needs DescribeManagedPrefixLists data) is rejected
 *   at compile time.
 * - Evidence (eval_ctx.evidence): the array of matched expanded rules,
 *   allocated in eval_ctx.scratch.
 */
#ifndef CUSTOS_SG_PERM_H
#define CUSTOS_SG_PERM_H

#include "filters/filter.h"

extern const filter_type filter_type_ingress;
extern const filter_type filter_type_egress;

#endif
