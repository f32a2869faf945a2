/* test_wide_filters.c - semantics of the wider filter set that the
 * recorded Custodian cases do not pin down: related-resource operators and
 * absent related resources, KMS alias normalisation, iam-role-tag-mirror's
 * three modes, network-location cardinality, flow-logs set-op, dhcp
 * "amazon" servers, metrics with missing-value, and the options each
 * rejects.  Resources and their related sets are fixed (a static scope). */
#include "t.h"
#include "filter_test.h"

#include "inventory/scope.h"

static scope_ctx *SC;

static resource_set set_of(const char *type, const char *json)
{
    jv v = J(json);
    resource_set s = {.type = resource_type_find(type),
                      .account_id = "111122223333",
                      .region = "us-east-1",
                      .items = v.u.items,
                      .n = v.len};
    resource_set_index(&s, A);
    return s;
}

static int m(const char *type, const char *spec, const char *res)
{
    eval_ctx ctx = {.account_id = "111122223333",
                    .region = "us-east-1",
                    .rtype = resource_type_find(type),
                    .scope = SC};
    return match_with(type, spec, res, ctx);
}

TEST(related_operators)
{
    const char *two = "{\"InstanceId\":\"i\",\"NetworkInterfaces\":[{\"Groups\":[{\"GroupId\":"
                      "\"sg-web\"},{\"GroupId\":\"sg-db\"}]}]}";
    const char *web = "{\"type\":\"security-group\",\"key\":\"GroupName\",\"value\":\"web\"}";
    const char *web_and = "{\"type\":\"security-group\",\"key\":\"GroupName\",\"value\":\"web\","
                          "\"operator\":\"and\"}";
    CHECK(m("aws.ec2", web, two) == 1);
    CHECK(m("aws.ec2", web_and, two) == 0);
    /* No related ids: `or` finds nothing, `and` holds vacuously (Custodian). */
    CHECK(m("aws.ec2", web, "{\"InstanceId\":\"i\"}") == 0);
    CHECK(m("aws.ec2", web_and, "{\"InstanceId\":\"i\"}") == 1);
    /* A related id with no resource matches only value: absent. */
    const char *ghost = "{\"InstanceId\":\"i\",\"NetworkInterfaces\":[{\"Groups\":[{\"GroupId\":"
                        "\"sg-gone\"}]}]}";
    CHECK(m("aws.ec2", "{\"type\":\"security-group\",\"key\":\"GroupName\",\"value\":\"absent\"}",
            ghost) == 1);
    CHECK(m("aws.ec2", web, ghost) == 0);
    /* Reverse: a VPC's groups are those naming it. */
    CHECK(m("aws.vpc", web, "{\"VpcId\":\"vpc-1\"}") == 1);
    CHECK(m("aws.vpc", web, "{\"VpcId\":\"vpc-2\"}") == 0);
    /* Options that are not supported say so; unknown relations too. */
    CHECK(m("aws.ec2",
            "{\"type\":\"security-group\",\"key\":\"GroupName\",\"match-resource\":true}",
            two) == -1);
    CHECK(m("aws.ec2",
            "{\"type\":\"security-group\",\"operator\":\"xor\",\"key\":\"a\",\"value\":1}",
            two) == -1);
    CHECK(m("aws.s3", web, "{}") == -1);
}

TEST(kms_key_ids)
{
    const char *alias = "{\"type\":\"kms-key\",\"key\":\"c7n:AliasName\",\"value\":\"alias/app\"}";
    CHECK(m("aws.sqs", alias, "{\"KmsMasterKeyId\":\"alias/app\"}") == 1);
    CHECK(m("aws.sqs", alias, "{\"KmsMasterKeyId\":\"arn:aws:kms:us-east-1:1:key/k1\"}") == 1);
    CHECK(m("aws.sqs", alias, "{\"KmsMasterKeyId\":\"arn:aws:kms:us-east-1:1:alias/app\"}") == 1);
    CHECK(m("aws.sqs", alias, "{\"KmsMasterKeyId\":\"k2\"}") == 0);
    /* A key without aliases has c7n:AliasName "". */
    CHECK(m("aws.sqs", "{\"type\":\"kms-key\",\"key\":\"c7n:AliasName\",\"value\":\"\"}",
            "{\"KmsMasterKeyId\":\"k2\"}") == 1);
}

