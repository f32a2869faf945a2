/* test_value_filter.c - the value filter, and/or/not, and the helpers
 * under them (dates, CIDRs, Python comparison rules).  Expectations follow
 * Custodian's documented behaviour; the Python rule behind a surprising one
 * is named next to it. */
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "filters/filter.h"
#include "filters/pyval.h"
#include "resources/resource.h"
#include "t.h"
#include "util/date.h"
#include "util/ipaddr.h"

static arena *A, *S;
static time_t NOW = 1767225600; /* 2026-01-01T00:00:00Z */

static jv J(const char *s)
{
    jv v;
    json_error e;
    if (json_parse(A, s, strlen(s), &v, &e) < 0) {
        printf("# bad JSON in test: %s\n", s);
        abort();
    }
    return v;
}

/* -1 compile error, else 0/1 match. */
static int run(const char *filter_json, const char *resource_json)
{
    jv f = J(filter_json), r = J(resource_json);
    diag_list d = DIAG_LIST_INIT;
    filter_compiler fc = {
        .a = A, .diags = &d, .rtype = resource_type_find("aws.ec2"), .base_dir = "tests/unit/data"};
    filter *c = filter_compile(&fc, &f);
    diag_free(&d);
    if (!c) return -1;
    arena_reset(S);
    eval_ctx ctx = {.scratch = S, .now = NOW, .account_id = "111111111111", .region = "us-east-1"};
    return filter_match(c, &r, &ctx) ? 1 : 0;
}

static const char *compile_error(const char *filter_json)
{
    static char msg[512];
    jv f = J(filter_json);
    diag_list d = DIAG_LIST_INIT;
    filter_compiler fc = {
        .a = A, .diags = &d, .rtype = resource_type_find("aws.ec2"), .base_dir = "tests/unit/data"};
    filter *c = filter_compile(&fc, &f);
    snprintf(msg, sizeof msg, "%s", d.n ? d.items[0].msg : "");
    diag_free(&d);
    return c ? NULL : msg;
}

typedef struct {
    const char *filter, *resource;
    int want;
} fcase;

static void run_cases(const fcase *cs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int got = run(cs[i].filter, cs[i].resource);
        if (got != cs[i].want) {
            printf("# %s on %s: got %d want %d\n", cs[i].filter, cs[i].resource, got, cs[i].want);
            CHECK(0);
        }
    }
}

#define RUN_CASES(cs) run_cases(cs, sizeof cs / sizeof *cs)

TEST(comparisons_follow_python)
{
    static const fcase cs[] = {
        {"{\"key\":\"n\",\"value\":1,\"op\":\"eq\",\"type\":\"value\"}", "{\"n\":1.0}", 1},
        {"{\"key\":\"n\",\"value\":1,\"op\":\"eq\",\"type\":\"value\"}", "{\"n\":true}",
         1}, /* True == 1 */
        {"{\"key\":\"n\",\"value\":\"1\",\"op\":\"eq\",\"type\":\"value\"}", "{\"n\":1}", 0},
        {"{\"key\":\"n\",\"value\":\"1\",\"op\":\"ne\",\"type\":\"value\"}", "{\"n\":1}", 1},
        {"{\"key\":\"n\",\"value\":5,\"op\":\"gt\",\"type\":\"value\"}", "{\"n\":\"9\"}",
         0}, /* str > int: TypeError */
        {"{\"key\":\"n\",\"value\":5,\"op\":\"lt\",\"type\":\"value\"}", "{}",
         0}, /* None < int: TypeError */
        {"{\"key\":\"n\",\"value\":5,\"op\":\"ge\",\"type\":\"value\"}", "{\"n\":5}", 1},
        {"{\"key\":\"n\",\"value\":5,\"op\":\"gte\",\"type\":\"value\"}", "{\"n\":4}", 0},
        {"{\"key\":\"n\",\"value\":5,\"op\":\"le\",\"type\":\"value\"}", "{\"n\":5}", 1},
        {"{\"key\":\"n\",\"value\":5,\"op\":\"lte\",\"type\":\"value\"}", "{\"n\":6}", 0},
        {"{\"key\":\"s\",\"value\":\"b\",\"op\":\"gt\",\"type\":\"value\"}", "{\"s\":\"ab\"}", 0},
        {"{\"key\":\"s\",\"value\":\"a\",\"op\":\"gt\",\"type\":\"value\"}", "{\"s\":\"ab\"}", 1},
        {"{\"key\":\"l\",\"value\":[1,2],\"op\":\"lt\",\"type\":\"value\"}", "{\"l\":[1,1,9]}", 1},
        {"{\"key\":\"l\",\"value\":[1,\"x\"],\"op\":\"lt\",\"type\":\"value\"}", "{\"l\":[1,2]}",
         0},
        {"{\"key\":\"l\",\"value\":[1,2],\"type\":\"value\"}", "{\"l\":[1,2]}", 1},
        {"{\"key\":\"o\",\"value\":1,\"op\":\"gt\",\"type\":\"value\"}", "{\"o\":{\"a\":1}}", 0},
        {"{\"key\":\"a.b\",\"value\":3,\"type\":\"value\"}", "{\"a\":{\"b\":3}}", 1},
        {"{\"key\":\"a.b\",\"value\":3,\"type\":\"value\"}", "{\"a.b\":3}",
         1}, /* literal key wins */
        {"{\"key\":\"length(l)\",\"value\":2,\"type\":\"value\"}", "{\"l\":[1,2]}", 1},
        {"{\"key\":\"Foo-Bar\",\"value\":\"x\",\"type\":\"value\"}", "{\"Foo-Bar\":\"x\"}", 1},
        {"{\"State.Name\":\"running\"}", "{\"State\":{\"Name\":\"running\"}}", 1},
        {"{\"c7n:flag\":true}", "{\"c7n:flag\":true}", 1}, /* literal-only key */
    };
    RUN_CASES(cs);
}

