/* test_sg_filters.c - security group ingress/egress filters. */
#include <stdlib.h>
#include <string.h>

#include "filters/filter.h"
#include "filters/sg_perm.h"
#include "resources/resource.h"
#include "t.h"
#include "filter_test.h"

static filter *compile(const char *spec_text, diag_list *d)
{
    return compile_for("aws.security-group", spec_text, d);
}

/* Matches spec against group; evidence (if ev) receives what matched. */
static int match_ex(const char *spec, const char *group, const resource_set *related, jv *ev)
{
    return match_with("aws.security-group", spec, group,
                      (eval_ctx){.account_id = "123456789012", .related = related, .evidence = ev});
}

static int match(const char *spec, const char *group)
{
    return match_ex(spec, group, NULL, NULL);
}

#define SG(perms)                                                                                  \
    "{\"GroupId\":\"sg-1\",\"OwnerId\":\"123456789012\",\"IpPermissions\":" perms                  \
    ",\"IpPermissionsEgress\":[]}"
#define SGE(perms)                                                                                 \
    "{\"GroupId\":\"sg-1\",\"OwnerId\":\"123456789012\",\"IpPermissions\":[],"                     \
    "\"IpPermissionsEgress\":" perms "}"

static const char *ssh_world = SG("[{\"IpProtocol\":\"tcp\",\"FromPort\":22,\"ToPort\":22,"
                                  "\"IpRanges\":[{\"CidrIp\":\"0.0.0.0/0\"}],\"Ipv6Ranges\":[],"
                                  "\"UserIdGroupPairs\":[],\"PrefixListIds\":[]}]");

TEST(ports_in_range)
{
    CHECK(match("{\"type\":\"ingress\",\"Ports\":[22]}", ssh_world) == 1);
    CHECK(match("{\"type\":\"ingress\",\"Ports\":[443]}", ssh_world) == 0);
    CHECK(match("{\"type\":\"ingress\",\"Ports\":[443, 22]}", ssh_world) == 1);
    const char *range = SG("[{\"IpProtocol\":\"tcp\",\"FromPort\":1000,\"ToPort\":2000,"
                           "\"IpRanges\":[{\"CidrIp\":\"10.0.0.0/8\"}]}]");
    CHECK(match("{\"type\":\"ingress\",\"Ports\":[1500]}", range) == 1);
    CHECK(match("{\"type\":\"ingress\",\"Ports\":[2001]}", range) == 0);
    CHECK(match("{\"type\":\"egress\",\"Ports\":[22]}", ssh_world) == 0); /* egress is empty */
}

TEST(ports_all_protocols)
{
    /* "-1" is all traffic: every port is open, even without FromPort/ToPort. */
    const char *all = SG("[{\"IpProtocol\":\"-1\",\"IpRanges\":[{\"CidrIp\":\"0.0.0.0/0\"}]}]");
    CHECK(match("{\"type\":\"ingress\",\"Ports\":[22]}", all) == 1);
    CHECK(match("{\"type\":\"ingress\",\"Ports\":[3389],\"Cidr\":\"0.0.0.0/0\"}", all) == 1);
    CHECK(match("{\"type\":\"ingress\",\"OnlyPorts\":[443]}", all) == 1);
    CHECK(match("{\"type\":\"ingress\",\"IpProtocol\":-1}", all) == 1);
    CHECK(match("{\"type\":\"ingress\",\"IpProtocol\":\"-1\"}", all) == 1);
    CHECK(match("{\"type\":\"ingress\",\"IpProtocol\":\"tcp\"}", all) == 0);
}

TEST(only_ports)
{
    /* OnlyPorts matches rules that open anything beyond the listed ports. */
    CHECK(match("{\"type\":\"ingress\",\"OnlyPorts\":[22]}", ssh_world) == 0);
    CHECK(match("{\"type\":\"ingress\",\"OnlyPorts\":[22, 443]}", ssh_world) == 0);
    CHECK(match("{\"type\":\"ingress\",\"OnlyPorts\":[443]}", ssh_world) == 1);
    const char *range = SG("[{\"IpProtocol\":\"tcp\",\"FromPort\":20,\"ToPort\":23,"
                           "\"IpRanges\":[{\"CidrIp\":\"10.0.0.0/8\"}]}]");
    CHECK(match("{\"type\":\"ingress\",\"OnlyPorts\":[22]}", range) == 1);
    /* With Ports as well: both must hold. */
    CHECK(match("{\"type\":\"ingress\",\"Ports\":[22],\"OnlyPorts\":[80]}", range) == 1);
    CHECK(match("{\"type\":\"ingress\",\"Ports\":[99],\"OnlyPorts\":[80]}", range) == 0);
}

