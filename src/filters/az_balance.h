/* az_balance.h - the `az-imbalance` filter (custos extension) for aws.asg
 * and aws.elb.
 *
 * Contract: count the group's instances per Availability Zone it is
 * configured for (AvailabilityZones):
 *   - aws.asg: Instances[].AvailabilityZone;
 *   - aws.elb (classic): Instances[].InstanceId looked up in the scope's
 *     aws.ec2 set (Placement.AvailabilityZone); instances not found there
 *     are not counted (no scope: nothing is counted).
 * Instances in a zone the group is not configured for are ignored.
 * Matches when the group spans >= 2 zones, counts >= 2 instances, and the
 * difference between the fullest and emptiest zone exceeds `max-skew`
 * (integer >= 0, default 1: 2/1 is fine, 3/1 or 2/0 is not).
 * Evidence: {"AvailabilityZone counts": {"<zone>": n, ...}} in the order
 * of AvailabilityZones.
 */
#ifndef CUSTOS_AZ_BALANCE_H
#define CUSTOS_AZ_BALANCE_H

#include "filters/filter.h"

extern const filter_type filter_type_az_imbalance;

#endif
