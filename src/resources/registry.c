/* registry.c - the static resource type table and id index.
 *
 * The table mirrors the `resource_type` metadata Cloud Custodian declares
 * for each AWS resource (enum_spec, id, name, date, arn): the listing
 * operation and where its items sit are what the inventory reader walks,
 * and the id field is what findings and cross-resource filters key on.
 * Lookups by name are a linear scan of a few dozen entries, done once per
 * policy at compile time, so no hashing is needed there.
 *
 * resource_set_find is hot (SGReferences, ENI -> security group joins), so
 * sets get an open-addressing hash of item positions built once at load
 * time; after that the index is read-only and lookups are thread-safe.
 */
#include "resources/resource.h"

#include <stdint.h>
#include <string.h>

#define EC2_ARN(kind) "arn:aws:ec2:{region}:{account}:" kind "/{id}"

static const resource_type TYPES[] = {
    {.name = "aws.security-group",
     .service = "ec2",
     .client = "ec2",
     .operation = "DescribeSecurityGroups",
     .items_path = "SecurityGroups",
     .id_field = "GroupId",
     .name_field = "GroupName",
     .arn_fmt = EC2_ARN("security-group")},
    {.name = "aws.ec2",
     .service = "ec2",
     .client = "ec2",
     .operation = "DescribeInstances",
     .items_path = "Reservations[].Instances[]",
     .id_field = "InstanceId",
     .name_field = "PublicDnsName",
     .date_field = "LaunchTime",
     .arn_fmt = EC2_ARN("instance")},
    {.name = "aws.eni",
     .service = "ec2",
     .client = "ec2",
     .operation = "DescribeNetworkInterfaces",
     .items_path = "NetworkInterfaces",
     .id_field = "NetworkInterfaceId",
     .name_field = "NetworkInterfaceId",
     .arn_fmt = EC2_ARN("network-interface")},
    {.name = "aws.vpc",
     .service = "ec2",
     .client = "ec2",
     .operation = "DescribeVpcs",
     .items_path = "Vpcs",
     .id_field = "VpcId",
     .name_field = "VpcId",
     .arn_fmt = EC2_ARN("vpc")},
    {.name = "aws.subnet",
     .service = "ec2",
     .client = "ec2",
     .operation = "DescribeSubnets",
     .items_path = "Subnets",
     .id_field = "SubnetId",
     .name_field = "SubnetId",
     .arn_field = "SubnetArn",
     .arn_fmt = EC2_ARN("subnet")},
    {.name = "aws.route-table",
     .service = "ec2",
     .client = "ec2",
     .operation = "DescribeRouteTables",
     .items_path = "RouteTables",
     .id_field = "RouteTableId",
     .name_field = "RouteTableId",
     .arn_fmt = EC2_ARN("route-table")},
    {.name = "aws.internet-gateway",
     .service = "ec2",
     .client = "ec2",
     .operation = "DescribeInternetGateways",
     .items_path = "InternetGateways",
     .id_field = "InternetGatewayId",
     .name_field = "InternetGatewayId",
     .arn_fmt = EC2_ARN("internet-gateway")},
    {.name = "aws.nat-gateway",
     .service = "ec2",
     .client = "ec2",
     .operation = "DescribeNatGateways",
     .items_path = "NatGateways",
     .id_field = "NatGatewayId",
     .name_field = "NatGatewayId",
     .date_field = "CreateTime",
     .arn_fmt = EC2_ARN("natgateway")},
    {.name = "aws.network-acl",
     .service = "ec2",
     .client = "ec2",
     .operation = "DescribeNetworkAcls",
     .items_path = "NetworkAcls",
     .id_field = "NetworkAclId",
     .name_field = "NetworkAclId",
     .arn_fmt = EC2_ARN("network-acl")},
    {.name = "aws.network-addr",
     .service = "ec2",
     .client = "ec2",
     .operation = "DescribeAddresses",
     .items_path = "Addresses",
     .id_field = "AllocationId",
     .name_field = "PublicIp",
     .arn_fmt = EC2_ARN("elastic-ip")},
    {.name = "aws.ami",
     .service = "ec2",
     .client = "ec2",
     .operation = "DescribeImages",
     .items_path = "Images",
     .id_field = "ImageId",
     .name_field = "Name",
     .date_field = "CreationDate",
     .arn_fmt = "arn:aws:ec2:{region}::image/{id}"},
    {.name = "aws.ebs",
     .service = "ec2",
     .client = "ec2",
     .operation = "DescribeVolumes",
     .items_path = "Volumes",
     .id_field = "VolumeId",
     .name_field = "VolumeId",
     .date_field = "CreateTime",
     .arn_fmt = EC2_ARN("volume")},
    {.name = "aws.ebs-snapshot",
     .service = "ec2",
     .client = "ec2",
     .operation = "DescribeSnapshots",
     .items_path = "Snapshots",
     .id_field = "SnapshotId",
     .name_field = "SnapshotId",
     .date_field = "StartTime",
     .arn_fmt = "arn:aws:ec2:{region}::snapshot/{id}"},
    {.name = "aws.s3",
     .service = "s3",
     .client = "s3",
     .operation = "ListBuckets",
     .items_path = "Buckets",
     .id_field = "Name",
     .name_field = "Name",
     .global = true,
     .date_field = "CreationDate",
     .arn_fmt = "arn:aws:s3:::{id}"},
    {.name = "aws.iam-user",
     .service = "iam",
     .client = "iam",
     .operation = "ListUsers",
     .items_path = "Users",
     .id_field = "UserName",
     .name_field = "UserName",
     .global = true,
     .date_field = "CreateDate",
     .arn_field = "Arn",
     .arn_fmt = "arn:aws:iam::{account}:user/{id}"},
    {.name = "aws.iam-role",
     .service = "iam",
     .client = "iam",
     .operation = "ListRoles",
     .items_path = "Roles",
     .id_field = "RoleName",
     .name_field = "RoleName",
     .global = true,
     .date_field = "CreateDate",
     .arn_field = "Arn",
     .arn_fmt = "arn:aws:iam::{account}:role/{id}"},
    {.name = "aws.iam-group",
     .service = "iam",
     .client = "iam",
     .operation = "ListGroups",
     .items_path = "Groups",
     .id_field = "GroupName",
     .name_field = "GroupName",
     .global = true,
     .date_field = "CreateDate",
     .arn_field = "Arn",
     .arn_fmt = "arn:aws:iam::{account}:group/{id}"},
    {.name = "aws.iam-policy",
     .service = "iam",
     .client = "iam",
     .operation = "ListPolicies",
     .items_path = "Policies",
     .id_field = "PolicyId",
     .name_field = "PolicyName",
     .global = true,
     .date_field = "CreateDate",
     .arn_field = "Arn"},
    {.name = "aws.rds",
     .service = "rds",
     .client = "rds",
     .operation = "DescribeDBInstances",
     .items_path = "DBInstances",
     .id_field = "DBInstanceIdentifier",
     .name_field = "Endpoint.Address",
     .date_field = "InstanceCreateTime",
     .arn_field = "DBInstanceArn",
     .arn_fmt = "arn:aws:rds:{region}:{account}:db:{id}"},
    {.name = "aws.rds-snapshot",
     .service = "rds",
     .client = "rds",
     .operation = "DescribeDBSnapshots",
     .items_path = "DBSnapshots",
     .id_field = "DBSnapshotIdentifier",
     .name_field = "DBSnapshotIdentifier",
     .date_field = "SnapshotCreateTime",
     .arn_field = "DBSnapshotArn",
     .arn_fmt = "arn:aws:rds:{region}:{account}:snapshot:{id}"},
    {.name = "aws.elb",
     .service = "elasticloadbalancing",
     .client = "elb",
     .operation = "DescribeLoadBalancers",
     .items_path = "LoadBalancerDescriptions",
     .id_field = "LoadBalancerName",
     .name_field = "LoadBalancerName",
     .date_field = "CreatedTime",
     .arn_fmt = "arn:aws:elasticloadbalancing:{region}:{account}:loadbalancer/{id}"},
    {.name = "aws.app-elb",
     .service = "elasticloadbalancing",
     .client = "elbv2",
     .operation = "DescribeLoadBalancers",
     .items_path = "LoadBalancers",
     .id_field = "LoadBalancerArn",
     .name_field = "LoadBalancerName",
     .date_field = "CreatedTime",
     .arn_field = "LoadBalancerArn"},
    {.name = "aws.lambda",
     .service = "lambda",
     .client = "lambda",
     .operation = "ListFunctions",
     .items_path = "Functions",
     .id_field = "FunctionName",
     .name_field = "FunctionName",
     .date_field = "LastModified",
     .arn_field = "FunctionArn",
     .arn_fmt = "arn:aws:lambda:{region}:{account}:function:{id}"},
    {.name = "aws.kms-key",
     .service = "kms",
     .client = "kms",
     .operation = "ListKeys",
     .items_path = "Keys",
     .id_field = "KeyId",
     .name_field = "KeyId",
     .arn_field = "KeyArn",
     .arn_fmt = "arn:aws:kms:{region}:{account}:key/{id}"},
    {.name = "aws.cloudtrail",
     .service = "cloudtrail",
     .client = "cloudtrail",
     .operation = "DescribeTrails",
     .items_path = "trailList",
     .id_field = "TrailARN",
     .name_field = "Name",
     .arn_field = "TrailARN"},
    {.name = "aws.asg",
     .service = "autoscaling",
     .client = "autoscaling",
     .operation = "DescribeAutoScalingGroups",
     .items_path = "AutoScalingGroups",
     .id_field = "AutoScalingGroupName",
     .name_field = "AutoScalingGroupName",
     .date_field = "CreatedTime",
     .arn_field = "AutoScalingGroupARN"},
    /* --- added for Custodian's wider resource set (issue 18) --- */
    {.name = "aws.sqs",
     .service = "sqs",
     .client = "sqs",
     .operation = "ListQueues",
     .items_path = "QueueUrls",
     .id_field = "QueueUrl",
     .name_field = "QueueName",
     .date_field = "CreatedTimestamp",
     .arn_field = "QueueArn"},
    {.name = "aws.sns",
     .service = "sns",
     .client = "sns",
     .operation = "ListTopics",
     .items_path = "Topics",
     .id_field = "TopicArn",
     .name_field = "DisplayName",
     .arn_field = "TopicArn"},
    {.name = "aws.sns-subscription",
     .service = "sns",
     .client = "sns",
     .operation = "ListSubscriptions",
     .items_path = "Subscriptions",
     .id_field = "SubscriptionArn",
     .name_field = "SubscriptionArn",
     .arn_field = "SubscriptionArn"},
    {.name = "aws.rds-subscription",
     .service = "rds",
     .client = "rds",
     .operation = "DescribeEventSubscriptions",
     .items_path = "EventSubscriptionsList",
     .id_field = "CustSubscriptionId",
     .name_field = "CustSubscriptionId",
     .date_field = "SubscriptionCreateTime",
     .arn_field = "EventSubscriptionArn",
     .arn_fmt = "arn:aws:rds:{region}:{account}:es:{id}"},
    {.name = "aws.rds-proxy",
     .service = "rds",
     .client = "rds",
     .operation = "DescribeDBProxies",
     .items_path = "DBProxies",
     .id_field = "DBProxyName",
     .name_field = "DBProxyName",
     .date_field = "CreatedDate",
     .arn_field = "DBProxyArn"},
    {.name = "aws.ecr",
     .service = "api.ecr",
     .client = "ecr",
     .operation = "DescribeRepositories",
     .items_path = "repositories",
     .id_field = "repositoryName",
     .name_field = "repositoryName",
     .arn_field = "repositoryArn",
     .arn_fmt = "arn:aws:ecr:{region}:{account}:repository/{id}"},
    {.name = "aws.key-pair",
     .service = "ec2",
     .client = "ec2",
     .operation = "DescribeKeyPairs",
     .items_path = "KeyPairs",
     .id_field = "KeyPairId",
     .name_field = "KeyName",
     .arn_fmt = EC2_ARN("key-pair")},
    {.name = "aws.vpc-endpoint",
     .service = "ec2",
     .client = "ec2",
     .operation = "DescribeVpcEndpoints",
     .items_path = "VpcEndpoints",
     .id_field = "VpcEndpointId",
     .name_field = "VpcEndpointId",
     .date_field = "CreationTimestamp",
     .arn_fmt = EC2_ARN("vpc-endpoint")},
    {.name = "aws.peering-connection",
     .service = "ec2",
     .client = "ec2",
     .operation = "DescribeVpcPeeringConnections",
     .items_path = "VpcPeeringConnections",
     .id_field = "VpcPeeringConnectionId",
     .name_field = "VpcPeeringConnectionId",
     .arn_fmt = EC2_ARN("vpc-peering-connection")},
    {.name = "aws.prefix-list",
     .service = "ec2",
     .client = "ec2",
     .operation = "DescribeManagedPrefixLists",
     .items_path = "PrefixLists",
     .id_field = "PrefixListId",
     .name_field = "PrefixListName",
     .arn_field = "PrefixListArn",
     .arn_fmt = EC2_ARN("prefix-list")},
    {.name = "aws.mirror-target",
     .service = "ec2",
     .client = "ec2",
     .operation = "DescribeTrafficMirrorTargets",
     .items_path = "TrafficMirrorTargets",
     .id_field = "TrafficMirrorTargetId",
     .name_field = "TrafficMirrorTargetId",
     .arn_fmt = EC2_ARN("traffic-mirror-target")},
    {.name = "aws.iam-profile",
     .service = "iam",
     .client = "iam",
     .operation = "ListInstanceProfiles",
     .items_path = "InstanceProfiles",
     .id_field = "InstanceProfileName",
     .name_field = "InstanceProfileName",
     .global = true,
     .date_field = "CreateDate",
     .arn_field = "Arn",
     .arn_fmt = "arn:aws:iam::{account}:instance-profile/{id}"},
    /* KMS aliases (Custodian's aws.kms; keys are aws.kms-key). */
    {.name = "aws.kms",
     .service = "kms",
     .client = "kms",
     .operation = "ListAliases",
     .items_path = "Aliases",
     .id_field = "AliasArn",
     .name_field = "AliasName",
     .arn_field = "AliasArn"},
    /* Access keys, children of users: one ListAccessKeys per user (the
     * files the iam-user access-key filter reads), deduplicated by id. */
    {.name = "aws.iam-access-key",
     .service = "iam",
     .client = "iam",
     .operation = "ListAccessKeys",
     .items_path = "AccessKeyMetadata",
     .id_field = "AccessKeyId",
     .name_field = "AccessKeyId",
     .global = true,
     .date_field = "CreateDate",
     .arn_fmt = "arn:aws:iam::{account}:access-key/{id}",
     .parent = "aws.iam-user"},
    /* Synthetic: one document per account, built by the inventory. */
    {.name = "aws.account",
     .service = "iam",
     .client = "iam",
     .operation = NULL,
     .items_path = NULL,
     .id_field = "account_id",
     .name_field = "account_name",
     .global = true,
     .arn_fmt = "arn:aws:::{account}"},
};