TEST(collection_ops)
{
    static const fcase cs[] = {
        {"{\"key\":\"t\",\"value\":[\"a\",\"b\"],\"op\":\"in\",\"type\":\"value\"}",
         "{\"t\":\"a\"}", 1},
        {"{\"key\":\"t\",\"value\":[\"a\",\"b\"],\"op\":\"in\",\"type\":\"value\"}", "{}", 0},
        {"{\"key\":\"t\",\"value\":[\"a\",\"b\"],\"op\":\"not-in\",\"type\":\"value\"}", "{}",
         1}, /* () not in list */
        {"{\"key\":\"t\",\"value\":\"abc\",\"op\":\"in\",\"type\":\"value\"}", "{\"t\":\"bc\"}",
         1}, /* substring */
        {"{\"key\":\"t\",\"value\":\"abc\",\"op\":\"in\",\"type\":\"value\"}", "{\"t\":1}", 0},
        {"{\"key\":\"t\",\"value\":\"abc\",\"op\":\"ni\",\"type\":\"value\"}", "{\"t\":1}",
         0}, /* TypeError */
        {"{\"key\":\"t\",\"value\":\"x\",\"op\":\"contains\",\"type\":\"value\"}",
         "{\"t\":[\"x\",\"y\"]}", 1},
        {"{\"key\":\"t\",\"value\":\"x\",\"op\":\"contains\",\"type\":\"value\"}",
         "{\"t\":\"axb\"}", 1},
        {"{\"key\":\"t\",\"value\":\"x\",\"op\":\"contains\",\"type\":\"value\"}",
         "{\"t\":{\"x\":1}}", 1},
        {"{\"key\":\"t\",\"value\":\"x\",\"op\":\"contains\",\"type\":\"value\"}", "{}", 0},
        {"{\"key\":\"t\",\"value\":[\"a\"],\"op\":\"intersect\",\"type\":\"value\"}",
         "{\"t\":[\"a\",\"b\"]}", 1},
        {"{\"key\":\"t\",\"value\":[\"a\",\"b\"],\"op\":\"difference\",\"type\":\"value\"}",
         "{\"t\":[\"a\",\"b\"]}", 0},
        {"{\"key\":\"t\",\"value\":[\"a\"],\"op\":\"difference\",\"type\":\"value\"}",
         "{\"t\":\"ab\"}", 1}, /* set("ab") */
        {"{\"key\":\"t\",\"value\":[1],\"op\":\"intersect\",\"type\":\"value\"}", "{\"t\":[[1]]}",
         0}, /* unhashable */
        {"{\"key\":\"n\",\"value\":2,\"op\":\"mod\",\"type\":\"value\"}", "{\"n\":3}", 1},
        {"{\"key\":\"n\",\"value\":2,\"op\":\"mod\",\"type\":\"value\"}", "{\"n\":4}", 0},
    };
    RUN_CASES(cs);
}

