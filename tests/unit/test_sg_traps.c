/* test_sg_traps.c - the pack's security group policies (policies/aws/
 * network.yml) on the traps a naive checker falls into, and on the real
 * problems right next to them.  Runs from the repository root. */
#include <stdlib.h>
#include <string.h>

#include "inventory/scope.h"
#include "filters/filter.h"
#include "policy/policy.h"
#include "resources/resource.h"
#include "t.h"
#include "filter_test.h" /* A and J() */

static policy_set PS;
static scope_ctx *SC;

static const policy *find_policy(const char *name)
{
    for (size_t i = 0; i < PS.n; i++)
        if (strcmp(PS.items[i].name, name) == 0) return &PS.items[i];
    return NULL;
}

/* 1 when policy `name` reports group (JSON text), 0 when not, -1 when the
 * pack has no such policy.  *ev receives the evidence. */
static int reports(const char *name, const char *group, jv *ev)
{
    const policy *p = find_policy(name);
    if (!p) return -1;
    jv g = J(group), local = jv_null();
    if (!ev) ev = &local;
    *ev = jv_null();
    eval_ctx ctx = {.scratch = A,
                    .account_id = "111122223333",
                    .region = "us-east-1",
                    .rtype = p->rtype,
                    .scope = SC,
                    .evidence = ev};
    return !p->filters || filter_match(p->filters, &g, &ctx) ? 1 : 0;
}

static const char *const SG_CHECKS[] = {
    "sg-ssh-open-to-world",
    "sg-rdp-open-to-world",
    "sg-database-open-to-world",
    "sg-all-traffic-open-to-world",
    "sg-egress-plaintext-to-internet",
    "sg-unused",
};
#define N_CHECKS (sizeof SG_CHECKS / sizeof *SG_CHECKS)

/* How many of the pack's sg-* checks report the group. */
static int count_reports(const char *group)
{
    int n = 0;
    for (size_t i = 0; i < N_CHECKS; i++)
        n += reports(SG_CHECKS[i], group, NULL) == 1;
    return n;
}

#define GROUP(id, in, out)                                                                         \
    "{\"GroupId\":\"" id "\",\"GroupName\":\"" id "\",\"VpcId\":\"vpc-1\",\"OwnerId\":"            \
    "\"111122223333\",\"IpPermissions\":" in ",\"IpPermissionsEgress\":" out "}"
#define EGRESS_ALL "[{\"IpProtocol\":\"-1\",\"IpRanges\":[{\"CidrIp\":\"0.0.0.0/0\"}]}]"

TEST(pack_has_the_checks)
{
    for (size_t i = 0; i < N_CHECKS; i++)
        CHECK(find_policy(SG_CHECKS[i]) != NULL);
}

TEST(overlapping_rules_most_permissive_wins)
{
    /* tcp 0-1023 from anywhere + tcp 22 from 10/8: port 22 is open to the
     * world, through the wider rule; the evidence names that grant only. */
    const char *g = GROUP("sg-overlap",
                          "[{\"IpProtocol\":\"tcp\",\"FromPort\":0,\"ToPort\":1023,\"IpRanges\":"
                          "[{\"CidrIp\":\"0.0.0.0/0\"}]},{\"IpProtocol\":\"tcp\",\"FromPort\":22,"
                          "\"ToPort\":22,\"IpRanges\":[{\"CidrIp\":\"10.0.0.0/8\"}]}]",
                          EGRESS_ALL);
    jv ev;
    CHECK(reports("sg-ssh-open-to-world", g, &ev) == 1);
    CHECK(jv_is(&ev, JV_ARRAY) && ev.len == 1);
    CHECK(ev.len == 1 && jv_get(&ev.u.items[0], "ToPort")->u.num == 1023);
    CHECK(reports("sg-rdp-open-to-world", g, NULL) == 0); /* 3389 is outside 0-1023 */
    CHECK(reports("sg-database-open-to-world", g, NULL) == 0);
    CHECK(reports("sg-all-traffic-open-to-world", g, NULL) == 0);
    /* Both rules private: nothing is open. */
    const char *priv = GROUP("sg-ops",
                             "[{\"IpProtocol\":\"tcp\",\"FromPort\":22,\"ToPort\":22,\"IpRanges\":"
                             "[{\"CidrIp\":\"10.0.0.0/8\"}]},{\"IpProtocol\":\"tcp\",\"FromPort\":"
                             "0,\"ToPort\":1023,\"IpRanges\":[{\"CidrIp\":\"10.0.0.0/8\"}]}]",
                             EGRESS_ALL);
    CHECK(count_reports(priv) == 0);
}

