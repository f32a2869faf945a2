/* test_iam_filters.c - credential, access-key, mfa-device, has-allow-all,
 * iam-summary, password-policy, and the inventory keys they read.
 *
 * "now" is fixed at 2025-01-01T00:00:00Z so ages are exact.  Policy-level
 * cases compile a whole filter list, as the engine does, because the
 * c7n:matched-keys annotation links the filters of one policy.
 */
#include <stdlib.h>
#include <string.h>

#include "filters/filter.h"
#include "inventory/inventory.h"
#include "resources/resource.h"
#include "t.h"
#include "filter_test.h"

#define NOW 1735689600 /* 2025-01-01T00:00:00Z */

static eval_ctx ctx_with(jv *ev)
{
    return (eval_ctx){
        .account_id = "111111111111", .region = "us-east-1", .now = NOW, .evidence = ev};
}

/* Matches a list of filters (JSON array text) on resource; evidence in *ev. */
static int match_list(const char *rtype, const char *filters, const char *resource, jv *ev)
{
    diag_list d = DIAG_LIST_INIT;
    jv spec = J(filters);
    filter_compiler fc = {.a = A, .diags = &d, .rtype = resource_type_find(rtype)};
    filter *f = filter_compile_list(&fc, &spec);
    if (!f) {
        diag_print(&d, stdout);
        diag_free(&d);
        return -1;
    }
    diag_free(&d);
    jv res = J(resource);
    jv local = jv_null();
    eval_ctx ctx = ctx_with(ev ? ev : &local);
    ctx.scratch = A;
    *ctx.evidence = jv_null();
    return filter_match(f, &res, &ctx) ? 1 : 0;
}

static int match1(const char *rtype, const char *spec, const char *resource, jv *ev)
{
    jv local = jv_null();
    if (!ev) ev = &local;
    *ev = jv_null();
    return match_with(rtype, spec, resource, ctx_with(ev));
}

static bool compiles(const char *rtype, const char *spec)
{
    diag_list d = DIAG_LIST_INIT;
    filter *f = compile_for(rtype, spec, &d);
    diag_free(&d);
    return f != NULL;
}

/* ISO date `days` before NOW. */
static const char *ago(int days)
{
    time_t t = (time_t)NOW - (time_t)days * 86400;
    struct tm tm;
    gmtime_r(&t, &tm);
    char *s = arena_alloc(A, 32);
    strftime(s, 32, "%Y-%m-%dT%H:%M:%S+00:00", &tm);
    return s;
}

/* A user with a credential report row: password on/off and up to two keys
 * given as {active, rotated days ago, used days ago (-1 never)}. */
typedef struct key_spec {
    int present, active, rotated, used;
} key_spec;

static const char *user(const char *name, bool password, bool mfa, key_spec k1, key_spec k2)
{
    buf b = BUF_INIT;
    buf_printf(&b,
               "{\"UserName\":\"%s\",\"c7n:credential-report\":{\"user\":\"%s\","
               "\"password_enabled\":%s,\"mfa_active\":%s,\"access_keys\":[",
               name, name, password ? "true" : "false", mfa ? "true" : "false");
    key_spec ks[2] = {k1, k2};
    bool first = true;
    for (int i = 0; i < 2; i++) {
        if (!ks[i].present) continue;
        buf_printf(&b, "%s{\"active\":%s,\"last_rotated\":\"%s\",", first ? "" : ",",
                   ks[i].active ? "true" : "false", ago(ks[i].rotated));
        if (ks[i].used < 0)
            buf_printf(&b, "\"last_used_date\":null,\"last_used_region\":null}");
        else
            buf_printf(&b, "\"last_used_date\":\"%s\",\"last_used_region\":\"us-east-1\"}",
                       ago(ks[i].used));
        first = false;
    }
    buf_puts(&b, "]}}");
    char *s = arena_strdup(A, b.data);
    buf_free(&b);
    return s;
}

static const key_spec NONE = {0, 0, 0, 0};
static key_spec KEY(int active, int rotated, int used)
{
    return (key_spec){1, active, rotated, used};
}

/* Key checks written with credential filters only (the pack's unused-key
 * policy is UNUSED; its old-key policies use access-key, tested end to end
 * by tests/integration/test_iam_pack.py). */
static const char *HUMAN_OLD =
    "[{\"type\":\"credential\",\"key\":\"password_enabled\",\"value\":true},"
    " {\"type\":\"credential\",\"key\":\"access_keys.active\",\"value\":true},"
    " {\"type\":\"credential\",\"key\":\"access_keys.last_rotated\",\"match-operator\":\"and\","
    "  \"value_type\":\"age\",\"op\":\"gt\",\"value\":90}]";