TEST(patterns)
{
    static const fcase cs[] = {
        {"{\"key\":\"s\",\"value\":\"prod-*\",\"op\":\"glob\",\"type\":\"value\"}",
         "{\"s\":\"prod-db\"}", 1},
        {"{\"key\":\"s\",\"value\":\"prod-*\",\"op\":\"glob\",\"type\":\"value\"}",
         "{\"s\":\"PROD-db\"}", 0},
        {"{\"key\":\"s\",\"value\":\"a?c\",\"op\":\"glob\",\"type\":\"value\"}", "{\"s\":\"abc\"}",
         1},
        {"{\"key\":\"s\",\"value\":\"a[!b]c\",\"op\":\"glob\",\"type\":\"value\"}",
         "{\"s\":\"abc\"}", 0},
        {"{\"key\":\"s\",\"value\":\"a.c\",\"op\":\"glob\",\"type\":\"value\"}", "{\"s\":\"abc\"}",
         0},
        {"{\"key\":\"s\",\"value\":\"x\",\"op\":\"glob\",\"type\":\"value\"}", "{\"s\":\"xy\"}", 0},
        {"{\"key\":\"s\",\"value\":\"PROD\",\"op\":\"regex\",\"type\":\"value\"}",
         "{\"s\":\"prod-1\"}", 1}, /* match at start, any case */
        {"{\"key\":\"s\",\"value\":\"db\",\"op\":\"regex\",\"type\":\"value\"}",
         "{\"s\":\"prod-db\"}", 0},
        {"{\"key\":\"s\",\"value\":\"PROD\",\"op\":\"regex-case\",\"type\":\"value\"}",
         "{\"s\":\"prod\"}", 0},
        {"{\"key\":\"s\",\"value\":\"^\\\\d+$\",\"op\":\"regex\",\"type\":\"value\"}", "{\"s\":12}",
         0},
        {"{\"key\":\"s\",\"value\":\"(?P<x>a)b\",\"op\":\"regex\",\"type\":\"value\"}",
         "{\"s\":\"ab\"}", 1},
        {"{\"key\":\"tag:meta\",\"value_regex\":\"v=(\\\\w+)\",\"value\":\"on\",\"type\":"
         "\"value\"}",
         "{\"Tags\":[{\"Key\":\"meta\",\"Value\":\"v=on\"}]}", 1},
        {"{\"key\":\"tag:meta\",\"value_regex\":\"v=(\\\\w+)\",\"value\":\"absent\",\"type\":"
         "\"value\"}",
         "{\"Tags\":[{\"Key\":\"meta\",\"Value\":\"x v=on\"}]}", 1}, /* re.match misses: None */
    };
    RUN_CASES(cs);
}

TEST(special_values)
{
    static const fcase cs[] = {
        {"{\"k\":\"absent\"}", "{}", 1},
        {"{\"k\":\"absent\"}", "{\"k\":null}", 1},
        {"{\"k\":\"absent\"}", "{\"k\":0}", 0},
        {"{\"k\":\"present\"}", "{\"k\":false}", 1},
        {"{\"k\":\"present\"}", "{}", 0},
        {"{\"k\":\"not-null\"}", "{\"k\":0}", 0}, /* Python truthiness */
        {"{\"k\":\"not-null\"}", "{\"k\":\"x\"}", 1},
        {"{\"k\":\"empty\"}", "{\"k\":[]}", 1},
        {"{\"k\":\"empty\"}", "{\"k\":0}", 1},
        {"{\"k\":\"empty\"}", "{}", 1},
        {"{\"k\":\"empty\"}", "{\"k\":[1]}", 0},
        {"{\"tag:Owner\":\"absent\"}", "{\"Tags\":[{\"Key\":\"Name\",\"Value\":\"x\"}]}", 1},
        {"{\"tag:Owner\":\"present\"}", "{\"Tags\":[{\"Key\":\"Owner\",\"Value\":\"\"}]}", 1},
        {"{\"tag:Owner\":\"bob\"}", "{\"tags\":{\"Owner\":\"bob\"}}", 1},
        {"{\"type\":\"value\",\"key\":\"tag:owner\",\"value\":\"bob\",\"tag_key_transforms\":["
         "\"lower\"]}",
         "{\"Tags\":[{\"Key\":\"OWNER\",\"Value\":\"bob\"}]}", 1},
    };
    RUN_CASES(cs);
}

