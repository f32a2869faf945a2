/* test_cross_account.c - cross-account on IAM role trust policies and EBS
 * snapshot sharing (the S3 bucket cases are in test_s3_filters.c). */
#include <stdlib.h>
#include <string.h>

#include "inventory/scope.h"
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
    /* everyone_only on snapshots (custos ext.): only the public share. */
    const char *eo = "{\"type\":\"cross-account\",\"everyone_only\":true}";
    ev = jv_null();
    CHECK(match_ex("aws.ebs-snapshot", eo, pub, &ev) == 1);
    CHECK(jv_is(&ev, JV_ARRAY) && ev.len == 1 && jv_str_eq(&ev.u.items[0], "all"));
    CHECK(match_ex("aws.ebs-snapshot", eo, shared, NULL) == 0);
    /* Policy-only options are rejected for snapshots. */
    CHECK(match_ex("aws.ebs-snapshot", "{\"type\":\"cross-account\",\"actions\":[\"x\"]}", pub,
                   NULL) == -1);
}

TEST(other_types_rejected)
{
    /* Not registered for types without the data (e.g. ec2): a compile error. */
    CHECK(match_ex("aws.ec2", "{\"type\":\"cross-account\"}", "{}", NULL) == -1);
}

TEST(rds_snapshot_restore)
{
    const char *xa = "{\"type\":\"cross-account\"}";
    const char *pub =
        "{\"DBSnapshotIdentifier\":\"s1\",\"c7n:attributes\":{\"restore\":[\"all\"]}}";
    const char *shared = "{\"DBSnapshotIdentifier\":\"s2\",\"c7n:attributes\":{\"restore\":["
                         "\"222222222222\",\"111111111111\"]}}";
    jv ev = jv_null();
    CHECK(match_ex("aws.rds-snapshot", xa, pub, &ev) == 1);
    CHECK(jv_is(&ev, JV_ARRAY) && ev.len == 1 && jv_str_eq(&ev.u.items[0], "all"));
    ev = jv_null();
    CHECK(match_ex("aws.rds-snapshot", xa, shared, &ev) == 1);
    CHECK(jv_is(&ev, JV_ARRAY) && ev.len == 1 && jv_str_eq(&ev.u.items[0], "222222222222"));
    CHECK(match_ex("aws.rds-snapshot",
                   "{\"type\":\"cross-account\",\"whitelist\":[\"222222222222\"]}", shared,
                   NULL) == 0);
    CHECK(match_ex("aws.rds-snapshot", "{\"type\":\"cross-account\",\"everyone_only\":true}",
                   shared, NULL) == 0);
    CHECK(match_ex("aws.rds-snapshot", "{\"type\":\"cross-account\",\"everyone_only\":true}", pub,
                   NULL) == 1);
    /* No restore attribute / not collected. */
    CHECK(match_ex("aws.rds-snapshot", xa,
                   "{\"DBSnapshotIdentifier\":\"s3\",\"c7n:attributes\":{}}", NULL) == 0);
    CHECK(match_ex("aws.rds-snapshot", xa, "{\"DBSnapshotIdentifier\":\"s4\"}", NULL) == 0);
}

/* ---- whitelist_org (custos ext.) ---- */

static const char *const KNOWN[] = {"111111111111", "222222222222", "444455556666"};

static int match_org(const char *rtype, const char *spec, const char *res, jv *ev)
{
    scope_ctx *sc =
        scope_new_static(A, "111111111111", "us-east-1", NULL, 0, KNOWN, 3, "o-a1b2c3d4e5");
    int r = match_with(
        rtype, spec, res,
        (eval_ctx){
            .account_id = "111111111111", .region = "us-east-1", .scope = sc, .evidence = ev});
    scope_free_static(sc);
    return r;
}