static const char *MACHINE_OLD =
    "[{\"type\":\"credential\",\"key\":\"password_enabled\",\"value\":false},"
    " {\"type\":\"credential\",\"key\":\"access_keys.active\",\"value\":true},"
    " {\"type\":\"credential\",\"key\":\"access_keys.last_rotated\",\"match-operator\":\"and\","
    "  \"value_type\":\"age\",\"op\":\"gt\",\"value\":365}]";
static const char *UNUSED =
    "[{\"type\":\"credential\",\"key\":\"access_keys.active\",\"value\":true},"
    " {\"or\":["
    "   {\"type\":\"credential\",\"key\":\"access_keys.last_used_date\",\"match-operator\":\"and\","
    "    \"value_type\":\"age\",\"op\":\"gt\",\"value\":90},"
    "   {\"and\":["
    "     {\"type\":\"credential\",\"key\":\"access_keys.last_used_date\","
    "      \"match-operator\":\"and\",\"value\":\"absent\"},"
    "     {\"type\":\"credential\",\"key\":\"access_keys.last_rotated\",\"match-operator\":\"and\","
    "      \"value_type\":\"age\",\"op\":\"gt\",\"value\":90}]}]}]";

/* ---------------- credential ---------------- */

TEST(credential_plain_keys)
{
    const char *u = user("a", true, false, NONE, NONE);
    jv ev;
    CHECK(match1("aws.iam-user",
                 "{\"type\":\"credential\",\"key\":\"password_enabled\",\"value\":true}", u,
                 &ev) == 1);
    CHECK(jv_get(&ev, "password_enabled") && jv_get(&ev, "password_enabled")->kind == JV_TRUE);
    CHECK(match1("aws.iam-user", "{\"type\":\"credential\",\"key\":\"mfa_active\",\"value\":true}",
                 u, NULL) == 0);
    /* No report row: never matches, even for `absent`. */
    CHECK(match1("aws.iam-user",
                 "{\"type\":\"credential\",\"key\":\"password_last_used\",\"value\":\"absent\"}",
                 "{\"UserName\":\"x\"}", NULL) == 0);
    CHECK(match1("aws.iam-user",
                 "{\"type\":\"credential\",\"key\":\"password_last_used\",\"value\":\"absent\"}", u,
                 NULL) == 1);
}

TEST(credential_any_key_matches)
{
    const char *u = user("a", false, false, KEY(0, 400, 300), KEY(1, 10, 1));
    jv ev;
    CHECK(match1("aws.iam-user",
                 "{\"type\":\"credential\",\"key\":\"access_keys.active\",\"value\":true}", u,
                 &ev) == 1);
    CHECK(jv_get(&ev, "access_keys.active") && jv_get(&ev, "access_keys.active")->kind == JV_TRUE);
    const jv *mk = jv_get(&ev, "c7n:matched-keys");
    CHECK(jv_is(mk, JV_ARRAY) && mk->len == 1);
    CHECK(mk && mk->len && jv_str_eq(jv_get(&mk->u.items[0], "c7n:match-type"), "credential"));
    CHECK(
        match1(
            "aws.iam-user",
            "{\"type\":\"credential\",\"key\":\"access_keys.last_rotated\",\"value_type\":\"age\","
            "\"op\":\"gt\",\"value\":365}",
            u, NULL) == 1);
    CHECK(
        match1(
            "aws.iam-user",
            "{\"type\":\"credential\",\"key\":\"access_keys.last_rotated\",\"value_type\":\"age\","
            "\"op\":\"gt\",\"value\":500}",
            u, NULL) == 0);
}

/* Custodian: each credential filter looks at every key on its own. */
TEST(credential_filters_are_independent_without_match_operator)
{
    const char *u = user("a", true, false, KEY(1, 10, 1), KEY(0, 200, 150));
    const char *f = "[{\"type\":\"credential\",\"key\":\"access_keys.active\",\"value\":true},"
                    " {\"type\":\"credential\",\"key\":\"access_keys.last_rotated\","
                    "  \"value_type\":\"age\",\"op\":\"gt\",\"value\":90}]";
    jv ev;
    CHECK(match_list("aws.iam-user", f, u, &ev) == 1);
    /* In an and block the annotation ends as the last filter's keys. */
    const jv *mk = jv_get(&ev, "c7n:matched-keys");
    CHECK(jv_is(mk, JV_ARRAY) && mk->len == 1 &&
          jv_get(&mk->u.items[0], "active")->kind == JV_FALSE);
    /* With match-operator: and only one key satisfying both counts. */
    CHECK(match_list("aws.iam-user", HUMAN_OLD, u, NULL) == 0);
}