TEST(value_types)
{
    static const fcase cs[] = {
        /* NOW = 2026-01-01 */
        {"{\"type\":\"value\",\"key\":\"d\",\"value_type\":\"age\",\"op\":\"gt\",\"value\":90}",
         "{\"d\":\"2025-06-01T00:00:00Z\"}", 1},
        {"{\"type\":\"value\",\"key\":\"d\",\"value_type\":\"age\",\"op\":\"gt\",\"value\":90}",
         "{\"d\":\"2025-12-01T00:00:00+05:00\"}", 0},
        {"{\"type\":\"value\",\"key\":\"d\",\"value_type\":\"age\",\"op\":\"gt\",\"value\":90}",
         "{}", 0},
        {"{\"type\":\"value\",\"key\":\"d\",\"value_type\":\"age\",\"op\":\"gt\",\"value\":90}",
         "{\"d\":\"N/A\"}", 0},
        {"{\"type\":\"value\",\"key\":\"d\",\"value_type\":\"age\",\"op\":\"gt\",\"value\":90}",
         "{\"d\":1700000000000}", 1}, /* epoch milliseconds */
        {"{\"type\":\"value\",\"key\":\"d\",\"value_type\":\"expiration\",\"op\":\"lt\",\"value\":"
         "30}",
         "{\"d\":\"2026-01-15\"}", 1},
        {"{\"type\":\"value\",\"key\":\"d\",\"value_type\":\"expiration\",\"op\":\"lt\",\"value\":"
         "30}",
         "{\"d\":\"2026-03-15\"}", 0},
        {"{\"type\":\"value\",\"key\":\"d\",\"value_type\":\"date\",\"op\":\"gt\",\"value\":\"2025/"
         "05/01\"}",
         "{\"d\":\"Tue, 15 Jul 2025 08:12:31 GMT\"}", 1},
        {"{\"type\":\"value\",\"key\":\"n\",\"value_type\":\"integer\",\"op\":\"eq\",\"value\":0}",
         "{\"n\":\"5.5\"}", 1}, /* int("5.5") fails -> 0 */
        {"{\"type\":\"value\",\"key\":\"n\",\"value_type\":\"integer\",\"op\":\"eq\",\"value\":"
         "1000}",
         "{\"n\":\" 1_000 \"}", 1},
        {"{\"type\":\"value\",\"key\":\"n\",\"value_type\":\"float\",\"op\":\"gt\",\"value\":1}",
         "{\"n\":\"1e3\"}", 1},
        {"{\"type\":\"value\",\"key\":\"l\",\"value_type\":\"size\",\"op\":\"eq\",\"value\":3}",
         "{\"l\":\"h\u00e9y\"}", 1}, /* code points */
        {"{\"type\":\"value\",\"key\":\"l\",\"value_type\":\"size\",\"value\":0}", "{}", 1},
        {"{\"type\":\"value\",\"key\":\"l\",\"value_type\":\"unique_size\",\"value\":2}",
         "{\"l\":[\"a\",\"b\",\"a\"]}", 1},
        {"{\"type\":\"value\",\"key\":\"c\",\"value_type\":\"cidr\",\"op\":\"in\",\"value\":\"10.0."
         "0.0/8\"}",
         "{\"c\":\"10.1.2.3\"}", 1},
        {"{\"type\":\"value\",\"key\":\"c\",\"value_type\":\"cidr\",\"op\":\"in\",\"value\":\"10.1."
         "2.3\"}",
         "{\"c\":\"10.0.0.0/8\"}", 1}, /* address value vs network resource: sides swap */
        {"{\"type\":\"value\",\"key\":\"c\",\"value_type\":\"cidr\",\"op\":\"eq\",\"value\":\"::/"
         "0\"}",
         "{\"c\":\"::/0\"}", 1},
        {"{\"type\":\"value\",\"key\":\"c\",\"value_type\":\"cidr\",\"op\":\"in\",\"value\":\"2001:"
         "db8::/32\"}",
         "{\"c\":\"2001:db8:1::/48\"}", 1},
        {"{\"type\":\"value\",\"key\":\"c\",\"value_type\":\"cidr\",\"op\":\"in\",\"value\":\"10.0."
         "0.0/8\"}",
         "{\"c\":\"::/0\"}", 0},
        {"{\"type\":\"value\",\"key\":\"c\",\"value_type\":\"cidr_size\",\"op\":\"lt\",\"value\":"
         "16}",
         "{\"c\":\"0.0.0.0/0\"}", 1},
        {"{\"type\":\"value\",\"key\":\"v\",\"value_type\":\"version\",\"op\":\"gte\",\"value\":"
         "\"5.7.10\"}",
         "{\"v\":\"5.7.9\"}", 0},
        {"{\"type\":\"value\",\"key\":\"v\",\"value_type\":\"version\",\"op\":\"gte\",\"value\":"
         "\"5.7.10\"}",
         "{\"v\":\"8.0\"}", 1},
        {"{\"type\":\"value\",\"key\":\"v\",\"value_type\":\"version\",\"op\":\"lt\",\"value\":\"1."
         "2a\"}",
         "{\"v\":\"1.2.1\"}", 0}, /* 'a' vs 1: TypeError */
        {"{\"type\":\"value\",\"key\":\"s\",\"value_type\":\"normalize\",\"value\":\"abc\"}",
         "{\"s\":\"  ABC \"}", 1},
        {"{\"type\":\"value\",\"key\":\"a\",\"value_type\":\"expr\",\"value\":\"b.c\"}",
         "{\"a\":1,\"b\":{\"c\":1}}", 1},
        {"{\"type\":\"value\",\"key\":\"l\",\"value_type\":\"swap\",\"op\":\"in\",\"value\":\"x\"}",
         "{\"l\":[\"x\"]}", 1},
        {"{\"type\":\"value\",\"key\":\"a\",\"value_path\":\"b\",\"op\":\"eq\"}",
         "{\"a\":2,\"b\":2}", 1},
        {"{\"type\":\"value\",\"value_type\":\"resource_count\",\"op\":\"gt\",\"value\":5}", "{}",
         1},
    };
    RUN_CASES(cs);
}

