/* related.h - filters that look at a related resource (Custodian's
 * RelatedResourceFilter family).
 *
 * Contract: `security-group`, `subnet`, `vpc`, `kms-key`, `iam-role`,
 * `instance`, `volume`, `image`, `topic`, `internet-gateway`,
 * `nat-gateway` and `vpc-endpoint` take a value filter (key, value, op,
 * value_type, ...) and an optional `operator` (or/and).  For each resource
 * the ids of its related resources come from an expression fixed per
 * (filter, resource type), the table in related.c (Custodian's
 * RelatedIdsExpression); each id is looked up in the related type's set of
 * the same account/region, and the value filter runs on it:
 *   - operator or (default): the resource matches when one related
 *     resource matches; operator and: when every related id matched (so a
 *     resource with no related ids matches `and`, as in Custodian);
 *   - an id with no related resource matches only when value is
 *     `absent` (the related resource has no key at all);
 *   - kms-key ids are normalised (key ARN -> key id, alias ARN or name ->
 *     the key the alias targets) and the key document carries
 *     c7n:AliasName (its first alias, "" when none);
 *   - iam-role: lambda's Role ARN, or the role of an instance's profile
 *     (aws.iam-profile Roles[0]), by role name;
 *   - reverse lookups (a VPC's security groups, subnets, NAT and internet
 *     gateways, endpoints): related resources that name the resource.
 * `kms-alias` (ebs, rds) matches the alias targeting the resource's
 * KmsKeyId; `ebs` (ec2) the volumes attached to the instance
 * (skip-devices, operator).  Related sets come from eval_ctx.scope; when
 * the related type's listing was not collected the filter says so
 * (needs.h) rather than answering "no match" silently.
 */
#ifndef CUSTOS_RELATED_H
#define CUSTOS_RELATED_H

#include "filters/filter.h"

/* The IAM role documents (aws.iam-role) behind resource r of the eval's
 * type, as the iam-role filter finds them (lambda Role, an instance's
 * profile), at most max of them into out; returns how many.  Roles not in
 * the inventory are skipped. */
size_t related_iam_roles(eval_ctx *ctx, const jv *r, const jv **out, size_t max);
/* The same for any relation of the table ("security-group", "subnet", ...)
 * of the eval's type (not the reverse ones). */
size_t related_docs(eval_ctx *ctx, const char *filter_name, const jv *r, const jv **out,
                    size_t max);
/* Whether the table relates filter_name on resource type `type`. */
bool related_has(const char *filter_name, const char *type);
/* Custodian's get_resource_value for keys "tag:NAME" (the Tags list) and
 * a plain top-level key; NULL when absent. */
const jv *related_key_value(const jv *r, const char *key);

extern const filter_type filter_type_rel_security_group;
extern const filter_type filter_type_rel_subnet;
extern const filter_type filter_type_rel_vpc;
extern const filter_type filter_type_rel_kms_key;
extern const filter_type filter_type_rel_iam_role;
extern const filter_type filter_type_rel_instance;
extern const filter_type filter_type_rel_volume;
extern const filter_type filter_type_rel_image;
extern const filter_type filter_type_rel_topic;
extern const filter_type filter_type_rel_igw;
extern const filter_type filter_type_rel_nat;
extern const filter_type filter_type_rel_vpc_endpoint;
extern const filter_type filter_type_kms_alias;
extern const filter_type filter_type_attached_ebs;

#endif