#define NTYPES ((int)(sizeof TYPES / sizeof TYPES[0]))

const resource_type *resource_type_find(const char *name)
{
    if (!name) return NULL;
    const char *bare = strncmp(name, "aws.", 4) == 0 ? name + 4 : name;
    for (int i = 0; i < NTYPES; i++)
        if (strcmp(TYPES[i].name + 4, bare) == 0) return &TYPES[i];
    return NULL;
}

const resource_type *resource_type_at(int i)
{
    return i >= 0 && i < NTYPES ? &TYPES[i] : NULL;
}

int resource_type_count(void)
{
    return NTYPES;
}

/* Follows a dotted path of plain keys ("Endpoint.Address"). */
static const jv *get_dotted(const jv *r, const char *path)
{
    while (r && *path) {
        const char *dot = strchr(path, '.');
        size_t n = dot ? (size_t)(dot - path) : strlen(path);
        r = jv_getn(r, path, n);
        path += n + (dot ? 1 : 0);
    }
    return r;
}

static const char *string_at(const jv *r, const char *path)
{
    if (!path) return NULL;
    const jv *v = get_dotted(r, path);
    return jv_is(v, JV_STRING) ? v->u.str : NULL;
}

const char *resource_id(const resource_type *t, const jv *r)
{
    return t ? string_at(r, t->id_field) : NULL;
}

