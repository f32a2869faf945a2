/* test_net_filters.c - security group `unused`/`used` and `az-imbalance`. */
#include <stdlib.h>
#include <string.h>

#include "inventory/scope.h"
#include "filters/filter.h"
#include "resources/resource.h"
#include "t.h"
#include "filter_test.h"

/* A resource set of type `type` from a JSON array text (indexed). */
static resource_set set_of(const char *type, const char *items)
{
    jv arr = J(items);
    resource_set s = {.type = resource_type_find(type),
                      .account_id = "111122223333",
                      .region = "us-east-1",
                      .items = arr.u.items,
                      .n = arr.len};
    resource_set_index(&s, A);
    return s;
}

static scope_ctx *scope_of(const resource_set *sets, size_t n)
{
    return scope_new_static(A, "111122223333", "us-east-1", sets, n, NULL, 0, NULL);
}

static int match_sc(const char *rtype, const char *spec, const char *res, scope_ctx *sc, jv *ev)
{
    if (ev) *ev = jv_null();
    return match_with(rtype, spec, res,
                      (eval_ctx){.account_id = "111122223333",
                                 .region = "us-east-1",
                                 .rtype = resource_type_find(rtype),
                                 .scope = sc,
                                 .evidence = ev});
}

static int compile_errors(const char *rtype, const char *spec)
{
    diag_list d = DIAG_LIST_INIT;
    filter *f = compile_for(rtype, spec, &d);
    int n = (int)d.n;
    diag_free(&d);
    return f ? -1 : n;
}

#define SGDOC(id, extra)                                                                           \
    "{\"GroupId\":\"" id "\",\"VpcId\":\"vpc-1\",\"GroupName\":\"" id "\"" extra "}"

TEST(unused_and_used_by_enis)
{
    resource_set sets[] = {
        set_of("aws.eni",
               "[{\"NetworkInterfaceId\":\"eni-1\",\"Groups\":[{\"GroupId\":\"sg-a\"},"
               "{\"GroupId\":\"sg-b\"}]},"
               "{\"NetworkInterfaceId\":\"eni-2\",\"Groups\":[{\"GroupId\":\"sg-a\"}]}]"),
    };
    scope_ctx *sc = scope_of(sets, 1);
    jv ev;
    CHECK(match_sc("aws.security-group", "\"unused\"", SGDOC("sg-a", ""), sc, &ev) == 0);
    CHECK(match_sc("aws.security-group", "{\"type\":\"used\"}", SGDOC("sg-a", ""), sc, &ev) == 1);
    CHECK(jv_get(&ev, "NetworkInterfaces") && jv_get(&ev, "NetworkInterfaces")->u.num == 2);
    CHECK(match_sc("aws.security-group", "\"unused\"", SGDOC("sg-c", ""), sc, &ev) == 1);
    CHECK(jv_get(&ev, "NetworkInterfaces") && jv_get(&ev, "NetworkInterfaces")->u.num == 0);
    CHECK(match_sc("aws.security-group", "\"used\"", SGDOC("sg-c", ""), sc, NULL) == 0);
    /* EC2-classic groups (no VpcId) are never unused, as in Custodian. */
    CHECK(match_sc("aws.security-group", "\"unused\"", "{\"GroupId\":\"sg-x\"}", sc, NULL) == 0);
    CHECK(match_sc("aws.security-group", "\"used\"", "{\"GroupId\":\"sg-x\"}", sc, NULL) == 1);
    scope_free_static(sc);
}

TEST(unused_without_scope)
{
    /* No scope: no interfaces known, every VPC group is unused. */
    CHECK(match_sc("aws.security-group", "\"unused\"", SGDOC("sg-a", ""), NULL, NULL) == 1);
    CHECK(match_sc("aws.security-group", "\"used\"", SGDOC("sg-a", ""), NULL, NULL) == 0);
}