TEST(policy_variables)
{
    /* ctx: account 111111111111, us-east-1, NOW = 2026-01-01 */
    static const fcase cs[] = {
        {"{\"type\":\"value\",\"key\":\"a\",\"value\":\"arn:{partition}:iam::{account_id}:root\"}",
         "{\"a\":\"arn:aws:iam::111111111111:root\"}", 1},
        {"{\"a\":\"{region}\"}", "{\"a\":\"us-east-1\"}", 1},
        {"{\"type\":\"value\",\"key\":\"a\",\"op\":\"in\",\"value\":[\"{account_id}\",\"x\"]}",
         "{\"a\":\"111111111111\"}", 1},
        {"{\"type\":\"value\",\"key\":\"a\",\"value\":\"{now:%Y-%m-%d}\"}",
         "{\"a\":\"2026-01-01\"}", 1},
        {"{\"type\":\"value\",\"key\":\"a\",\"op\":\"regex\",\"value\":\"^arn:aws:iam::{account_id}"
         ":\"}",
         "{\"a\":\"arn:aws:iam::111111111111:user/x\"}", 1},
        {"{\"type\":\"value\",\"key\":\"a\",\"op\":\"regex\",\"value\":\"^arn:aws:iam::{account_id}"
         ":\"}",
         "{\"a\":\"arn:aws:iam::222222222222:user/x\"}", 0},
        /* Python's format fails on these, so Custodian keeps them as written */
        {"{\"a\":\"{unknown}\"}", "{\"a\":\"{unknown}\"}", 1},
        {"{\"type\":\"value\",\"key\":\"a\",\"op\":\"regex\",\"value\":\"^x{2}$\"}",
         "{\"a\":\"xx\"}", 1},
        {"{\"a\":\"{{literal}} {op}\"}", "{\"a\":\"{literal} {op}\"}", 1},
    };
    RUN_CASES(cs);
}

TEST(value_from_files)
{
    static const fcase cs[] = {
        {"{\"type\":\"value\",\"key\":\"id\",\"op\":\"in\",\"value_from\":{\"url\":\"ids.txt\"}}",
         "{\"id\":\"111\"}", 1},
        {"{\"type\":\"value\",\"key\":\"id\",\"op\":\"in\",\"value_from\":{\"url\":\"ids.txt\"}}",
         "{\"id\":\"999\"}", 0},
        {"{\"type\":\"value\",\"key\":\"id\",\"op\":\"in\",\"value_from\":{\"url\":\"file://"
         "ids.json\","
         "\"expr\":\"accounts[].id\"}}",
         "{\"id\":\"222\"}", 1},
        {"{\"type\":\"value\",\"key\":\"id\",\"op\":\"in\",\"value_from\":{\"url\":\"ids.csv\","
         "\"expr\":1}}",
         "{\"id\":\"prod\"}", 1},
        {"{\"type\":\"value\",\"key\":\"id\",\"op\":\"in\",\"value_from\":{\"url\":\"ids.csv\","
         "\"format\":\"csv2dict\",\"expr\":\"env\"}}",
         "{\"id\":\"dev\"}", 1},
    };
    RUN_CASES(cs);
}

