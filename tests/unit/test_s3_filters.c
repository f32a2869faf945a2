/* test_s3_filters.c - has-statement, global-grants, cross-account,
 * check-public-block, and the IAM policy checker behind cross-account. */
#include <stdlib.h>
#include <string.h>

#include "filters/filter.h"
#include "filters/iam_policy.h"
#include "filters/s3_filters.h"
#include "resources/resource.h"
#include "t.h"
#include "filter_test.h"

static filter *compile(const char *spec_text, diag_list *d)
{
    return compile_for("aws.s3", spec_text, d);
}

static int match_ex(const char *spec, const char *bucket, jv *ev)
{
    return match_with(
        "aws.s3", spec, bucket,
        (eval_ctx){.account_id = "111111111111", .region = "us-east-1", .evidence = ev});
}

static int match(const char *spec, const char *bucket)
{
    return match_ex(spec, bucket, NULL);
}

/* A bucket named b1 whose Policy is the JSON text of statements (escaped). */
static const char *bucket_with_policy(const char *statements_json)
{
    jv st = J(statements_json);
    jv_builder pol;
    jvb_object(&pol, A);
    jvb_set(&pol, "Version", 7, jv_cstr(A, "2012-10-17"));
    jvb_set(&pol, "Statement", 9, st);
    jv p = jvb_done(&pol);
    buf text = BUF_INIT, out = BUF_INIT;
    json_write(&text, &p);
    buf_puts(&out,
             "{\"Name\":\"b1\",\"Location\":{\"LocationConstraint\":\"eu-west-2\"},\"Policy\":");
    json_write_string(&out, text.data, text.len);
    buf_puts(&out, "}");
    char *r = arena_strdup(A, out.data);
    buf_free(&text);
    buf_free(&out);
    return r;
}

/* ---------------- has-statement ---------------- */

TEST(has_statement_ids)
{
    const char *b =
        bucket_with_policy("[{\"Sid\":\"Zebra\",\"Effect\":\"Deny\",\"Principal\":\"*\","
                           "\"Action\":\"s3:PutObject\",\"Resource\":\"x\"},"
                           "{\"Sid\":\"Lion\",\"Effect\":\"Allow\",\"Principal\":\"*\","
                           "\"Action\":\"s3:GetObject\",\"Resource\":\"x\"}]");
    CHECK(match("{\"type\":\"has-statement\",\"statement_ids\":[\"Zebra\"]}", b) == 1);
    CHECK(match("{\"type\":\"has-statement\",\"statement_ids\":[\"Zebra\",\"Lion\"]}", b) == 1);
    CHECK(match("{\"type\":\"has-statement\",\"statement_ids\":[\"Zebra\",\"Tiger\"]}", b) == 0);
    CHECK(match("{\"type\":\"has-statement\",\"statement_ids\":[\"Zebra\"]}", "{\"Name\":\"b\"}") ==
          0);
    CHECK(match("{\"type\":\"has-statement\",\"statement_ids\":[\"Zebra\"]}",
                "{\"Name\":\"b\",\"Policy\":null}") == 0);
}