TEST(used_by_references_and_lambda)
{
    const char *groups =
        "[{\"GroupId\":\"sg-app\",\"VpcId\":\"vpc-1\",\"IpPermissions\":[{\"IpProtocol\":"
        "\"tcp\",\"FromPort\":5432,\"ToPort\":5432,\"UserIdGroupPairs\":[{\"GroupId\":"
        "\"sg-db\"}]}]},{\"GroupId\":\"sg-self\",\"VpcId\":\"vpc-1\",\"IpPermissions\":"
        "[{\"IpProtocol\":\"-1\",\"UserIdGroupPairs\":[{\"GroupId\":\"sg-self\"}]}]}]";
    resource_set sets[] = {
        set_of("aws.security-group", groups),
        set_of("aws.lambda", "[{\"FunctionName\":\"f\",\"VpcConfig\":{\"SecurityGroupIds\":"
                             "[\"sg-fn\"]}},{\"FunctionName\":\"g\"}]"),
    };
    scope_ctx *sc = scope_of(sets, 2);
    jv ev;
    CHECK(match_sc("aws.security-group", "\"unused\"", SGDOC("sg-db", ""), sc, NULL) == 0);
    CHECK(match_sc("aws.security-group", "\"used\"", SGDOC("sg-db", ""), sc, &ev) == 1);
    CHECK(jv_get(&ev, "ReferencingGroups") && jv_get(&ev, "ReferencingGroups")->u.num == 1);
    CHECK(match_sc("aws.security-group", "\"unused\"", SGDOC("sg-fn", ""), sc, NULL) == 0);
    /* A group that only references itself is not used by that. */
    CHECK(match_sc("aws.security-group", "\"unused\"", SGDOC("sg-self", ""), sc, NULL) == 1);
    CHECK(match_sc("aws.security-group", "\"unused\"", SGDOC("sg-app", ""), sc, NULL) == 1);
    scope_free_static(sc);
}

TEST(usage_options_rejected)
{
    CHECK(compile_errors("aws.security-group", "{\"type\":\"unused\",\"foo\":1}") == 1);
    CHECK(compile_errors("aws.security-group", "{\"type\":\"used\"}") == -1);
    CHECK(compile_errors("aws.ec2", "{\"type\":\"unused\"}") == 1);
}

#define ASG(zones, insts)                                                                          \
    "{\"AutoScalingGroupName\":\"web\",\"AvailabilityZones\":" zones ",\"Instances\":" insts "}"
#define I(id, az) "{\"InstanceId\":\"" id "\",\"AvailabilityZone\":\"" az "\"}"

TEST(az_imbalance_asg)
{
    jv ev;
    /* 3 / 0: skew 3 > 1. */
    const char *bad =
        ASG("[\"us-east-1a\",\"us-east-1b\"]",
            "[" I("i-1", "us-east-1a") "," I("i-2", "us-east-1a") "," I("i-3", "us-east-1a") "]");
    CHECK(match_sc("aws.asg", "{\"type\":\"az-imbalance\"}", bad, NULL, &ev) == 1);
    const jv *counts = jv_get(&ev, "AvailabilityZone counts");
    CHECK(counts && jv_get(counts, "us-east-1a") && jv_get(counts, "us-east-1a")->u.num == 3);
    CHECK(counts && jv_get(counts, "us-east-1b") && jv_get(counts, "us-east-1b")->u.num == 0);
    CHECK(match_sc("aws.asg", "{\"type\":\"az-imbalance\",\"max-skew\":3}", bad, NULL, NULL) == 0);
    CHECK(match_sc("aws.asg", "{\"type\":\"az-imbalance\",\"max-skew\":2}", bad, NULL, NULL) == 1);
    /* 2 / 1 is as even as three instances get. */
    const char *ok =
        ASG("[\"us-east-1a\",\"us-east-1b\"]",
            "[" I("i-1", "us-east-1a") "," I("i-2", "us-east-1a") "," I("i-3", "us-east-1b") "]");
    CHECK(match_sc("aws.asg", "{\"type\":\"az-imbalance\"}", ok, NULL, NULL) == 0);
    CHECK(match_sc("aws.asg", "{\"type\":\"az-imbalance\",\"max-skew\":0}", ok, NULL, NULL) == 1);
    /* One zone, or fewer than two instances: nothing to balance. */
    CHECK(
        match_sc("aws.asg", "{\"type\":\"az-imbalance\",\"max-skew\":0}",
                 ASG("[\"us-east-1a\"]", "[" I("i-1", "us-east-1a") "," I("i-2", "us-east-1a") "]"),
                 NULL, NULL) == 0);
    CHECK(match_sc("aws.asg", "{\"type\":\"az-imbalance\",\"max-skew\":0}",
                   ASG("[\"us-east-1a\",\"us-east-1b\"]", "[" I("i-1", "us-east-1a") "]"), NULL,
                   NULL) == 0);
    /* Instances outside the configured zones are not counted. */
    CHECK(match_sc("aws.asg", "{\"type\":\"az-imbalance\"}",
                   ASG("[\"us-east-1a\",\"us-east-1b\"]",
                       "[" I("i-1", "us-east-1a") "," I("i-2", "us-east-1c") "," I(
                           "i-3", "us-east-1c") "]"),
                   NULL, NULL) == 0);
}