TEST(cidr_v4_v6)
{
    CHECK(match("{\"type\":\"ingress\",\"Cidr\":{\"value\":\"0.0.0.0/0\"}}", ssh_world) == 1);
    CHECK(match("{\"type\":\"ingress\",\"Cidr\":\"0.0.0.0/0\"}", ssh_world) == 1);
    CHECK(match("{\"type\":\"ingress\",\"Cidr\":\"10.0.0.0/8\"}", ssh_world) == 0);
    CHECK(match("{\"type\":\"ingress\",\"CidrV6\":\"::/0\"}", ssh_world) == 0);
    const char *v6 = SG("[{\"IpProtocol\":\"tcp\",\"FromPort\":22,\"ToPort\":22,\"IpRanges\":[],"
                        "\"Ipv6Ranges\":[{\"CidrIpv6\":\"::/0\"}]}]");
    CHECK(match("{\"type\":\"ingress\",\"CidrV6\":\"::/0\"}", v6) == 1);
    CHECK(match("{\"type\":\"ingress\",\"Cidr\":\"0.0.0.0/0\"}", v6) == 0);
    /* `and` needs both on the same expanded rule, `or` either. */
    CHECK(match("{\"type\":\"ingress\",\"Cidr\":\"0.0.0.0/0\",\"CidrV6\":\"::/0\"}", v6) == 0);
    CHECK(match("{\"type\":\"ingress\",\"match-operator\":\"or\",\"Cidr\":\"0.0.0.0/0\","
                "\"CidrV6\":\"::/0\"}",
                v6) == 1);
    CHECK(match("{\"type\":\"ingress\",\"Ports\":[22],\"CidrV6\":\"::/0\"}", v6) == 1);
    CHECK(match("{\"type\":\"ingress\",\"Ports\":[80],\"CidrV6\":\"::/0\"}", v6) == 0);
}

TEST(expansion_is_per_range)
{
    /* One rule with a world CIDR and a group pair: the pair alone is not
     * world-open, and `Cidr` + `SelfReference: true` must not combine across
     * two different grants of the same rule. */
    const char *mixed =
        SG("[{\"IpProtocol\":\"tcp\",\"FromPort\":22,\"ToPort\":22,"
           "\"IpRanges\":[{\"CidrIp\":\"0.0.0.0/0\"}],"
           "\"UserIdGroupPairs\":[{\"UserId\":\"123456789012\",\"GroupId\":\"sg-1\"}]}]");
    CHECK(match("{\"type\":\"ingress\",\"Cidr\":\"0.0.0.0/0\",\"SelfReference\":true}", mixed) ==
          0);
    CHECK(match("{\"type\":\"ingress\",\"SelfReference\":true}", mixed) == 1);
    jv ev = jv_null();
    CHECK(match_ex("{\"type\":\"ingress\",\"Cidr\":\"0.0.0.0/0\"}", mixed, NULL, &ev) == 1);
    /* Evidence: exactly the offending grant. */
    CHECK(jv_is(&ev, JV_ARRAY) && ev.len == 1);
    if (ev.len == 1) {
        const jv *r = &ev.u.items[0];
        CHECK(jv_get(r, "IpRanges")->len == 1);
        CHECK(jv_get(r, "UserIdGroupPairs")->len == 0);
        CHECK(jv_str_eq(jv_get(&jv_get(r, "IpRanges")->u.items[0], "CidrIp"), "0.0.0.0/0"));
        CHECK(jv_get(r, "FromPort")->u.num == 22);
    }
    /* A rule with no ranges at all grants nothing. */
    CHECK(match("{\"type\":\"ingress\",\"Ports\":[22]}",
                SG("[{\"IpProtocol\":\"tcp\",\"FromPort\":22,\"ToPort\":22,\"IpRanges\":[]}]")) ==
          0);
}