TEST(boolean_blocks)
{
    static const fcase cs[] = {
        {"{\"or\":[{\"a\":1},{\"b\":1}]}", "{\"b\":1}", 1},
        {"{\"or\":[]}", "{}", 0},
        {"{\"and\":[{\"a\":1},{\"b\":1}]}", "{\"a\":1}", 0},
        {"{\"and\":[]}", "{}", 1},
        {"{\"not\":[{\"a\":1},{\"b\":1}]}", "{\"a\":1}", 1}, /* not(and(...)) */
        {"{\"not\":[{\"a\":1},{\"b\":1}]}", "{\"a\":1,\"b\":1}", 0},
        {"{\"not\":[{\"or\":[{\"a\":1},{\"b\":1}]}]}", "{\"c\":1}", 1},
    };
    RUN_CASES(cs);
}

TEST(list_item_and_marked_for_op)
{
    static const fcase cs[] = {
        {"{\"type\":\"list-item\",\"key\":\"Rules\",\"attrs\":[{\"Status\":\"Enabled\"}]}",
         "{\"Rules\":[{\"Status\":\"Disabled\"},{\"Status\":\"Enabled\"}]}", 1},
        {"{\"type\":\"list-item\",\"key\":\"Rules\",\"attrs\":[{\"Status\":\"Enabled\"}]}",
         "{\"Rules\":[{\"Status\":\"Disabled\"}]}", 0},
        {"{\"type\":\"list-item\",\"key\":\"Rules\",\"count\":0}", "{}", 1},
        {"{\"type\":\"list-item\",\"key\":\"Rules\",\"count\":2,\"count_op\":\"gte\","
         "\"attrs\":[{\"type\":\"value\",\"key\":\"Port\",\"op\":\"lt\",\"value\":1024}]}",
         "{\"Rules\":[{\"Port\":22},{\"Port\":80},{\"Port\":8080}]}", 1},
        {"{\"type\":\"list-item\",\"key\":\"Rules\"}", "{\"Rules\":\"x\"}", 0},
        {"{\"type\":\"marked-for-op\",\"op\":\"delete\"}",
         "{\"Tags\":[{\"Key\":\"maid_status\",\"Value\":\"Unused: delete@2025/12/30\"}]}", 1},
        {"{\"type\":\"marked-for-op\",\"op\":\"delete\"}",
         "{\"Tags\":[{\"Key\":\"maid_status\",\"Value\":\"Unused: delete@2026/01/05\"}]}", 0},
        {"{\"type\":\"marked-for-op\",\"op\":\"delete\",\"skew\":5}",
         "{\"Tags\":[{\"Key\":\"maid_status\",\"Value\":\"Unused: delete@2026/01/05\"}]}", 1},
        {"{\"type\":\"marked-for-op\"}",
         "{\"Tags\":[{\"Key\":\"maid_status\",\"Value\":\"Unused: delete@2025/12/30\"}]}", 0},
    };
    RUN_CASES(cs);
}