TEST(credential_human_and_machine_thresholds)
{
    /* Human (password): 90 days. */
    CHECK(match_list("aws.iam-user", HUMAN_OLD, user("h", true, true, KEY(1, 60, 1), NONE), NULL) ==
          0);
    jv ev;
    CHECK(match_list("aws.iam-user", HUMAN_OLD, user("h", true, true, KEY(1, 100, 1), NONE), &ev) ==
          1);
    CHECK(jv_str_eq(jv_get(&ev, "access_keys.last_rotated"), ago(100)));
    CHECK(jv_get(&ev, "password_enabled") != NULL);
    /* A machine user's 100-day key is not the human policy's business. */
    CHECK(match_list("aws.iam-user", HUMAN_OLD, user("m", false, false, KEY(1, 100, 1), NONE),
                     NULL) == 0);
    /* Machine (no password): 365 days; 200 is fine. */
    CHECK(match_list("aws.iam-user", MACHINE_OLD, user("m", false, false, KEY(1, 200, 0), NONE),
                     NULL) == 0);
    CHECK(match_list("aws.iam-user", MACHINE_OLD, user("m", false, false, KEY(1, 400, 0), NONE),
                     NULL) == 1);
    /* An old key that was deactivated is not an old active key. */
    CHECK(match_list("aws.iam-user", MACHINE_OLD,
                     user("m", false, false, KEY(0, 900, 800), KEY(1, 30, 0)), NULL) == 0);
    CHECK(match_list("aws.iam-user", MACHINE_OLD,
                     user("m", false, false, KEY(0, 30, 0), KEY(1, 900, 0)), NULL) == 1);
}

TEST(credential_unused_keys)
{
    /* Created 10 days ago, never used: not unused. */
    CHECK(match_list("aws.iam-user", UNUSED, user("u", false, false, KEY(1, 10, -1), NONE), NULL) ==
          0);
    /* Created 100 days ago, never used: unused. */
    jv ev;
    CHECK(match_list("aws.iam-user", UNUSED, user("u", false, false, KEY(1, 100, -1), NONE), &ev) ==
          1);
    const jv *mk = jv_get(&ev, "c7n:matched-keys");
    CHECK(jv_is(mk, JV_ARRAY) && mk->len == 1);
    /* Last used 120 days ago: unused; 5 days ago: in use. */
    CHECK(match_list("aws.iam-user", UNUSED, user("u", false, false, KEY(1, 300, 120), NONE),
                     NULL) == 1);
    CHECK(match_list("aws.iam-user", UNUSED, user("u", false, false, KEY(1, 300, 5), NONE), NULL) ==
          0);
    /* An inactive key left unused does not count; the active one is used. */
    CHECK(match_list("aws.iam-user", UNUSED,
                     user("u", false, false, KEY(0, 400, 300), KEY(1, 20, 1)), NULL) == 0);
    CHECK(match_list("aws.iam-user", UNUSED,
                     user("u", false, false, KEY(0, 400, -1), KEY(1, 20, -1)), NULL) == 0);
    /* Second key active and stale, first active and used. */
    CHECK(match_list("aws.iam-user", UNUSED,
                     user("u", false, false, KEY(1, 20, 1), KEY(1, 200, 150)), NULL) == 1);
    /* No keys at all. */
    CHECK(match_list("aws.iam-user", UNUSED, user("u", true, true, NONE, NONE), NULL) == 0);
}

/* Custodian's merge in an or block: union with what is there, so a failed
 * branch does not empty the candidates of the next. */
TEST(credential_or_block_keeps_candidates)
{
    const char *f = "[{\"type\":\"credential\",\"key\":\"access_keys.active\",\"value\":true},"
                    " {\"or\":[{\"type\":\"credential\",\"key\":\"access_keys.last_used_region\","
                    "           \"match-operator\":\"and\",\"value\":\"eu-west-1\"},"
                    "          {\"type\":\"credential\",\"key\":\"access_keys.last_used_region\","
                    "           \"match-operator\":\"and\",\"value\":\"us-east-1\"}]}]";
    CHECK(match_list("aws.iam-user", f, user("u", false, false, KEY(1, 20, 1), NONE), NULL) == 1);
    /* In an and block a failing filter leaves an empty annotation, so a
     * later match-operator: and filter has nothing to look at. */
    const char *g =
        "[{\"type\":\"credential\",\"key\":\"access_keys.active\",\"value\":false},"
        " {\"type\":\"credential\",\"key\":\"access_keys.active\",\"match-operator\":\"and\","
        "  \"value\":true}]";
    CHECK(match_list("aws.iam-user", g, user("u", false, false, KEY(1, 20, 1), NONE), NULL) == 0);
}