TEST(has_statement_statements)
{
    const char *b = bucket_with_policy(
        "[{\"Sid\":\"S1\",\"Effect\":\"Deny\",\"Principal\":\"*\","
        "\"Action\":[\"s3:PutObject\",\"s3:GetObject\"],\"Resource\":\"arn:aws:s3:::b1/*\"},"
        "{\"Sid\":\"S2\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"*\"},"
        "\"Action\":\"*\",\"Resource\":\"arn:aws:s3:::b1/*\"}]");
    /* {bucket_name} substitution, exact keys. */
    CHECK(
        match("{\"type\":\"has-statement\",\"statements\":[{\"Effect\":\"Allow\",\"Action\":\"*\","
              "\"Resource\":\"arn:aws:s3:::{bucket_name}/*\"}]}",
              b) == 1);
    CHECK(
        match("{\"type\":\"has-statement\",\"statements\":[{\"Effect\":\"Allow\",\"Action\":\"*\","
              "\"Resource\":\"arn:aws:s3:::other/*\"}]}",
              b) == 0);
    /* Principal "*" is not {"AWS": "*"} for exact matching. */
    CHECK(match("{\"type\":\"has-statement\",\"statements\":[{\"Effect\":\"Allow\","
                "\"Principal\":\"*\"}]}",
                b) == 0);
    CHECK(match("{\"type\":\"has-statement\",\"statements\":[{\"Effect\":\"Allow\","
                "\"Principal\":{\"AWS\":\"*\"}}]}",
                b) == 1);
    /* Actions are a case-insensitive set: order and case do not matter... */
    CHECK(match("{\"type\":\"has-statement\",\"statements\":[{\"Effect\":\"Deny\","
                "\"Action\":[\"S3:GetObject\",\"s3:putobject\"]}]}",
                b) == 1);
    /* ...but a subset only matches with PartialMatch. */
    CHECK(match("{\"type\":\"has-statement\",\"statements\":[{\"Effect\":\"Deny\","
                "\"Action\":\"s3:PutObject\"}]}",
                b) == 0);
    CHECK(match("{\"type\":\"has-statement\",\"statements\":[{\"Effect\":\"Deny\","
                "\"Action\":[\"s3:PutObject\"],\"PartialMatch\":[\"Action\"]}]}",
                b) == 1);
    CHECK(match("{\"type\":\"has-statement\",\"statements\":[{\"Effect\":\"Deny\","
                "\"Action\":[\"s3:DeleteObject\"],\"PartialMatch\":\"Action\"}]}",
                b) == 0);
    /* Every listed statement must be found. */
    CHECK(match("{\"type\":\"has-statement\",\"statements\":[{\"Effect\":\"Deny\"},"
                "{\"Effect\":\"Allow\",\"Sid\":\"S3\"}]}",
                b) == 0);
    /* An unknown field makes Custodian keep the string as written, known
     * fields included. */
    const char *raw =
        bucket_with_policy("[{\"Effect\":\"Deny\",\"Resource\":\"{bucket_name}/{other}\"}]");
    CHECK(match("{\"type\":\"has-statement\",\"statements\":[{\"Effect\":\"Deny\","
                "\"Resource\":\"{bucket_name}/{other}\"}]}",
                raw) == 1);
    /* {account_id}, {bucket_region} and literal braces. */
    const char *c =
        bucket_with_policy("[{\"Effect\":\"Deny\",\"Resource\":\"111111111111/eu-west-2/"
                           "{x}\"}]");
    CHECK(match("{\"type\":\"has-statement\",\"statements\":[{\"Effect\":\"Deny\","
                "\"Resource\":\"{account_id}/{bucket_region}/{{x}}\"}]}",
                c) == 1);
    jv ev = jv_null();
    CHECK(match_ex("{\"type\":\"has-statement\",\"statement_ids\":[\"S2\"]}", b, &ev) == 1);
    CHECK(jv_is(&ev, JV_ARRAY) && ev.len == 1 && jv_str_eq(jv_get(&ev.u.items[0], "Sid"), "S2"));
}

/* ---------------- global-grants ---------------- */

#define ALLUSERS                                                                                   \
    "{\"Grantee\":{\"Type\":\"Group\",\"URI\":\"http://acs.amazonaws.com/groups/global/"           \
    "AllUsers\"},"
#define AUTHUSERS                                                                                  \
    "{\"Grantee\":{\"Type\":\"Group\",\"URI\":"                                                    \
    "\"http://acs.amazonaws.com/groups/global/AuthenticatedUsers\"},"
#define OWNERGRANT                                                                                 \
    "{\"Grantee\":{\"Type\":\"CanonicalUser\",\"ID\":\"abc\"},\"Permission\":\"FULL_CONTROL\"}"