TEST(compile_errors)
{
    CHECK(strstr(compile_error("{\"type\":\"value\",\"key\":\"a\",\"value\":1,\"op\":\"equals\"}"),
                 "unknown op 'equals'"));
    CHECK(
        strstr(compile_error("{\"type\":\"value\",\"key\":\"a\",\"value\":\"(\",\"op\":\"regex\"}"),
               "missing closing parenthesis at offset 1"));
    CHECK(strstr(
        compile_error("{\"type\":\"value\",\"key\":\"a\",\"value\":1,\"value_type\":\"days\"}"),
        "unknown value_type 'days'"));
    CHECK(strstr(compile_error("{\"type\":\"value\",\"value\":1}"), "needs 'key'"));
    CHECK(strstr(compile_error("{\"type\":\"value\",\"key\":\"a\"}"), "needs 'value'"));
    CHECK(strstr(compile_error("{\"type\":\"value\",\"key\":\"a\",\"value\":1,\"vaule\":2}"),
                 "unknown key 'vaule'"));
    CHECK(strstr(compile_error("{\"type\":\"value\",\"key\":\"a\",\"value\":{\"x\":1}}"),
                 "value must be"));
    CHECK(strstr(
        compile_error("{\"type\":\"value\",\"key\":\"a\",\"value\":\"x\",\"value_type\":\"age\"}"),
        "number of days"));
    CHECK(
        strstr(compile_error(
                   "{\"type\":\"value\",\"key\":\"a\",\"value\":\"soon\",\"value_type\":\"date\"}"),
               "needs a date"));
    CHECK(strstr(
        compile_error(
            "{\"type\":\"value\",\"key\":\"a\",\"value\":\"10.0.0.1/8\",\"value_type\":\"cidr\"}"),
        "host bits"));
    CHECK(strstr(
        compile_error("{\"type\":\"value\",\"key\":\"a\",\"value\":1,\"value_regex\":\"(a)(b)\"}"),
        "exactly one capturing group"));
    CHECK(strstr(compile_error("{\"type\":\"value\",\"key\":\"a[\",\"value\":1}"),
                 "invalid JMESPath"));
    CHECK(strstr(
        compile_error("{\"type\":\"value\",\"key\":\"a\",\"op\":\"in\",\"value_from\":{\"url\":"
                      "\"https://example.com/x.json\"}}"),
        "only local files"));
    CHECK(strstr(
        compile_error("{\"type\":\"value\",\"key\":\"a\",\"op\":\"in\",\"value_from\":{\"url\":"
                      "\"missing.txt\"}}"),
        "cannot read"));
    CHECK(strstr(compile_error("{\"type\":\"bogus\"}"), "unknown filter type 'bogus'"));
    CHECK(strstr(compile_error("{\"type\":\"ingress\",\"Ports\":[22]}"),
                 "not valid for resource type aws.ec2"));
    CHECK(strstr(compile_error("{\"or\":{\"a\":1}}"), "expects a list"));
    CHECK(strstr(compile_error("[1]"), "a filter must be a mapping"));
    CHECK(strstr(compile_error("{\"a\":1,\"b\":2}"), "no 'type'"));
    CHECK(strstr(compile_error("{\"type\":\"value\",\"key\":\"a\",\"value\":0,\"op\":\"mod\"}"),
                 "non-zero"));
    CHECK(compile_error("{\"type\":\"value\",\"key\":\"a\",\"value\":1}") == NULL);
}

TEST(dates_parse)
{
    double t;
    CHECK(date_parse("2019-05-01", 10, &t) && t == 1556668800);
    CHECK(date_parse("2019/05/01", 10, &t) && t == 1556668800);
    CHECK(date_parse("05/01/2019", 10, &t) && t == 1556668800);
    const char *s = "2019-05-01T02:00:00.500+02:00";
    CHECK(date_parse(s, strlen(s), &t) && t == 1556668800.5);
    s = "2019-05-01 00:00:00Z";
    CHECK(date_parse(s, strlen(s), &t) && t == 1556668800);
    s = "Wed, 01 May 2019 00:00:00 GMT";
    CHECK(date_parse(s, strlen(s), &t) && t == 1556668800);
    CHECK(date_parse("1556668800", 10, &t) && t == 1556668800);
    CHECK(date_parse("1556668800000", 13, &t) && t == 1556668800);
    CHECK(!date_parse("12345", 5, &t)); /* below Custodian's floor */
    CHECK(!date_parse("N/A", 3, &t));
    CHECK(!date_parse("2019-02-30", 10, &t));
    CHECK(!date_parse("not_supported", 13, &t));
}

TEST(cidrs_parse)
{
    ipaddr a, b;
    bool te;
    CHECK(ip_parse("10.0.0.0/8", 10, true, &a) && a.is_net && a.prefix == 8);
    CHECK(!ip_parse("10.0.0.1/8", 10, true, &a));
    CHECK(!ip_parse("010.0.0.1", 9, true, &a));
    CHECK(!ip_parse("10.0.0.0/33", 11, true, &a));
    CHECK(ip_parse("::/0", 4, true, &a) && a.version == 6);
    CHECK(ip_parse("10.0.0.0/8", 10, true, &a) && ip_parse("10.2.0.0/16", 11, true, &b));
    CHECK(ip_contains(&a, &b, &te) && !te);
    CHECK(!ip_contains(&b, &a, &te));
    CHECK(ip_parse("::1", 3, true, &b));
    CHECK(!ip_contains(&a, &b, &te) && !te);
}

/* Many threads share one compiled filter; each has its own scratch arena. */
typedef struct worker {
    const filter *f;
    const jv *res;
    size_t nres;
    const bool *want;
    int wrong;
} worker;

static void *work(void *p)
{
    worker *w = p;
    arena *s = arena_new(0);
    for (int it = 0; it < 2000; it++)
        for (size_t i = 0; i < w->nres; i++) {
            arena_reset(s);
            eval_ctx ctx = {.scratch = s, .now = NOW};
            if (filter_match(w->f, &w->res[i], &ctx) != w->want[i]) w->wrong++;
        }
    arena_free(s);
    return NULL;
}