TEST(self_reference_only_is_not_open)
{
    const char *g = GROUP("sg-self",
                          "[{\"IpProtocol\":\"-1\",\"UserIdGroupPairs\":[{\"GroupId\":\"sg-self\","
                          "\"UserId\":\"111122223333\"}],\"IpRanges\":[],\"Ipv6Ranges\":[]}]",
                          EGRESS_ALL);
    CHECK(count_reports(g) == 0);
}

TEST(alb_https_is_expected)
{
    const char *g = GROUP("sg-alb",
                          "[{\"IpProtocol\":\"tcp\",\"FromPort\":443,\"ToPort\":443,\"IpRanges\":"
                          "[{\"CidrIp\":\"0.0.0.0/0\"}],\"Ipv6Ranges\":[{\"CidrIpv6\":\"::/0\"}]},"
                          "{\"IpProtocol\":\"tcp\",\"FromPort\":80,\"ToPort\":80,\"IpRanges\":"
                          "[{\"CidrIp\":\"0.0.0.0/0\"}]}]",
                          EGRESS_ALL);
    CHECK(count_reports(g) == 0);
}

TEST(egress_metadata_and_endpoints_are_not_plaintext_to_internet)
{
    const char *imds = GROUP("sg-imds", "[]",
                             "[{\"IpProtocol\":\"tcp\",\"FromPort\":80,\"ToPort\":80,\"IpRanges\":"
                             "[{\"CidrIp\":\"169.254.169.254/32\"}]},{\"IpProtocol\":\"tcp\","
                             "\"FromPort\":443,\"ToPort\":443,\"IpRanges\":[{\"CidrIp\":"
                             "\"0.0.0.0/0\"}]}]");
    CHECK(reports("sg-egress-plaintext-to-internet", imds, NULL) == 0);
    const char *pl = GROUP("sg-pl", "[]",
                           "[{\"IpProtocol\":\"tcp\",\"FromPort\":80,\"ToPort\":80,"
                           "\"PrefixListIds\":[{\"PrefixListId\":\"pl-63a5400a\"}]}]");
    CHECK(reports("sg-egress-plaintext-to-internet", pl, NULL) == 0);
    /* AWS's default egress rule (all traffic) is not a plaintext rule. */
    CHECK(reports("sg-egress-plaintext-to-internet", GROUP("sg-d", "[]", EGRESS_ALL), NULL) == 0);
    /* The real thing: tcp/80 and tcp/21 to the world. */
    const char *ftp =
        GROUP("sg-ftp", "[]",
              "[{\"IpProtocol\":\"tcp\",\"FromPort\":80,\"ToPort\":80,\"IpRanges\":"
              "[{\"CidrIp\":\"0.0.0.0/0\"}]},{\"IpProtocol\":\"tcp\",\"FromPort\":21,"
              "\"ToPort\":21,\"IpRanges\":[{\"CidrIp\":\"0.0.0.0/0\"}]},{\"IpProtocol\":"
              "\"tcp\",\"FromPort\":443,\"ToPort\":443,\"IpRanges\":[{\"CidrIp\":"
              "\"0.0.0.0/0\"}]}]");
    jv ev;
    CHECK(reports("sg-egress-plaintext-to-internet", ftp, &ev) == 1);
    CHECK(jv_is(&ev, JV_ARRAY) && ev.len == 2);
}