TEST(credential_certs_and_account)
{
    const char *u = "{\"UserName\":\"a\",\"c7n:credential-report\":{\"certs\":[{\"active\":true,"
                    "\"last_rotated\":\"2020-01-01T00:00:00+00:00\"}]}}";
    CHECK(match1("aws.iam-user",
                 "{\"type\":\"credential\",\"key\":\"certs.active\",\"value\":true}", u,
                 NULL) == 1);
    const char *acct = "{\"account_id\":\"111111111111\",\"c7n:credential-report\":{\"user\":"
                       "\"<root_account>\",\"mfa_active\":false,\"access_keys\":[{\"active\":true,"
                       "\"last_rotated\":\"2020-01-01T00:00:00+00:00\"}]}}";
    CHECK(match1("aws.account", "{\"type\":\"credential\",\"key\":\"mfa_active\",\"value\":false}",
                 acct, NULL) == 1);
    CHECK(match1("aws.account",
                 "{\"type\":\"credential\",\"key\":\"access_keys.active\",\"value\":true}", acct,
                 NULL) == 1);
}

TEST(credential_bad_specs)
{
    CHECK(
        !compiles("aws.iam-user", "{\"type\":\"credential\",\"key\":\"Password\",\"value\":true}"));
    CHECK(!compiles("aws.iam-user", "{\"type\":\"credential\",\"value\":true}"));
    CHECK(!compiles("aws.iam-user",
                    "{\"type\":\"credential\",\"key\":\"mfa_active\",\"value\":true,\"bogus\":1}"));
    CHECK(!compiles("aws.iam-user",
                    "{\"type\":\"credential\",\"key\":\"mfa_active\",\"value\":true,"
                    "\"match-operator\":\"xor\"}"));
    CHECK(
        !compiles("aws.iam-user",
                  "{\"type\":\"credential\",\"key\":\"mfa_active\",\"op\":\"nope\",\"value\":1}"));
    CHECK(!compiles("aws.iam-role",
                    "{\"type\":\"credential\",\"key\":\"mfa_active\",\"value\":true}"));
    CHECK(compiles("aws.iam-user", "{\"type\":\"credential\",\"key\":\"mfa_active\",\"value\":true,"
                                   "\"report_generate\":true,\"report_delay\":5,"
                                   "\"report_max_age\":3600}"));
}

/* ---------------- access-key ---------------- */

static const char *KEYS_USER =
    "{\"UserName\":\"u\",\"c7n:AccessKeys\":["
    "{\"UserName\":\"u\",\"AccessKeyId\":\"AKIANEW\",\"Status\":\"Active\","
    " \"CreateDate\":\"2024-12-01T00:00:00+00:00\",\"SecretAccessKey\":\"must-not-leak\"},"
    "{\"UserName\":\"u\",\"AccessKeyId\":\"AKIAOLD\",\"Status\":\"Inactive\","
    " \"CreateDate\":\"2022-01-01T00:00:00+00:00\"}]}";

TEST(access_key_value_and_evidence)
{
    jv ev;
    CHECK(match1("aws.iam-user",
                 "{\"type\":\"access-key\",\"key\":\"Status\",\"value\":\"Active\"}", KEYS_USER,
                 &ev) == 1);
    const jv *mk = jv_get(&ev, "c7n:matched-keys");
    CHECK(jv_is(mk, JV_ARRAY) && mk->len == 1);
    if (mk && mk->len) {
        CHECK(jv_str_eq(jv_get(&mk->u.items[0], "AccessKeyId"), "AKIANEW"));
        CHECK(jv_str_eq(jv_get(&mk->u.items[0], "c7n:match-type"), "access"));
        CHECK(jv_get(&mk->u.items[0], "SecretAccessKey") == NULL);
    }
    buf b = BUF_INIT;
    json_write(&b, &ev);
    CHECK(b.data && !strstr(b.data, "must-not-leak"));
    buf_free(&b);
    CHECK(match1("aws.iam-user",
                 "{\"type\":\"access-key\",\"key\":\"Status\",\"value\":\"Deleted\"}", KEYS_USER,
                 NULL) == 0);
    /* Not collected: no match. */
    CHECK(match1("aws.iam-user",
                 "{\"type\":\"access-key\",\"key\":\"Status\",\"value\":\"Active\"}",
                 "{\"UserName\":\"u\"}", NULL) == 0);
}