TEST(global_grants)
{
    const char *write =
        "{\"Name\":\"b\",\"Acl\":{\"Owner\":{\"ID\":\"abc\"},\"Grants\":[" OWNERGRANT "," ALLUSERS
        "\"Permission\":\"WRITE\"}]}}";
    const char *owner_only =
        "{\"Name\":\"b\",\"Acl\":{\"Owner\":{\"ID\":\"abc\"},\"Grants\":[" OWNERGRANT "]}}";
    const char *read_site = "{\"Name\":\"b\",\"Website\":{\"IndexDocument\":{\"Suffix\":\"i\"}},"
                            "\"Acl\":{\"Grants\":[" ALLUSERS "\"Permission\":\"READ\"}]}}";
    const char *read_plain = "{\"Name\":\"b\",\"Website\":null,"
                             "\"Acl\":{\"Grants\":[" AUTHUSERS "\"Permission\":\"READ\"}]}}";
    CHECK(match("{\"type\":\"global-grants\"}", write) == 1);
    CHECK(match("{\"type\":\"global-grants\"}", owner_only) == 0);
    CHECK(match("{\"type\":\"global-grants\"}", "{\"Name\":\"b\",\"Acl\":null}") == 0);
    CHECK(match("{\"type\":\"global-grants\"}", read_site) == 0);
    CHECK(match("{\"type\":\"global-grants\",\"allow_website\":false}", read_site) == 1);
    CHECK(match("{\"type\":\"global-grants\"}", read_plain) == 1);
    CHECK(match("{\"type\":\"global-grants\",\"permissions\":[\"READ_ACP\"]}", write) == 0);
    CHECK(match("{\"type\":\"global-grants\",\"permissions\":[\"WRITE\"]}", write) == 1);
    jv ev = jv_null();
    CHECK(match_ex("{\"type\":\"global-grants\"}", write, &ev) == 1);
    CHECK(jv_is(&ev, JV_ARRAY) && ev.len == 1 &&
          jv_str_eq(jv_get(&ev.u.items[0], "Permission"), "WRITE"));
}

/* ---------------- cross-account ---------------- */

#define ALLOW(principal, extra)                                                                    \
    "[{\"Effect\":\"Allow\",\"Principal\":" principal ",\"Action\":\"s3:GetObject\","              \
    "\"Resource\":\"arn:aws:s3:::b1/*\"" extra "}]"

TEST(cross_account_principals)
{
    const char *xa = "{\"type\":\"cross-account\"}";
    CHECK(match(xa, bucket_with_policy(ALLOW("\"*\"", ""))) == 1);
    /* {"AWS": "*"} is every AWS account, not this one. */
    CHECK(match(xa, bucket_with_policy(ALLOW("{\"AWS\":\"*\"}", ""))) == 1);
    CHECK(match(xa, bucket_with_policy(
                        ALLOW("{\"AWS\":\"arn:aws:iam::111111111111:root\"}", ""))) == 0);
    CHECK(match(xa, bucket_with_policy(ALLOW("{\"AWS\":\"111111111111\"}", ""))) == 0);
    CHECK(match(xa, bucket_with_policy(ALLOW("{\"AWS\":[\"111111111111\","
                                             "\"arn:aws:iam::222222222222:role/x\"]}",
                                             ""))) == 1);
    CHECK(match("{\"type\":\"cross-account\",\"whitelist\":[\"222222222222\"]}",
                bucket_with_policy(ALLOW("{\"AWS\":\"arn:aws:iam::222222222222:role/x\"}", ""))) ==
          0);
    /* Service principals are not accounts. */
    CHECK(match(xa, bucket_with_policy(ALLOW("{\"Service\":\"logging.s3.amazonaws.com\"}", ""))) ==
          0);
    /* ELB log delivery account (us-east-1) is trusted for S3. */
    CHECK(match(xa, bucket_with_policy(
                        ALLOW("{\"AWS\":\"arn:aws:iam::127311923021:root\"}", ""))) == 0);
    /* Deny statements never grant. */
    CHECK(match(xa, bucket_with_policy("[{\"Effect\":\"Deny\",\"Principal\":\"*\","
                                       "\"Action\":\"s3:*\",\"Resource\":\"*\"}]")) == 0);
    /* everyone_only ignores named foreign accounts. */
    CHECK(match("{\"type\":\"cross-account\",\"everyone_only\":true}",
                bucket_with_policy(ALLOW("{\"AWS\":\"222222222222\"}", ""))) == 0);
    CHECK(match("{\"type\":\"cross-account\",\"everyone_only\":true}",
                bucket_with_policy(ALLOW("{\"AWS\":\"*\"}", ""))) == 1);
    CHECK(match(xa, "{\"Name\":\"b\"}") == 0);
}

