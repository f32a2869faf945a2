/* plan.c - what `custos collect` calls: one line per operation.
 *
 * The operations the inventory layer and the built-in pack read (the
 * resource types of src/resources/registry.c and the per-resource calls of
 * src/inventory/augment.c).  scripts/gen-aws-tables.py reads the OP(...)
 * and EXTRA(...) lines of this file to decide which operations get model
 * tables, so adding an operation is adding a line here.
 *
 *   OP(client, operation, scope, parent, items, file_key, params, flags)
 *     scope     PLAN_REGIONAL (every region) or PLAN_GLOBAL (once per
 *               account, in us-east-1, files under global/)
 *     parent    NULL: called once per scope.  Otherwise the operation of
 *               the same client this one follows: with `items` (a dotted
 *               path to a list in the parent's merged answer) it is called
 *               once per item; without, once after each parent call, for
 *               the parent's item (a chain such as GetBucketLocation ->
 *               GetBucketPolicy)
 *     file_key  the item's member naming the file (client.Operation.<key>.json),
 *               "." for an item that is itself the name (a list of ids);
 *               with no parent, the literal <key> of one fixed call (the
 *               same operation called with several fixed params)
 *     params    "Name=value&..." where {Member} is the item's member; a
 *               list parameter takes comma-separated values
 *     flags     PLAN_ERROR_FILE: an answer such as NoSuchEntity is written
 *               as {"Error": {...}} (the inventory reads it as "none
 *               configured"); PLAN_BUCKET_REGION: called in the region of
 *               the parent's LocationConstraint (S3 per-bucket calls);
 *               PLAN_OFF_IF_NO_ACCESS: InvalidAccessException is "not
 *               enabled" (Security Hub), read as not found
 *   EXTRA(client, operation): tables only (credentials, regions, accounts).
 *   WRITE(client, operation): tables only, a call that changes something:
 *               remediation's (src/remediate/), never the collector's.
 *               scripts/gen-role-templates.py grants them in the
 *               remediation role (deploy/aws/custos-remediate-role.*) and
 *               never in the read role.
 */
#include <stddef.h>

#include "aws/plan.h"

#define OP(c, o, sc, par, it, key, prm, fl)                                                        \
    {                                                                                              \
        c, o, sc, par, it, key, prm, fl                                                            \
    }
#define EXTRA(c, o)                                                                                \
    {                                                                                              \
        c, o, PLAN_NONE, NULL, NULL, NULL, NULL, 0                                                 \
    }
#define WRITE(c, o) EXTRA(c, o)
#define R PLAN_REGIONAL
#define G PLAN_GLOBAL
#define S3B(o)                                                                                     \
    OP("s3", o, G, "GetBucketLocation", NULL, "Name", "Bucket={Name}", PLAN_BUCKET_REGION)

#define WATCH(name, more)                                                                          \
    OP("iam", "ListEntitiesForPolicy", G, NULL, NULL, name,                                        \
       "PolicyArn=arn:aws:iam::aws:policy/" name more, 0)