TEST(access_key_match_operator)
{
    const char *or_f = "[{\"type\":\"access-key\",\"key\":\"Status\",\"value\":\"Active\"},"
                       " {\"type\":\"access-key\",\"key\":\"CreateDate\",\"value_type\":\"age\","
                       "  \"op\":\"gt\",\"value\":90}]";
    const char *and_f =
        "[{\"type\":\"access-key\",\"key\":\"Status\",\"value\":\"Active\"},"
        " {\"type\":\"access-key\",\"match-operator\":\"and\",\"key\":\"CreateDate\","
        "  \"value_type\":\"age\",\"op\":\"gt\",\"value\":90}]";
    CHECK(match_list("aws.iam-user", or_f, KEYS_USER, NULL) == 1);
    CHECK(match_list("aws.iam-user", and_f, KEYS_USER, NULL) == 0);
    jv ev;
    const char *recent =
        "[{\"type\":\"access-key\",\"key\":\"Status\",\"value\":\"Active\"},"
        " {\"type\":\"access-key\",\"match-operator\":\"and\",\"key\":\"CreateDate\","
        "  \"value_type\":\"age\",\"op\":\"lt\",\"value\":90}]";
    CHECK(match_list("aws.iam-user", recent, KEYS_USER, &ev) == 1);
    const jv *mk = jv_get(&ev, "c7n:matched-keys");
    CHECK(jv_is(mk, JV_ARRAY) && mk->len == 1 &&
          jv_str_eq(jv_get(&mk->u.items[0], "AccessKeyId"), "AKIANEW"));
    CHECK(!compiles("aws.iam-user",
                    "{\"type\":\"access-key\",\"key\":\"Status\",\"value\":\"Active\","
                    "\"match-operator\":1}"));
    CHECK(!compiles("aws.account",
                    "{\"type\":\"access-key\",\"key\":\"Status\",\"value\":\"Active\"}"));
}

/* ---------------- mfa-device ---------------- */

TEST(mfa_device)
{
    const char *none = "{\"UserName\":\"u\",\"MFADevices\":[]}";
    const char *one = "{\"UserName\":\"u\",\"MFADevices\":[{\"UserName\":\"u\",\"SerialNumber\":"
                      "\"arn:aws:iam::1:mfa/u\"}]}";
    jv ev;
    CHECK(match1("aws.iam-user", "{\"type\":\"mfa-device\",\"value\":\"empty\"}", none, &ev) == 1);
    CHECK(jv_is(jv_get(&ev, "MFADevices"), JV_ARRAY));
    CHECK(match1("aws.iam-user", "{\"type\":\"mfa-device\",\"value\":\"empty\"}", one, NULL) == 0);
    /* Custodian's own example: the key is replaced by MFADevices. */
    CHECK(match1("aws.iam-user",
                 "{\"type\":\"mfa-device\",\"key\":\"UserName\",\"value\":\"not-null\"}", one,
                 NULL) == 1);
    CHECK(match1("aws.iam-user",
                 "{\"type\":\"mfa-device\",\"key\":\"UserName\",\"value\":\"not-null\"}", none,
                 NULL) == 0);
    /* Not collected: unknown, no match. */
    CHECK(match1("aws.iam-user", "{\"type\":\"mfa-device\",\"value\":\"empty\"}",
                 "{\"UserName\":\"u\"}", NULL) == 0);
    /* The pack's console-without-MFA policy. */
    const char *pol = "[{\"type\":\"credential\",\"key\":\"password_enabled\",\"value\":true},"
                      " {\"type\":\"mfa-device\",\"value\":\"empty\"}]";
    CHECK(match_list("aws.iam-user", pol,
                     "{\"UserName\":\"u\",\"MFADevices\":[],\"c7n:credential-report\":"
                     "{\"password_enabled\":true}}",
                     NULL) == 1);
    CHECK(match_list("aws.iam-user", pol,
                     "{\"UserName\":\"u\",\"MFADevices\":[],\"c7n:credential-report\":"
                     "{\"password_enabled\":false}}",
                     NULL) == 0);
}

/* ---------------- has-allow-all ---------------- */

static const char *policy_doc(const char *statements)
{
    return arena_sprintf(A,
                         "{\"PolicyName\":\"p\",\"Arn\":\"arn:aws:iam::111111111111:policy/p\","
                         "\"c7n:policy\":{\"VersionId\":\"v1\",\"Document\":{\"Version\":"
                         "\"2012-10-17\",\"Statement\":%s}}}",
                         statements);
}

static int allow_all(const char *resource, jv *ev)
{
    return match1("aws.iam-policy", "{\"type\":\"has-allow-all\"}", resource, ev);
}