TEST(tag_mirror_modes)
{
    const char *fn = "{\"FunctionName\":\"f\",\"Role\":\"arn:aws:iam::1:role/svc/r-prod\","
                     "\"Tags\":[{\"Key\":\"Env\",\"Value\":\"prod\"}]}";
    const char *fn_dev = "{\"FunctionName\":\"f\",\"Role\":\"arn:aws:iam::1:role/r-prod\","
                         "\"Tags\":[{\"Key\":\"Env\",\"Value\":\"dev\"}]}";
    const char *fn_none = "{\"FunctionName\":\"f\",\"Role\":\"arn:aws:iam::1:role/r-prod\"}";
    const char *ne = "{\"type\":\"iam-role-tag-mirror\",\"key\":\"tag:Env\"}";
    const char *eq = "{\"type\":\"iam-role-tag-mirror\",\"key\":\"tag:Env\",\"match\":\"equal\"}";
    CHECK(m("aws.lambda", ne, fn) == 0);
    CHECK(m("aws.lambda", eq, fn) == 1);
    CHECK(m("aws.lambda", ne, fn_dev) == 1);
    CHECK(m("aws.lambda", ne, fn_none) == 1); /* the function lacks the tag */
    CHECK(m("aws.lambda",
            "{\"type\":\"iam-role-tag-mirror\",\"key\":\"tag:Env\",\"match\":\"equal\","
            "\"missing-ok\":true}",
            fn_none) == 1);
    CHECK(m("aws.lambda",
            "{\"type\":\"iam-role-tag-mirror\",\"key\":\"tag:Env\",\"match\":\"in\","
            "\"value\":[\"prod\",\"dev\"]}",
            fn_dev) == 1);
    CHECK(m("aws.lambda",
            "{\"type\":\"iam-role-tag-mirror\",\"key\":\"tag:Env\",\"match\":\"in\","
            "\"value\":[\"dev\"]}",
            fn_dev) == 0); /* the role's prod is not allowed */
    CHECK(m("aws.lambda", "{\"type\":\"iam-role-tag-mirror\"}", fn) == -1);
}

TEST(network_location)
{
    const char *spec = "{\"type\":\"network-location\",\"key\":\"tag:Loc\"}";
    const char *ok = "{\"InstanceId\":\"i\",\"State\":{\"Name\":\"running\"},\"Tags\":[{\"Key\":"
                     "\"Loc\",\"Value\":\"dmz\"}],\"NetworkInterfaces\":[{\"SubnetId\":\"s-dmz\","
                     "\"Groups\":[{\"GroupId\":\"sg-dmz\"}]}]}";
    const char *bad = "{\"InstanceId\":\"i\",\"State\":{\"Name\":\"running\"},\"Tags\":[{\"Key\":"
                      "\"Loc\",\"Value\":\"dmz\"}],\"NetworkInterfaces\":[{\"SubnetId\":\"s-dmz\","
                      "\"Groups\":[{\"GroupId\":\"sg-web\"}]}]}";
    CHECK(m("aws.ec2", spec, ok) == 0);
    CHECK(m("aws.ec2", spec, bad) == 1); /* the group has no Loc tag */
    CHECK(m("aws.ec2", "{\"type\":\"network-location\",\"key\":\"tag:Loc\",\"match\":\"equal\"}",
            ok) == 1);
}