TEST(real_exposures_are_reported)
{
    const char *ssh6 =
        GROUP("sg-ssh6",
              "[{\"IpProtocol\":\"tcp\",\"FromPort\":22,\"ToPort\":22,\"IpRanges\":"
              "[{\"CidrIp\":\"10.0.0.0/8\"}],\"Ipv6Ranges\":[{\"CidrIpv6\":\"::/0\"}]}]",
              EGRESS_ALL);
    jv ev;
    CHECK(reports("sg-ssh-open-to-world", ssh6, &ev) == 1);
    CHECK(jv_is(&ev, JV_ARRAY) && ev.len == 1 && jv_get(&ev.u.items[0], "Ipv6Ranges")->len == 1);
    CHECK(count_reports(ssh6) == 1);
    const char *rdp =
        GROUP("sg-rdp",
              "[{\"IpProtocol\":\"tcp\",\"FromPort\":3389,\"ToPort\":3389,\"IpRanges\":"
              "[{\"CidrIp\":\"0.0.0.0/0\"}]}]",
              EGRESS_ALL);
    CHECK(reports("sg-rdp-open-to-world", rdp, NULL) == 1 && count_reports(rdp) == 1);
    const char *pg =
        GROUP("sg-pg",
              "[{\"IpProtocol\":\"tcp\",\"FromPort\":5432,\"ToPort\":5432,\"IpRanges\":"
              "[{\"CidrIp\":\"0.0.0.0/0\"}]}]",
              EGRESS_ALL);
    CHECK(reports("sg-database-open-to-world", pg, NULL) == 1 && count_reports(pg) == 1);
    /* All traffic opens every port: all four inbound checks report it. */
    const char *all =
        GROUP("sg-all", "[{\"IpProtocol\":\"-1\",\"IpRanges\":[{\"CidrIp\":\"0.0.0.0/0\"}]}]",
              EGRESS_ALL);
    CHECK(reports("sg-all-traffic-open-to-world", all, NULL) == 1);
    CHECK(count_reports(all) == 4);
}

TEST(unused_needs_no_interface_and_not_default)
{
    /* The scope's interfaces use every group the other tests build. */
    CHECK(reports("sg-unused", GROUP("sg-self", "[]", "[]"), NULL) == 0);
    jv ev;
    CHECK(reports("sg-unused", GROUP("sg-old", "[]", "[]"), &ev) == 1);
    CHECK(jv_is(&ev, JV_OBJECT) && jv_get(&ev, "NetworkInterfaces"));
    const char *dflt = "{\"GroupId\":\"sg-d0\",\"GroupName\":\"default\",\"VpcId\":\"vpc-1\"}";
    CHECK(reports("sg-unused", dflt, NULL) == 0);
}

/* Interfaces using every group the tests build except sg-old and sg-d0. */
static scope_ctx *build_scope(void)
{
    static const char *const used[] = {"sg-overlap", "sg-ops", "sg-self", "sg-alb",
                                       "sg-imds",    "sg-pl",  "sg-d",    "sg-ftp",
                                       "sg-ssh6",    "sg-rdp", "sg-pg",   "sg-all"};
    size_t n = sizeof used / sizeof *used;
    jv arr = jv_array(A, n);
    for (size_t i = 0; i < n; i++) {
        char text[160];
        snprintf(text, sizeof text,
                 "{\"NetworkInterfaceId\":\"eni-%zu\",\"Groups\":[{\"GroupId\":\"%s\"}]}", i,
                 used[i]);
        arr.u.items[i] = J(text);
    }
    static resource_set enis;
    enis = (resource_set){.type = resource_type_find("aws.eni"),
                          .account_id = "111122223333",
                          .region = "us-east-1",
                          .items = arr.u.items,
                          .n = n};
    return scope_new_static(A, "111122223333", "us-east-1", &enis, 1, NULL, 0, NULL);
}

int main(void)
{
    A = arena_new(0);
    policy_set_init(&PS);
    diag_list d = DIAG_LIST_INIT;
    if (policy_load_path(&PS, "policies/aws/network.yml", &d) != 0) {
        diag_print(&d, stdout);
        printf("FAIL load_pack: policies/aws/network.yml\n");
        return 1;
    }
    diag_free(&d);
    SC = build_scope();
    RUN(pack_has_the_checks);
    RUN(overlapping_rules_most_permissive_wins);
    RUN(self_reference_only_is_not_open);
    RUN(alb_https_is_expected);
    RUN(egress_metadata_and_endpoints_are_not_plaintext_to_internet);
    RUN(real_exposures_are_reported);
    RUN(unused_needs_no_interface_and_not_default);
    scope_free_static(SC);
    policy_set_free(&PS);
    arena_free(A);
    T_EXIT();
}
