/* framework.c - the framework catalogues; see framework.h.
 *
 * Data, not logic: one static table per framework, in the benchmark's own
 * order, so `custos checks --framework` lists requirements as an auditor
 * reads them.  CIS AWS Foundations v3.0.0 has 62 requirements; five need a
 * person (contact details, security questions, instance roles as a
 * practice, central user management, data classification).
 */
#include "policy/framework.h"

#include <string.h>

#define AUTO true
#define MANUAL false

static const framework_req CIS_AWS_3_0[] = {
    {"1.1", "Maintain current contact details", MANUAL},
    {"1.2", "Security contact information is registered", AUTO},
    {"1.3", "Security questions are registered in the AWS account", MANUAL},
    {"1.4", "No root user access key exists", AUTO},
    {"1.5", "MFA is enabled for the root user", AUTO},
    {"1.6", "Hardware MFA is enabled for the root user", AUTO},
    {"1.7", "The root user is not used for administrative and daily tasks", AUTO},
    {"1.8", "The password policy requires 14 characters or more", AUTO},
    {"1.9", "The password policy prevents password reuse", AUTO},
    {"1.10", "MFA is enabled for every IAM user with a console password", AUTO},
    {"1.11", "No access keys created at initial setup for console users", AUTO},
    {"1.12", "Credentials unused for 45 days or more are disabled", AUTO},
    {"1.13", "Only one active access key per IAM user", AUTO},
    {"1.14", "Access keys are rotated every 90 days or less", AUTO},
    {"1.15", "IAM users receive permissions only through groups", AUTO},
    {"1.16", "No policy granting full \"*:*\" administrative privileges is attached", AUTO},
    {"1.17", "A support role exists to manage incidents with AWS Support", AUTO},
    {"1.18", "IAM instance roles are used for AWS resource access from instances", MANUAL},
    {"1.19", "Expired SSL/TLS certificates stored in IAM are removed", AUTO},
    {"1.20", "IAM Access Analyzer is enabled in every region", AUTO},
    {"1.21", "IAM users are managed centrally (federation or AWS Organizations)", MANUAL},
    {"1.22", "Access to AWSCloudShellFullAccess is restricted", AUTO},
    {"2.1.1", "S3 bucket policies deny HTTP requests", AUTO},
    {"2.1.2", "MFA Delete is enabled on S3 buckets", AUTO},
    {"2.1.3", "All data in S3 is discovered, classified and secured", MANUAL},
    {"2.1.4", "S3 buckets have Block Public Access (bucket settings)", AUTO},
    {"2.2.1", "EBS volume encryption is enabled by default in every region", AUTO},
    {"2.3.1", "RDS instances are encrypted at rest", AUTO},
    {"2.3.2", "RDS instances take minor version upgrades automatically", AUTO},
    {"2.3.3", "RDS instances are not publicly accessible", AUTO},
    {"2.4.1", "EFS file systems are encrypted", AUTO},
    {"3.1", "CloudTrail is enabled in every region", AUTO},
    {"3.2", "CloudTrail log file validation is enabled", AUTO},
    {"3.3", "AWS Config is enabled in every region", AUTO},
    {"3.4", "S3 access logging is enabled on the CloudTrail bucket", AUTO},
    {"3.5", "CloudTrail logs are encrypted at rest with KMS keys", AUTO},
    {"3.6", "Rotation is enabled for customer-created symmetric KMS keys", AUTO},
    {"3.7", "VPC flow logging is enabled in every VPC", AUTO},
    {"3.8", "Object-level logging of write events is enabled for S3 buckets", AUTO},
    {"3.9", "Object-level logging of read events is enabled for S3 buckets", AUTO},
    {"4.1", "Unauthorized API calls are monitored (metric filter and alarm)", AUTO},
    {"4.2", "Console sign-in without MFA is monitored", AUTO},
    {"4.3", "Use of the root user is monitored", AUTO},
    {"4.4", "IAM policy changes are monitored", AUTO},
    {"4.5", "CloudTrail configuration changes are monitored", AUTO},
    {"4.6", "Console authentication failures are monitored", AUTO},
    {"4.7", "Disabling or scheduled deletion of customer KMS keys is monitored", AUTO},
    {"4.8", "S3 bucket policy changes are monitored", AUTO},
    {"4.9", "AWS Config configuration changes are monitored", AUTO},
    {"4.10", "Security group changes are monitored", AUTO},
    {"4.11", "Network ACL changes are monitored", AUTO},
    {"4.12", "Network gateway changes are monitored", AUTO},
    {"4.13", "Route table changes are monitored", AUTO},
    {"4.14", "VPC changes are monitored", AUTO},
    {"4.15", "AWS Organizations changes are monitored", AUTO},
    {"4.16", "AWS Security Hub is enabled", AUTO},
    {"5.1", "No network ACL allows ingress from 0.0.0.0/0 to administration ports", AUTO},
    {"5.2", "No security group allows ingress from 0.0.0.0/0 to administration ports", AUTO},
    {"5.3", "No security group allows ingress from ::/0 to administration ports", AUTO},
    {"5.4", "The default security group of every VPC restricts all traffic", AUTO},
    {"5.5", "Routing tables for VPC peering are least access", AUTO},
    {"5.6", "The EC2 metadata service allows IMDSv2 only", AUTO},
};

static const framework FRAMEWORKS[] = {
    {"cis-aws-3.0", "CIS Amazon Web Services Foundations Benchmark v3.0.0", CIS_AWS_3_0,
     sizeof CIS_AWS_3_0 / sizeof CIS_AWS_3_0[0]},
};

const framework *framework_at(size_t i)
{
    return i < sizeof FRAMEWORKS / sizeof FRAMEWORKS[0] ? &FRAMEWORKS[i] : NULL;
}

const framework *framework_find(const char *name)
{
    for (size_t i = 0; name && framework_at(i); i++)
        if (!strcmp(FRAMEWORKS[i].name, name)) return &FRAMEWORKS[i];
    return NULL;
}

bool framework_refers(const jv *metadata, const char *fw, const char *id)
{
    const jv *c = jv_get(jv_get(metadata, "compliance"), fw);
    for (uint32_t i = 0; jv_is(c, JV_ARRAY) && i < c->len; i++)
        if (jv_str_eq(&c->u.items[i], id)) return true;
    return false;
}