const char *resource_name(const resource_type *t, const jv *r)
{
    if (!t) return NULL;
    const char *n = string_at(r, t->name_field);
    return n && *n ? n : resource_id(t, r);
}

const char *resource_region(const resource_type *t, const jv *r, const char *scope_region)
{
    if (!t || !t->global) return scope_region;
    if (strcmp(t->name, "aws.s3") != 0) return "global";
    const jv *loc = jv_get(r, "Location");
    if (!loc) return scope_region; /* location not collected: best guess */
    const jv *lc = jv_get(loc, "LocationConstraint");
    if (lc && lc->kind == JV_STRING && lc->len) return lc->u.str;
    return "us-east-1";
}

bool resource_arn(const resource_type *t, const jv *r, const char *account, const char *region,
                  buf *out)
{
    const char *arn = t ? string_at(r, t->arn_field) : NULL;
    if (arn) {
        buf_puts(out, arn);
        return true;
    }
    const char *id = resource_id(t, r);
    if (!t || !t->arn_fmt || !id) return false;
    for (const char *p = t->arn_fmt; *p;) {
        const char *sub = NULL;
        size_t skip = 0;
        if (strncmp(p, "{account}", 9) == 0)
            sub = account, skip = 9;
        else if (strncmp(p, "{region}", 8) == 0)
            sub = region, skip = 8;
        else if (strncmp(p, "{id}", 4) == 0)
            sub = id, skip = 4;
        if (skip) {
            buf_puts(out, sub ? sub : "");
            p += skip;
        } else {
            buf_putc(out, *p++);
        }
    }
    return true;
}