TEST(self_reference)
{
    /* A group that only references itself is not open to anything else. */
    const char *self_only =
        SG("[{\"IpProtocol\":\"-1\",\"IpRanges\":[],"
           "\"UserIdGroupPairs\":[{\"UserId\":\"123456789012\",\"GroupId\":\"sg-1\"}]}]");
    CHECK(match("{\"type\":\"ingress\",\"SelfReference\":false}", self_only) == 0);
    CHECK(match("{\"type\":\"ingress\",\"SelfReference\":true}", self_only) == 1);
    CHECK(match("{\"type\":\"ingress\",\"Cidr\":\"0.0.0.0/0\"}", self_only) == 0);
    CHECK(match("{\"type\":\"ingress\",\"Ports\":[22],\"Cidr\":\"0.0.0.0/0\"}", self_only) == 0);
    /* SelfReference: false matches grants that are not self references. */
    CHECK(match("{\"type\":\"ingress\",\"SelfReference\":false}", ssh_world) == 1);
    const char *other =
        SG("[{\"IpProtocol\":\"tcp\",\"FromPort\":22,\"ToPort\":22,"
           "\"UserIdGroupPairs\":[{\"UserId\":\"123456789012\",\"GroupId\":\"sg-2\"}]}]");
    CHECK(match("{\"type\":\"ingress\",\"SelfReference\":false}", other) == 1);
    CHECK(match("{\"type\":\"ingress\",\"SelfReference\":true}", other) == 0);
}

TEST(sg_references)
{
    jv groups = J("[{\"GroupId\":\"sg-2\",\"Tags\":[{\"Key\":\"Access\",\"Value\":\"Public\"}]},"
                  "{\"GroupId\":\"sg-3\",\"Tags\":[{\"Key\":\"Access\",\"Value\":\"Private\"}]}]");
    resource_set rs = {.type = resource_type_find("aws.security-group"),
                       .account_id = "123456789012",
                       .region = "us-east-1",
                       .items = groups.u.items,
                       .n = groups.len};
    const char *spec = "{\"type\":\"ingress\",\"SGReferences\":{\"key\":\"tag:Access\","
                       "\"value\":\"Public\",\"op\":\"equal\"}}";
    const char *to2 = SG("[{\"IpProtocol\":\"tcp\",\"FromPort\":22,\"ToPort\":22,"
                         "\"UserIdGroupPairs\":[{\"UserId\":\"123456789012\",\"GroupId\":"
                         "\"sg-2\"}]}]");
    const char *to3 = SG("[{\"IpProtocol\":\"tcp\",\"FromPort\":22,\"ToPort\":22,"
                         "\"UserIdGroupPairs\":[{\"UserId\":\"123456789012\",\"GroupId\":"
                         "\"sg-3\"}]}]");
    /* Same group id but another account's: not looked up. */
    const char *foreign = SG("[{\"IpProtocol\":\"tcp\",\"FromPort\":22,\"ToPort\":22,"
                             "\"UserIdGroupPairs\":[{\"UserId\":\"999999999999\",\"GroupId\":"
                             "\"sg-2\"}]}]");
    CHECK(match_ex(spec, to2, &rs, NULL) == 1);
    CHECK(match_ex(spec, to3, &rs, NULL) == 0);
    CHECK(match_ex(spec, foreign, &rs, NULL) == 0);
    CHECK(match_ex(spec, to2, NULL, NULL) == 0); /* no related data: no match */
    /* Custodian's one-key shorthand for the referenced group's value filter. */
    const char *shorthand = "{\"type\":\"ingress\",\"SGReferences\":{\"tag:Access\":\"Public\"}}";
    CHECK(match_ex(shorthand, to2, &rs, NULL) == 1);
    CHECK(match_ex(shorthand, to3, &rs, NULL) == 0);
    CHECK(match_ex(spec, ssh_world, &rs, NULL) == 0);
}

