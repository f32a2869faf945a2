/* test_cross_account.c - cross-account on IAM role trust policies and EBS
 * snapshot sharing (the S3 bucket cases are in test_s3_filters.c). */
#include <stdlib.h>
#include <string.h>

#include "filters/filter.h"
#include "resources/resource.h"
#include "t.h"
#include "filter_test.h"

static int match_ex(const char *rtype, const char *spec_text, const char *res_text, jv *ev)
{
    return match_with(
        rtype, spec_text, res_text,
        (eval_ctx){.account_id = "111111111111", .region = "us-east-1", .evidence = ev});
}

#define ROLE(principal)                                                                            \
    "{\"RoleName\":\"r\",\"AssumeRolePolicyDocument\":{\"Version\":\"2012-10-17\",\"Statement\":[" \
    "{"                                                                                            \
    "\"Effect\":\"Allow\",\"Principal\":" principal ",\"Action\":\"sts:AssumeRole\"}]}}"

TEST(role_trust)
{
    const char *xa = "{\"type\":\"cross-account\"}";
    CHECK(match_ex("aws.iam-role", xa, ROLE("{\"Service\":\"ec2.amazonaws.com\"}"), NULL) == 0);
    CHECK(match_ex("aws.iam-role", xa, ROLE("{\"AWS\":\"arn:aws:iam::111111111111:root\"}"),
                   NULL) == 0);
    jv ev = jv_null();
    CHECK(match_ex("aws.iam-role", xa, ROLE("{\"AWS\":\"arn:aws:iam::222222222222:root\"}"), &ev) ==
          1);
    CHECK(jv_is(&ev, JV_ARRAY) && ev.len == 1);
    CHECK(match_ex("aws.iam-role", "{\"type\":\"cross-account\",\"whitelist\":[\"222222222222\"]}",
                   ROLE("{\"AWS\":\"arn:aws:iam::222222222222:root\"}"), NULL) == 0);
    CHECK(match_ex("aws.iam-role", xa, ROLE("{\"AWS\":\"*\"}"), NULL) == 1);
    /* S3's log-delivery accounts are trusted for buckets only. */
    CHECK(match_ex("aws.iam-role", xa, ROLE("{\"AWS\":\"127311923021\"}"), NULL) == 1);
    /* Policy text, and URL-encoded text as IAM's raw API returns it. */
    CHECK(match_ex(
              "aws.iam-role", xa,
              "{\"AssumeRolePolicyDocument\":\"{\\\"Statement\\\":[{\\\"Effect\\\":\\\"Allow\\\","
              "\\\"Principal\\\":{\\\"AWS\\\":\\\"333333333333\\\"}}]}\"}",
              NULL) == 1);
    CHECK(match_ex("aws.iam-role", xa,
                   "{\"AssumeRolePolicyDocument\":\"%7B%22Statement%22%3A%5B%7B%22Effect%22%3A%22"
                   "Allow%22%2C%22Principal%22%3A%7B%22AWS%22%3A%22333333333333%22%7D%7D%5D%7D\"}",
                   NULL) == 1);
    CHECK(match_ex("aws.iam-role", xa, "{\"RoleName\":\"no-doc\"}", NULL) == 0);
}

TEST(snapshot_shares)
{
    const char *xa = "{\"type\":\"cross-account\"}";
    const char *pub = "{\"SnapshotId\":\"snap-1\",\"c7n:attribute-createVolumePermission\":["
                      "{\"Group\":\"all\"}]}";
    const char *shared = "{\"SnapshotId\":\"snap-2\",\"c7n:attribute-createVolumePermission\":["
                         "{\"UserId\":\"222222222222\"},{\"UserId\":\"111111111111\"}]}";
    const char *private_ =
        "{\"SnapshotId\":\"snap-3\",\"c7n:attribute-createVolumePermission\":[]}";
    jv ev = jv_null();
    CHECK(match_ex("aws.ebs-snapshot", xa, pub, &ev) == 1);
    CHECK(jv_is(&ev, JV_ARRAY) && ev.len == 1 && jv_str_eq(&ev.u.items[0], "all"));
    ev = jv_null();
    CHECK(match_ex("aws.ebs-snapshot", xa, shared, &ev) == 1);
    CHECK(jv_is(&ev, JV_ARRAY) && ev.len == 1 && jv_str_eq(&ev.u.items[0], "222222222222"));
    CHECK(match_ex("aws.ebs-snapshot",
                   "{\"type\":\"cross-account\",\"whitelist\":[\"222222222222\"]}", shared,
                   NULL) == 0);
    CHECK(match_ex("aws.ebs-snapshot", xa, private_, NULL) == 0);
    CHECK(match_ex("aws.ebs-snapshot", xa, "{\"SnapshotId\":\"snap-4\"}", NULL) == 0);
    /* Policy-only options are rejected for snapshots. */
    CHECK(match_ex("aws.ebs-snapshot", "{\"type\":\"cross-account\",\"everyone_only\":true}", pub,
                   NULL) == -1);
}

TEST(other_types_rejected)
{
    /* Not registered for types without the data (e.g. ec2): a compile error. */
    CHECK(match_ex("aws.ec2", "{\"type\":\"cross-account\"}", "{}", NULL) == -1);
}

int main(void)
{
    A = arena_new(0);
    RUN(role_trust);
    RUN(snapshot_shares);
    RUN(other_types_rejected);
    arena_free(A);
    T_EXIT();
}