TEST(call_data_filters)
{
    const char *vpc = "{\"VpcId\":\"vpc-1\",\"CidrBlock\":\"10.1.0.0/16\","
                      "\"c7n:dhcp-options\":{\"DhcpConfigurations\":[{\"Key\":"
                      "\"domain-name-servers\",\"Values\":[{\"Value\":\"10.1.0.2\"},{\"Value\":"
                      "\"8.8.8.8\"}]}]},\"c7n:flow-logs\":[{\"LogDestinationType\":\"s3\"},"
                      "{\"LogDestinationType\":\"cloud-watch-logs\"}]}";
    CHECK(m("aws.vpc", "{\"type\":\"dhcp-options\",\"domain-name-servers\":\"amazon\"}", vpc) == 1);
    CHECK(m("aws.vpc",
            "{\"type\":\"dhcp-options\",\"domain-name-servers\":\"amazon\",\"match-operator\":"
            "\"all\"}",
            vpc) == 0);
    CHECK(m("aws.vpc", "{\"type\":\"dhcp-options\"}", vpc) == -1);
    CHECK(m("aws.vpc", "{\"type\":\"flow-logs\",\"enabled\":true,\"destination-type\":\"s3\"}",
            vpc) == 1);
    CHECK(m("aws.vpc",
            "{\"type\":\"flow-logs\",\"enabled\":true,\"destination-type\":\"s3\",\"set-op\":"
            "\"and\"}",
            vpc) == 0);
    /* Not collected: no match (and the scan reports it). */
    CHECK(m("aws.vpc", "{\"type\":\"flow-logs\",\"enabled\":false}", "{\"VpcId\":\"v\"}") == 0);
    const char *ec2 = "{\"InstanceId\":\"i\",\"c7n:metric-datapoints\":[]}";
    CHECK(m("aws.ec2", "{\"type\":\"metrics\",\"name\":\"CPUUtilization\",\"value\":1}", ec2) == 0);
    CHECK(m("aws.ec2",
            "{\"type\":\"metrics\",\"name\":\"CPUUtilization\",\"value\":1,\"missing-value\":0}",
            ec2) == 1);
    CHECK(m("aws.ec2", "{\"type\":\"metrics\",\"name\":\"X\",\"value\":1,\"statistics\":\"Mode\"}",
            ec2) == -1);
}

int main(void)
{
    A = arena_new(0);
    resource_set sets[5];
    sets[0] = set_of("aws.security-group",
                     "[{\"GroupId\":\"sg-web\",\"GroupName\":\"web\",\"VpcId\":\"vpc-1\"},"
                     "{\"GroupId\":\"sg-db\",\"GroupName\":\"db\",\"VpcId\":\"vpc-1\"},"
                     "{\"GroupId\":\"sg-dmz\",\"GroupName\":\"dmz\",\"VpcId\":\"vpc-1\","
                     "\"Tags\":[{\"Key\":\"Loc\",\"Value\":\"dmz\"}]}]");
    sets[1] = set_of("aws.kms-key", "[{\"KeyId\":\"k1\",\"AliasNames\":[\"alias/app\"]},"
                                    "{\"KeyId\":\"k2\"}]");
    sets[2] = set_of("aws.iam-role",
                     "[{\"RoleName\":\"r-prod\",\"Tags\":[{\"Key\":\"Env\",\"Value\":\"prod\"}]}]");
    sets[3] = set_of("aws.subnet", "[{\"SubnetId\":\"s-dmz\",\"VpcId\":\"vpc-1\",\"Tags\":[{"
                                   "\"Key\":\"Loc\",\"Value\":\"dmz\"}]}]");
    sets[4] = set_of("aws.vpc", "[{\"VpcId\":\"vpc-1\"}]");
    SC = scope_new_static(A, "111122223333", "us-east-1", sets, 5, NULL, 0, NULL);
    RUN(related_operators);
    RUN(kms_key_ids);
    RUN(tag_mirror_modes);
    RUN(network_location);
    RUN(call_data_filters);
    scope_free_static(SC);
    arena_free(A);
    T_EXIT();
}