TEST(perm_attr_value_filters)
{
    CHECK(match("{\"type\":\"ingress\",\"IpProtocol\":\"tcp\",\"FromPort\":22}", ssh_world) == 1);
    CHECK(match("{\"type\":\"ingress\",\"IpProtocol\":\"udp\",\"FromPort\":22}", ssh_world) == 0);
    CHECK(match("{\"type\":\"ingress\",\"ToPort\":{\"value\":22}}", ssh_world) == 1);
    CHECK(match("{\"type\":\"ingress\",\"IpProtocol\":\"udp\",\"FromPort\":22,"
                "\"match-operator\":\"or\"}",
                ssh_world) == 1);
    CHECK(match("{\"type\":\"ingress\",\"PrefixListIds\":\"present\"}", ssh_world) == 1);
}

TEST(description)
{
    const char *d = SG("[{\"IpProtocol\":\"tcp\",\"FromPort\":22,\"ToPort\":22,"
                       "\"IpRanges\":[{\"CidrIp\":\"1.2.3.4/32\",\"Description\":\"office\"}]}]");
    CHECK(match("{\"type\":\"ingress\",\"Description\":{\"value\":\"office\"}}", d) == 1);
    CHECK(match("{\"type\":\"ingress\",\"Description\":{\"value\":\"vpn\"}}", d) == 0);
}

TEST(odd_bare_string_ranges)
{
    /* Custodian's test data has IpRanges as bare strings; ports still work. */
    const char *odd = SG("[{\"IpProtocol\":\"tcp\",\"FromPort\":53,\"ToPort\":53,"
                         "\"IpRanges\":[\"10.0.0.0/8\"]}]");
    CHECK(match("{\"type\":\"ingress\",\"Ports\":[53]}", odd) == 1);
    CHECK(match("{\"type\":\"ingress\",\"OnlyPorts\":[80]}", odd) == 1);
    CHECK(match("{\"type\":\"ingress\",\"Cidr\":\"10.0.0.0/8\"}", odd) == 0);
}

TEST(egress)
{
    const char *e = SGE("[{\"IpProtocol\":\"-1\",\"IpRanges\":[{\"CidrIp\":\"0.0.0.0/0\"}],"
                        "\"Ipv6Ranges\":[{\"CidrIpv6\":\"::/0\"}]}]");
    CHECK(match("{\"type\":\"egress\",\"Cidr\":\"0.0.0.0/0\"}", e) == 1);
    CHECK(match("{\"type\":\"egress\",\"CidrV6\":\"::/0\"}", e) == 1);
    CHECK(match("{\"type\":\"ingress\",\"Cidr\":\"0.0.0.0/0\"}", e) == 0);
    jv ev = jv_null();
    CHECK(match_ex("{\"type\":\"egress\",\"Ports\":[443]}", e, NULL, &ev) == 1);
    CHECK(jv_is(&ev, JV_ARRAY) && ev.len == 2);
}

TEST(compile_errors)
{
    diag_list d = DIAG_LIST_INIT;
    CHECK(compile("{\"type\":\"ingress\",\"Bogus\":1}", &d) == NULL);
    CHECK(compile("{\"type\":\"ingress\",\"Ports\":\"22\"}", &d) == NULL);
    CHECK(compile("{\"type\":\"ingress\",\"Ports\":[22.5]}", &d) == NULL);
    CHECK(compile("{\"type\":\"ingress\",\"match-operator\":\"xor\"}", &d) == NULL);
    CHECK(compile("{\"type\":\"ingress\",\"SelfReference\":\"yes\"}", &d) == NULL);
    CHECK(compile("{\"type\":\"ingress\",\"PrefixLists\":{\"key\":\"x\",\"value\":1}}", &d) ==
          NULL);
    CHECK(d.n >= 6);
    diag_free(&d);
}

int main(void)
{
    A = arena_new(0);
    RUN(ports_in_range);
    RUN(ports_all_protocols);
    RUN(only_ports);
    RUN(cidr_v4_v6);
    RUN(expansion_is_per_range);
    RUN(self_reference);
    RUN(sg_references);
    RUN(perm_attr_value_filters);
    RUN(description);
    RUN(odd_bare_string_ranges);
    RUN(egress);
    RUN(compile_errors);
    arena_free(A);
    T_EXIT();
}