#define BUCKET(principal, cond)                                                                    \
    "{\"Name\":\"b\",\"Policy\":{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":" principal    \
    ",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::b/*\"" cond "}]}}"
#define COND(op, key, val) ",\"Condition\":{\"" op "\":{\"" key "\":" val "}}"

TEST(whitelist_org)
{
    const char *org = "{\"type\":\"cross-account\",\"whitelist_org\":true}";
    const char *xa = "{\"type\":\"cross-account\"}";
    /* A bucket shared with another account of the organisation. */
    const char *sib = BUCKET("{\"AWS\":\"arn:aws:iam::222222222222:root\"}", "");
    CHECK(match_org("aws.s3", xa, sib, NULL) == 1);
    CHECK(match_org("aws.s3", org, sib, NULL) == 0);
    /* A trusted vendor (organization.trusted_accounts) and a stranger. */
    CHECK(match_org("aws.s3", org, BUCKET("{\"AWS\":\"444455556666\"}", ""), NULL) == 0);
    jv ev = jv_null();
    CHECK(match_org("aws.s3", org, BUCKET("{\"AWS\":[\"222222222222\",\"999999999999\"]}", ""),
                    &ev) == 1);
    CHECK(jv_is(&ev, JV_ARRAY) && ev.len == 1);
    /* Principal * confined to the organisation, a VPC endpoint, our account. */
    CHECK(match_org("aws.s3", org,
                    BUCKET("\"*\"", COND("StringEquals", "aws:PrincipalOrgID", "\"o-a1b2c3d4e5\"")),
                    NULL) == 0);
    CHECK(match_org("aws.s3", xa,
                    BUCKET("\"*\"", COND("StringEquals", "aws:PrincipalOrgID", "\"o-a1b2c3d4e5\"")),
                    NULL) == 1);
    CHECK(match_org("aws.s3", org,
                    BUCKET("\"*\"", COND("StringEquals", "aws:PrincipalOrgID", "\"o-zzzzzzzzzz\"")),
                    NULL) == 1);
    CHECK(match_org("aws.s3", org,
                    BUCKET("\"*\"", COND("StringEquals", "aws:SourceVpce", "\"vpce-0abc\"")),
                    NULL) == 0);
    CHECK(match_org("aws.s3", org,
                    BUCKET("\"*\"", COND("StringEquals", "aws:SourceAccount", "\"222222222222\"")),
                    NULL) == 0);
    CHECK(match_org("aws.s3", org,
                    BUCKET("\"*\"", COND("StringEquals", "aws:SourceAccount", "\"999999999999\"")),
                    NULL) == 1);
    /* Confinement holds whatever the other conditions are (IAM ANDs them),
     * which Custodian's every-condition rule does not see. */
    const char *two =
        BUCKET("\"*\"", ",\"Condition\":{\"StringEquals\":{\"aws:PrincipalOrgID\":"
                        "\"o-a1b2c3d4e5\"},\"StringLike\":{\"s3:prefix\":\"home/*\"}}");
    CHECK(match_org("aws.s3", org, two, NULL) == 0);
    /* Forms that let other requests through do not confine. */
    CHECK(match_org(
              "aws.s3", org,
              BUCKET("\"*\"", COND("StringNotEquals", "aws:PrincipalOrgID", "\"o-a1b2c3d4e5\"")),
              NULL) == 1);
    CHECK(
        match_org("aws.s3", org,
                  BUCKET("\"*\"", COND("StringEqualsIfExists", "aws:SourceVpce", "\"vpce-0abc\"")),
                  NULL) == 1);
    CHECK(match_org("aws.s3", org,
                    BUCKET("\"*\"", COND("StringLike", "aws:SourceVpce", "\"vpce-*\"") ",\"x\":1"),
                    NULL) == 0 /* Custodian's rule: a vpce condition trusts */);
    /* Roles trusting another org account, and snapshots shared inside. */
    CHECK(match_org("aws.iam-role", org, ROLE("{\"AWS\":\"arn:aws:iam::222222222222:root\"}"),
                    NULL) == 0);
    CHECK(match_org("aws.iam-role", org, ROLE("{\"AWS\":\"arn:aws:iam::999999999999:root\"}"),
                    NULL) == 1);
    CHECK(match_org("aws.ebs-snapshot", org,
                    "{\"c7n:attribute-createVolumePermission\":[{\"UserId\":\"222222222222\"}]}",
                    NULL) == 0);
    CHECK(match_org("aws.rds-snapshot", org,
                    "{\"c7n:attributes\":{\"restore\":[\"222222222222\",\"all\"]}}", NULL) == 1);
    /* No scope: no organisation knowledge, plain behaviour. */
    CHECK(match_ex("aws.s3", org, sib, NULL) == 1);
    CHECK(match_ex("aws.s3", "{\"type\":\"cross-account\",\"whitelist_org\":\"yes\"}", sib, NULL) ==
          -1);
}