/* A listing of bare ids (SQS ListQueues gives URLs) becomes documents
 * {<id_field>: id}, which the per-resource calls then fill in, as
 * Custodian's describe sources do. */
static void push_item(const resource_type *t, jv_builder *out, jv item)
{
    if (jv_is(&item, JV_STRING) && t->id_field) {
        jv_builder o;
        jvb_object(&o, out->a);
        jvb_set(&o, t->id_field, strlen(t->id_field), item);
        item = jvb_done(&o);
    }
    jvb_push(out, item);
}

/* Walks one path segment list: "A[].B[]" = for each item of A, items of B. */
static size_t collect(const resource_type *t, const jv *v, const char *path, jv_builder *out)
{
    if (!v) return 0;
    if (!*path) {
        if (jv_is(v, JV_ARRAY)) {
            for (uint32_t i = 0; i < v->len; i++)
                push_item(t, out, v->u.items[i]);
            return v->len;
        }
        if (jv_is(v, JV_NULL)) return 0;
        push_item(t, out, *v);
        return 1;
    }
    const char *end = path + strcspn(path, ".[");
    const jv *child = jv_getn(v, path, (size_t)(end - path));
    if (!child) return 0;
    if (strncmp(end, "[]", 2) == 0) {
        const char *rest = end + 2;
        if (*rest == '.') rest++;
        if (!jv_is(child, JV_ARRAY)) return 0;
        if (!*rest) return collect(t, child, "", out);
        size_t n = 0;
        for (uint32_t i = 0; i < child->len; i++)
            n += collect(t, &child->u.items[i], rest, out);
        return n;
    }
    return collect(t, child, *end == '.' ? end + 1 : end, out);
}