TEST(has_allow_all_statements)
{
    jv ev;
    CHECK(allow_all(policy_doc("[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}]"),
                    &ev) == 1);
    CHECK(jv_is(&ev, JV_ARRAY) && ev.len == 1);
    CHECK(allow_all(policy_doc("{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}"),
                    NULL) == 1);
    CHECK(allow_all(policy_doc("[{\"Effect\":\"Allow\",\"Action\":[\"*\"],\"Resource\":[\"*\"]}]"),
                    NULL) == 1);
    /* Traps. */
    CHECK(allow_all(policy_doc("[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":"
                               "\"arn:aws:s3:::bucket/*\"}]"),
                    NULL) == 0);
    CHECK(allow_all(policy_doc("[{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\"}]"),
                    NULL) == 0);
    CHECK(allow_all(policy_doc("[{\"Effect\":\"Deny\",\"Action\":\"*\",\"Resource\":\"*\"}]"),
                    NULL) == 0);
    CHECK(allow_all(
              policy_doc("[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\","
                         "\"Condition\":{\"Bool\":{\"aws:MultiFactorAuthPresent\":\"true\"}}}]"),
              NULL) == 0);
    CHECK(
        allow_all(policy_doc("[{\"Effect\":\"Allow\",\"NotAction\":\"iam:*\",\"Resource\":\"*\"}]"),
                  NULL) == 0);
    CHECK(allow_all(policy_doc("[{\"Effect\":\"Allow\",\"Action\":\"*\",\"NotResource\":"
                               "\"arn:aws:s3:::x\"}]"),
                    NULL) == 0);
    /* Managed by AWS: not listed by Custodian. */
    CHECK(allow_all("{\"Arn\":\"arn:aws:iam::aws:policy/AdministratorAccess\",\"c7n:policy\":"
                    "{\"Document\":{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\","
                    "\"Resource\":\"*\"}]}}}",
                    NULL) == 0);
    /* No document collected. */
    CHECK(allow_all("{\"PolicyName\":\"p\"}", NULL) == 0);
    CHECK(!compiles("aws.iam-policy", "{\"type\":\"has-allow-all\",\"value\":true}"));
    CHECK(!compiles("aws.iam-user", "{\"type\":\"has-allow-all\"}"));
}

TEST(has_allow_all_document_forms)
{
    CHECK(allow_all(
              "{\"c7n:policy\":{\"Document\":\"{\\\"Statement\\\":[{\\\"Effect\\\":\\\"Allow\\\","
              "\\\"Action\\\":\\\"*\\\",\\\"Resource\\\":\\\"*\\\"}]}\"}}",
              NULL) == 1);
    CHECK(allow_all("{\"c7n:policy\":{\"Document\":\"%7B%22Statement%22%3A%5B%7B%22Effect%22%3A%22"
                    "Allow%22%2C%22Action%22%3A%22%2A%22%2C%22Resource%22%3A%22%2A%22%7D%5D%7D\"}}",
                    NULL) == 1);
    CHECK(allow_all("{\"c7n:policy\":{\"Document\":\"%7Bnot json\"}}", NULL) == 0);
    CHECK(allow_all("{\"c7n:policy\":{\"Document\":\"%\"}}", NULL) == 0);
}

/* ---------------- iam-summary / password-policy ---------------- */

TEST(iam_summary)
{
    const char *a = "{\"account_id\":\"1\",\"c7n:iam_summary\":{\"AccountMFAEnabled\":0,"
                    "\"AccountAccessKeysPresent\":1}}";
    jv ev;
    CHECK(
        match1("aws.account",
               "{\"type\":\"iam-summary\",\"key\":\"AccountMFAEnabled\",\"op\":\"lt\",\"value\":1}",
               a, &ev) == 1);
    CHECK(jv_get(&ev, "AccountMFAEnabled") && jv_get(&ev, "AccountMFAEnabled")->u.num == 0);
    CHECK(match1("aws.account",
                 "{\"type\":\"iam-summary\",\"key\":\"AccountAccessKeysPresent\",\"op\":\"gt\","
                 "\"value\":0}",
                 a, NULL) == 1);
    const char *ok = "{\"account_id\":\"1\",\"c7n:iam_summary\":{\"AccountMFAEnabled\":1,"
                     "\"AccountAccessKeysPresent\":0}}";
    CHECK(
        match1("aws.account",
               "{\"type\":\"iam-summary\",\"key\":\"AccountMFAEnabled\",\"op\":\"lt\",\"value\":1}",
               ok, NULL) == 0);
    CHECK(match1("aws.account",
                 "{\"type\":\"iam-summary\",\"key\":\"AccountAccessKeysPresent\",\"op\":\"gt\","
                 "\"value\":0}",
                 ok, NULL) == 0);
    /* Not collected. */
    CHECK(match1("aws.account",
                 "{\"type\":\"iam-summary\",\"key\":\"AccountMFAEnabled\",\"value\":\"absent\"}",
                 "{\"account_id\":\"1\"}", NULL) == 0);
    CHECK(!compiles("aws.iam-user", "{\"type\":\"iam-summary\",\"key\":\"Users\",\"value\":1}"));
    CHECK(!compiles("aws.account", "{\"type\":\"iam-summary\",\"key\":\"Users\",\"bogus\":1}"));
}