TEST(az_imbalance_elb)
{
    resource_set sets[] = {
        set_of("aws.ec2",
               "[{\"InstanceId\":\"i-1\",\"Placement\":{\"AvailabilityZone\":\"us-east-1a\"}},"
               "{\"InstanceId\":\"i-2\",\"Placement\":{\"AvailabilityZone\":\"us-east-1a\"}},"
               "{\"InstanceId\":\"i-3\",\"Placement\":{\"AvailabilityZone\":\"us-east-1a\"}},"
               "{\"InstanceId\":\"i-4\",\"Placement\":{\"AvailabilityZone\":\"us-east-1b\"}}]")};
    scope_ctx *sc = scope_of(sets, 1);
    const char *lb = "{\"LoadBalancerName\":\"web\",\"AvailabilityZones\":[\"us-east-1a\","
                     "\"us-east-1b\",\"us-east-1c\"],\"Instances\":[{\"InstanceId\":\"i-1\"},"
                     "{\"InstanceId\":\"i-2\"},{\"InstanceId\":\"i-4\"},{\"InstanceId\":\"i-9\"}]}";
    jv ev;
    /* 2/1/0 (i-9 unknown): skew 2. */
    CHECK(match_sc("aws.elb", "{\"type\":\"az-imbalance\"}", lb, sc, &ev) == 1);
    const jv *counts = jv_get(&ev, "AvailabilityZone counts");
    CHECK(counts && counts->len == 3 && jv_get(counts, "us-east-1c")->u.num == 0);
    CHECK(match_sc("aws.elb", "{\"type\":\"az-imbalance\",\"max-skew\":2}", lb, sc, NULL) == 0);
    /* Without a scope no instance can be placed. */
    CHECK(match_sc("aws.elb", "{\"type\":\"az-imbalance\"}", lb, NULL, NULL) == 0);
    scope_free_static(sc);
}

TEST(az_imbalance_options)
{
    CHECK(compile_errors("aws.asg", "{\"type\":\"az-imbalance\",\"max-skew\":\"2\"}") == 1);
    CHECK(compile_errors("aws.asg", "{\"type\":\"az-imbalance\",\"max-skew\":-1}") == 1);
    CHECK(compile_errors("aws.asg", "{\"type\":\"az-imbalance\",\"max-skew\":1.5}") == 1);
    CHECK(compile_errors("aws.asg", "{\"type\":\"az-imbalance\",\"skew\":1}") == 1);
    CHECK(compile_errors("aws.elb", "{\"type\":\"az-imbalance\",\"max-skew\":0}") == -1);
    CHECK(compile_errors("aws.app-elb", "{\"type\":\"az-imbalance\"}") == 1);
}

int main(void)
{
    A = arena_new(0);
    RUN(unused_and_used_by_enis);
    RUN(unused_without_scope);
    RUN(used_by_references_and_lambda);
    RUN(usage_options_rejected);
    RUN(az_imbalance_asg);
    RUN(az_imbalance_elb);
    RUN(az_imbalance_options);
    arena_free(A);
    T_EXIT();
}