/* ---- everyone_only is condition-aware (custos) ---- */

TEST(everyone_only_conditions)
{
    const char *eo = "{\"type\":\"cross-account\",\"everyone_only\":true}";
    /* Open to everyone: plain, {"AWS": "*"}, or fenced by nothing concrete. */
    CHECK(match_ex("aws.s3", eo, BUCKET("\"*\"", ""), NULL) == 1);
    CHECK(match_ex("aws.s3", eo, BUCKET("{\"AWS\":\"*\"}", ""), NULL) == 1);
    CHECK(match_ex("aws.s3", eo, BUCKET("\"*\"", COND("Bool", "aws:SecureTransport", "\"true\"")),
                   NULL) == 1);
    CHECK(match_ex("aws.s3", eo,
                   BUCKET("\"*\"", COND("IpAddress", "aws:SourceIp", "\"0.0.0.0/0\"")), NULL) == 1);
    CHECK(match_ex("aws.s3", eo,
                   BUCKET("\"*\"", COND("StringNotEquals", "aws:SourceVpce", "\"vpce-1\"")),
                   NULL) == 1);
    CHECK(match_ex("aws.s3", eo,
                   BUCKET("\"*\"", COND("ForAllValues:StringEquals", "aws:PrincipalOrgID",
                                        "[\"o-a1b2c3d4e5\"]")),
                   NULL) == 1);
    /* The traps: Principal * limited to the organisation, an endpoint, an
     * account (even without any allow-list configured). */
    CHECK(match_ex("aws.s3", eo,
                   BUCKET("\"*\"", COND("StringEquals", "aws:PrincipalOrgID", "\"o-a1b2c3d4e5\"")),
                   NULL) == 0);
    CHECK(
        match_ex("aws.s3", eo,
                 BUCKET("{\"AWS\":\"*\"}", COND("StringEquals", "aws:SourceVpce", "\"vpce-0abc\"")),
                 NULL) == 0);
    CHECK(match_ex("aws.s3", eo,
                   BUCKET("\"*\"", COND("StringEquals", "aws:SourceAccount", "[\"111111111111\"]")),
                   NULL) == 0);
    CHECK(match_ex("aws.s3", eo,
                   BUCKET("\"*\"", COND("ArnLike", "aws:SourceArn",
                                        "\"arn:aws:cloudtrail:us-east-1:111111111111:trail/*\"")),
                   NULL) == 0);
    CHECK(match_ex("aws.s3", eo,
                   BUCKET("\"*\"", COND("IpAddress", "aws:SourceIp", "\"203.0.113.0/24\"")),
                   NULL) == 0);
    /* A wildcard is no fence. */
    CHECK(match_ex("aws.s3", eo,
                   BUCKET("\"*\"", COND("ArnLike", "aws:SourceArn", "\"arn:aws:s3:::*\"")),
                   NULL) == 1);
}

int main(void)
{
    A = arena_new(0);
    RUN(role_trust);
    RUN(snapshot_shares);
    RUN(rds_snapshot_restore);
    RUN(whitelist_org);
    RUN(everyone_only_conditions);
    RUN(other_types_rejected);
    arena_free(A);
    T_EXIT();
}
