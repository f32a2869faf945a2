/* test_account_services.c - the guard-duty and securityhub account
 * filters (filters/account_services.c) on the documents the inventory
 * builds (inventory/calls.c: c7n:guard-duty, c7n:securityhub): Custodian's
 * semantics for an enabled, a suspended and an absent detector, the
 * and/or match-operator, value-filter options, the hub's three states,
 * data that was not collected (never read as "off"), and the options each
 * rejects; lakeformation-s3-cross-account against the account's buckets (a
 * static scope).  The recorded Custodian cases (test_account_guard_duty_filter,
 * test_enable_securityhub) are replayed by tests/integration. */
#include "t.h"
#include "filter_test.h"

#include "inventory/scope.h"

static int m(const char *spec, const char *res)
{
    eval_ctx ctx = {.account_id = "111122223333", .region = "us-east-1"};
    return match_with("aws.account", spec, res, ctx);
}

static const char *ON = "{\"account_id\":\"1\",\"c7n:guard-duty\":{\"Detector\":{\"Status\":"
                        "\"ENABLED\",\"FindingPublishingFrequency\":\"SIX_HOURS\"},"
                        "\"Administrator\":{\"AccountId\":\"999\",\"RelationshipStatus\":"
                        "\"Enabled\"}}}";
static const char *SUSPENDED = "{\"c7n:guard-duty\":{\"Detector\":{\"Status\":\"DISABLED\"}}}";
static const char *NONE = "{\"c7n:guard-duty\":{}}";
static const char *FAILED = "{\"c7n:guard-duty\":null}";
static const char *UNCOLLECTED = "{\"account_id\":\"1\"}";

TEST(guard_duty)
{
    const char *enabled = "{\"type\":\"guard-duty\",\"Detector.Status\":\"ENABLED\"}";
    CHECK(m(enabled, ON) == 1);
    CHECK(m(enabled, SUSPENDED) == 0);
    CHECK(m(enabled, NONE) == 0);
    CHECK(m(enabled, FAILED) == 0);
    CHECK(m(enabled, UNCOLLECTED) == 0);
    /* The CIS-style check: regions without an enabled detector. */
    const char *off = "{\"not\":[{\"type\":\"guard-duty\",\"Detector.Status\":\"ENABLED\"}]}";
    CHECK(m(off, NONE) == 1);
    CHECK(m(off, SUSPENDED) == 1);
    CHECK(m(off, ON) == 0);
    /* All keys by default, any with match-operator or. */
    const char *both = "{\"type\":\"guard-duty\",\"Detector.Status\":\"ENABLED\","
                       "\"Administrator.AccountId\":\"123\"}";
    CHECK(m(both, ON) == 0);
    const char *either = "{\"type\":\"guard-duty\",\"match-operator\":\"or\","
                         "\"Detector.Status\":\"ENABLED\",\"Administrator.AccountId\":\"123\"}";
    CHECK(m(either, ON) == 1);
    /* A mapping is a value filter on that key. */
    CHECK(m("{\"type\":\"guard-duty\",\"Detector.FindingPublishingFrequency\":{\"value\":"
            "\"FIFTEEN_MINUTES\",\"op\":\"ne\"}}",
            ON) == 1);
    CHECK(m("{\"type\":\"guard-duty\",\"Administrator.RelationshipStatus\":{\"value\":\"absent\"}}",
            SUSPENDED) == 1);
    /* Keys other than Detector* / Administrator* are refused. */
    CHECK(m("{\"type\":\"guard-duty\",\"Status\":\"ENABLED\"}", ON) == -1);
    CHECK(m("{\"type\":\"guard-duty\",\"match-operator\":\"xor\"}", ON) == -1);
}

TEST(securityhub)
{
    const char *hub = "{\"c7n:securityhub\":{\"HubArn\":\"arn:aws:securityhub:us-east-1:1:hub/"
                      "default\",\"AutoEnableControls\":true}}";
    const char *off = "{\"c7n:securityhub\":{}}";
    const char *denied = "{\"c7n:securityhub\":null}";
    CHECK(m("{\"type\":\"securityhub\"}", hub) == 1);
    CHECK(m("{\"type\":\"securityhub\"}", off) == 0);
    CHECK(m("{\"type\":\"securityhub\",\"enabled\":false}", off) == 1);
    CHECK(m("{\"type\":\"securityhub\",\"enabled\":false}", hub) == 0);
    /* Another error, or not collected: neither on nor off. */
    CHECK(m("{\"type\":\"securityhub\",\"enabled\":false}", denied) == 0);
    CHECK(m("{\"type\":\"securityhub\",\"enabled\":false}", UNCOLLECTED) == 0);
    CHECK(m("{\"type\":\"securityhub\",\"enabled\":\"yes\"}", hub) == -1);
    CHECK(m("{\"type\":\"securityhub\",\"state\":true}", hub) == -1);
}

/* The account's buckets through a static scope, as a scan gives them. */
static int lake(const char *spec, const char *res, const char *buckets)
{
    resource_set set = {.type = resource_type_find("aws.s3")};
    jv items = J(buckets);
    set.items = items.u.items;
    set.n = items.len;
    scope_ctx *sc = scope_new_static(A, "644160558196", "us-east-1", &set, 1, NULL, 0, NULL);
    eval_ctx ctx = {.account_id = "644160558196", .region = "us-east-1", .scope = sc};
    int r = match_with("aws.account", spec, res, ctx);
    scope_free_static(sc);
    return r;
}

TEST(lakeformation)
{
    const char *p = "{\"type\":\"lakeformation-s3-cross-account\"}";
    const char *res = "{\"account_id\":\"644160558196\",\"c7n:lakeformation-resources\":["
                      "{\"ResourceArn\":\"arn:aws:s3:::reboot-s3-bad-01\"},"
                      "{\"ResourceArn\":\"arn:aws:s3:::testarena.com\"}]}";
    /* Custodian's test: one location is a bucket of the account. */
    CHECK(lake(p, res, "[{\"Name\":\"reboot-s3-bad-01\"},{\"Name\":\"testarena.com\"}]") == 0);
    CHECK(lake(p, res, "[{\"Name\":\"reboot-s3-bad-01\"},{\"Name\":\"nicnoc-logs\"}]") == 1);
    /* A location under a prefix is not the bucket (Custodian's Arn.parse). */
    const char *prefixed = "{\"c7n:lakeformation-resources\":[{\"ResourceArn\":"
                           "\"arn:aws:s3:::data/raw\"}]}";
    CHECK(lake(p, prefixed, "[{\"Name\":\"data\"}]") == 1);
    CHECK(lake(p, res, "[]") == 1);
    CHECK(m(p, "{\"c7n:lakeformation-resources\":[]}") == 0);
    CHECK(m(p, "{\"c7n:lakeformation-resources\":null}") == 0); /* ListResources failed */
    CHECK(m(p, UNCOLLECTED) == 0);
    CHECK(m("{\"type\":\"lakeformation-s3-cross-account\",\"key\":\"x\"}", res) == -1);
}

int main(void)
{
    A = arena_new(0);
    RUN(guard_duty);
    RUN(securityhub);
    RUN(lakeformation);
    arena_free(A);
    T_EXIT();
}