static const plan_op PLAN[] = {
    OP("ec2", "DescribeSecurityGroups", R, NULL, NULL, NULL, NULL, 0),
    OP("ec2", "DescribeInstances", R, NULL, NULL, NULL, NULL, 0),
    OP("ec2", "DescribeNetworkInterfaces", R, NULL, NULL, NULL, NULL, 0),
    OP("ec2", "DescribeVpcs", R, NULL, NULL, NULL, NULL, 0),
    OP("ec2", "DescribeSubnets", R, NULL, NULL, NULL, NULL, 0),
    OP("ec2", "DescribeRouteTables", R, NULL, NULL, NULL, NULL, 0),
    OP("ec2", "DescribeInternetGateways", R, NULL, NULL, NULL, NULL, 0),
    OP("ec2", "DescribeNatGateways", R, NULL, NULL, NULL, NULL, 0),
    OP("ec2", "DescribeNetworkAcls", R, NULL, NULL, NULL, NULL, 0),
    OP("ec2", "DescribeAddresses", R, NULL, NULL, NULL, NULL, 0),
    OP("ec2", "DescribeImages", R, NULL, NULL, NULL, "Owners=self", 0),
    OP("ec2", "DescribeVolumes", R, NULL, NULL, NULL, NULL, 0),
    OP("ec2", "DescribeSnapshots", R, NULL, NULL, NULL, "OwnerIds=self", 0),
    OP("ec2", "DescribeSnapshotAttribute", R, "DescribeSnapshots", "Snapshots", "SnapshotId",
       "SnapshotId={SnapshotId}&Attribute=createVolumePermission", 0),
    OP("ec2", "DescribeTags", R, NULL, NULL, NULL, NULL, 0),
    OP("rds", "DescribeDBInstances", R, NULL, NULL, NULL, NULL, 0),
    OP("rds", "DescribeDBSnapshots", R, NULL, NULL, NULL, NULL, 0),
    OP("rds", "DescribeDBSnapshotAttributes", R, "DescribeDBSnapshots", "DBSnapshots",
       "DBSnapshotIdentifier", "DBSnapshotIdentifier={DBSnapshotIdentifier}", 0),
    OP("elb", "DescribeLoadBalancers", R, NULL, NULL, NULL, NULL, 0),
    OP("elbv2", "DescribeLoadBalancers", R, NULL, NULL, NULL, NULL, 0),
    OP("lambda", "ListFunctions", R, NULL, NULL, NULL, NULL, 0),
    OP("lambda", "GetPolicy", R, "ListFunctions", "Functions", "FunctionName",
       "FunctionName={FunctionName}", PLAN_ERROR_FILE),
    OP("sns", "ListTopics", R, NULL, NULL, NULL, NULL, 0),
    OP("sns", "GetTopicAttributes", R, "ListTopics", "Topics", "TopicArn", "TopicArn={TopicArn}",
       0),
    OP("ecr", "DescribeRepositories", R, NULL, NULL, NULL, NULL, 0),
    OP("ecr", "GetRepositoryPolicy", R, "DescribeRepositories", "repositories", "repositoryName",
       "repositoryName={repositoryName}", PLAN_ERROR_FILE),
    OP("kms", "ListKeys", R, NULL, NULL, NULL, NULL, 0),
    OP("kms", "DescribeKey", R, "ListKeys", "Keys", "KeyId", "KeyId={KeyId}", 0),
    OP("kms", "GetKeyRotationStatus", R, "ListKeys", "Keys", "KeyId", "KeyId={KeyId}", 0),
    OP("kms", "GetKeyPolicy", R, "ListKeys", "Keys", "KeyId", "KeyId={KeyId}&PolicyName=default",
       0),
    OP("cloudtrail", "DescribeTrails", R, NULL, NULL, NULL, NULL, 0),
    OP("cloudtrail", "GetTrailStatus", R, "DescribeTrails", "trailList", "Name", "Name={TrailARN}",
       0),
    OP("autoscaling", "DescribeAutoScalingGroups", R, NULL, NULL, NULL, NULL, 0),
    /* Detection services per region (filters/account_services.c): the
     * detector's ids are a list of strings, "." naming the item itself. */
    OP("guardduty", "ListDetectors", R, NULL, NULL, NULL, NULL, 0),
    OP("guardduty", "GetDetector", R, "ListDetectors", "DetectorIds", ".", "DetectorId={.}", 0),
    OP("guardduty", "GetAdministratorAccount", R, "ListDetectors", "DetectorIds", ".",
       "DetectorId={.}", 0),
    /* lakeformation-s3-cross-account (filters/account_services.c) */
    OP("lakeformation", "ListResources", R, NULL, NULL, NULL, NULL, 0),
    OP("securityhub", "DescribeHub", R, NULL, NULL, NULL, NULL,
       PLAN_ERROR_FILE | PLAN_OFF_IF_NO_ACCESS),
    /* AWS Config (check-config: filters/account_more.c) */
    OP("config", "DescribeDeliveryChannels", R, NULL, NULL, NULL, NULL, 0),
    OP("config", "DescribeConfigurationRecorders", R, NULL, NULL, NULL, NULL, 0),
    OP("config", "DescribeConfigurationRecorderStatus", R, NULL, NULL, NULL, NULL, 0),
    OP("iam", "ListUsers", G, NULL, NULL, NULL, NULL, 0),
    OP("iam", "GetUser", G, "ListUsers", "Users", "UserName", "UserName={UserName}", 0),
    OP("iam", "ListAccessKeys", G, "ListUsers", "Users", "UserName", "UserName={UserName}", 0),
    OP("iam", "ListMFADevices", G, "ListUsers", "Users", "UserName", "UserName={UserName}", 0),
    OP("iam", "ListRoles", G, NULL, NULL, NULL, NULL, 0),
    OP("iam", "GetRole", G, "ListRoles", "Roles", "RoleName", "RoleName={RoleName}", 0),
    OP("iam", "ListGroups", G, NULL, NULL, NULL, NULL, 0),
    OP("iam", "ListPolicies", G, NULL, NULL, NULL, "Scope=Local", 0),
    OP("iam", "GetPolicyVersion", G, "ListPolicies", "Policies", "PolicyName",
       "PolicyArn={Arn}&VersionId={DefaultVersionId}", 0),
    /* The AWS managed policies whose attachment is a finding in itself:
     * AWS attaches the quarantine ones to a user whose key it found in
     * public (inventory/watched.c). */
    WATCH("AWSCompromisedKeyQuarantine", "&EntityFilter=User"),
    WATCH("AWSCompromisedKeyQuarantineV2", "&EntityFilter=User"),
    WATCH("AWSCompromisedKeyQuarantineV3", "&EntityFilter=User"),
    OP("iam", "GetAccountSummary", G, NULL, NULL, NULL, NULL, 0),
    OP("iam", "GetAccountPasswordPolicy", G, NULL, NULL, NULL, NULL, PLAN_ERROR_FILE),
    OP("iam", "GenerateCredentialReport", G, NULL, NULL, NULL, NULL, PLAN_NO_FILE),
    OP("iam", "GetCredentialReport", G, "GenerateCredentialReport", NULL, NULL, NULL, 0),
    OP("s3", "ListBuckets", G, NULL, NULL, NULL, NULL, 0),
    OP("s3", "GetBucketLocation", G, "ListBuckets", "Buckets", "Name", "Bucket={Name}", 0),
    S3B("GetBucketPolicy"), S3B("GetBucketAcl"), S3B("GetBucketVersioning"),
    S3B("GetBucketEncryption"), S3B("GetBucketLogging"), S3B("GetBucketTagging"),
    S3B("GetPublicAccessBlock"), S3B("GetBucketWebsite"), S3B("GetBucketReplication"),
    S3B("GetBucketNotificationConfiguration"), S3B("GetBucketLifecycleConfiguration"),
    EXTRA("sts", "AssumeRole"), EXTRA("sts", "AssumeRoleWithWebIdentity"),
    EXTRA("sts", "GetCallerIdentity"), EXTRA("ec2", "DescribeRegions"),
    EXTRA("organizations", "ListAccounts"),
    /* custos accounts --from-organizations (cli/cmd_accounts.c) */
    EXTRA("organizations", "DescribeOrganization"), EXTRA("organizations", "ListParents"),
    EXTRA("organizations", "DescribeOrganizationalUnit"),
    EXTRA("organizations", "ListTagsForResource"),
    /* custos fix (src/remediate/actions.c) */
    WRITE("ec2", "RevokeSecurityGroupIngress"), WRITE("ec2", "RevokeSecurityGroupEgress"),
    WRITE("s3", "PutPublicAccessBlock"), WRITE("s3", "PutBucketPolicy"),
    WRITE("s3", "DeleteBucketPolicy"), WRITE("iam", "UpdateAccessKey"),
    WRITE("ec2", "ModifySnapshotAttribute"), WRITE("ec2", "ModifyImageAttribute"),
    WRITE("rds", "ModifyDBSnapshotAttribute"), WRITE("ec2", "DeleteSecurityGroup"),
    WRITE("ec2", "CreateTags"), WRITE("ec2", "DeleteTags"), WRITE("sns", "SetTopicAttributes"),
    WRITE("ecr", "SetRepositoryPolicy"), WRITE("ecr", "DeleteRepositoryPolicy"),
    WRITE("kms", "PutKeyPolicy"), WRITE("iam", "TagUser"), WRITE("iam", "UntagUser"),
    WRITE("lambda", "RemovePermission"),
    EXTRA("iam", "ListUserTags"),           /* custos fix reads a user's tags */
    EXTRA("ec2", "DescribeImageAttribute"), /* custos fix reads launch permissions */
};

const plan_op *plan_ops(size_t *n)
{
    *n = sizeof PLAN / sizeof PLAN[0];
    return PLAN;
}