TEST(cross_account_conditions)
{
    const char *xa = "{\"type\":\"cross-account\"}";
    /* Principal * fenced to our own account by SourceAccount: not cross-account. */
    CHECK(match(xa, bucket_with_policy(
                        ALLOW("\"*\"", ",\"Condition\":{\"StringEquals\":{\"aws:SourceAccount\":"
                                       "\"111111111111\"}}"))) == 0);
    CHECK(match(xa, bucket_with_policy(
                        ALLOW("\"*\"", ",\"Condition\":{\"StringEquals\":{\"aws:SourceAccount\":"
                                       "[\"111111111111\",\"333333333333\"]}}"))) == 1);
    /* SourceVpce: trusted unless an allow-list is configured. */
    const char *vpce = bucket_with_policy(
        ALLOW("\"*\"", ",\"Condition\":{\"StringEquals\":{\"aws:SourceVpce\":\"vpce-1\"}}"));
    CHECK(match(xa, vpce) == 0);
    CHECK(match("{\"type\":\"cross-account\",\"whitelist_vpce\":[\"vpce-1\"]}", vpce) == 0);
    CHECK(match("{\"type\":\"cross-account\",\"whitelist_vpce\":[\"vpce-2\"]}", vpce) == 1);
    /* PrincipalOrgID: only trusted when the org is allow-listed. */
    const char *org = bucket_with_policy(
        ALLOW("\"*\"", ",\"Condition\":{\"StringEquals\":{\"aws:PrincipalOrgID\":\"o-abc\"}}"));
    CHECK(match(xa, org) == 1);
    CHECK(match("{\"type\":\"cross-account\",\"whitelist_orgids\":[\"o-abc\"]}", org) == 0);
    /* SourceIp counts as a fence (Custodian's rule). */
    CHECK(match(xa, bucket_with_policy(ALLOW(
                        "\"*\"",
                        ",\"Condition\":{\"IpAddress\":{\"aws:SourceIp\":\"10.0.0.0/8\"}}"))) == 0);
    /* An unknown condition key does not fence anything... */
    const char *tls = bucket_with_policy(
        ALLOW("\"*\"", ",\"Condition\":{\"StringEquals\":{\"s3:TlsVersion\":\"1.2\"}}"));
    CHECK(match(xa, tls) == 1);
    /* ...unless whitelisted by name (case-insensitive). */
    CHECK(match("{\"type\":\"cross-account\",\"whitelist_conditions\":[\"S3:TLSVersion\"]}", tls) ==
          0);
    /* Operators outside Custodian's list (Bool) are ignored entirely. */
    CHECK(match(xa, bucket_with_policy(ALLOW(
                        "\"*\"",
                        ",\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"true\"}}"))) == 1);
    /* Every condition must fence: one trusted plus one unknown is not enough. */
    CHECK(match(xa, bucket_with_policy(ALLOW(
                        "\"*\"", ",\"Condition\":{\"StringEquals\":{\"aws:SourceAccount\":"
                                 "\"111111111111\"},\"StringLike\":{\"aws:Referer\":\"x\"}}"))) ==
          1);
    /* s3:DataAccessPointAccount names the account owning the access point. */
    CHECK(match(xa, bucket_with_policy(ALLOW(
                        "{\"AWS\":\"*\"}", ",\"Condition\":{\"StringEquals\":{"
                                           "\"s3:DataAccessPointAccount\":\"111111111111\"}}"))) ==
          0);
    CHECK(match(xa, bucket_with_policy(ALLOW(
                        "{\"AWS\":\"*\"}", ",\"Condition\":{\"StringEquals\":{"
                                           "\"s3:DataAccessPointAccount\":\"999999999999\"}}"))) ==
          1);
}