TEST(concurrent_matching)
{
    jv spec =
        J("{\"or\":[{\"type\":\"value\",\"key\":\"s\",\"op\":\"regex\",\"value\":\"pr.d\"},"
          "{\"type\":\"value\",\"key\":\"tag:m\",\"value_regex\":\"v=(\\\\d+)\","
          "\"value_type\":\"integer\",\"op\":\"gt\",\"value\":5},"
          "{\"type\":\"value\",\"key\":\"c\",\"value_type\":\"cidr\",\"op\":\"in\","
          "\"value\":\"10.0.0.0/8\"},"
          "{\"type\":\"value\",\"key\":\"d\",\"value_type\":\"age\",\"op\":\"gt\",\"value\":1},"
          "{\"type\":\"value\",\"key\":\"g\",\"op\":\"glob\",\"value\":\"a*z\"}]}");
    diag_list d = DIAG_LIST_INIT;
    filter_compiler fc = {.a = A, .diags = &d};
    filter *f = filter_compile(&fc, &spec);
    CHECK(f != NULL);
    diag_free(&d);
    if (!f) return;
    jv res[6] = {J("{\"s\":\"PROD-1\"}"),
                 J("{\"Tags\":[{\"Key\":\"m\",\"Value\":\"v=7\"}]}"),
                 J("{\"c\":\"10.9.9.9\"}"),
                 J("{\"d\":\"2020-01-01\"}"),
                 J("{\"g\":\"abcz\"}"),
                 J("{\"s\":\"dev\",\"c\":\"11.0.0.1\",\"g\":\"abc\",\"d\":\"2100-01-01\"}")};
    static const bool want[6] = {true, true, true, true, true, false};
    worker w[2] = {{f, res, 6, want, 0}, {f, res, 6, want, 0}};
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        pthread_create(&t[i], NULL, work, &w[i]);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    CHECK(w[0].wrong == 0 && w[1].wrong == 0);
}

TEST(evidence_names_the_matched_values)
{
    jv spec = J("[{\"State.Name\":\"running\"},{\"tag:Owner\":\"absent\"},"
                "{\"type\":\"value\",\"key\":\"LaunchTime\",\"value_type\":\"age\",\"op\":\"gt\","
                "\"value\":30}]");
    diag_list d = DIAG_LIST_INIT;
    filter_compiler fc = {.a = A, .diags = &d};
    filter *f = filter_compile_list(&fc, &spec);
    diag_free(&d);
    CHECK(f != NULL);
    if (!f) return;
    jv r = J("{\"State\":{\"Name\":\"running\"},\"LaunchTime\":\"2020-01-01T00:00:00Z\"}");
    jv ev = jv_null();
    arena_reset(S);
    eval_ctx ctx = {.scratch = S, .now = NOW, .evidence = &ev};
    CHECK(filter_match(f, &r, &ctx));
    buf b = BUF_INIT;
    json_write(&b, &ev);
    CHECK_STR(
        b.data,
        "{\"State.Name\":\"running\",\"tag:Owner\":null,\"LaunchTime\":\"2020-01-01T00:00:00Z\"}");
    buf_free(&b);
}

TEST(resource_count_is_set_level)
{
    jv spec =
        J("[{\"type\":\"value\",\"value_type\":\"resource_count\",\"op\":\"gte\",\"value\":3}]");
    diag_list d = DIAG_LIST_INIT;
    filter_compiler fc = {.a = A, .diags = &d};
    filter *f = filter_compile_list(&fc, &spec);
    CHECK(f != NULL);
    CHECK(filter_set_level_pass(f, 3));
    CHECK(!filter_set_level_pass(f, 2));
    diag_free(&d);
}

int main(void)
{
    A = arena_new(0);
    S = arena_new(0);
    RUN(comparisons_follow_python);
    RUN(collection_ops);
    RUN(patterns);
    RUN(special_values);
    RUN(value_types);
    RUN(policy_variables);
    RUN(value_from_files);
    RUN(boolean_blocks);
    RUN(list_item_and_marked_for_op);
    RUN(compile_errors);
    RUN(dates_parse);
    RUN(cidrs_parse);
    RUN(concurrent_matching);
    RUN(evidence_names_the_matched_values);
    RUN(resource_count_is_set_level);
    arena_free(S);
    arena_free(A);
    T_EXIT();
}