size_t resource_items(const resource_type *t, const jv *response, jv_builder *out)
{
    if (!t || !t->items_path || !jv_is(response, JV_OBJECT)) return 0;
    return collect(t, response, t->items_path, out);
}

/* ---- id index ---- */

struct resource_index {
    uint32_t mask;   /* capacity - 1, capacity a power of two */
    uint32_t *slots; /* item position + 1; 0 = empty */
};

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ull;
    }
    return h;
}

void resource_set_index(resource_set *s, arena *a)
{
    if (!s || !s->type || s->n == 0 || s->n >= UINT32_MAX / 4) return;
    uint32_t cap = 16;
    while (cap < s->n * 2)
        cap <<= 1;
    resource_index *ix = arena_alloc(a, sizeof *ix);
    ix->mask = cap - 1;
    ix->slots = arena_calloc(a, (size_t)cap * sizeof(uint32_t));
    for (size_t i = 0; i < s->n; i++) {
        const char *id = resource_id(s->type, &s->items[i]);
        if (!id) continue;
        uint32_t h = (uint32_t)hash_str(id) & ix->mask;
        for (;;) {
            uint32_t slot = ix->slots[h];
            if (!slot) {
                ix->slots[h] = (uint32_t)i + 1;
                break;
            }
            /* Duplicate ids: the first wins, as a linear scan would. */
            if (strcmp(resource_id(s->type, &s->items[slot - 1]), id) == 0) break;
            h = (h + 1) & ix->mask;
        }
    }
    s->index = ix;
}

const jv *resource_set_find(const resource_set *s, const char *id)
{
    if (!s || !id || !s->type) return NULL;
    const resource_index *ix = s->index;
    if (!ix) {
        for (size_t i = 0; i < s->n; i++) {
            const char *rid = resource_id(s->type, &s->items[i]);
            if (rid && strcmp(rid, id) == 0) return &s->items[i];
        }
        return NULL;
    }
    uint32_t h = (uint32_t)hash_str(id) & ix->mask;
    for (;;) {
        uint32_t slot = ix->slots[h];
        if (!slot) return NULL;
        if (strcmp(resource_id(s->type, &s->items[slot - 1]), id) == 0) return &s->items[slot - 1];
        h = (h + 1) & ix->mask;
    }
}