TEST(cross_account_actions_and_evidence)
{
    const char *b = bucket_with_policy("[{\"Sid\":\"Pub\",\"Effect\":\"Allow\",\"Principal\":\"*\","
                                       "\"Action\":\"s3:Get*\",\"Resource\":\"*\"},"
                                       "{\"Sid\":\"Mine\",\"Effect\":\"Allow\",\"Principal\":{"
                                       "\"AWS\":\"111111111111\"},\"Action\":\"s3:*\"}]");
    CHECK(match("{\"type\":\"cross-account\",\"actions\":[\"s3:GetObject\"]}", b) == 1);
    CHECK(match("{\"type\":\"cross-account\",\"actions\":[\"s3:PutObject\"]}", b) == 0);
    jv ev = jv_null();
    CHECK(match_ex("{\"type\":\"cross-account\"}", b, &ev) == 1);
    CHECK(jv_is(&ev, JV_ARRAY) && ev.len == 1 && jv_str_eq(jv_get(&ev.u.items[0], "Sid"), "Pub"));
}

TEST(cross_account_from_files)
{
    /* whitelist_from / whitelist_orgids_from read Custodian value_from files. */
    const char *b = bucket_with_policy(ALLOW("{\"AWS\":\"arn:aws:iam::222222222222:root\"}", ""));
    const char *xa = "{\"type\":\"cross-account\"}";
    const char *from = "{\"type\":\"cross-account\",\"whitelist_from\":{\"url\":"
                       "\"file://tests/data/secfilters/accounts.json\",\"expr\":"
                       "\"accounts.*.accountNumber\"}}";
    CHECK(match(xa, b) == 1);
    CHECK(match(from, b) == 0);
    CHECK(match(from, bucket_with_policy(ALLOW("{\"AWS\":\"444444444444\"}", ""))) == 1);
    const char *org = bucket_with_policy(
        ALLOW("\"*\"", ",\"Condition\":{\"StringEquals\":{\"aws:PrincipalOrgID\":\"o-def\"}}"));
    CHECK(match(xa, org) == 1);
    CHECK(match("{\"type\":\"cross-account\",\"whitelist_orgids_from\":{\"url\":"
                "\"tests/data/secfilters/orgs.txt\"}}",
                org) == 0);
    /* The inline list and the file add up. */
    CHECK(match("{\"type\":\"cross-account\",\"whitelist\":[\"444444444444\"],"
                "\"whitelist_from\":{\"url\":\"tests/data/secfilters/accounts.json\","
                "\"expr\":\"accounts.*.accountNumber\"}}",
                bucket_with_policy(ALLOW("{\"AWS\":[\"444444444444\",\"222222222222\"]}", ""))) ==
          0);
}

TEST(arn_account)
{
    char buf[64];
    CHECK_STR(iam_arn_account("arn:aws:iam::123456789012:root", buf, sizeof buf), "123456789012");
    CHECK_STR(iam_arn_account("arn:aws:sts::123456789012:assumed-role/r/s", buf, sizeof buf),
              "123456789012");
    CHECK_STR(iam_arn_account("123456789012", buf, sizeof buf), "123456789012");
    /* Four or more colons: the fifth field, even when empty. */
    CHECK_STR(iam_arn_account("arn:aws:s3:::bucket", buf, sizeof buf), "");
    CHECK_STR(iam_arn_account("a:b:c", buf, sizeof buf), "a:b:c");
}