static const char *WEAK_PW =
    "[{\"or\":["
    " {\"type\":\"password-policy\",\"key\":\"PasswordPolicyConfigured\",\"value\":false},"
    " {\"type\":\"password-policy\",\"key\":\"MinimumPasswordLength\",\"op\":\"lt\",\"value\":14},"
    " {\"type\":\"password-policy\",\"key\":\"RequireSymbols\",\"op\":\"ne\",\"value\":true},"
    " {\"type\":\"password-policy\",\"key\":\"RequireNumbers\",\"op\":\"ne\",\"value\":true},"
    " {\"type\":\"password-policy\",\"key\":\"RequireUppercaseCharacters\",\"op\":\"ne\","
    "  \"value\":true},"
    " {\"type\":\"password-policy\",\"key\":\"RequireLowercaseCharacters\",\"op\":\"ne\","
    "  \"value\":true}]}]";

TEST(password_policy)
{
    jv ev;
    CHECK(match_list("aws.account", WEAK_PW,
                     "{\"c7n:password_policy\":{\"PasswordPolicyConfigured\":false}}", &ev) == 1);
    CHECK(jv_get(&ev, "PasswordPolicyConfigured") != NULL);
    const char *strong =
        "{\"c7n:password_policy\":{\"PasswordPolicyConfigured\":true,"
        "\"MinimumPasswordLength\":14,\"RequireSymbols\":true,\"RequireNumbers\":true,"
        "\"RequireUppercaseCharacters\":true,\"RequireLowercaseCharacters\":true}}";
    CHECK(match_list("aws.account", WEAK_PW, strong, NULL) == 0);
    CHECK(match_list("aws.account", WEAK_PW,
                     "{\"c7n:password_policy\":{\"PasswordPolicyConfigured\":true,"
                     "\"MinimumPasswordLength\":8,\"RequireSymbols\":true,\"RequireNumbers\":true,"
                     "\"RequireUppercaseCharacters\":true,\"RequireLowercaseCharacters\":true}}",
                     &ev) == 1);
    CHECK(jv_get(&ev, "MinimumPasswordLength") && jv_get(&ev, "MinimumPasswordLength")->u.num == 8);
    CHECK(
        match_list("aws.account", WEAK_PW,
                   "{\"c7n:password_policy\":{\"PasswordPolicyConfigured\":true,"
                   "\"MinimumPasswordLength\":16,\"RequireSymbols\":false,\"RequireNumbers\":true,"
                   "\"RequireUppercaseCharacters\":true,\"RequireLowercaseCharacters\":true}}",
                   NULL) == 1);
    /* Not collected: unknown. */
    CHECK(match_list("aws.account", WEAK_PW, "{\"account_id\":\"1\"}", NULL) == 0);
    /* Custodian's documented example. */
    CHECK(match1("aws.account",
                 "{\"type\":\"password-policy\",\"key\":\"MinimumPasswordLength\",\"value\":10,"
                 "\"op\":\"ge\"}",
                 strong, NULL) == 1);
}

/* ---------------- inventory keys ---------------- */

static inventory *open_inv(void)
{
    inventory_options o = {.threads = 2};
    inventory *inv = NULL;
    diag_list d = DIAG_LIST_INIT;
    if (inventory_open("tests/data/inventory-iam", &o, &inv, &d) != 0) diag_print(&d, stdout);
    diag_free(&d);
    return inv;
}

static const jv *load_one(inventory *inv, const char *type, const char *acct, const char *id,
                          resource_set *s)
{
    const inv_scope *sc;
    size_t n = inventory_scopes(inv, &sc);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(sc[i].account->id, acct) != 0 || !inventory_scope_is_first(inv, &sc[i]))
            continue;
        diag_list d = DIAG_LIST_INIT;
        int rc = inventory_load(inv, resource_type_find(type), &sc[i], s, &d);
        if (rc != 0) diag_print(&d, stdout);
        diag_free(&d);
        if (rc != 0) return NULL;
        return id ? resource_set_find(s, id) : (s->n ? &s->items[0] : NULL);
    }
    return NULL;
}