/* ---------------- check-public-block ---------------- */

TEST(public_block)
{
    const char *none = "{\"Name\":\"b\"}";
    const char *null_cfg = "{\"Name\":\"b\",\"c7n:PublicAccessBlock\":null}";
    const char *all = "{\"Name\":\"b\",\"c7n:PublicAccessBlock\":{\"BlockPublicAcls\":true,"
                      "\"IgnorePublicAcls\":true,\"BlockPublicPolicy\":true,"
                      "\"RestrictPublicBuckets\":true}}";
    const char *partial = "{\"Name\":\"b\",\"c7n:PublicAccessBlock\":{\"BlockPublicAcls\":true,"
                          "\"IgnorePublicAcls\":false,\"BlockPublicPolicy\":true,"
                          "\"RestrictPublicBuckets\":true}}";
    const char *cpb = "{\"type\":\"check-public-block\"}";
    CHECK(match(cpb, none) == 1);
    CHECK(match(cpb, null_cfg) == 1);
    CHECK(match(cpb, all) == 0);
    CHECK(match(cpb, partial) == 1);
    CHECK(match("{\"type\":\"check-public-block\",\"IgnorePublicAcls\":false}", partial) == 1);
    CHECK(match("{\"type\":\"check-public-block\",\"IgnorePublicAcls\":true}", partial) == 0);
    CHECK(match("{\"type\":\"check-public-block\",\"BlockPublicPolicy\":false}", none) == 1);
    CHECK(match("{\"type\":\"check-public-block\",\"BlockPublicPolicy\":false,"
                "\"BlockPublicAcls\":true}",
                partial) == 0);
    CHECK(match("{\"type\":\"check-public-block\",\"BlockPublicPolicy\":true,"
                "\"BlockPublicAcls\":true}",
                partial) == 1);
    jv ev = jv_null();
    CHECK(match_ex(cpb, partial, &ev) == 1);
    CHECK(jv_is(&ev, JV_OBJECT) && ev.len == 1 && jv_get(&ev, "IgnorePublicAcls"));
}

TEST(compile_errors)
{
    diag_list d = DIAG_LIST_INIT;
    CHECK(compile("{\"type\":\"check-public-block\",\"BlockPublicAcls\":\"yes\"}", &d) == NULL);
    CHECK(compile("{\"type\":\"check-public-block\",\"Bogus\":true}", &d) == NULL);
    CHECK(compile("{\"type\":\"global-grants\",\"permissions\":[\"ALL\"]}", &d) == NULL);
    CHECK(compile("{\"type\":\"has-statement\",\"statements\":[{\"Action\":\"x\"}]}", &d) == NULL);
    CHECK(compile("{\"type\":\"has-statement\",\"statements\":[{\"Effect\":\"Deny\","
                  "\"PartialMatch\":\"Resource\"}]}",
                  &d) == NULL);
    CHECK(compile("{\"type\":\"cross-account\",\"whitelist\":\"123\"}", &d) == NULL);
    CHECK(compile("{\"type\":\"cross-account\",\"whitelist_from\":{\"url\":\"missing.json\"}}",
                  &d) == NULL);
    CHECK(d.n >= 7);
    diag_free(&d);
}

int main(void)
{
    A = arena_new(0);
    RUN(has_statement_ids);
    RUN(has_statement_statements);
    RUN(global_grants);
    RUN(cross_account_principals);
    RUN(cross_account_conditions);
    RUN(cross_account_actions_and_evidence);
    RUN(cross_account_from_files);
    RUN(arn_account);
    RUN(public_block);
    RUN(compile_errors);
    arena_free(A);
    T_EXIT();
}