TEST(inventory_user_keys_and_mfa)
{
    inventory *inv = open_inv();
    CHECK(inv != NULL);
    if (!inv) return;
    resource_set s;
    const jv *bot = load_one(inv, "aws.iam-user", "111111111111", "ci-bot", &s);
    const jv *keys = jv_get(bot, "c7n:AccessKeys");
    CHECK(jv_is(keys, JV_ARRAY) && keys->len == 1);
    CHECK(keys && keys->len &&
          jv_str_eq(jv_get(&keys->u.items[0], "AccessKeyId"), "AKIAEXAMPLEOLD00001"));
    const jv *mfa = jv_get(bot, "MFADevices");
    CHECK(jv_is(mfa, JV_ARRAY) && mfa->len == 0); /* collected for alice only */
    const jv *alice = resource_set_find(&s, "alice");
    CHECK(jv_is(jv_get(alice, "MFADevices"), JV_ARRAY) && jv_get(alice, "MFADevices")->len == 1);
    CHECK(jv_is(jv_get(alice, "c7n:AccessKeys"), JV_ARRAY) &&
          jv_get(alice, "c7n:AccessKeys")->len == 0);
    /* Nothing collected in the other account: keys stay absent. */
    const jv *carol = load_one(inv, "aws.iam-user", "222222222222", "carol", &s);
    CHECK(carol && !jv_get(carol, "c7n:AccessKeys") && !jv_get(carol, "MFADevices"));
    inventory_close(inv);
}

TEST(inventory_policy_versions)
{
    inventory *inv = open_inv();
    if (!inv) return;
    resource_set s;
    load_one(inv, "aws.iam-policy", "111111111111", NULL, &s);
    CHECK(s.n == 3);
    const jv *admin = resource_set_find(&s, "ANPA0001");
    CHECK(jv_is(jv_get(jv_get(admin, "c7n:policy"), "Document"), JV_OBJECT));
    jv ev = jv_null();
    eval_ctx ctx = ctx_with(&ev);
    ctx.scratch = A;
    diag_list d = DIAG_LIST_INIT;
    filter *f = compile_for("aws.iam-policy", "{\"type\":\"has-allow-all\"}", &d);
    diag_free(&d);
    CHECK(f && filter_match(f, admin, &ctx));
    const jv *s3 = resource_set_find(&s, "ANPA0002");
    CHECK(jv_is(jv_get(jv_get(s3, "c7n:policy"), "Document"), JV_STRING)); /* URL-encoded */
    CHECK(f && !filter_match(f, s3, &ctx));
    const jv *none = resource_set_find(&s, "ANPA0003");
    CHECK(none && jv_get(none, "c7n:policy") && jv_get(none, "c7n:policy")->kind == JV_NULL);
    CHECK(f && !filter_match(f, none, &ctx));
    inventory_close(inv);
}

TEST(inventory_account_summary_and_password_policy)
{
    inventory *inv = open_inv();
    if (!inv) return;
    resource_set s;
    const jv *a = load_one(inv, "aws.account", "111111111111", NULL, &s);
    const jv *sum = jv_get(a, "c7n:iam_summary");
    CHECK(jv_is(sum, JV_OBJECT) && jv_get(sum, "AccountMFAEnabled")->u.num == 0);
    const jv *pp = jv_get(a, "c7n:password_policy");
    CHECK(jv_is(pp, JV_OBJECT) && jv_get(pp, "PasswordPolicyConfigured")->kind == JV_TRUE);
    CHECK(jv_get(pp, "MinimumPasswordLength") && jv_get(pp, "MinimumPasswordLength")->u.num == 8);
    /* NoSuchEntity: configured false. */
    a = load_one(inv, "aws.account", "222222222222", NULL, &s);
    pp = jv_get(a, "c7n:password_policy");
    CHECK(jv_is(pp, JV_OBJECT) && pp->len == 1 &&
          jv_get(pp, "PasswordPolicyConfigured")->kind == JV_FALSE);
    CHECK(!jv_get(a, "c7n:iam_summary"));
    /* No IAM data at all: unknown, key absent. */
    a = load_one(inv, "aws.account", "333333333333", NULL, &s);
    CHECK(a && !jv_get(a, "c7n:password_policy"));
    inventory_close(inv);
}

int main(void)
{
    A = arena_new(0);
    RUN(credential_plain_keys);
    RUN(credential_any_key_matches);
    RUN(credential_filters_are_independent_without_match_operator);
    RUN(credential_human_and_machine_thresholds);
    RUN(credential_unused_keys);
    RUN(credential_or_block_keeps_candidates);
    RUN(credential_certs_and_account);
    RUN(credential_bad_specs);
    RUN(access_key_value_and_evidence);
    RUN(access_key_match_operator);
    RUN(mfa_device);
    RUN(has_allow_all_statements);
    RUN(has_allow_all_document_forms);
    RUN(iam_summary);
    RUN(password_policy);
    RUN(inventory_user_keys_and_mfa);
    RUN(inventory_policy_versions);
    RUN(inventory_account_summary_and_password_policy);
    arena_free(A);
    T_EXIT();
}
